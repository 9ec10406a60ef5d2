import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, waitForQuickInput, webviewShownWithFocus, Workbench, writeMcpConfig } from './workbench';

/**
 * Cancel, as a user presses it: the Cancel button of a running call's progress notification. The `hang` fixture's
 * `hang` tool never answers and logs each cancellation it is sent on stderr (which MCP Host keeps in the server's
 * log). A call that completes, then two cancelled in a row, then one that completes: the palette reuses a completed
 * call's AbortController (src/common/abortPool.ts), so the first Cancel goes through a reused one; an aborted one is
 * never reused, so the calls after a Cancel must not start out cancelled.
 */
describe('e2e: Cancel on a running tool call', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const toasts = () => page.locator('.notifications-toasts .notification-toast');
  const toast = (text: string | RegExp) => toasts().filter({ hasText: text }).first();

  /**
   * The requests the server logged as cancelled ("request N cancelled; still not answering"), from the log files
   * under the profile (each distinct request once, whichever files carry the line).
   */
  const cancelledRequests = (): Set<string> => {
    const logs = path.join(wb!.profile.userDataDir, 'logs');
    const found = new Set<string>();
    if (!fs.existsSync(logs)) return found;
    for (const file of fs.readdirSync(logs, { recursive: true }) as string[]) {
      const full = path.join(logs, file);
      if (!file.endsWith('.log') || !fs.statSync(full).isFile()) continue;
      for (const [, id] of fs.readFileSync(full, 'utf8').matchAll(/request (\S+) cancelled; still not answering/g)) found.add(id!);
    }
    return found;
  };

  /** Run Tool… → the tool whose row shows `row` → Allow Once (the tools here take no arguments: no form). */
  const startCall = async (filter: string, row: string | RegExp) => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill(filter);
    await (await quickInputRow(page, row)).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    // Asked, not running: no "Running…" notification while the user decides.
    assert.strictEqual(await toast("Running 'hang' on 'hang'").count(), 0, 'a "Running" notification showed while consent was asked');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  };

  const cancelHang = async (nth: number) => {
    await startCall('hang', 'Never answers');
    const progress = toast("Running 'hang' on 'hang'");
    await progress.waitFor({ timeout: 15_000 });
    // Still running: a call that ended at once (say, on a signal cancelled before) would show its outcome instead.
    assert.strictEqual(await toast(/hang: Cancel/).count(), 0, `call ${nth} ended before its Cancel was pressed`);
    if (nth === 1) await screenshot(page, 'cancel-01-progress');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await toast(/hang: Cancelled/).waitFor({ timeout: 15_000 });
    await progress.waitFor({ state: 'hidden', timeout: 15_000 });
    // The server was told: the fixture logs each cancellation it receives on stderr, which the server's log keeps.
    const deadline = Date.now() + 30_000;
    while (cancelledRequests().size < nth) {
      if (Date.now() > deadline) throw new Error(`the server logged ${cancelledRequests().size} cancelled requests, expected ${nth}`);
      await new Promise(r => setTimeout(r, 250));
    }
    // Close the outcome, so the next call's toast is the only one.
    await toast(/hang: Cancelled/).hover();
    await toast(/hang: Cancelled/).getByRole('button', { name: /Clear Notification/ }).click();
    await toast(/hang: Cancelled/).waitFor({ state: 'hidden', timeout: 15_000 });
  };

  it('starts the hang server once approved', async () => {
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => writeMcpConfig(ws, { hang: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'hang.js')] } }),
    });
    page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await page.locator('.sidebar .monaco-list-row', { hasText: /running · 2 tools/ }).first().waitFor({ timeout: 60_000 });
  });

  it('runs a call that completes', async () => {
    await startCall('ok', /Answers "ok"/);
    await webviewShownWithFocus(page, /^ok$/);
  });

  it("Cancel in the next call's progress notification ends that call and tells the server", async () => {
    await cancelHang(1);
  });

  it('a second call is cancelled the same way, and only when its own Cancel is pressed', async () => {
    await cancelHang(2);
  });

  it('a call after two cancelled ones completes, and no other call was cancelled', async () => {
    await startCall('ok', /Answers "ok"/);
    await webviewShownWithFocus(page, /^ok$/);
    assert.strictEqual(cancelledRequests().size, 2, 'a cancellation was sent for a call that was not cancelled');
  });
});
