import * as assert from 'assert';
import { Emitter, MicrotaskBatch } from '../../../src/common/event';

/** The status bar and the config CodeLens render once for the state and tool changes one server event fires. */
describe('MicrotaskBatch', () => {
  it('runs once for every schedule before its microtask, and again for one after it', async () => {
    let runs = 0;
    const batch = new MicrotaskBatch(() => runs++);
    const state = new Emitter<void>();
    const tools = new Emitter<void>();
    state.event(batch.schedule);
    tools.event(batch.schedule);
    state.fire();
    tools.fire();
    batch.schedule();
    assert.strictEqual(runs, 0, 'not before the microtask');
    await Promise.resolve();
    assert.strictEqual(runs, 1);
    tools.fire();
    await Promise.resolve();
    assert.strictEqual(runs, 2);
  });

  it('runs nothing once disposed, also for a schedule already queued', async () => {
    let runs = 0;
    const batch = new MicrotaskBatch(() => runs++);
    batch.schedule();
    batch.dispose();
    batch.schedule();
    await Promise.resolve();
    await Promise.resolve();
    assert.strictEqual(runs, 0);
  });
});
