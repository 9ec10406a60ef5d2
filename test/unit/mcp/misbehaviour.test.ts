import * as assert from 'assert';
import { monitorEventLoopDelay } from 'perf_hooks';
import { waitForEvent } from '../../../src/common/event';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { fixtureServer } from '../servers';

/**
 * The misbehaviours the README's "Reliability" table lists that no other test covers: a crash in the
 * middle of a call, a slow start, a protocol version the host does not speak, requests the host never
 * offered to serve, a flood of progress, duplicate names, and 5,000 tools.
 */
const fixture = (name: string, ...args: string[]): ResolvedLaunch => ({ type: 'stdio', command: process.execPath, args: [fixtureServer(name), ...args], env: {} });

describe('core vs. misbehaving servers', function () {
  this.timeout(60_000);
  const open: ServerConnection[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map(c => c.shutdown()));
  });

  function connect(launch: ResolvedLaunch, startupMs = 10_000) {
    // At info, as a user's log channel is: trace would log every message of a flood.
    const log = new MemoryLog('info');
    const conn = new ServerConnection({
      name: 'bad',
      plan: async () => ({ launch, timeouts: { startupMs, requestMs: 20_000 }, secrets: [] }),
      log,
      clientInfo: { name: 'tests', version: '0' },
      grace: { stdinMs: 300, termMs: 300 },
      restart: { initialDelayMs: 100, maxDelayMs: 100, maxAttempts: 3, stableAfterMs: 60_000 },
    });
    open.push(conn);
    return { conn, log };
  }

  it('crash mid-call: the call fails with the exit code, and the server is restarted', async () => {
    const { conn } = connect(fixture('crash', '--when', 'on-call', '--code', '9'));
    await conn.start();
    const errored = waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 10_000);
    const restarted = errored.then(() => waitForEvent(conn.onDidChangeState, s => s.kind === 'running', 10_000));
    await assert.rejects(conn.callTool('boom', {}, consentForTests(conn, 'boom')), /closed|exit/i);
    const error = await errored;
    assert.strictEqual(error.kind === 'error' && error.exitCode, 9);
    await restarted;
  });

  it('slow start: a server that answers initialize after 3 s is starting, then running', async () => {
    const { conn } = connect(fixture('misbehave', '--start-delay-ms', '3000'));
    const started = conn.start();
    await new Promise(r => setTimeout(r, 500));
    assert.strictEqual(conn.state.kind, 'starting');
    await started;
    assert.strictEqual(conn.state.kind, 'running');
  });

  it('protocol mismatch: a server that answers with a version the host does not speak is an error that says so', async () => {
    const { conn } = connect(fixture('misbehave', '--protocol-version', '1999-01-01'));
    await conn.start();
    const state = conn.state;
    assert.strictEqual(state.kind, 'error');
    assert.match(state.kind === 'error' ? state.message : '', /protocol version.*1999-01-01|1999-01-01.*not supported/i);
  });

  // Not roots: the host offers roots, so a roots/list request is answered (with the workspace folders).
  for (const kind of ['sampling', 'elicitation', 'bogus']) {
    it(`unsolicited request (${kind}): answered with an error, and the server keeps working`, async () => {
      const { conn, log } = connect(fixture('misbehave', '--unsolicited', kind));
      await conn.start();
      assert.strictEqual(conn.state.kind, 'running');
      const r = await conn.callTool('echo', { text: 'still here' }, consentForTests(conn, 'echo'));
      assert.deepStrictEqual(r.result.content, [{ type: 'text', text: 'still here' }]);
      // The fixture logs the host's answer to its stderr, which the connection logs.
      await waitFor(() => /response to request unsolicited-1: \{"code":-32601/.test(log.text()), 'the host to refuse the request');
    });
  }

  it('progress flood: 20,000 notifications in one burst are all delivered, without a long stall', async () => {
    const { conn } = connect(fixture('misbehave'));
    await conn.start();
    let seen = 0;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const r = await conn.callTool('flood', { count: 20_000 }, consentForTests(conn, 'flood'), { onProgress: () => seen++ });
    delay.disable();
    assert.strictEqual((r.result.content[0] as { text: string }).text, 'sent 20000 progress notifications');
    assert.strictEqual(seen, 20_000);
    // Handled 10 ms at a time; read in one go, this stalled 2–3.5 s. Generous for a loaded machine.
    assert.ok(delay.max / 1e6 < 1000, `stalled ${(delay.max / 1e6).toFixed(0)} ms`);
  });

  it('duplicate names: each name once, the repeats recorded, and a name two different tools share is never called', async () => {
    const { conn, log } = connect(fixture('misbehave', '--duplicates'));
    await conn.start();
    assert.deepStrictEqual(conn.tools.map(t => t.name), ['echo', 'flood']);
    assert.strictEqual(conn.tools[0]!.description, 'Returns its text.', 'the first listed is kept');
    assert.deepStrictEqual(conn.duplicates, [
      { kind: 'tool', key: 'echo', count: 2, differ: true },
      { kind: 'tool', key: 'flood', count: 2, differ: false },
    ]);
    assert.ok(log.lines.some(l => l.level === 'warn' && /2 different tools named 'echo'/.test(l.message)));
    assert.strictEqual(conn.isAmbiguousTool('echo'), true);
    assert.strictEqual(conn.isAmbiguousTool('flood'), false, 'identical repeats are harmless');
    await assert.rejects(conn.callTool('echo', { text: 'x' }, consentForTests(conn, 'echo')), /Server 'bad' lists different tools named 'echo'; MCP Host does not call it/);
    const flood = await conn.callTool('flood', { count: 0 }, consentForTests(conn, 'flood'));
    assert.match(JSON.stringify(flood.result.content), /sent 0 progress/);
    await waitFor(() => /tools\/call flood/.test(log.text()), 'the flood call to reach the server');
    assert.doesNotMatch(log.text(), /tools\/call echo/, 'the ambiguous call reached the server');
  });

  it('5,000 tools over 10 pages: all listed, each once', async () => {
    const { conn } = connect(fixture('paging', '--tools', '5000', '--page-size', '500'), 30_000);
    const t0 = performance.now();
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running');
    assert.strictEqual(conn.tools.length, 11 + 5000);
    assert.strictEqual(new Set(conn.tools.map(t => t.name)).size, conn.tools.length);
    assert.ok(performance.now() - t0 < 20_000);
  });
});

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
