import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';

// The harness is plain CommonJS shared with the other tiers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../harness/lib') as HarnessLib;

interface Profile {
  dir: string;
  userDataDir: string;
  extensionsDir: string;
}
interface CodeServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}
interface HarnessLib {
  root: string;
  ensureSetup(): Env;
  createProfile(prefix: string, settings?: object): Profile;
  installExtension(env: Env, profile: Profile, vsix: string): string;
  copyWorkspace(name: string, into?: string): string;
  removeDir(dir: string): void;
  startCodeServer(env: Env, profile: Profile, opts: { workspace?: string; trust?: boolean }): Promise<CodeServer>;
  launchBrowser(env: Env): Promise<Browser>;
}
export interface Env {
  chromium: string;
  codeServer: string;
  node24Bin: string;
}

export interface Workbench {
  page: Page;
  workspace: string;
  profile: Profile;
  installOutput: string;
  close(): Promise<void>;
}

/** The VSIX under test: built by the e2e harness before mocha starts. */
export function vsixPath(): string {
  const vsix = process.env.MCP_HOST_VSIX;
  if (!vsix || !fs.existsSync(vsix)) throw new Error('MCP_HOST_VSIX is not set to a built VSIX: run the e2e tier with `npm run test:e2e`');
  return vsix;
}

/** The scripted test model's VSIX: the e2e harness builds it (offline there is no Copilot to sign in to). */
export function scriptedModelVsix(): string {
  const vsix = process.env.MCP_HOST_SCRIPTED_MODEL_VSIX;
  if (!vsix || !fs.existsSync(vsix)) throw new Error('MCP_HOST_SCRIPTED_MODEL_VSIX is not set: run the e2e tier with `npm run test:e2e`');
  return vsix;
}

/**
 * A new user's VS Code: a fresh code-server profile with our VSIX installed from the CLI, a copy of a
 * fixture workspace, and the workbench loaded in Debian's chromium.
 */
export async function openWorkbench(
  workspaceName: string,
  opts: { trust?: boolean; settings?: object; prepare?: (workspace: string) => void; extensions?: readonly string[] } = {},
): Promise<Workbench> {
  const env = lib.ensureSetup();
  const profile = lib.createProfile('e2e', opts.settings);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  // Whatever was started is stopped, and the profile removed, on close and on a failed open alike.
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    lib.removeDir(profile.dir);
  };
  try {
    const installOutput = lib.installExtension(env, profile, vsixPath());
    for (const extra of opts.extensions ?? []) lib.installExtension(env, profile, extra);
    const workspace = lib.copyWorkspace(workspaceName, profile.dir);
    opts.prepare?.(workspace);
    server = await lib.startCodeServer(env, profile, { workspace, trust: !!opts.trust });
    browser = await lib.launchBrowser(env);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return { page, workspace, profile, installOutput, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Writes the workspace's .vscode/mcp.json with these servers, as a repository would have it. */
export function writeMcpConfig(workspace: string, servers: Record<string, object>): void {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers }, null, 2));
}

/**
 * A new user's VS Code whose workspace defines these servers in `.vscode/mcp.json` (a function of the workspace folder
 * when an entry names a path in it): the user answers the trust dialog's Start Server, opens the MCP Host view, and
 * the server's row reads `running` (`running`: what the row must show). Closed again if any of that fails.
 */
export async function openWithTrustedServers(
  servers: Record<string, object> | ((workspace: string) => Record<string, object>),
  opts: { settings?: object; running?: RegExp } = {},
): Promise<Workbench> {
  const wb = await openWorkbench('empty', {
    settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', ...opts.settings },
    prepare: ws => writeMcpConfig(ws, typeof servers === 'function' ? servers(ws) : servers),
  });
  try {
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 90_000 });
    await dialog.getByRole('button', { name: 'Start Server' }).click();
    await wb.page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await wb.page.locator('.sidebar .monaco-list-row', { hasText: opts.running ?? /running · \d+ tools?/ }).first().waitFor({ timeout: 60_000 });
    return wb;
  } catch (err) {
    await wb.close();
    throw err;
  }
}

