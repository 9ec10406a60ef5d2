import * as assert from 'assert';
import * as os from 'os';
import type { Page, Request } from 'playwright-core';
import { startOAuthFixture, type OAuthFixture } from '../fixtures/lib/oauthServer';
import { closeAfterwards, openWorkbench, panelOpened, quickInputRow, runCommand, screenshot, waitForQuickInput, Workbench, writeMcpConfig } from './workbench';

/** Open Browser in the sign-in dialog: the tab the workbench opens (after VS Code's own question, if it asks one). */
async function openBrowserTab(page: Page): Promise<Page> {
  const dialog = page.locator('.monaco-dialog-box');
  const tab = page.context().waitForEvent('page', { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Open Browser' }).click();
  // VS Code may ask before opening an external site; loopback is usually trusted without asking.
  const opened = await Promise.race([tab, page.locator('.monaco-dialog-box', { hasText: 'open the external website' }).waitFor({ timeout: 10_000 }).then(() => undefined)]).catch(() => undefined);
  if (!opened) await dialog.getByRole('button', { name: 'Open' }).click();
  return opened ?? (await tab);
}

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

  closeAfterwards(() => wb);
  after(async () => fixture?.close());

  const sidebar = () => page.locator('.sidebar');
  const serverRow = () => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'linear-like' }) }).first();

  it('shows a server answering 401 as "needs sign-in" with the host, and opens nothing', async () => {
    fixture = await startOAuthFixture();
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => writeMcpConfig(ws, { 'linear-like': { type: 'http', url: fixture.url } }),
    });
    page = wb.page;
    const trust = page.locator('.monaco-dialog-box');
    await trust.waitFor({ timeout: 90_000 });
    await trust.getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: 'needs sign-in' }).first().waitFor({ timeout: 60_000 });
    // The row is expanded when it first appears as "needs sign-in"; one that appeared earlier (starting) is not.
    const signInRow = sidebar().locator('.monaco-list-row', { hasText: /Sign in at 127\.0\.0\.1:\d+/ }).first();
    if ((await serverRow().getAttribute('aria-expanded')) !== 'true') await serverRow().click();
    await signInRow.waitFor({ timeout: 15_000 });
    await serverRow().hover();
    await screenshot(page, 'remote-needs-sign-in');
    assert.strictEqual(page.context().pages().length, 1, 'no browser tab opened');
    assert.strictEqual(fixture.counts.authorize, 0);
  });

  it('Cancel on the "waiting for the browser" notification ends the wait at once; the server stays at needs sign-in', async () => {
    // The browser never gets to the authorization server: the user gave up on the page. (code-server may open it
    // through its port proxy, /proxy/<port>/authorize, so the path is matched wherever it is.)
    const authorize = /\/authorize\?/;
    const never = (route: { abort(): Promise<void> }) => route.abort();
    await page.context().route(authorize, never);
    try {
      await serverRow().hover();
      await serverRow().getByRole('button', { name: 'Sign In' }).click();
      await page.locator('.monaco-dialog-box').waitFor({ timeout: 30_000 });
      const tab = await openBrowserTab(page);
      const waiting = page.locator('.notification-toast', { hasText: 'waiting for the browser' });
      await waiting.waitFor({ timeout: 30_000 });
      await screenshot(page, 'remote-sign-in-waiting');
      await waiting.getByRole('button', { name: 'Cancel' }).click();
      await waiting.waitFor({ state: 'detached', timeout: 10_000 });
      await tab.close();
      await sidebar().locator('.monaco-list-row', { hasText: 'needs sign-in' }).first().waitFor({ timeout: 15_000 });
      assert.strictEqual(fixture.counts.authorize, 0, 'the authorization server was reached');
    } finally {
      await page.context().unroute(authorize, never);
    }
  });

  it('Sign In names the host first; the browser signs in and the server runs', async () => {
    await serverRow().hover();
    await serverRow().getByRole('button', { name: 'Sign In' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), new RegExp(`Sign in at ${new URL(fixture.issuer).host.replace(/\./g, '\\.')}\\?[\\s\\S]*mcp:tools`));
    const browserTab = await openBrowserTab(page);
    await browserTab.waitForLoadState('load', { timeout: 30_000 });
    assert.match(await browserTab.locator('body').innerText(), /Signed in\. You can close this tab/);
    await browserTab.close();
    await sidebar().locator('.monaco-list-row', { hasText: /running · 2 tools/ }).first().waitFor({ timeout: 60_000 });
    assert.strictEqual(fixture.counts.authorize, 1);
  });
});

/**
 * The same user in a window that signs in through VS Code's URI handler (`mcpHost.remote.signInRedirect:
 * uriHandler`, what a web or remote window chooses by itself): the authorization server redirects the browser
 * tab to code-server's own `/callback` page (the external form of `vscode://mcp-host.mcp-host/oauth/callback`
 * that `asExternalUri` handed out for this sign-in), which gives the code to the workbench, which gives it to the
 * extension's URI handler. No loopback listener is involved. Signing out and in again in the same window works
 * too: code-server delivers one callback per `asExternalUri` request id.
 */
