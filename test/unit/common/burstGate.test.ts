import * as assert from 'assert';
import { BurstGate } from '../../../src/common/burstGate';

describe('BurstGate: a burst of signals is one piece of work in flight, then one more', () => {
  it('fires at once, collapses what comes while the work is under way into one fire after it, and loses no last signal', () => {
    const fired: string[] = [];
    const gate = new BurstGate<string>(k => fired.push(k), 60_000);
    try {
      gate.signal('a');
      for (let i = 0; i < 1000; i++) gate.signal('a');
      assert.deepStrictEqual(fired, ['a'], 'only the first fires while its work is under way');
      gate.done('a');
      assert.deepStrictEqual(fired, ['a', 'a'], 'the 1,000 that came meanwhile are one more fire');
      gate.done('a');
      assert.deepStrictEqual(fired, ['a', 'a'], 'nothing came after the second: no third');
      gate.signal('a');
      assert.deepStrictEqual(fired, ['a', 'a', 'a'], 'idle again: the next signal fires at once');
    } finally {
      gate.dispose();
    }
  });

  it('keeps keys apart, and ignores done for a key with nothing under way', () => {
    const fired: string[] = [];
    const gate = new BurstGate<string>(k => fired.push(k), 60_000);
    try {
      gate.done('x');
      gate.signal('a');
      gate.signal('b');
      gate.signal('a');
      assert.deepStrictEqual(fired, ['a', 'b']);
      gate.done('b');
      assert.deepStrictEqual(fired, ['a', 'b']);
      gate.done('a');
      assert.deepStrictEqual(fired, ['a', 'b', 'a']);
    } finally {
      gate.dispose();
    }
  });

  it('lets the next fire go after settleMs when the work never reports back (a document nobody re-reads)', async () => {
    const fired: number[] = [];
    const gate = new BurstGate<string>(() => fired.push(fired.length), 20);
    try {
      gate.signal('a');
      gate.signal('a');
      await new Promise(r => setTimeout(r, 200));
      assert.deepStrictEqual(fired, [0, 1], 'the signal held back fired once the wait was over');
      await new Promise(r => setTimeout(r, 100));
      assert.deepStrictEqual(fired, [0, 1], 'and nothing after it');
    } finally {
      gate.dispose();
    }
  });
});