/** An MCP server package in this clone's node_modules. */
export function serverScript(name: string): string {
  return path.join(lib.root, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
}

/** Where README screenshots live (outside the VSIX allow-list, which takes only media/*.svg|png). */
export const readmeShots = () => path.join(lib.root, 'media', 'screenshots');

const resultsDir = () => path.join(lib.root, 'test-results', 'e2e');

/**
 * Saves a screenshot under test-results/e2e and returns its path. With MCP_HOST_README_SHOTS=1 the
 * named steps are also written to media/screenshots for the README.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(resultsDir(), { recursive: true });
  const file = path.join(resultsDir(), `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  if (process.env.MCP_HOST_README_SHOTS === '1' && !name.startsWith('FAILED')) {
    fs.mkdirSync(readmeShots(), { recursive: true });
    fs.copyFileSync(file, path.join(readmeShots(), path.basename(file)));
  }
  return file;
}

/** In a describe block: a screenshot of each failed test, and the workbench closed after the last test. */
export function closeAfterwards(workbench: () => Workbench | undefined): void {
  afterEach(async function () {
    const wb = workbench();
    if (wb && this.currentTest?.state === 'failed') {
      console.log(`    screenshot: ${await screenshot(wb.page, `FAILED ${this.currentTest.fullTitle()}`)}`);
    }
  });
  after(async () => workbench()?.close());
}

/**
 * The quick input (command palette, quick picks, input boxes) while it is open. On hide VS Code keeps the widget
 * shown for a 150 ms closing animation, inert and marked `quick-input-widget-closing`: a plain visibility wait
 * takes that closing widget for an open one (and a fill or click then lands on nothing), so it is left out here.
 */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget:not(.quick-input-widget-closing):not([inert])');
}

/** The open quick input's filter box (the widget's first `input` is not always it). */
export function quickInputBox(page: Page): Locator {
  return quickInput(page).locator('.quick-input-filter input');
}

/** A row of the open quick input whose text contains `text`, once it is shown. */
export async function quickInputRow(page: Page, text: string | RegExp, timeout = 15_000): Promise<Locator> {
  const row = quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout });
  return row;
}

/**
 * Waits for the quick input a command opened (its title, placeholder or rows show `text`), open and not closing,
 * and returns its filter box.
 */
