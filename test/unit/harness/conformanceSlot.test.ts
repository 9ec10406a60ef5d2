import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * The conformance tier's slot wrapper (test/harness/conformanceSlot.js): it runs a client once a slot is granted,
 * bounds its loading (start to first output) and, from its first output on, its run, and passes its output on.
 */
const SLOT = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'harness', 'conformanceSlot.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

describe('conformance slot wrapper', function () {
  this.timeout(30_000);
  let dir: string;
  let server: net.Server;
  let socketPath: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slot-'));
    socketPath = path.join(dir, 'slots.sock');
    server = net.createServer(socket => {
      socket.on('error', () => {});
      socket.write('go');
    });
    await new Promise<void>(resolve => server.listen(socketPath, resolve));
  });
  afterEach(async () => {
    await new Promise(resolve => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `script` (Node code) as the client under the wrapper with the given bounds. */
  const run = (loadMs: number, runMs: number, script: string): Promise<Run> =>
    new Promise(resolve => {
      const started = Date.now();
      const child = spawn(process.execPath, [SLOT, socketPath, String(loadMs), String(runMs), process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.on('close', code => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    });

  it('passes a client output and exit code through', async () => {
    const r = await run(10_000, 10_000, `process.stdout.write('out\\n'); process.stderr.write('err\\n'); process.exit(3)`);
    assert.strictEqual(r.code, 3);
    assert.strictEqual(r.stdout, 'out\n');
    assert.strictEqual(r.stderr, 'err\n');
  });

  it('does not count loading against the run: a client that starts late still gets its whole run time', async () => {
    // 3 s silent (loading), then 0.3 s of run: a 2 s bound counted from the start would stop it before its first line; counted
    // from the first line it leaves 1.7 s to spare (the 0.5 s it left before was used up by a machine at load 17).
    const r = await run(10_000, 2_000, `setTimeout(() => { console.error('first line'); setTimeout(() => process.exit(0), 300); }, 3000)`);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /did not finish/);
  });

  it('stops a client that prints nothing within the load bound, and one that outruns the run bound', async () => {
    const silent = await run(1_000, 60_000, `setTimeout(() => {}, 60_000)`);
    assert.strictEqual(silent.code, 1);
    assert.match(silent.stderr, /conformanceSlot: the client did not finish loading within 1000 ms \(no output\)/);
    assert.ok(silent.ms < 20_000, `${silent.ms} ms`);
    const slow = await run(60_000, 1_000, `console.error('first line'); setTimeout(() => {}, 60_000)`);
    assert.strictEqual(slow.code, 1);
    assert.match(slow.stderr, /^first line\nconformanceSlot: the client did not finish within 1000 ms of its first output\n$/);
    assert.ok(slow.ms < 20_000, `${slow.ms} ms`);
  });
});
