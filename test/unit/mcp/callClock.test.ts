/**
 * The call limit of requests whose progress the host follows (CallClock): running clocks share one timer, set for
 * the earliest deadline, and each request still ends at its own limit, on its caller's cancel, or not at all once it
 * has settled. `send` stands for the SDK's request (these tests are about the clock; the real path is in
 * callPathCost, eras and rogue).
 */
import * as assert from 'assert';
import type { HostRequestOptions } from '../../../src/mcp/requests';
import { timedRequest } from '../../../src/mcp/requests';
import { CallTimeLimitError } from '../../../src/mcp/diagnosis';
import { MemoryLog } from '../../../src/mcp/log';

/** A request that ends only when its signal aborts; `signals` gets the signal it was sent with. */
function pending(signals: HostRequestOptions[]): (options: HostRequestOptions) => Promise<string> {
  return options =>
    new Promise((_, reject) => {
      signals.push(options);
      options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
}

describe('CallClock (the call limit of a request that follows progress)', () => {
  const log = new MemoryLog();
  const progress = () => undefined;

  it('a later request with a shorter limit ends at its own limit, not at the earlier one\'s; the earlier one still cancels', async () => {
    const sent: HostRequestOptions[] = [];
    const long = new AbortController();
    const started = Date.now();
    const first = timedRequest({ requestMs: 10, totalMs: () => 60_000, log }, 'tools/call', pending(sent), long.signal, progress);
    const second = timedRequest({ requestMs: 10, totalMs: () => 80, log }, 'tools/call', pending(sent), undefined, progress);
    await assert.rejects(second, (e: unknown) => e instanceof CallTimeLimitError);
    const took = Date.now() - started;
    assert.ok(took >= 75 && took < 5_000, `the 80 ms limit hit after ${took} ms`);
    assert.strictEqual(sent[0]!.signal!.aborted, false, 'the 60 s request still runs');
    long.abort();
    await assert.rejects(first, (e: unknown) => !(e instanceof CallTimeLimitError));
    assert.strictEqual(sent[0]!.signal!.aborted, true);
  });

  it('fires every due request of a burst, and none that settled before its limit', async () => {
    const sent: HostRequestOptions[] = [];
    const context = { requestMs: 10, totalMs: () => 60, log };
    const settled = await Promise.all(Array.from({ length: 5 }, () => timedRequest(context, 'tools/call', async () => 'done', undefined, progress)));
    assert.deepStrictEqual(settled, ['done', 'done', 'done', 'done', 'done']);
    const burst = Array.from({ length: 10 }, () => timedRequest(context, 'tools/call', pending(sent), undefined, progress).then(
      () => 'answered',
      (e: unknown) => (e instanceof CallTimeLimitError ? 'limit' : String(e)),
    ));
    assert.deepStrictEqual(await Promise.all(burst), Array(10).fill('limit'));
    assert.ok(sent.every(o => o.signal!.aborted));
    assert.match(String(sent[0]!.signal!.reason), /ran for .*the most one call may take/);
  });

  it('requests settled first, last and in between leave every other running request to its own limit', async () => {
    const context = { requestMs: 10, totalMs: () => 120, log };
    const answers: Array<() => void> = [];
    const answerable = (): Promise<string> => new Promise(resolve => answers.push(() => resolve('answered')));
    const calls = Array.from({ length: 7 }, (_, i) =>
      timedRequest(context, 'tools/call', i % 3 === 0 ? answerable : pending([]), undefined, progress).then(
        v => v,
        (e: unknown) => (e instanceof CallTimeLimitError ? 'limit' : String(e)),
      ),
    );
    // The first, the middle (3) and the last (6) clock end before their limit, in that order: taken out of the running ones.
    answers[0]!();
    answers[2]!();
    answers[1]!();
    assert.deepStrictEqual(await Promise.all(calls), ['answered', 'limit', 'limit', 'answered', 'limit', 'limit', 'answered']);
  });
});
