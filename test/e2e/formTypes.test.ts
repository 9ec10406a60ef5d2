import * as assert from 'assert';
import type { FrameLocator, Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, webviewShownWithFocus, Workbench } from './workbench';

/**
 * server-sequential-thinking's tool in the form editor (walk14 D and A): the tool's description shows under the
 * title, and its `type: ["boolean", "string"]` fields are a choice of type with that type's control (they were
 * JSON text boxes where the user had to know to type `true`). A user picks "true" and the server gets `true`.
 */
describe('e2e: the form editor shows the tool’s description and a choice of type (server-sequential-thinking)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  it('starts the server once the user agrees', async () => {
    wb = await openWithTrustedServers({ thinking: { type: 'stdio', command: 'node', args: [serverScript('server-sequential-thinking')], env: { DISABLE_THOUGHT_LOGGING: 'true' } } }, { settings: { 'chat.mcp.access': 'none' } });
    page = wb.page;
  });

  it('opens the tool with its description under the title, scrollable, as text', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('sequential thinking');
    await (await quickInputRow(page, 'Sequential Thinking')).click();
    await form().getByRole('heading', { name: /Sequential Thinking on 'thinking'/ }).waitFor({ timeout: 30_000 });
    const description = form().getByRole('region', { name: 'Description' });
    assert.match(await description.innerText(), /^A detailed tool for dynamic and reflective problem-solving through thoughts\./);
    // Long: it scrolls in its own box rather than pushing the form off the page.
    const box = await description.evaluate(e => ({ client: e.clientHeight, scroll: e.scrollHeight, overflow: (globalThis as unknown as { getComputedStyle(e: unknown): { overflowY: string } }).getComputedStyle(e).overflowY }));
    assert.ok(box.scroll > box.client && box.overflow === 'auto', JSON.stringify(box));
  });

  it('asks nextThoughtNeeded as a choice of type, then true or false; the server gets true', async () => {
    const next = form().getByRole('group', { name: /^nextThoughtNeeded/ });
    assert.strictEqual(await next.locator('textarea').count(), 0, 'still a JSON text box');
    assert.deepStrictEqual(await next.getByLabel('Type').locator('option').allInnerTexts(), ['true or false', 'text']);
    await next.getByLabel('Value').selectOption({ label: 'true' });
    await form().getByRole('textbox', { name: 'thought', exact: true }).fill('Is the form clear?');
    await form().getByRole('textbox', { name: 'thoughtNumber', exact: true }).fill('1');
    await form().getByRole('textbox', { name: 'totalThoughts', exact: true }).fill('1');
    const revision = form().getByRole('group', { name: /^isRevision/ });
    await revision.getByLabel('Type').selectOption({ label: 'text' });
    await revision.getByLabel('Value').waitFor();
    await form().getByRole('heading').first().scrollIntoViewIfNeeded();
    await form().getByText('Ready to submit').waitFor({ timeout: 15_000 });
    await screenshot(page, 'form-editor-types');
    await revision.getByLabel('Type').selectOption({ label: 'true or false' });
    await form().getByRole('button', { name: 'Submit' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const consent = await dialog.innerText();
    assert.match(consent, /"nextThoughtNeeded": true/, consent);
    assert.doesNotMatch(consent, /isRevision/, 'a type chosen and left empty is not sent');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, /nextThoughtNeeded/);
  });
});
