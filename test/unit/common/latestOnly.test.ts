import * as assert from 'assert';
import { latestOnly } from '../../../src/common/latestOnly';

describe('latestOnly: an answer for text that has changed is dropped', () => {
  it('keeps only the latest call\'s answer, whatever order the answers come in', async () => {
    const pending = new Map<string, (message: string) => void>();
    const check = latestOnly((text: string) => new Promise<string>(resolve => pending.set(text, resolve)));
    const first = check('a');
    const second = check('ab');
    pending.get('ab')!('ab is fine');
    pending.get('a')!('a is too short');
    assert.deepStrictEqual(await second, { value: 'ab is fine' });
    assert.strictEqual(await first, undefined, 'the answer for the old text was kept');
  });

  it('drops an earlier answer that arrives first too, and everything after cancel', async () => {
    const check = latestOnly(async (text: string) => text.length);
    const first = check('a');
    const second = check('abc');
    assert.strictEqual(await first, undefined);
    assert.deepStrictEqual(await second, { value: 3 });
    const third = check('abcd');
    check.cancel();
    assert.strictEqual(await third, undefined);
  });
});
