import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isAlive, waitForExit } from '../../src/mcp/transports/processTree';
import { openWorkbench, screenshot, Workbench } from './workbench';

/**
 * When the extension host dies, `deactivate()` does not run (SIGKILL) or not to the end (code-server gives it
 * ~0.2 s). Servers run in process groups of their own, so only MCP Host's reaper stops them then. The server
 * here ignores stdin EOF and SIGTERM and has a child: the worst case.
 */
const spawner = path.resolve(__dirname, '..', 'fixtures', 'servers', 'spawner.js');

interface Pids {
  server: number;
  children: number[];
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The pids a server started after `notBefore` wrote (servers of an earlier extension host may write late). */
async function pidsWritten(pidFile: string, notBefore: readonly number[], timeoutMs: number): Promise<Pids | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = fs.existsSync(pidFile) ? (JSON.parse(fs.readFileSync(pidFile, 'utf8')) as Pids) : undefined;
    if (pids && !notBefore.includes(pids.server) && isAlive(pids.server)) return pids;
    if (Date.now() > deadline) return undefined;
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('e2e: no server outlives the extension host', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let tmp: string;
  let pidFile: string;
  const seen: number[] = [];
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reaper-e2e-'));
    pidFile = path.join(tmp, 'pids.json');
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      console.log(`    screenshot: ${await screenshot(wb.page, `FAILED ${this.currentTest.fullTitle()}`)}`);
    }
  });
  after(async () => {
    await wb?.close();
    // A failed test must not leave its processes behind.
    for (const pid of seen.filter(isAlive)) process.kill(pid, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens the MCP Host view (which activates the extension) and waits for the server's pid file. */
  async function serverRunning(page: Workbench['page']): Promise<Pids> {
    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    // After the previous test's SIGKILL, code-server may restart an extension host on its own; a reload then stops
    // that host's server, so pids written by a host that is already gone are skipped until live ones appear.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pids = await pidsWritten(pidFile, [...seen], Math.max(1, deadline - Date.now()));
      assert.ok(pids, 'the server did not start');
      seen.push(pids.server, ...pids.children);
      if ([pids.server, ...pids.children].every(isAlive)) return pids;
      assert.ok(Date.now() < deadline, 'no server stayed running');
    }
  }

  it('stops a server that ignores stdin EOF and SIGTERM, and its child, when the extension host is killed with SIGKILL', async () => {
    const stubborn = { command: process.execPath, args: [spawner, '--children', '1', '--pid-file', pidFile, '--ignore-sigterm', '--ignore-stdin-close'] };
    wb = await openWorkbench('empty', { settings: { 'mcpHost.servers': { stubborn } } });
    const pids = await serverRunning(wb.page);
    const host = parentOf(pids.server);
    assert.match(fs.readFileSync(`/proc/${host}/cmdline`, 'utf8'), /extensionHost/, 'the server\'s parent is not the extension host');
    process.kill(host, 'SIGKILL');
    const all = [pids.server, ...pids.children];
    assert.ok(await waitForExit(all, 20_000), `alive 20 s after the extension host was killed: ${all.filter(isAlive).join(', ')}`);
  });

  it('stops them when code-server stops (its extension host gets no time to deactivate)', async () => {
    const page = wb!.page;
    // A fresh window gets a fresh extension host, which starts the server again.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const pids = await serverRunning(page);
    await wb!.close();
    wb = undefined;
    const all = [pids.server, ...pids.children];
    assert.ok(await waitForExit(all, 20_000), `alive 20 s after code-server stopped: ${all.filter(isAlive).join(', ')}`);
  });
});