export async function waitForQuickInput(page: Page, text: string | RegExp, timeout = 30_000): Promise<Locator> {
  await quickInput(page).filter({ hasText: text }).waitFor({ state: 'visible', timeout });
  return quickInputBox(page);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The few DOM names the in-page functions below use: the test tier compiles without the DOM lib. */
interface DomElement {
  tagName: string;
  className: unknown;
  value?: string;
  inert?: boolean;
  style: { display: string };
  classList: { contains(name: string): boolean };
  matches(selector: string): boolean;
  querySelector(selector: string): DomElement | null;
  blur(): void;
}
declare const document: { activeElement: DomElement | null; querySelector(selector: string): DomElement | null };

/** What the quick input and the focus are doing, read in one go in the page. */
interface QuickInputState {
  /** open: shown and taking input; closing: in its 150 ms closing animation (inert, still shown). */
  shown: 'open' | 'closing' | 'hidden';
  /** The filter box's text, when shown. */
  value: string | null;
  /** The filter box has the focus. */
  boxFocused: boolean;
  /** A webview (a result or form panel) has the focus. */
  webviewFocused: boolean;
  focus: string;
  dialog: boolean;
}
function readQuickInputState(): QuickInputState {
  const w = document.querySelector('.quick-input-widget');
  const box = w?.querySelector('.quick-input-filter input') ?? null;
  const shown = !w || w.style.display === 'none' ? 'hidden' : w.inert || w.classList.contains('quick-input-widget-closing') ? 'closing' : 'open';
  const a = document.activeElement;
  const focus = a ? `${a.tagName.toLowerCase()}${a.className ? `.${String(a.className).trim().split(/\s+/).slice(0, 3).join('.')}` : ''}` : 'none';
  return { shown, value: shown === 'hidden' ? null : (box?.value ?? null), boxFocused: !!box && a === box, webviewFocused: !!a && a.matches('iframe.webview.ready'), focus, dialog: !!document.querySelector('.monaco-dialog-box') };
}

/**
 * Waits until the quick input's state passes `test` (a function run in the page on readQuickInputState's result,
 * with `arg`); false when it did not within `timeout`.
 */
async function quickInputReaches<A>(page: Page, test: (state: QuickInputState, arg: A) => boolean, arg: A, timeout: number): Promise<boolean> {
  return page
    .waitForFunction(`(${test.toString()})((${readQuickInputState.toString()})(), ${JSON.stringify(arg)})`, undefined, { timeout })
    .then(
      () => true,
      () => false,
    );
}

async function describeQuickInput(page: Page): Promise<string> {
  const s = await page.evaluate(readQuickInputState);
  return `quick input ${s.shown}, its box ${JSON.stringify(s.value)}, focus on ${s.focus}${s.dialog ? ', a dialog is open' : ''}`;
}

/**
 * Waits until a webview (a result or form panel) shows `text` and has the focus. A panel opened with the focus takes
 * it when its webview is ready, hundreds of ms after it shows: a step that opens one ends here, not earlier, or the
 * focus moves under the next step (it closes a command palette opened in between).
 */
export async function webviewShownWithFocus(page: Page, text: string | RegExp, timeout = 30_000): Promise<void> {
  // Visible: a result page also holds the arguments sent, folded away (`.first()` alone could pick that copy and wait for it).
  await page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').getByText(text).filter({ visible: true }).first().waitFor({ timeout });
  if (!(await quickInputReaches(page, s => s.webviewFocused, null, timeout))) throw new Error(`the webview showing ${text} did not take the focus (${await describeQuickInput(page)})`);
}

/**
 * Waits until the editor tab `title` (a result or form panel) is the active one and, as such a panel takes the focus
 * once its webview is ready, for the focus to have moved into it. The focus wait is bounded and only logged when it
 * does not come (under heavy load code-server's webview host sometimes never creates the content frame, and then
 * the focus does not move either); runCommand still notices a later move. Use webviewShownWithFocus where the
 * panel's content is under test.
 */
export async function panelOpened(page: Page, title: string, timeout = 30_000): Promise<void> {
  await page.locator('.tabs-container .tab.active', { hasText: title }).waitFor({ timeout });
  if (!(await quickInputReaches(page, s => s.webviewFocused, null, 10_000))) {
    console.log(`    panel '${title}': its webview did not take the focus within 10 s (${await describeQuickInput(page)})`);
  }
}

/**
 * Runs a command from the command palette as a user does: F1, type `>title` (the label as the palette shows it,
 * category included), click the command's row; returns once the palette has taken the pick (closed, or replaced by
 * the command's own quick input).
 *
 * The palette closes whenever the focus leaves it, and the workbench moves the focus by itself: a result or form
 * panel opened with the focus takes it when its webview becomes ready, hundreds of ms after the step that opened it
 * (the e2e remote flake of session 9: F1 opened the palette, then the whoami result's webview took the focus and the
 * fill waited 30 s for a hidden box). So each step checks that the palette is still open, and when it closed before
 * the pick the whole sequence is tried again (3 tries, each reason logged). That is the only retry: a palette that
 * stays open without listing the command, or a dialog in the way, fails at once.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const closedEarly: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const reason = await tryRunCommand(page, title);
    if (reason === undefined) return;
    closedEarly.push(reason);
    console.log(`    runCommand '${title}': try ${attempt}: ${reason}`);
  }
  throw new Error(`runCommand '${title}': the command palette closed before the pick on 3 tries: ${closedEarly.join(' | ')}`);
}

/** One try: undefined when the command was picked, else why the palette closed under it (the focus went elsewhere). */
async function tryRunCommand(page: Page, title: string): Promise<string | undefined> {
  const dialog = page.locator('.monaco-dialog-box').first();
  if (await dialog.isVisible()) throw new Error(`runCommand '${title}': a dialog is open: ${await dialog.innerText()}`);
  // F1 during the closing animation of the last quick input can be lost: let it end (150 ms).
  await quickInputReaches(page, s => s.shown !== 'closing', null, 5_000);
  // Frames inside a webview (an app's own iframe) keep F1 to themselves: the focus goes back to the workbench's
  // document first, without a click that could act on something.
  await page.evaluate(() => {
    const focused = document.activeElement;
    if (focused?.tagName === 'IFRAME') focused.blur();
  });
  await page.keyboard.press('F1');
  if (!(await quickInputReaches(page, s => s.shown === 'open' && s.boxFocused && !!s.value?.startsWith('>'), null, 10_000))) {
    return `F1 did not open the palette with the focus in it (${await describeQuickInput(page)})`;
  }
  try {
    await quickInputBox(page).fill(`>${title}`, { timeout: 5_000 });
  } catch {
    return `the palette closed before "${title}" was typed (${await describeQuickInput(page)})`;
  }
  const rows = quickInput(page).locator('.quick-input-list .monaco-list-row');
  const row = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
  try {
    await row.waitFor({ timeout: 15_000 });
  } catch {
    if (await quickInput(page).isVisible()) {
      throw new Error(`runCommand '${title}': the palette is open and does not list the command; it shows: ${(await rows.allInnerTexts()).join(' | ') || '(no rows)'}`);
    }
    return `the palette closed before the row of "${title}" showed (${await describeQuickInput(page)})`;
  }
  try {
    await row.click({ timeout: 5_000 });
  } catch {
    if (await quickInput(page).isVisible()) throw new Error(`runCommand '${title}': its row is shown but could not be clicked (${await describeQuickInput(page)})`);
    return `the palette closed before the row of "${title}" was clicked (${await describeQuickInput(page)})`;
  }
  // Taken: the palette closed, or the command's own quick input replaced it (a new box, not ">title").
  if (!(await quickInputReaches(page, (s, typed) => s.shown !== 'open' || s.value !== typed, `>${title}`, 10_000))) {
    throw new Error(`runCommand '${title}': the palette did not take the click on its row (${await describeQuickInput(page)})`);
  }
  return undefined;
}

/** An MCP App's own sandboxed frame (inside the webview's frames), found by what the app put in it. */
export async function appFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame shows ${selector}`);
    await page.waitForTimeout(250);
  }
}
