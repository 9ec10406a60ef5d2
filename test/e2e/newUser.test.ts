import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, webviewShownWithFocus, Workbench, writeMcpConfig } from './workbench';

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

});
