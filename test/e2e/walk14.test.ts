import * as assert from 'assert';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInput, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, Workbench, writeMcpConfig } from './workbench';

/**
 * What walk14 found trying MCP Host on servers from npm, kept in the real workbench: most npm servers give their tools
 * no title (calc-mcp, git-mcp-server), so a tool's label is its name. Here the crash fixture's `ok` and `boom` play
 * that part beside server-everything.
 */
describe('e2e: servers whose tools have no titles (walk14)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  it('finds an untitled tool in Run Tool by typing its server and its name', async () => {
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws =>
        writeMcpConfig(ws, {
          everything: { type: 'stdio', command: 'node', args: [serverScript('server-everything')] },
          crash: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'crash.js'), '--when', 'on-call'] },
        }),
    });
    page = wb.page;
    const trust = page.locator('.monaco-dialog-box');
    await trust.waitFor({ timeout: 90_000 });
    await trust.getByRole('button', { name: 'Start Servers' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    const rows = page.locator('.sidebar .monaco-list-row');
    await rows.filter({ hasText: /crash\s*running · 2 tools/ }).waitFor({ timeout: 60_000 });
    await rows.filter({ hasText: /everything\s*running · \d+ tools/ }).waitFor({ timeout: 60_000 });

    await runCommand(page, 'MCP Host: Run Tool…');
    // VS Code filters the label and the description each on its own: the row's description must hold both words.
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('crash boom');
    const boom = await quickInputRow(page, /^boom/);
    assert.match(await boom.innerText(), /crash · boom/);
    assert.strictEqual(await quickInput(page).locator('.quick-input-list .monaco-list-row').count(), 1, 'one row for "crash boom"');
    await screenshot(page, 'walk14-run-tool-untitled');
    await page.keyboard.press('Escape');
  });
});
