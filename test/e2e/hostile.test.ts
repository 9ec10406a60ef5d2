import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, waitForQuickInput, Workbench } from './workbench';

/**
 * A server whose text attacks the UI (test/fixtures/servers/hostile.ts), clicked through in the real
 * workbench: what VS Code renders must show that text, never a link or icon made from it.
 */
describe('e2e: a hostile server’s text stays inert', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  it('starts the hostile server once approved', async () => {
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => {
        fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
        const server = path.resolve(__dirname, '..', 'fixtures', 'servers', 'hostile.js');
        fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), JSON.stringify({ servers: { hostile: { type: 'stdio', command: 'node', args: [server] } } }, null, 2));
      },
    });
    page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await page.locator('.sidebar .monaco-list-row', { hasText: /running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
  });

  it('shows a tool error carrying a command link as text in the notification, with no link', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('fail_with_link');
    await (await quickInputRow(page, 'Fail with a link')).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Allow Once' }).click();

    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Sign in' }).first();
    await toast.waitFor({ timeout: 30_000 });
    const message = toast.locator('.notification-list-item-message');
    assert.match(await message.innerText(), /Fail with a link failed: .*Auth expired — \[Sign in\] \(command:workbench\.action\.terminal\.sendSequence/);
    assert.strictEqual(await message.locator('a').count(), 0, 'the notification rendered a link');
    await screenshot(page, 'hostile-tool-error-notification');
  });
});
