import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInput, quickInputBox, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, webviewShownWithFocus, Workbench, writeMcpConfig } from './workbench';

/**
 * A new user, as they would: install the VSIX, open a repository whose .vscode/mcp.json configures
 * server-everything, approve it, browse it in the sidebar, open a resource, run a tool from the command
 * palette filling its form, accept the consent dialog, and read the result.
 */
describe('e2e: a new user with server-everything', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const sidebar = () => page.locator('.sidebar');
  const treeRow = (label: string | RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();

  it('asks before starting the workspace server, showing the command line', async () => {
    wb = await openWorkbench('everything', {
      // The chat panel would take a third of every screenshot.
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => writeMcpConfig(ws, { everything: { type: 'stdio', command: 'node', args: [serverScript('server-everything')] } }),
    });
    page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    assert.match(await dialog.innerText(), /Start the MCP server 'everything' from this workspace\?[\s\S]*server-everything/);
    await screenshot(page, '01-trust-dialog');
    await dialog.getByRole('button', { name: 'Start Server' }).click();
  });

  it('shows the running server in the sidebar and expands it', async () => {
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    const server = treeRow('everything');
    await server.waitFor({ timeout: 30_000 });
    await sidebar().locator('.monaco-list-row', { hasText: /running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
    await server.click();
    await treeRow('Tools').waitFor({ timeout: 15_000 });
    await treeRow('Resources').waitFor();
    await treeRow('Prompts').waitFor();
    await screenshot(page, '02-sidebar-server');
  });

  it('opens a resource as a read-only document', async () => {
    await treeRow('Resources').click();
    const resource = sidebar().locator('.monaco-list-row', { hasText: /\.md|architecture|document/i }).first();
    await resource.waitFor({ timeout: 30_000 });
    await resource.click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await page.locator('.tabs-container .tab.active').waitFor();
    const text = await page.locator('.editor-instance .view-lines').first().innerText();
    assert.ok(text.trim().length > 0, 'the resource document is empty');
    await screenshot(page, '03-resource-document');
  });

  it('runs a tool from the command palette, fills its form, accepts consent and sees the result', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    // The command's own quick pick replaces the command palette's.
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('echo');
    const echo = await quickInputRow(page, /^echo|Echo/);
    await screenshot(page, '04-run-tool-pick');
    await echo.click();
    const input = await waitForQuickInput(page, /message/i, 15_000);
    await input.fill('hello from e2e');
    await screenshot(page, '05-run-tool-form');
    await input.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /echo[\s\S]*everything[\s\S]*hello from e2e/);
    await screenshot(page, '06-consent-dialog');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, 'Echo: hello from e2e');
    await screenshot(page, '07-tool-result');
  });

  it('runs the call again from its result panel, through the consent dialog, and saves it from there (uxreview item 5)', async () => {
    const result = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await result.getByRole('link', { name: 'Run Again' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /Requested from: the result panel's Run Again/);
    await screenshot(page, '07b-run-again-consent');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await webviewShownWithFocus(page, 'Echo: hello from e2e');
    await result.getByRole('link', { name: 'Save Call…' }).click();
    const name = await waitForQuickInput(page, /Save Echo Tool on 'everything'/, 15_000);
    assert.strictEqual(await name.inputValue(), 'Echo Tool');
    await screenshot(page, '07c-save-call-name');
    await name.press('Escape');
  });

  it('Run Again shows the new result in the panel: a tool that answers differently on each call (review13 NIT)', async () => {
    // server-everything's toggle-simulated-logging answers "Started …", then "Stopped …" (it has no arguments: no form).
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('toggle simulated logging');
    await (await quickInputRow(page, /Toggle Simulated Logging/)).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await webviewShownWithFocus(page, /Started simulated/);
    const result = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await result.getByRole('link', { name: 'Run Again' }).click();
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /Requested from: the result panel's Run Again/);
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await webviewShownWithFocus(page, /Stopped simulated logging/);
    assert.strictEqual(await result.getByText(/Started simulated/).count(), 0, 'the panel still shows the first answer');
    assert.strictEqual(await page.locator('.tabs-container .tab', { hasText: 'Toggle Simulated Logging' }).count(), 1, 'Run Again opened a second panel');
    await screenshot(page, '07d-run-again-new-result');
  });

  it('offers what a row does in its context menu, and a number field says what to enter before it says what is wrong', async () => {
    /** The labels of the context menu of a sidebar row, closed again; [] when it has none. */
    const menu = async (row: string | RegExp): Promise<string[]> => {
      await treeRow(row).click({ button: 'right' });
      const shown = page.locator('.context-view .monaco-menu');
      if (!(await shown.waitFor({ timeout: 3_000 }).then(() => true, () => false))) return [];
      const labels = (await shown.locator('.action-label').allInnerTexts()).filter(l => l.trim());
      await page.keyboard.press('Escape');
      return labels;
    };
    // The server has 7 resources, all listed: no Load more or Load all. A tool without saved calls: no Run Saved Call….
    assert.deepStrictEqual(await menu(/^Resources$/), []);
    // One group open at a time: the tree draws only the rows in view.
    await treeRow(/^Resources$/).click();
    await treeRow(/^Prompts$/).click();
    assert.deepStrictEqual(await menu(/^Simple Prompt$/), ['Use Prompt…']);
    await treeRow(/^Prompts$/).click();
    await treeRow(/^Tools$/).click();
    assert.deepStrictEqual(await menu(/^Get Sum Tool$/), ['Run Tool…']);

    await treeRow(/^Get Sum Tool$/).click();
    const first = quickInput(page).filter({ hasText: "Get Sum Tool on 'everything' (1/2)" });
    await first.waitFor({ timeout: 15_000 });
    // On open: the field's description as the prompt, no problem shown yet (it was "Enter a number" in error red).
    await first.getByText('First number').waitFor({ timeout: 5_000 });
    assert.doesNotMatch(await quickInput(page).innerText(), /Enter a number/);
    await quickInputBox(page).press('Enter');
    await quickInput(page).getByText('Enter a number, like 42 or -3.5.').waitFor({ timeout: 5_000 });
    await page.keyboard.press('Escape');
  });

});
