import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { startOAuthFixture, type OAuthFixture } from '../fixtures/lib/oauthServer';
import { startEverythingHttp } from '../unit/servers';
import { appFrame, closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, Workbench, writeMcpConfig } from './workbench';

/**
 * What walk16 found trying remote servers and MCP Apps as a new user, kept in the real workbench: a remote server
 * that never signs in offers no Sign Out; a call cut short by an expired sign-in says so and offers Sign In; an app
 * opened from the palette whose Send Message has no chat to go to says so (ext-apps' example ignores the refusal).
 */
describe('e2e: remote servers and MCP Apps as a new user (walk16)', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let page: Page;
  let oauth: OAuthFixture | undefined;
  let open: { url: string; stop(): Promise<void> } | undefined;

  closeAfterwards(() => wb);
  after(async () => {
    await oauth?.close();
    await open?.stop();
  });

  const sidebar = () => page.locator('.sidebar');
  const dialog = () => page.locator('.monaco-dialog-box');
  const serverRow = (name: string) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first();
  /** The server's row once it shows this state. */
  const rowShows = (name: string, state: RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }), hasText: state }).first();
  const toast = (text: RegExp) => page.locator('.notification-toast', { hasText: text }).first();

  /** The items of a server row's context menu. */
  async function contextMenu(name: string): Promise<string[]> {
    await serverRow(name).click({ button: 'right' });
    const menu = page.locator('.monaco-menu .action-label');
    await menu.first().waitFor({ timeout: 15_000 });
    const items = (await menu.allInnerTexts()).map(t => t.trim()).filter(Boolean);
    await page.keyboard.press('Escape');
    return items;
  }

  /** Runs a tool from the palette and answers its consent dialog. */
  async function runTool(typed: string, row: RegExp): Promise<void> {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill(typed);
    await (await quickInputRow(page, row, 60_000)).click();
    await dialog().waitFor({ timeout: 30_000 });
    await dialog().getByRole('button', { name: 'Allow Once' }).click();
  }

  /** Sign In from the server's row, through the dialog and the browser tab the workbench opens. */
  async function signIn(name: string): Promise<string> {
    await serverRow(name).hover();
    await serverRow(name).getByRole('button', { name: 'Sign In' }).click();
    return await signInDialog();
  }
  async function signInDialog(): Promise<string> {
    await dialog().waitFor({ timeout: 30_000 });
    const asked = await dialog().innerText();
    const tab = page.context().waitForEvent('page', { timeout: 30_000 });
    await dialog().getByRole('button', { name: 'Open Browser' }).click();
    const opened = await Promise.race([tab, page.locator('.monaco-dialog-box', { hasText: 'open the external website' }).waitFor({ timeout: 10_000 }).then(() => undefined)]).catch(() => undefined);
    if (!opened) await dialog().getByRole('button', { name: 'Open' }).click();
    const browserTab = opened ?? (await tab);
    await browserTab.waitForLoadState('load', { timeout: 30_000 });
    await browserTab.close();
    // The workbench's tab in front again, as a user's browser puts it. ci-run63: the app panel opened next stayed blank
    // once (not even MCP Host's own header loaded; 5 runs alone passed): a webview in a page left in the background is
    // the likely cause.
    await page.bringToFront();
    return asked;
  }


  before(async () => {
    oauth = await startOAuthFixture();
    open = await startEverythingHttp('streamableHttp');
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws =>
        writeMcpConfig(ws, {
          'open-http': { type: 'http', url: open!.url },
          'linear-like': { type: 'http', url: oauth!.url },
          basic: { type: 'stdio', command: 'node', args: [serverScript('server-basic-vanillajs'), '--stdio'] },
        }),
    });
    page = wb.page;
    await dialog().waitFor({ timeout: 90_000 });
    await dialog().getByRole('button', { name: 'Start Servers' }).click();
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await rowShows('open-http', /running · \d+ tools/).waitFor({ timeout: 60_000 });
    await rowShows('basic', /running · 1 tool/).waitFor({ timeout: 60_000 });
    await rowShows('linear-like', /needs sign-in/).waitFor({ timeout: 60_000 });
  });

  it('offers Sign Out only for a server that has signed in: not for a remote server that never asks for one', async () => {
    // It was in the menu (and the CodeLens) of every remote server, and said "stopped until you sign in again" on one
    // that simply started again.
    const plain = await contextMenu('open-http');
    assert.ok(plain.includes('Stop Server') && !plain.includes('Sign Out'), plain.join(' | '));
    assert.ok(!(await contextMenu('linear-like')).includes('Sign Out'), 'not signed in yet: nothing to sign out of');
    await signIn('linear-like');
    await rowShows('linear-like', /running · 2 tools/).waitFor({ timeout: 60_000 });
    assert.ok((await contextMenu('linear-like')).includes('Sign Out'));
  });

  it('a call cut short by an expired sign-in says so and offers Sign In, which asks again and runs the server', async () => {
    oauth!.revokeRefreshTokens();
    oauth!.expireAccessTokens();
    await runTool('linear-like whoami', /whoami/);
    // It said "whoami failed: tools/call got no answer: the server closed the connection (it exited or was stopped)".
    const failed = toast(/whoami failed/);
    await failed.waitFor({ timeout: 60_000 });
    assert.match(await failed.innerText(), /No answer: the sign-in expired and 127\.0\.0\.1:\d+ refused to renew it, so the server was stopped\. Sign in again/);
    await screenshot(page, 'walk16-sign-in-expired');
    await failed.getByRole('button', { name: 'Sign In' }).click();
    assert.match(await signInDialog(), /needs you to sign in again \(the sign-in expired\)/);
    await rowShows('linear-like', /running · 2 tools/).waitFor({ timeout: 60_000 });
  });

  it("tells the user when an app opened from the palette asks to send a chat message (the app itself shows nothing)", async () => {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runTool('basic get-time', /Get Time/);
    const app = await appFrame(page, '#server-time');
    await app.getByRole('button', { name: 'Send Message' }).click();
    const told = toast(/asked to send a message to chat/);
    await told.waitFor({ timeout: 30_000 });
    assert.match(await told.innerText(), /The app of 'Get Time' on 'basic' asked to send a message to chat, but it was opened from the Command Palette or the sidebar/);
    await screenshot(page, 'walk16-app-message-outside-chat');
  });
});
