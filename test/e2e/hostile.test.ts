import * as assert from 'assert';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputRow, runCommand, screenshot, waitForQuickInput, Workbench } from './workbench';

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
    wb = await openWithTrustedServers({ hostile: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'hostile.js')] } });
    page = wb.page;
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
