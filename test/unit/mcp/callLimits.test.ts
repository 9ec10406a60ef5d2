import * as assert from 'assert';
import { DEFAULT_MAX_CALL_MS } from '../../../src/config/types';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { MemoryLog } from '../../../src/mcp/log';
import { callLimits, ServerConnection } from '../../../src/mcp/serverConnection';
import { fixtureServer } from '../servers';

/**
 * The most one call may take: `mcpHost.calls.maxMinutes` (the user's own setting; application scope, so a workspace
 * cannot set it) and a server entry's `timeout`. An entry in the user's settings wins; one in a workspace file, which a
 * cloned repository writes, may only shorten the user's limit.
 */
describe('call limits: a workspace entry never lifts the user setting', () => {
  const timeouts = (requestMs: number, totalMs?: number) => ({ startupMs: 30_000, requestMs, ...(totalMs !== undefined ? { totalMs } : {}) });
  const limits = (requestMs: number, totalMs: number | undefined, setting: number | undefined, workspaceDefined: boolean) => {
    const l = callLimits(timeouts(requestMs, totalMs), setting === undefined ? undefined : () => setting, workspaceDefined);
    return [l.requestMs(), l.totalMs()];
  };

  it("the user's own entry wins, either way", () => {
    assert.deepStrictEqual(limits(60_000, 0, 60_000, false), [60_000, 0]);
    assert.deepStrictEqual(limits(60_000, 7_200_000, 60_000, false), [60_000, 7_200_000]);
    assert.deepStrictEqual(limits(600_000, undefined, 60_000, false), [600_000, 60_000]);
    assert.deepStrictEqual(limits(60_000, undefined, undefined, false), [60_000, DEFAULT_MAX_CALL_MS]);
  });

  it('a workspace entry may shorten the limit, not lift or lengthen it (its request timeout included)', () => {
    assert.deepStrictEqual(limits(60_000, 10_000, 60_000, true), [60_000, 10_000], 'shorter: kept');
    assert.deepStrictEqual(limits(60_000, 7_200_000, 600_000, true), [60_000, 600_000], 'longer: the setting');
    assert.deepStrictEqual(limits(60_000, 0, 600_000, true), [60_000, 600_000], '0 (no limit): the setting');
    assert.deepStrictEqual(limits(3_600_000, undefined, 600_000, true), [600_000, 600_000], 'a request timeout past the limit: cut to it');
    assert.deepStrictEqual(limits(60_000, undefined, undefined, true), [60_000, DEFAULT_MAX_CALL_MS]);
  });

  it('with no user limit (0), a workspace entry sets its own', () => {
    assert.deepStrictEqual(limits(3_600_000, 10_000, 0, true), [3_600_000, 10_000]);
    assert.deepStrictEqual(limits(60_000, undefined, 0, true), [60_000, 0]);
  });

  it('reads the setting per call, the cut of the request timeout too', () => {
    let setting = 600_000;
    const l = callLimits(timeouts(3_600_000, 0), () => setting, true);
    assert.deepStrictEqual([l.requestMs(), l.totalMs()], [600_000, 600_000]);
    setting = 120_000;
    assert.deepStrictEqual([l.requestMs(), l.totalMs()], [120_000, 120_000]);
    setting = 0;
    assert.deepStrictEqual([l.requestMs(), l.totalMs()], [3_600_000, 0]);
  });

  it("a lower setting cuts a running workspace server's call without a restart, however long its request timeout (sec14 / review14)", async function () {
    this.timeout(30_000);
    let setting = 600_000;
    const conn = new ServerConnection({
      name: 'rogue',
      // A cloned repository's entry: a 10-minute request timeout and no total limit, started while the setting allowed 10 minutes.
      plan: async () => ({ launch: { type: 'stdio', command: process.execPath, args: [fixtureServer('rogue')], env: {} }, timeouts: { startupMs: 10_000, requestMs: 600_000, totalMs: 0 }, secrets: [], workspaceDefined: true }),
      maxCallMs: () => setting,
      log: new MemoryLog('debug'),
      clientInfo: { name: 'tests', version: '0' },
      handlers: { roots: () => [] },
      grace: { stdinMs: 300, termMs: 300 },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    let watchdog: NodeJS.Timeout | undefined;
    try {
      await conn.start();
      setting = 2000;
      const started = Date.now();
      const outcome = conn.callTool('progress_forever', { intervalMs: 50 }, consentForTests(conn, 'progress_forever'), { onProgress: () => {} });
      const stuck = new Promise<never>((_, reject) => (watchdog = setTimeout(() => reject(new Error('the call was still running after 12 s: the request timeout set at start outlived the lower setting')), 12_000)));
      await assert.rejects(Promise.race([outcome, stuck]), /^CallTimeLimitError: tools\/call was still running after 2 s/);
      assert.ok(Date.now() - started < 10_000);
      assert.strictEqual(conn.state.kind, 'running', 'the server was restarted');
    } finally {
      clearTimeout(watchdog);
      await conn.shutdown();
    }
  });

  it("a lower setting cuts a running workspace server's list requests too, not only its calls (review15)", async function () {
    this.timeout(30_000);
    let setting = 600_000;
    const log = new MemoryLog('debug');
    const conn = new ServerConnection({
      name: 'rogue',
      plan: async () => ({ launch: { type: 'stdio', command: process.execPath, args: [fixtureServer('rogue')], env: {} }, timeouts: { startupMs: 10_000, requestMs: 600_000, totalMs: 0 }, secrets: [], workspaceDefined: true }),
      maxCallMs: () => setting,
      log,
      clientInfo: { name: 'tests', version: '0' },
      handlers: { roots: () => [] },
      grace: { stdinMs: 300, termMs: 300 },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    try {
      await conn.start();
      setting = 2000;
      const started = Date.now();
      // The server stops answering tools/list and says its tools changed: the host's tools/list waits for its request timeout.
      await conn.callTool('silent_lists', {}, consentForTests(conn, 'silent_lists'));
      const failed = () => log.lines.find(l => /^tools\/list failed: /.test(l.message));
      for (let i = 0; i < 240 && !failed(); i++) await new Promise(r => setTimeout(r, 50));
      // Before: the list request kept the 10-minute timeout it was started with.
      assert.ok(failed(), `no tools/list failure after ${Date.now() - started} ms: the request timeout set at start outlived the lower setting`);
      assert.ok(Date.now() - started < 8_000, `${Date.now() - started} ms`);
      assert.strictEqual(conn.state.kind, 'running');
      assert.strictEqual(conn.tools.length > 0, true, 'the list it had is kept');
    } finally {
      await conn.shutdown();
    }
  });
});
