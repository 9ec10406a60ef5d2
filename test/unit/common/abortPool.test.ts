import * as assert from 'assert';
import { AbortControllerPool } from '../../../src/common/abortPool';

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
});
