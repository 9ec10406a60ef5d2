import * as assert from 'assert';
import type { Locator, Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, runCommand, screenshot, scriptedModelVsix, serverScript, Workbench, writeMcpConfig } from './workbench';


/**
 * A new user in chat, as they would: open the Chat view, pick the model, type `@mcp /prompt …` and
 * `@mcp /servers` and read the streamed answers, then ask in their own words for something a tool does,
 * allow the call in the response, and read the answer built from the tool's result.
 */
describe('e2e: @mcp in the Chat view', function () {
  this.timeout(300_000);
  // A journey: each step needs the one before.
  this.bail(true);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const chatInput = () => page.locator('.interactive-input-part .monaco-editor').first();
  const responses = () => page.locator('.interactive-item-container.interactive-response');

  const newSession = () => page.getByRole('button', { name: 'New Session' }).first();

  /**
   * Chat as wide as the window, as a user who works in chat would have it (and the answers readable in screenshots),
   * with the Sessions list whose New Session button `send` uses between requests. Toggled only when not so already:
   * once in a run (ci-run17) the chat was back in the side bar by the second request.
   */
  let maximized = false;
  async function maximizeChat(): Promise<void> {
    if (await newSession().isVisible()) return;
    if (maximized) {
      // Not explained yet (ci-run17): say what the window shows, for whoever finds the cause.
      const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
      const panel = await page.locator('.part.panel').isVisible();
      console.log(`    the chat is no longer maximized; editors: ${tabs.join(' | ') || '(none)'}; panel shown: ${panel}`);
    }
    await runCommand(page, 'View: Toggle Maximized Secondary Side Bar');
    await newSession().waitFor({ timeout: 15_000 });
    maximized = true;
  }

  /** Types a request in the chat input and sends it with the Send button (Enter can be taken by the suggest widget). */
  async function send(text: string): Promise<Locator> {
    // Each request in a new session (the Sessions list beside the maximized chat): the chat list renders
    // only the rows in view, so counting responses across a long session would point at the wrong one.
    if ((await responses().count()) > 0) {
      await maximizeChat();
      await newSession().click();
      await responses().first().waitFor({ state: 'detached', timeout: 15_000 });
    }
    await chatInput().click();
    // @mcp is sticky: after its first answer the input starts with it. Type the whole request over it.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text, { delay: 5 });
    await page.keyboard.press('Escape');
    await page.locator('.interactive-input-part').getByRole('button', { name: /^Send/ }).first().click();
    // Away from the Send button, so its hover does not cover the response in screenshots.
    await page.mouse.move(700, 200);
    await responses().first().waitFor({ timeout: 60_000 });
    return responses().first();
  }

  it('opens the Chat view and picks a chat model', async () => {
    wb = await openWorkbench('everything', {
      extensions: [scriptedModelVsix()],
      prepare: ws => writeMcpConfig(ws, { everything: { type: 'stdio', command: 'node', args: [serverScript('server-everything')] } }),
    });
    page = wb.page;
    const trust = page.locator('.monaco-dialog-box');
    await trust.waitFor({ timeout: 90_000 });
    await trust.getByRole('button', { name: 'Start Server' }).click();

    await runCommand(page, 'Chat: Open Chat');
    await chatInput().waitFor({ timeout: 60_000 });
    await maximizeChat();

    // The model picker in the chat input lists the scripted model (the only one offline); pick it as a user would.
    const input = page.locator('.interactive-input-part');
    await input.locator('.action-item', { hasText: /Scripted Model|Pick Model|Models/ }).first().click();
    const option = page.locator('.context-view, .action-widget, .quick-input-widget').getByText('Scripted Model').first();
    try {
      await option.waitFor({ timeout: 30_000 });
    } catch (err) {
      console.log(`    model picker: ${(await page.locator('.context-view').first().innerHTML().catch(() => '(none)')).slice(0, 3000)}`);
      throw err;
    }
    await option.click();
    await input.locator('.action-item', { hasText: 'Scripted Model' }).first().waitFor({ timeout: 15_000 });
  });

  it('runs an MCP prompt with @mcp /prompt and streams the answer', async () => {
    const response = await send('@mcp /prompt everything.simple-prompt');
    await response.getByText(/scripted echo: This is a simple prompt without arguments/).waitFor({ timeout: 60_000 });
    assert.match(await response.innerText(), /Using the prompt Simple Prompt of everything/);
    await screenshot(page, 'chat-prompt');
  });

  it('shows the servers with @mcp /servers, each on a line with its actions as links that run (uxreview item 13)', async () => {
    const response = await send('@mcp /servers');
    await response.getByText(/1 of 1 MCP server running/).waitFor({ timeout: 30_000 });
    // On the server's line: links, not a stack of full-width buttons (two per server before).
    const line = response.locator('li', { hasText: /everything — running · \d+ tools/ });
    await line.getByRole('link', { name: 'Restart' }).waitFor({ timeout: 15_000 });
    assert.deepStrictEqual(await response.getByRole('button').filter({ hasText: /Restart|Show Log/ }).count(), 0);
    await screenshot(page, 'chat-servers');
    // VS Code runs the link (the markdown is trusted with MCP Host's server commands): the server's log opens.
    await line.getByRole('link', { name: 'Show Log' }).click();
    await page.locator('.part.panel .monaco-select-box, .part.panel .title', { hasText: /MCP: everything|everything/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'chat-servers-show-log');
  });

  it('asks for consent in the response when the model calls a tool, and answers with its result', async () => {
    const response = await send('@mcp echo hello from chat');
    const allow = response.getByRole('button', { name: 'Allow Once' });
    await allow.waitFor({ timeout: 60_000 });
    assert.match(await response.innerText(), /Run the MCP tool 'Echo Tool' \(echo\) on server 'everything'\?/);
    await screenshot(page, 'chat-consent');
    await allow.click();
    await response.getByText(/The tool returned: Echo: hello from chat/).waitFor({ timeout: 60_000 });
    // The answer under the buttons says they are spent (VS Code keeps them clickable: uxreview item 8).
    await response.getByText(/Allowed once\. The buttons above are answered; clicking them again does nothing\./).waitFor({ timeout: 15_000 });
    await screenshot(page, 'chat-tool-answer');
    // A late click changes nothing and says what the question was answered.
    await response.getByRole('button', { name: 'Deny' }).click();
    await page.locator('.notifications-toasts').getByText(/You already answered this question about 'Echo Tool' on 'everything': Allow Once\./).waitFor({ timeout: 15_000 });
    await screenshot(page, 'chat-consent-late-click');
  });
});
