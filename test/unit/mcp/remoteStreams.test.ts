import * as assert from 'assert';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { type ConnectionState, describeResumption, describeState, type StreamResumption } from '../../../src/mcp/connectionState';
import type { RestartPolicy } from '../../../src/mcp/restartPolicy';
import type { LaunchPlan } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { type ResumableServer, startResumableServer } from '../../fixtures/lib/resumableServer';

function connect(url: string, log: MemoryLog, restart?: RestartPolicy, secrets: readonly string[] = []): ServerConnection {
  // 2025-11-25: the era with sessions, `Last-Event-ID` resumption and 404 for a lost session.
  const plan: LaunchPlan = { launch: { type: 'http', url, headers: {} }, protocol: 'legacy', timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets };
  return new ServerConnection({ name: 'remote', plan: async () => plan, log, clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, ...(restart ? { restart } : {}) });
}

/** The dropped stream a running state shows as being resumed. */
function resumingOf(state: ConnectionState): StreamResumption | undefined {
  return state.kind === 'running' ? state.resuming : undefined;
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

  /** `GET` streams open on the server (`dropStreams` cuts them; this counts without cutting). */
  const openStreams = (): number => server.openStreams();

  async function running(retryMs: number, secrets: readonly string[] = []): Promise<void> {
    server = await startResumableServer({ retryMs });
    log = new MemoryLog();
    conn = connect(server.url, log, undefined, secrets);
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
  }

  for (const drop of ['close', 'socket'] as const) {
    it(`resumes a response stream the server ${drop === 'close' ? 'closes (SEP-1699 polling)' : 'loses (TCP connection destroyed)'} mid-call, after Last-Event-ID, at the server's retry`, async () => {
      await running(200);
      const states: ConnectionState[] = [];
      conn.onDidChangeState(s => states.push(s));
      const result = await conn.callTool('slow', { drop }, consentForTests(conn, 'slow'));
      assert.strictEqual(text(result.result), 'done after the drop');
      assert.strictEqual(server.seen.toolCalls, 1, 'the call ran once: resumed, not sent again');
      assert.ok(server.seen.resumedAfter.length >= 1, 'the client came back with Last-Event-ID');
      // A stream the server ends so that the client comes back is routine (logged); one that broke is shown.
      const resumed = log.lines.find(l => l.message.includes(drop === 'close' ? 'The server ended its stream' : 'stream dropped'));
      assert.ok(resumed, 'the resumption is in the log');
      assert.match(resumed.message, /in 0\.2 s \(attempt 1 of 5\)/, "the server's retry interval is used");
      assert.strictEqual(conn.state.kind, 'running');
      assert.strictEqual(resumingOf(conn.state), undefined, 'running again, with nothing being resumed');
      const shown = states.map(resumingOf).filter(r => r !== undefined);
      if (drop === 'close') assert.deepStrictEqual(shown, [], 'a polling server is not shown as reconnecting');
      else assert.deepStrictEqual(shown.map(r => [r.attempt, r.dueAt !== undefined]), [[1, true], [1, false]], 'due, then under way, then back');
    });
  }

  it('a dropped notification stream shows "reconnecting" with each attempt while the SDK resumes it, then running again; a call meanwhile is sent and answered', async () => {
    await running(1_000); // the server's retry: the calls below are made well within the 3 s of resuming
    const states: ConnectionState[] = [];
    conn.onDidChangeState(s => states.push(s));
    await until('the notification stream', () => openStreams() > 0);
    server.refuseStreams(2); // attempts 1 and 2 meet a 503; attempt 3 gets the stream back
    assert.strictEqual(server.dropStreams(), 1);
    await until('reconnecting', () => resumingOf(conn.state) !== undefined);
    const first = conn.state;
    assert.strictEqual(first.kind, 'running', 'the server still runs: its calls are still sent');
    // "in 1 s" when drawn at once; the seconds left count down as the row is drawn later (a loaded machine polls late).
    assert.match(describeState(first), /^reconnecting · the stream dropped \(in (1|0(\.\d)?) s, attempt 1 of 5\)$/);
    assert.ok(first.kind === 'running' && first.resuming?.dueAt !== undefined && describeResumption(first.resuming, first.resuming.dueAt - 1_000) === 'in 1 s, attempt 1 of 5');
    // Sent meanwhile (its own POST), and answered: the server is there, only its stream is being resumed.
    const result = await conn.callTool('echo', {}, consentForTests(conn, 'echo'));
    assert.strictEqual(text(result.result), 'echo');
    // The server's own JSON-RPC error is its answer: not blamed on the stream.
    await assert.rejects(conn.callTool('nope', {}, consentForTests(conn, 'nope')), (error: Error) => {
      assert.ok(resumingOf(conn.state) !== undefined, 'still being resumed');
      assert.doesNotMatch(error.message, /stream/, error.message);
      return true;
    });
    await until('the stream back', () => server.seen.refusedStreams === 2 && resumingOf(conn.state) === undefined);
    assert.strictEqual(conn.state.kind, 'running');
    assert.strictEqual(describeState(conn.state), 'running');
    const shown = states.map(resumingOf).filter(r => r !== undefined);
    assert.deepStrictEqual(
      shown.map(r => [r.attempt, r.maxAttempts, r.dueAt !== undefined, r.lastError]),
      [
        [1, 5, true, undefined],
        [1, 5, false, undefined],
        [2, 5, true, 'HTTP 503 Service Unavailable'],
        [2, 5, false, 'HTTP 503 Service Unavailable'],
        [3, 5, true, 'HTTP 503 Service Unavailable'],
        [3, 5, false, 'HTTP 503 Service Unavailable'],
      ],
    );
    assert.strictEqual(states.at(-1)?.kind, 'running');
    assert.ok(log.lines.some(l => l.message === "The server's stream is back (attempt 3 of 5)."), 'the log says it is back');
    assert.strictEqual(server.seen.sessions.length, 1, 'the same session: resumed, not reconnected');
  });

  it('a dropped stream that never comes back: "reconnecting" through attempt 5 of 5, then the error with the backoff and the last failure', async () => {
    server = await startResumableServer({ retryMs: 100 });
    log = new MemoryLog();
    const restart = { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3, stableAfterMs: 60_000 };
    conn = connect(server.url, log, restart);
    await conn.start();
    const states: ConnectionState[] = [];
    conn.onDidChangeState(s => states.push(s));
    await until('the notification stream', () => openStreams() > 0);
    server.refuseStreams(Infinity);
    server.dropStreams();
    await until('the error state', () => conn.state.kind === 'error', 10_000);
    const attempts = states.map(resumingOf).filter(r => r?.dueAt !== undefined).map(r => r!.attempt);
    assert.deepStrictEqual(attempts, [1, 2, 3, 4, 5], 'each attempt was shown');
    const error = conn.state;
    assert.ok(error.kind === 'error' && error.restartAt !== undefined, JSON.stringify(error));
    assert.match(error.message, /stream could not be resumed after 5 attempts/);
    assert.strictEqual(error.hint, 'The last attempt failed: HTTP 503 Service Unavailable.');
    assert.strictEqual(describeState(error), 'error · restarting');
  });

  it("the server's words for a failed attempt (its HTTP status text) are shown inert: hidden and bidi characters revealed", async () => {
    server = await startResumableServer({ retryMs: 100 });
    log = new MemoryLog();
    conn = connect(server.url, log, { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3, stableAfterMs: 60_000 });
    await conn.start();
    const states: ConnectionState[] = [];
    conn.onDidChangeState(s => states.push(s));
    await until('the notification stream', () => openStreams() > 0);
    server.refuseStreams(Infinity, 'Service \u202eelbaliavanU\u200b');
    server.dropStreams();
    await until('the error state', () => conn.state.kind === 'error', 10_000);
    const shown = 'HTTP 503 Service ⟨U+202E⟩elbaliavanU⟨U+200B⟩';
    assert.strictEqual(states.map(resumingOf).find(r => r?.lastError)?.lastError, shown);
    const error = conn.state;
    assert.ok(error.kind === 'error');
    assert.strictEqual(error.hint, `The last attempt failed: ${shown}.`);
    const ours = log.lines.filter(l => l.message.includes('The last attempt failed'));
    assert.ok(ours.length >= 4 && ours.every(l => l.message.includes(shown)), 'the log lines that name it show it the same way');
  });

  it('a call started while the stream is being resumed and the server is gone fails at once, saying so (no bare "fetch failed", no wait for the SDK to give up)', async () => {
    await running(1_000);
    await until('the notification stream', () => openStreams() > 0);
    await server.close(); // the server ends its streams and goes: nothing answers any more
    await until('reconnecting', () => resumingOf(conn.state) !== undefined);
    await assert.rejects(conn.callTool('echo', {}, consentForTests(conn, 'echo')), (error: Error) => {
      assert.ok(resumingOf(conn.state) !== undefined, 'failed while the stream is still being resumed: it did not wait for the SDK to give up');
      // Closing ends the server's streams cleanly first (as a server shutting down does): attempt 1 looks like polling and
      // is not shown; the refused attempt 1 is, and what follows.
      assert.match(error.message, /^The server's stream dropped and is being resumed \(in \d(\.\d)? s, attempt 2 of 5\): the server may be unreachable\. tools\/call got no answer: nothing is listening there \(connection refused at 127\.0\.0\.1:\d+\)\./);
      return true;
    });
  });

  it("a call refused while the stream is resumed keeps the server's words, with a secret in them masked before they are cut", async () => {
    const secret = 'tok-5ecret-e1ght-and-more';
    await running(1_000, [secret]);
    await until('the notification stream', () => openStreams() > 0);
    server.refuseStreams(Infinity);
    server.dropStreams();
    await until('reconnecting', () => resumingOf(conn.state) !== undefined);
    const refused = async (body: string): Promise<string> => {
      server.refuseCalls(body);
      const error = await conn.callTool('echo', {}, consentForTests(conn, 'echo')).then(
        () => assert.fail('the call was answered'),
        (e: Error) => e,
      );
      const lead = "the server may be unreachable. ";
      assert.ok(error.message.includes(lead), error.message);
      return error.message.slice(error.message.indexOf(lead) + lead.length);
    };
    // Where the server's words start in the failure's own text; then a secret the server echoes across the 300th character.
    const at = (await refused('PROBE')).indexOf('PROBE');
    assert.ok(at >= 0 && at < 200, `the body is in the message: ${at}`);
    const shown = await refused(`${'x'.repeat(300 - at - 8)}${secret} and after`);
    assert.ok(shown.length <= 301, `cut: ${shown.length}`);
    assert.ok(!shown.includes(secret.slice(0, 6)), `no part of the secret is shown: ${shown.slice(-40)}`);
  });

  it('a call whose answer was on a stream the SDK gave up resuming fails saying so, not "Connection closed"', async () => {
    await running(100);
    server.refuseStreams(Infinity); // the call's stream is lost (TCP destroyed) and cannot be resumed
    await assert.rejects(conn.callTool('slow', { drop: 'socket' }, consentForTests(conn, 'slow')), (error: Error) => {
      assert.match(error.message, /^No answer: the server's stream could not be resumed after 5 attempts \(the server may be down or unreachable; it may have run the call\)\./);
      return true;
    });
    assert.strictEqual(conn.state.kind, 'error');
  });

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
    assert.strictEqual(log.lines.filter(l => l.message.includes('resuming it after the last event received')).length, 5, 'each resumption was in the log (attempt n of 5)');
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
