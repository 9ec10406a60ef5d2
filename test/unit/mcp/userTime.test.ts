import * as assert from 'assert';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import type { ClientRequestHandlers } from '../../../src/mcp/clientRequests';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { ElicitationHandler } from '../../../src/serverRequests/elicitation';
import { SamplingHandler } from '../../../src/serverRequests/sampling';
import { fixtureServer, userTime } from '../servers';

/**
 * The server's clocks and the user's time. A server's question (elicitation, a sampling approval) waits for the user;
 * the request timeout and the call limit count the server's time only. On a 2025-11-25 server the question comes while
 * its tools/call waits, so the host holds the clocks of the requests in flight while the user answers; it holds
 * nothing for a question answered without the user, and nothing on a 2026-07-28 server (there a question comes
 * between a request's legs, and the server's other requests are its own time). Real handlers, scripted dialogs.
 */
const rogue = (): ResolvedLaunch => ({ type: 'stdio', command: process.execPath, args: [fixtureServer('rogue')], env: {} });
const modern = (): ResolvedLaunch => ({ type: 'stdio', command: process.execPath, args: [fixtureServer('modern')], env: {} });
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe("the server's clocks while the user answers", function () {
  this.timeout(30_000);
  const open: ServerConnection[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map(c => c.shutdown()));
  });

  /** The real elicitation handler; the user takes `ms` to decline (a question withdrawn meanwhile answers "cancel"). */
  function slowUser(ms: number): ElicitationHandler {
    return new ElicitationHandler({
      editorPreference: () => 'never',
      dialogs: () => ({
        confirmElicitation: async () => {
          await sleep(ms);
          return 'decline';
        },
        openUrl: async () => false,
        askArgument: async () => undefined,
        editForm: async () => ({ kind: 'dismissed' }),
      }),
    });
  }

  function connect(launch: ResolvedLaunch, handlers: ClientRequestHandlers, { requestMs, maxCallMs }: { requestMs: number; maxCallMs?: number }) {
    const log = new MemoryLog('debug');
    const conn = new ServerConnection({
      name: 'asker',
      plan: async () => ({ launch, timeouts: { startupMs: 10_000, requestMs }, secrets: [] }),
      ...(maxCallMs !== undefined ? { maxCallMs: () => maxCallMs } : {}),
      log,
      clientInfo: { name: 'tests', version: '0' },
      handlers,
      grace: { stdinMs: 300, termMs: 300 },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    open.push(conn);
    return { conn, log };
  }
  const textOf = (r: Awaited<ReturnType<ServerConnection['callTool']>>) => (r.result.content[0] as { text: string }).text;
  /** How long `p` took to settle, and how. */
  async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: Error }> {
    const started = Date.now();
    try {
      const value = await p;
      return { ms: Date.now() - started, value };
    } catch (error) {
      return { ms: Date.now() - started, error: error as Error };
    }
  }

  it('2025-11-25: progress while the question is open does not restart the request timeout under the user', async () => {
    const elicitation = slowUser(2500);
    const { conn } = connect(rogue(), { roots: () => [], elicitation: (s, p, signal) => elicitation.handle(s, p, signal) }, { requestMs: 1000 });
    await conn.start();
    let progress = 0;
    // Two progress notifications right after asking: before, each restarted the 1 s timer, and the call ended at ~1.3 s with the dialog open.
    const outcome = await timed(conn.callTool('ask_during', { kind: 'elicitation', progress: 2, progressMs: 300 }, consentForTests(conn, 'ask_during'), { onProgress: () => progress++ }));
    assert.ifError(outcome.error);
    assert.strictEqual(textOf(outcome.value!), 'answered "decline"');
    assert.strictEqual(progress, 2, 'the progress reached the call');
    assert.ok(outcome.ms >= 2500, `${outcome.ms} ms`);
    // The timeouts are back once the question is answered.
    const after = await timed(conn.callTool('wrong_id', {}, consentForTests(conn, 'wrong_id')));
    assert.match(String(after.error), /^RequestTimeoutError: tools\/call got no answer within 1 s$/);
  });

  it("2025-11-25: the call limit counts the server's time, not the time the question is open", async () => {
    const elicitation = slowUser(3000);
    const { conn, log } = connect(rogue(), { roots: () => [], elicitation: (s, p, signal) => elicitation.handle(s, p, signal) }, { requestMs: 1500, maxCallMs: 2000 });
    await conn.start();
    // The user answers after 3 s (before: the call was cut at 2 s, the dialog still open); then the server reports
    // progress forever, and the limit cuts it after 2 s of its own time.
    const outcome = await timed(conn.callTool('ask_during', { kind: 'elicitation', then: 'progress_forever' }, consentForTests(conn, 'ask_during'), { onProgress: () => {} }));
    assert.match(String(outcome.error), /^CallTimeLimitError: tools\/call was still running after 2 s/);
    assert.match(log.text(), /ask_during: answered "decline"/);
    assert.ok(outcome.ms >= 4700, `cut after ${outcome.ms} ms: the user's time was counted`);
    assert.ok(outcome.ms < 8000, `cut after ${outcome.ms} ms: the server's time after the answer was not counted`);
  });

  it('2025-11-25: a sampling request the settings allow (no user asked) holds no clock: the request timeouts run on', async () => {
    const sampling = new SamplingHandler({
      identify: name => ({ key: `user:${name}`, fromUserSettings: true, originLabel: 'user settings' }),
      settings: () => ({ allowedServers: ['asker'], model: '' }),
      remembered: { has: () => false, add: async () => {} },
      confirm: async () => assert.fail('asked the user although the settings allow the server'),
      models: async () => [{ id: 'm', vendor: 'v', family: 'f', name: 'M' }],
      // A model that takes its time; a server can keep such a request open for good.
      run: async (_model, _params, signal) => {
        for (let i = 0; i < 30 && !signal.aborted; i++) await sleep(100);
        return { role: 'assistant', model: 'M', content: { type: 'text', text: 'yes' }, stopReason: 'endTurn' };
      },
    });
    const { conn } = connect(rogue(), { roots: () => [], sampling: (s, p, signal) => sampling.handle(s, p, signal) }, { requestMs: 1000 });
    await conn.start();
    const asking = timed(conn.callTool('ask_during', { kind: 'sampling' }, consentForTests(conn, 'ask_during')));
    await sleep(100);
    // Before: every timer of the server waited while the model ran, so this never-answered call failed after ~3.5 s, not 1 s.
    const other = await timed(conn.callTool('wrong_id', {}, consentForTests(conn, 'wrong_id')));
    assert.match(String(other.error), /^RequestTimeoutError: tools\/call got no answer within 1 s$/);
    assert.ok(other.ms < 2000, `the other call timed out after ${other.ms} ms`);
    assert.match(String((await asking).error), /^RequestTimeoutError: tools\/call got no answer within 1 s$/);
  });

  it("2026-07-28: a question of one call holds nothing of the server's other calls", async () => {
    const handlers: ClientRequestHandlers = {
      roots: () => [],
      elicitation: (server, _params) =>
        userTime(server, async () => {
          await sleep(3000);
          return { action: 'accept' as const, content: { name: 'Ada' } };
        }),
    };
    const { conn } = connect(modern(), handlers, { requestMs: 1500 });
    await conn.start();
    const slowCall = timed(conn.callTool('slow', { ms: 6000 }, consentForTests(conn, 'slow')));
    await sleep(200);
    const asking = conn.callTool('ask_user', {}, consentForTests(conn, 'ask_user'));
    // Before: the question stopped the other call's timer too, and it failed ~4.5 s after it was sent, not 1.5 s.
    const slow = await slowCall;
    assert.match(String(slow.error), /^RequestTimeoutError: tools\/call got no answer within 2 s$/);
    assert.ok(slow.ms < 2800, `the other call timed out after ${slow.ms} ms`);
    assert.strictEqual(textOf(await asking), 'Hello, Ada!');
  });
});
