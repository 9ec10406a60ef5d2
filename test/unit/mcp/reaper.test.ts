import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isAlive, waitForExit } from '../../../src/mcp/transports/processTree';
import { fixtureServer, root } from '../servers';

/**
 * The reaper against real processes: a stand-in extension host (test/fixtures/bin/reaperHost.ts) starts
 * spawner servers that ignore stdin EOF and SIGTERM and leave children behind, then is killed with SIGKILL,
 * so nothing of it runs: no deactivate(), no close().
 */
const bin = (name: string) => path.join(root, 'out', 'test', 'fixtures', 'bin', `${name}.js`);

interface HostInfo {
  host: number;
  reaper: number | null;
  servers: number[];
}

describe('the process reaper', function () {
  this.timeout(30_000);
  let tmp: string;
  const started: number[] = [];
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reaper-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // A failed test must not leave its processes behind either.
  afterEach(() => {
    for (const pid of started.splice(0)) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });

  /** A stubborn spawner: only SIGKILL stops it; its children stay in its group, or leave it with `detached`. */
  function stubborn(name: string, detached = false): { args: string[]; pids: () => Promise<{ server: number; children: number[] }> } {
    const pidFile = path.join(tmp, `${name}.json`);
    const args = [process.execPath, fixtureServer('spawner'), '--children', '2', '--pid-file', pidFile, '--ignore-sigterm', '--ignore-stdin-close', ...(detached ? ['--detached'] : [])];
    return {
      args,
      pids: () => spawnerPids(pidFile),
    };
  }

  /** The pids a spawner wrote once it ran (a moment after the host saw it spawn), noted for clean-up. */
  async function spawnerPids(pidFile: string): Promise<{ server: number; children: number[] }> {
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(pidFile) && Date.now() < deadline) await new Promise(r => setTimeout(r, 25));
    const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { server: number; children: number[] };
    started.push(pids.server, ...pids.children);
    return pids;
  }

  async function startHost(servers: string[][], opts: { reaper?: boolean } = {}): Promise<{ child: ChildProcess; info: HostInfo }> {
    const args = [bin('reaperHost'), bin('reaper'), ...(opts.reaper === false ? ['--no-reaper'] : []), ...servers.flatMap(s => ['--', ...s])];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const info = await new Promise<HostInfo>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', d => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as HostInfo);
      });
      child.once('exit', code => reject(new Error(`the host exited (${code}) before its servers ran`)));
    });
    started.push(info.host, ...(info.reaper ? [info.reaper] : []));
    return { child, info };
  }

  it('stops servers that ignore stdin EOF and SIGTERM, and their children, when the host is killed with SIGKILL', async () => {
    const grouped = stubborn('grouped');
    const detached = stubborn('detached', true);
    const { child, info } = await startHost([grouped.args, detached.args]);
    const pids = await Promise.all([grouped.pids(), detached.pids()]);
    const all = pids.flatMap(p => [p.server, ...p.children]);
    assert.ok(info.reaper && isAlive(info.reaper), 'no reaper runs');
    assert.ok(all.every(isAlive));

    child.kill('SIGKILL');
    assert.ok(await waitForExit(all, 10_000), `still alive after the host was killed: ${all.filter(isAlive).join(', ')}`);
    assert.ok(await waitForExit([info.reaper], 5_000), 'the reaper did not exit after reaping');
  });

  it('also stops the children of a server that exits with its host, out of its process group (seen by an earlier refresh)', async () => {
    const pidFile = path.join(tmp, 'quitter.json');
    // Exits on stdin EOF and leaves its children, which left its process group, running.
    const quitter = [process.execPath, fixtureServer('spawner'), '--children', '2', '--detached', '--pid-file', pidFile];
    const { child } = await startHost([quitter]);
    const pids = await spawnerPids(pidFile);
    // The host's reaper notes descendants every 100 ms.
    await new Promise(r => setTimeout(r, 500));
    child.kill('SIGKILL');
    assert.ok(await waitForExit([pids.server], 5_000), 'the server did not exit on stdin EOF');
    assert.ok(await waitForExit(pids.children, 10_000), `children outlived their server and host: ${pids.children.filter(isAlive).join(', ')}`);
  });

  it('is needed: without it, the same servers and children outlive a host killed with SIGKILL', async () => {
    const grouped = stubborn('unreaped');
    const { child, info } = await startHost([grouped.args], { reaper: false });
    const pids = await grouped.pids();
    assert.strictEqual(info.reaper, null);
    child.kill('SIGKILL');
    await new Promise(r => setTimeout(r, 1500));
    assert.ok([pids.server, ...pids.children].every(isAlive), 'the scenario no longer leaves orphans; this test proves nothing');
  });

  it('exits without touching anything after a clean shutdown, and forgets servers that stopped', async () => {
    const polite = { args: [process.execPath, fixtureServer('spawner'), '--children', '0'] };
    const { child, info } = await startHost([polite.args]);
    const exited = new Promise<number | null>(resolve => child.once('exit', resolve));
    child.stdin!.write('stop\n');
    assert.strictEqual(await exited, 0);
    assert.ok(await waitForExit([info.reaper!], 5_000), 'the reaper outlived a clean shutdown');
    assert.ok(!isAlive(info.servers[0]!));
  });
});
