import * as assert from 'assert';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, screenshot, Workbench, writeMcpConfig } from './workbench';

/**
 * An image resource open in VS Code's image preview shows what the server last announced with
 * `notifications/resources/updated`, as a text resource does. The paging fixture's `--tick-pixel` changes
 * `pixel.png` every 1.5 s while it is subscribed: a 1×1 pixel at even versions, a 48×48 orange square at odd ones.
 */
describe('e2e: an open image resource refreshes on resources/updated', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const sidebar = () => page.locator('.sidebar');
  const row = (label: RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();

  it('opens Pixel from the sidebar in the image preview, and the preview shows each new version of it', async () => {
    const server = path.resolve(__dirname, '..', 'fixtures', 'servers', 'paging.js');
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => writeMcpConfig(ws, { paging: { type: 'stdio', command: 'node', args: [server, '--tick-pixel', '1500'] } }),
    });
    page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: /running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
    await row(/^paging$/).click();
    await row(/^Resources$/).click();
    await row(/^Pixel$/).click();

    // The preview's image, in its webview; its natural width says which version it shows (1 or 48 pixels).
    const image = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('img');
    await image.first().waitFor({ state: 'attached', timeout: 30_000 });
    const width = () => image.first().evaluate(i => { const img = i as unknown as { complete: boolean; naturalWidth: number }; return img.complete ? img.naturalWidth : 0; });
    const shows = async (w: number, timeout: number) => {
      for (const deadline = Date.now() + timeout; Date.now() < deadline; await page.waitForTimeout(100)) {
        if ((await width().catch(() => 0)) === w) return true;
      }
      return false;
    };
    assert.ok((await shows(1, 10_000)) || (await shows(48, 1)), `the preview shows no image (natural width ${await width().catch(() => '?')})`);
    const first = await width();
    await screenshot(page, `image-refresh-01-width-${first}`);
    // Before: the preview kept the image it first showed (VS Code's image preview re-fetches only a URI without a query).
    const next = first === 1 ? 48 : 1;
    assert.ok(await shows(next, 15_000), `the preview still shows the ${first}-pixel image 15 s later, the server having announced a new version every 1.5 s`);
    await screenshot(page, `image-refresh-02-width-${next}`);
    assert.ok(await shows(first, 15_000), 'the preview did not show the version after that');
  });
});
