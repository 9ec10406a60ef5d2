import * as assert from 'assert';
import { consentForTests } from '../../../src/consent/toolCallGate';
import type { ConnectionState } from '../../../src/mcp/connectionState';
import type { LaunchPlan } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { type ResumableServer, startResumableServer } from '../../fixtures/lib/resumableServer';

function connect(url: string, log: MemoryLog): ServerConnection {
  // 2025-11-25: the era with sessions, `Last-Event-ID` resumption and 404 for a lost session.
  const plan: LaunchPlan = { launch: { type: 'http', url, headers: {} }, protocol: 'legacy', timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
  return new ServerConnection({ name: 'remote', plan: async () => plan, log, clientInfo: { name: 'mcp-host-tests', version: '0.0.0' } });
}

function text(result: { content?: unknown }): string {
  return ((result.content as { text?: string }[] | undefined) ?? []).map(c => c.text ?? '').join('');
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 25));
  }
}

describe('Remote servers: streams that drop, sessions that end (real v2 server on loopback)', function () {
  this.timeout(30_000);
  let server: ResumableServer;
  let log: MemoryLog;
  let conn: ServerConnection;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const l of log?.lines ?? []) if (l.level !== 'trace') console.log(`    [${l.level}] ${l.message}`);
    await conn?.shutdown();
    await server?.close();
  });

  async function running(retryMs: number): Promise<void> {
    server = await startResumableServer({ retryMs });
    log = new MemoryLog();
    conn = connect(server.url, log);
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
  }

  for (const drop of ['close', 'socket'] as const) {
    it(`resumes a response stream the server ${drop === 'close' ? 'closes (SEP-1699 polling)' : 'loses (TCP connection destroyed)'} mid-call, after Last-Event-ID, at the server's retry`, async () => {
      await running(200);
      const result = await conn.callTool('slow', { drop }, consentForTests(conn, 'slow'));
      assert.strictEqual(text(result.result), 'done after the drop');
      assert.strictEqual(server.seen.toolCalls, 1, 'the call ran once: resumed, not sent again');
      assert.ok(server.seen.resumedAfter.length >= 1, 'the client came back with Last-Event-ID');
      const resumed = log.lines.find(l => l.message.includes('stream dropped'));
      assert.ok(resumed, 'the resumption is in the log');
      assert.match(resumed.message, /in 0\.2 s \(attempt 1 of 5\)/, "the server's retry interval is used");
      assert.strictEqual(conn.state.kind, 'running');
    });
  }

  it('reconnects with a new session, visibly, when the server restarts, and sends a refused call again', async () => {
    await running(1000);
    const states: ConnectionState[] = [];
    conn.onDidChangeState(s => states.push(s));
    await server.restart();
    // The call's POST carries the old session id: 404, a new session, the call once more in it.
    const result = await conn.callTool('echo', {}, consentForTests(conn, 'echo'));
    assert.strictEqual(text(result.result), 'echo');
    assert.strictEqual(server.seen.toolCalls, 1);
    assert.ok(server.seen.unknownSession >= 1);
    assert.strictEqual(server.seen.sessions.length, 2, 'a second session was opened');
    const reconnecting = states.find(s => s.kind === 'starting');
    assert.deepStrictEqual(reconnecting && { kind: reconnecting.kind, reconnect: reconnecting.kind === 'starting' ? reconnecting.reconnect : undefined }, { kind: 'starting', reconnect: 'sessionLost' });
    assert.strictEqual(states.at(-1)?.kind, 'running');
    assert.ok(log.lines.some(l => l.level === 'warn' && l.message.includes('no longer knows this session')));
  });

  it('notices a restart with no call under way (the notification stream comes back to a 404) and reconnects', async () => {
    await running(200);
    const states: ConnectionState[] = [];
    conn.onDidChangeState(s => states.push(s));
    await server.restart();
    await until('a new session', () => server.seen.sessions.length === 2 && conn.state.kind === 'running');
    assert.ok(states.some(s => s.kind === 'starting' && s.reconnect === 'sessionLost'), JSON.stringify(states));
    const result = await conn.callTool('echo', {}, consentForTests(conn, 'echo'));
    assert.strictEqual(text(result.result), 'echo');
  });

  it('a server that goes away: after the stream\'s resumptions fail, an error with the backoff shown (not "running"); Restart overrides the wait', async () => {
    server = await startResumableServer({ retryMs: 100 });
    log = new MemoryLog();
    const plan: LaunchPlan = { launch: { type: 'http', url: server.url, headers: {} }, protocol: 'legacy', timeouts: { startupMs: 5_000, requestMs: 5_000 }, secrets: [] };
    // A first automatic restart a minute away: Restart must not wait for it.
    const restart = { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3, stableAfterMs: 60_000 };
    conn = new ServerConnection({ name: 'remote', plan: async () => plan, log, clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, restart });
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running');
    await server.close();
    await until('the error state', () => conn.state.kind === 'error', 10_000);
    const stateNow = (): ConnectionState => conn.state; // read anew: not narrowed by the check above
    const state = stateNow();
    assert.ok(state.kind === 'error' && state.restartAt !== undefined, JSON.stringify(state));
    assert.match(state.message, /stream could not be resumed after 5 attempts \(the server may be down or unreachable\)/);
    assert.ok(state.restartAt > Date.now() + 30_000, 'the next automatic restart is shown, a minute away');
    assert.strictEqual(log.lines.filter(l => l.message.includes('stream dropped')).length, 5, 'each resumption was in the log (attempt n of 5)');
    const starts = () => log.lines.filter(l => l.message.startsWith('Starting:')).length;
    const before = starts();
    await conn.restart(); // the user's Restart: now, not at restartAt
    assert.strictEqual(starts(), before + 1);
    const after = stateNow();
    assert.ok(after.kind === 'error' && after.restartAt === undefined, `a Restart that fails does not start a backoff of its own: ${JSON.stringify(after)}`);
  });

  it('ends the session with DELETE when the server is stopped', async () => {
    await running(200);
    const session = server.seen.sessions[0];
    await conn.stop();
    assert.deepStrictEqual(server.seen.deleted, [session]);
    assert.ok(log.lines.some(l => l.message.includes('Ended the session')));
    assert.strictEqual(conn.state.kind, 'stopped');
  });
});
