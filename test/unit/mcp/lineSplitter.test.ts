import * as assert from 'assert';
import { BoundedLineSplitter } from '../../../src/mcp/transports/lineSplitter';

describe('BoundedLineSplitter (stderr lines)', () => {
  it('splits on LF and CR LF across chunks', () => {
    const s = new BoundedLineSplitter(100);
    assert.deepStrictEqual(s.push('one\r\ntw'), ['one']);
    assert.deepStrictEqual(s.push('o\nthree'), ['two']);
    assert.deepStrictEqual(s.end(), ['three']);
    assert.deepStrictEqual(s.end(), []);
  });

  it('keeps at most maxLineChars of a line, however much arrives without a newline, and says what it dropped', () => {
    const s = new BoundedLineSplitter(10);
    for (let i = 0; i < 1000; i++) assert.deepStrictEqual(s.push('x'.repeat(1000)), []);
    assert.deepStrictEqual(s.push('y\nnext'), [`${'x'.repeat(10)}… (999991 more characters)`]);
    assert.deepStrictEqual(s.end(), ['next']);
    assert.deepStrictEqual(s.push(`${'z'.repeat(25)}`), []);
    assert.deepStrictEqual(s.end(), [`${'z'.repeat(10)}… (15 more characters)`]);
  });

  it('never cuts a surrogate pair in half', () => {
    const s = new BoundedLineSplitter(4);
    assert.deepStrictEqual(s.push('abc😀d\n'), ['abc… (3 more characters)']);
  });
});
