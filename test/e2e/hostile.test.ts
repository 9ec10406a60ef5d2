import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, screenshot, Workbench } from './workbench';

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
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill('>MCP Host: Run Tool');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'MCP Host: Run Tool…' }).first().click();
    await page.locator('.quick-input-widget', { hasText: 'MCP Host: Run Tool' }).waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('fail_with_link');
    const tool = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fail with a link' }).first();
    await tool.waitFor({ timeout: 15_000 });
    await tool.click();
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
