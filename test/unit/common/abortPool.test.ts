import * as assert from 'assert';
import { getEventListeners } from 'events';
import { AbortControllerPool, requestSignal } from '../../../src/common/abortPool';

describe('AbortControllerPool', () => {
  it('reuses a controller only once its call has settled, not aborted, with nobody listening', async () => {
    const pool = new AbortControllerPool(8);
    let a: AbortController | undefined;
    let b: AbortController | undefined;
    let release!: () => void;
    const running = pool.run(c => ((a = c), new Promise<void>(resolve => (release = resolve))));
    await pool.run(async c => {
      b = c;
      assert.notStrictEqual(c, a, 'two calls running at once never share a controller');
    });
    assert.strictEqual(pool.idle, 1);
    release();
    await running;
    assert.strictEqual(pool.idle, 2);
    // Last in, first out: the controller of the call that settled last.
    await pool.run(async c => assert.strictEqual(c, a));
    await pool.run(async c => {
      assert.strictEqual(c, a);
      c.abort();
    });
    assert.strictEqual(pool.idle, 1, 'an aborted controller is dropped');
    await pool.run(async c => assert.strictEqual(c, b));
    await pool.run(async c => {
      assert.strictEqual(c, b);
      assert.strictEqual(c.signal.aborted, false);
      c.signal.addEventListener('abort', () => undefined);
    });
    assert.strictEqual(pool.idle, 0, 'a controller someone still listens to is dropped');
  });

  it('gives the controller back when the call fails, and keeps at most `max` idle', async () => {
    const pool = new AbortControllerPool(2);
    await assert.rejects(
      pool.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.strictEqual(pool.idle, 1);
    await Promise.all([1, 2, 3].map(() => pool.run(() => new Promise(resolve => setTimeout(resolve, 5)))));
    assert.strictEqual(pool.idle, 2);
  });

  it("gives a request a pooled signal's relay: the SDK's listeners are not added to the signal, and an abort reaches each once, in order", async () => {
    const pool = new AbortControllerPool(2);
    const other = new AbortController();
    assert.strictEqual(requestSignal(other.signal), other.signal, 'a signal not from the pool is given as it is');
    await pool.run(async c => {
      const relay = requestSignal(c.signal);
      assert.notStrictEqual(relay, c.signal);
      const on = getEventListeners(c.signal, 'abort').length;
      const heard: string[] = [];
      const first = () => heard.push('first');
      const second = (e: Event) => heard.push(`second ${e.type}`);
      const removed = () => heard.push('removed');
      relay.addEventListener('abort', first, { once: true });
      relay.addEventListener('abort', second);
      relay.addEventListener('abort', second);
      relay.addEventListener('abort', removed);
      relay.removeEventListener('abort', removed);
      assert.strictEqual(getEventListeners(c.signal, 'abort').length, on, 'no listener was added to the signal itself');
      assert.strictEqual(relay.aborted, false);
      c.abort('stop');
      assert.deepStrictEqual(heard, ['first', 'second abort']);
      assert.strictEqual(relay.aborted, true);
      assert.strictEqual(relay.reason, 'stop');
      assert.throws(() => relay.throwIfAborted(), (e: unknown) => e === 'stop');
      relay.addEventListener('abort', first);
      c.abort('again');
      assert.deepStrictEqual(heard, ['first', 'second abort'], 'nothing runs twice, nor after the abort');
    });
    assert.strictEqual(pool.idle, 0, 'the aborted controller is dropped');
    // A request still listening through the relay when its call settled keeps its controller out of the pool.
    await pool.run(async c => requestSignal(c.signal).addEventListener('abort', () => undefined));
    assert.strictEqual(pool.idle, 0, 'a controller whose relay someone still listens to is dropped');
    await pool.run(async c => {
      const relay = requestSignal(c.signal);
      const listener = () => undefined;
      relay.addEventListener('abort', listener);
      relay.removeEventListener('abort', listener);
    });
    assert.strictEqual(pool.idle, 1, 'and one whose listeners were all removed is reused');
  });
});
