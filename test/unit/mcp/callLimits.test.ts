import * as assert from 'assert';
import { DEFAULT_MAX_CALL_MS } from '../../../src/config/types';
import { callLimits } from '../../../src/mcp/serverConnection';

/**
 * The most one call may take: `mcpHost.calls.maxMinutes` (the user's own setting; application scope, so a workspace
 * cannot set it) and a server entry's `timeout`. An entry in the user's settings wins; one in a workspace file, which a
 * cloned repository writes, may only shorten the user's limit.
 */
describe('call limits: a workspace entry never lifts the user setting', () => {
  const timeouts = (requestMs: number, totalMs?: number) => ({ startupMs: 30_000, requestMs, ...(totalMs !== undefined ? { totalMs } : {}) });
  const limits = (requestMs: number, totalMs: number | undefined, setting: number | undefined, workspaceDefined: boolean) => {
    const l = callLimits(timeouts(requestMs, totalMs), setting === undefined ? undefined : () => setting, workspaceDefined);
    return [l.requestMs, l.totalMs()];
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

  it('reads the setting per call', () => {
    let setting = 600_000;
    const l = callLimits(timeouts(60_000, 0), () => setting, true);
    assert.strictEqual(l.totalMs(), 600_000);
    setting = 120_000;
    assert.strictEqual(l.totalMs(), 120_000);
  });
});
