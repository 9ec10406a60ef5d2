import * as assert from 'assert';
import { createHook } from 'async_hooks';
import { getEventListeners } from 'events';
import { AbortControllerPool, requestAbort, requestSignal, runCancellable } from '../../../src/common/abortPool';

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

  it('runs a call with one promise of its own: no async frame kept per call in flight', async () => {
    // With 50 calls in flight each suspended async frame (and its promises) is what a scavenge copies (calls14).
    const pool = new AbortControllerPool(2);
    const task = Promise.resolve('done');
    await pool.run(() => task);
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    }).enable();
    let running: Promise<string>;
    try {
      running = pool.run(() => task);
    } finally {
      hook.disable();
    }
    assert.strictEqual(await running, 'done');
    assert.ok(promises <= 1, `${promises} promises made to run one call`);
    assert.strictEqual(pool.idle, 1, 'and its controller is back once it settled');
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

describe('runCancellable', () => {
  /** A cancellation shaped like VS Code's CancellationToken. */
  class Token {
    isCancellationRequested = false;
    private readonly listeners = new Set<() => void>();
    onCancellationRequested(listener: () => void): { dispose(): void } {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    }
    cancel(): void {
      this.isCancellationRequested = true;
      for (const listener of [...this.listeners]) listener();
    }
    get listening(): number {
      return this.listeners.size;
    }
  }

  it("gives each call a pooled signal (the SDK gets its relay), which the token aborts; the link goes when the call settles, and the controller is reused", async () => {
    const pool = new AbortControllerPool(4);
    const token = new Token();
    let first: AbortSignal | undefined;
    await runCancellable(
      token,
      async signal => {
        first = signal;
        assert.notStrictEqual(requestSignal(signal), signal, 'a pooled signal, with a relay for the SDK');
        assert.strictEqual(token.listening, 1);
      },
      pool,
    );
    assert.strictEqual(token.listening, 0, 'the link to the token is removed when the call settles');
    assert.strictEqual(pool.idle, 1);
    await runCancellable(token, async signal => assert.strictEqual(signal, first, 'the settled call\'s controller is reused'), pool);
    let cancelled: AbortSignal | undefined;
    const running = runCancellable(token, signal => ((cancelled = signal), new Promise<string>(resolve => signal.addEventListener('abort', () => resolve('aborted'), { once: true }))), pool);
    token.cancel();
    assert.strictEqual(await running, 'aborted');
    assert.strictEqual(cancelled!.aborted, true);
    assert.strictEqual(token.listening, 0);
    assert.strictEqual(pool.idle, 0, 'an aborted controller is not reused');
    // A token cancelled before the call: its signal is aborted from the start.
    await runCancellable(token, async signal => assert.strictEqual(signal.aborted, true), pool);
    await assert.rejects(
      runCancellable(new Token(), () => {
        throw new Error('boom');
      }, pool),
      /boom/,
    );
  });
});

describe('requestAbort', () => {
  it('aborts once, with its reason, running each listener once, in order; a removed listener does not run', () => {
    const own = requestAbort();
    const heard: string[] = [];
    const first = () => heard.push('first');
    const removed = () => heard.push('removed');
    own.signal.addEventListener('abort', first, { once: true });
    own.signal.addEventListener('abort', (e: Event) => heard.push(`second ${e.type}`));
    own.signal.addEventListener('abort', first);
    own.signal.addEventListener('abort', removed);
    own.signal.removeEventListener('abort', removed);
    assert.strictEqual(own.signal.aborted, false);
    assert.doesNotThrow(() => own.signal.throwIfAborted());
    own.abort('limit');
    assert.deepStrictEqual(heard, ['first', 'second abort']);
    assert.strictEqual(own.signal.aborted, true);
    assert.strictEqual(own.signal.reason, 'limit');
    assert.throws(() => own.signal.throwIfAborted(), (e: unknown) => e === 'limit');
    own.signal.addEventListener('abort', first);
    own.abort('again');
    assert.deepStrictEqual(heard, ['first', 'second abort']);
    assert.strictEqual(own.signal.reason, 'limit');
  });

  it('removes the listener added last without a splice, and any other one in place', () => {
    // Each request adds its listener and removes it when it settles: a splice per request was ~400 instructions (calls14b).
    const own = requestAbort();
    const splice = Array.prototype.splice;
    let spliced = 0;
    Array.prototype.splice = function (this: unknown[], ...rest: unknown[]) {
      spliced++;
      return (splice as (...a: unknown[]) => unknown[]).apply(this, rest);
    } as typeof splice;
    const heard: string[] = [];
    const kept = () => heard.push('kept');
    try {
      own.signal.addEventListener('abort', kept);
      for (let i = 0; i < 1000; i++) {
        const request = () => heard.push('request');
        own.signal.addEventListener('abort', request);
        own.signal.removeEventListener('abort', request);
      }
    } finally {
      Array.prototype.splice = splice;
    }
    assert.strictEqual(spliced, 0, `${spliced} splices for 1,000 requests`);
    const first = () => heard.push('first');
    const last = () => heard.push('last');
    own.signal.addEventListener('abort', first);
    own.signal.addEventListener('abort', last);
    own.signal.removeEventListener('abort', kept);
    own.abort('x');
    assert.deepStrictEqual(heard, ['first', 'last']);
  });
});
