import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { startOAuthFixture, type OAuthFixture } from '../fixtures/lib/oauthServer';
import { openWorkbench, screenshot, Workbench } from './workbench';

/**
 * A user of an OAuth-protected remote server, in the real workbench and the real browser: the server shows
 * "needs sign-in"; Sign In names the host before anything opens; the browser tab the workbench opens goes
 * through the authorization server (which approves at once) back to the extension's loopback listener,
 * and the server runs. The authorization server and the MCP server run in this test's process, on loopback.
 */
describe('e2e: signing in to a remote server', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;
  let fixture: OAuthFixture;

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      console.log(`    screenshot: ${await screenshot(wb.page, `FAILED ${this.currentTest.fullTitle()}`)}`);
    }
  });
  after(async () => {
    await wb?.close();
    await fixture?.close();
  });

  const sidebar = () => page.locator('.sidebar');
  const serverRow = () => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'linear-like' }) }).first();

  it('shows a server answering 401 as "needs sign-in" with the host, and opens nothing', async () => {
    fixture = await startOAuthFixture();
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => {
        fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
        fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), JSON.stringify({ servers: { 'linear-like': { type: 'http', url: fixture.url } } }, null, 2));
      },
    });
    page = wb.page;
    const trust = page.locator('.monaco-dialog-box');
    await trust.waitFor({ timeout: 90_000 });
    await trust.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: 'needs sign-in' }).first().waitFor({ timeout: 60_000 });
    // The row is expanded when it first appears as "needs sign-in"; one that appeared earlier (starting) is not.
    const signInRow = sidebar().locator('.monaco-list-row', { hasText: /Sign in at 127\.0\.0\.1:\d+/ }).first();
    if (!(await signInRow.isVisible())) await serverRow().click();
    await signInRow.waitFor({ timeout: 15_000 });
    await serverRow().hover();
    await screenshot(page, 'remote-needs-sign-in');
    assert.strictEqual(page.context().pages().length, 1, 'no browser tab opened');
    assert.strictEqual(fixture.counts.authorize, 0);
  });

  it('Sign In names the host first; the browser signs in and the server runs', async () => {
    await serverRow().hover();
    await serverRow().getByRole('button', { name: 'Sign In' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), new RegExp(`Sign in at ${new URL(fixture.issuer).host.replace(/\./g, '\\.')}\\?[\\s\\S]*mcp:tools`));
    const tab = page.context().waitForEvent('page', { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Open Browser' }).click();
    // VS Code may ask before opening an external site; loopback is usually trusted without asking.
    const opened = await Promise.race([tab, page.locator('.monaco-dialog-box', { hasText: 'open the external website' }).waitFor({ timeout: 10_000 }).then(() => undefined)]).catch(() => undefined);
    if (!opened) await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Open' }).click();
    const browserTab = opened ?? (await tab);
    await browserTab.waitForLoadState('load', { timeout: 30_000 });
    assert.match(await browserTab.locator('body').innerText(), /Signed in\. You can close this tab/);
    await browserTab.close();
    await sidebar().locator('.monaco-list-row', { hasText: /running · 2 tools/ }).first().waitFor({ timeout: 60_000 });
    assert.strictEqual(fixture.counts.authorize, 1);
  });
});
