import * as assert from 'assert';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, screenshot, Workbench, writeMcpConfig } from './workbench';

/**
 * A server with 10,000 resources in pages of 100, paged in the sidebar as a user does: "Load more…" with the mouse
 * and with the keyboard, then "Load all". After each page the user must see where the new resources start without
 * looking for them: the page's first resource selected and focused, in view, under the Resources row and the
 * earlier pages' folders; the earlier pages reachable in their folders.
 */
describe('e2e: paging 10,000 resources in the sidebar', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const sidebar = () => page.locator('.sidebar');
  const list = () => sidebar().locator('.monaco-list').first();
  const row = (label: string | RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  const selected = () => sidebar().locator('.monaco-list-row.selected');
  /** Whether `locator`'s row is inside the tree's viewport (the tree draws a few rows beyond it). */
  const inView = async (locator: Locator) => {
    const [box, view] = [await locator.boundingBox(), await list().boundingBox()];
    return !!box && !!view && box.y >= view.y - 1 && box.y + box.height <= view.y + view.height + 1;
  };
  /** Scrolls the tree down, as a user does with the wheel, until `locator` shows. */
  const scrollTo = async (locator: Locator) => {
    await list().hover();
    for (let i = 0; i < 60 && !((await locator.count()) && (await inView(locator))); i++) await page.mouse.wheel(0, 400);
    assert.ok(await inView(locator), 'scrolled to the end without finding the row');
  };
  /** The new page's first resource: selected, focused and in view, with the Resources row and the folders above it. */
  const landedOn = async (name: string, folders: string[]) => {
    const first = selected().filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) });
    await first.waitFor({ timeout: 15_000 });
    assert.strictEqual(await selected().count(), 1);
    assert.match((await first.getAttribute('class')) ?? '', /\bfocused\b/, 'the new page\'s first resource has the keyboard focus');
    assert.ok(await inView(first), 'the new page\'s first resource is out of view');
    for (const label of ['Resources', ...folders]) assert.ok(await inView(row(new RegExp(`^${label}$`))), `${label} is out of view`);
    // The keyboard is in the tree: arrows move on from the new resource.
    await page.waitForFunction("!!document.activeElement && !!document.activeElement.closest('.sidebar .monaco-list')", undefined, { timeout: 5_000 });
  };

  it('starts the server and shows the first page of its resources', async () => {
    const server = path.resolve(__dirname, '..', 'fixtures', 'servers', 'paging.js');
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => writeMcpConfig(ws, { paging: { type: 'stdio', command: 'node', args: [server, '--resources', '10000', '--page-size', '100'] } }),
    });
    page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: /running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
    await row(/^paging$/).click();
    await row(/^Resources$/).click();
    await row(/^Readme$/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'paging-01-first-page');
  });

  it('"Load more…" shows the next page from its first resource, selected and focused, the first page folded above it', async () => {
    const more = row(/^Load more…$/);
    await scrollTo(more);
    await screenshot(page, 'paging-02-before-load-more');
    await more.click();
    // Resource 101 of the list (two static ones, then resource-1…): resource-99.
    await landedOn('resource-99', ['1–100']);
    await screenshot(page, 'paging-03-after-load-more');
  });

  it('with the keyboard: Enter on "Load more…" does the same, and focus moves on to the new page', async () => {
    // Down from the first new resource to the "Load more…" row, as a keyboard user does.
    for (let i = 0; i < 120; i++) {
      if (/Load more…/.test((await sidebar().locator('.monaco-list-row.focused').innerText().catch(() => '')) ?? '')) break;
      await page.keyboard.press('ArrowDown');
    }
    assert.match(await sidebar().locator('.monaco-list-row.focused').innerText(), /Load more…/);
    await page.keyboard.press('Enter');
    await landedOn('resource-199', ['1–100', '101–200']);
    await screenshot(page, 'paging-04-keyboard-load-more');
  });

  it('"Load all" reaches the end of 10,000, and the earlier pages stay reachable in their folders', async () => {
    const all = row(/^Load all$/);
    await scrollTo(all);
    await all.click();
    const resources = row(/^Resources$/);
    await sidebar().locator('.monaco-list-row', { hasText: /Resources\s*10,002/ }).first().waitFor({ timeout: 60_000 }).catch(async () => {
      await list().hover();
      await page.mouse.wheel(0, -40_000);
      await sidebar().locator('.monaco-list-row', { hasText: /Resources\s*10,002/ }).first().waitFor({ timeout: 30_000 });
    });
    await resources.waitFor();
    assert.ok(!(await row(/^Load (more…|all)$/).count()), 'nothing is left to load');
    await row(/^1–100$/).waitFor();
    await row(/^101–10,000$/).waitFor();
    await row(/^resource-10000$/).waitFor();
    await screenshot(page, 'paging-05-load-all');
    // Page 50 of the list, two folders down.
    await row(/^101–10,000$/).click();
    const page50 = row(/^4,901–5,000$/);
    await scrollTo(page50);
    await page50.click();
    await scrollTo(row(/^resource-4899$/));
    await screenshot(page, 'paging-06-earlier-page');
  });
});