describe('e2e: signing in through the URI handler (code-server\'s /callback)', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let page: Page;
  let fixture: OAuthFixture;

  closeAfterwards(() => wb);
  after(async () => fixture?.close());

  const sidebar = () => page.locator('.sidebar');
  const dialog = () => page.locator('.monaco-dialog-box');
  const serverRow = () => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'linear-like' }) }).first();
  /** The Tool Call History's rows of whoami, one per call. */
  const historyRows = () => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^whoami$/ }), hasText: 'linear-like' });
  const authorizeHost = Object.values(os.networkInterfaces()).flat().find(a => a && a.family === 'IPv4' && !a.internal)?.address;
  /** The redirect URIs the sign-ins sent, in order. */
  const redirects: string[] = [];

  /**
   * Sign In → Open Browser → the tab → the authorization server → code-server's `/callback` → running.
   * The authorization server's endpoints are on a non-loopback address of this machine, as a real server's
   * are: code-server opens a loopback URL through its port proxy (`/proxy/<port>/…`, port forwarding for a
   * browser on another machine) and, doing so, decodes the URL's query once, which mangles the `redirect_uri`
   * inside it (its own `?…&…` becomes part of the outer query). That is an artefact of a loopback authorization
   * server, so the test avoids it rather than following the proxy; nothing in the product path is replaced.
   */
  async function signInThroughTheBrowser(): Promise<void> {
    await serverRow().hover();
    await serverRow().getByRole('button', { name: 'Sign In' }).click();
    await dialog().waitFor({ timeout: 30_000 });
    // The tab's navigations, to see the authorization request it made (it passes on to the callback at once).
    const navigations: string[] = [];
    const onRequest = (request: Request) => void (request.isNavigationRequest() && navigations.push(request.url()));
    page.context().on('request', onRequest);
    try {
      const browserTab = await openBrowserTab(page);
      const codeServer = new URL(page.url());
      await browserTab.waitForURL(url => url.origin === codeServer.origin && url.pathname.endsWith('/callback') && url.searchParams.has('code'), { timeout: 30_000, waitUntil: 'commit' });
      const authorize = navigations.map(u => new URL(u)).find(u => u.href.startsWith(fixture.authorizationEndpoint));
      assert.ok(authorize, `the tab opened the authorization server itself (no proxy): ${navigations.join(' → ')}`);
      const redirectUri = new URL(authorize.searchParams.get('redirect_uri') ?? 'about:blank');
      redirects.push(redirectUri.href);
      assert.ok(redirectUri.origin === codeServer.origin && redirectUri.pathname.endsWith('/callback') && redirectUri.searchParams.has('vscode-reqid'), `the redirect goes to code-server's callback page, not a loopback listener: ${redirectUri.href}`);
      await sidebar().locator('.monaco-list-row', { hasText: /running · 2 tools/ }).first().waitFor({ timeout: 60_000 });
      await screenshot(page, 'remote-uri-handler-signed-in');
      await browserTab.close();
    } finally {
      page.context().off('request', onRequest);
    }
  }

  async function runWhoami(): Promise<void> {
    const before = fixture.counts.toolCalls;
    const calls = await historyRows().count();
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('whoami');
    await (await quickInputRow(page, 'whoami')).click();
    await dialog().waitFor({ timeout: 30_000 });
    await dialog().getByRole('button', { name: 'Allow Once' }).click();
    // The step ends where the user's does: the call in the history and its result panel open, with the focus (the
    // panel takes it when its webview is ready, and would close a palette opened before that). Not when the server saw
    // the call: the result panel opening after that is what closed the next test's palette in the flake of session 9.
    // (The panel's content is not checked here: in this window, under heavy load, code-server's webview host has been
    // seen never to create its content frame; newUser and forms check result pages.)
    await historyRows().nth(calls).waitFor({ timeout: 30_000 });
    await panelOpened(page, 'MCP: whoami result');
    assert.strictEqual(fixture.counts.toolCalls, before + 1);
  }

  it('signs in through code-server\'s /callback page and runs a tool', async function () {
    if (!authorizeHost) this.skip(); // no non-loopback IPv4 address on this machine
    fixture = await startOAuthFixture({ authorizeHost });
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'mcpHost.remote.signInRedirect': 'uriHandler' },
      prepare: ws => writeMcpConfig(ws, { 'linear-like': { type: 'http', url: fixture.url } }),
    });
    page = wb.page;
    await dialog().waitFor({ timeout: 90_000 });
    await dialog().getByRole('button', { name: 'Start Server' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: 'needs sign-in' }).first().waitFor({ timeout: 60_000 });
    await signInThroughTheBrowser();
    await runWhoami();
    assert.strictEqual(fixture.counts.authorize, 1);
  });

  it('signs out and in again in the same window: the second sign-in gets its own callback and completes', async function () {
    if (!wb) this.skip();
    await runCommand(page, 'MCP Host: Sign Out');
    await (await quickInputRow(page, 'linear-like')).click();
    await sidebar().locator('.monaco-list-row', { hasText: 'needs sign-in' }).first().waitFor({ timeout: 60_000 });
    await signInThroughTheBrowser();
    await runWhoami();
    assert.strictEqual(fixture.counts.authorize, 2);
    assert.strictEqual(redirects.length, 2);
    assert.notStrictEqual(redirects[0], redirects[1], 'each sign-in asked code-server for its own callback');
  });
});
