import * as assert from 'assert';
import { RecentTokens } from '../../../src/common/recentTokens';

describe('RecentTokens (what a link or button names instead of carrying it)', () => {
  it('finds each of the latest values by its token, and nothing for an old, unknown or non-string token', () => {
    const tokens = new RecentTokens<{ n: number }>('c', 3);
    const made = [1, 2, 3, 4, 5].map(n => tokens.add({ n }));
    assert.deepStrictEqual(made, ['c1', 'c2', 'c3', 'c4', 'c5']);
    assert.deepStrictEqual(made.map(t => tokens.get(t)?.n), [undefined, undefined, 3, 4, 5]);
    for (const forged of ['c6', 'r3', '', 3, null, undefined, { toString: () => 'c3' }]) assert.strictEqual(tokens.get(forged), undefined, String(forged));
    tokens.clear();
    assert.strictEqual(tokens.get('c5'), undefined);
    assert.strictEqual(tokens.add({ n: 6 }), 'c6', 'tokens are never reused after a clear');
  });
});
