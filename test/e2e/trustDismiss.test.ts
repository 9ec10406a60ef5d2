import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInputRow, screenshot, serverScript, waitForQuickInput, Workbench, writeMcpConfig } from './workbench';

/**
 * The trust dialog's Choose… closed with Escape is no answer: no server starts, none is said to be declined, and Start
 * in the tree asks again. (It declined every server, the same as leaving them all unchecked.)
 */
describe('e2e: Escape in the trust dialog’s Choose… declines nothing', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const sidebar = () => page.locator('.sidebar');
  const dialog = () => page.locator('.monaco-dialog-box');
  const treeRow = (label: RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();

  it('starts nothing, says each is waiting for approval (not declined), and asks again when the user starts one', async () => {
    wb = await openWorkbench('everything', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws =>
        writeMcpConfig(ws, {
          first: { type: 'stdio', command: 'node', args: [serverScript('server-everything')] },
          second: { type: 'stdio', command: 'node', args: [serverScript('server-everything')], env: { WHO: 'second' } },
        }),
    });
    page = wb.page;
    await dialog().waitFor({ timeout: 90_000 });
    assert.match(await dialog().innerText(), /Start 2 MCP servers from this workspace\?/);
    await dialog().getByRole('button', { name: 'Choose…' }).click();
    await waitForQuickInput(page, 'Start which MCP servers from this workspace?');
    // Checked, then Escape: a half-made choice is no answer either.
    await (await quickInputRow(page, /first/)).locator('.quick-input-list-checkbox, [role="checkbox"], input[type="checkbox"]').first().click();
    await page.keyboard.press('Escape');

    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    for (const name of ['first', 'second']) {
      await sidebar().locator('.monaco-list-row', { hasText: new RegExp(`${name}\\s*Not started: waiting for your approval`) }).first().waitFor({ timeout: 30_000 });
    }
    assert.strictEqual(await sidebar().locator('.monaco-list-row', { hasText: /you declined|running/ }).count(), 0, 'a server was declined or started by Escape');
    await screenshot(page, 'trust-dismiss-01-sidebar');

    // Start from the tree (the row's inline Start): asked about that server alone, and it runs once approved.
    const row = treeRow(/^first$/);
    await row.hover();
    await row.locator('.actions .action-label[aria-label^="Start"]').first().click();
    await dialog().waitFor({ timeout: 30_000 });
    assert.match(await dialog().innerText(), /Start the MCP server 'first' from this workspace\?/);
    await screenshot(page, 'trust-dismiss-02-asked-again');
    await dialog().getByRole('button', { name: 'Start Server' }).click();
    await sidebar().locator('.monaco-list-row', { hasText: /first\s*running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
    await sidebar().locator('.monaco-list-row', { hasText: /second\s*Not started: waiting for your approval/ }).first().waitFor({ timeout: 5_000 });
    await screenshot(page, 'trust-dismiss-03-started');
  });

  it("shows a server's tooltip when its row is hovered (built only then, in resolveTreeItem: config15)", async () => {
    await treeRow(/^first$/).locator('.label-name').hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /From \.vscode\/mcp\.json/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    assert.match(text, /first — running/);
    assert.match(text, /runs: node .*server-everything/);
    await screenshot(page, 'server-tooltip');
  });
});
