import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';

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
