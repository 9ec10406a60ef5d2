import * as assert from 'assert';
import { dedupe, describeDuplicate } from '../../../src/mcp/duplicates';

describe('duplicates in a server\'s lists', () => {
  it('keeps the first of each key in order and records what it dropped, telling identical repeats from different ones', () => {
    const tools = [
      { name: 'search', description: 'web' },
      { name: 'echo' },
      { name: 'search', description: 'files' },
      { name: 'echo' },
      { name: 'search', description: 'web' },
      { name: 'other' },
    ];
    const { items, duplicates } = dedupe('tool', tools, t => t.name);
    assert.deepStrictEqual(items, [tools[0], tools[1], tools[5]]);
    assert.deepStrictEqual(duplicates, [
      { kind: 'tool', key: 'search', count: 3, differ: true },
      { kind: 'tool', key: 'echo', count: 2, differ: false },
    ]);
  });

  it('finds nothing in a list without repeats', () => {
    const { items, duplicates } = dedupe('resource', [{ uri: 'a' }, { uri: 'b' }], r => r.uri);
    assert.strictEqual(items.length, 2);
    assert.deepStrictEqual(duplicates, []);
  });

  it('says what was dropped, and that an ambiguous tool is not called', () => {
    assert.strictEqual(describeDuplicate({ kind: 'tool', key: 'search', count: 2, differ: true }), "2 different tools named 'search': MCP Host will not call it (it cannot tell which one the server would run)");
    assert.strictEqual(describeDuplicate({ kind: 'resource', key: 'file:///a', count: 3, differ: false }), "3 identical resources with URI 'file:///a': shown once");
    assert.strictEqual(describeDuplicate({ kind: 'resource', key: 'file:///a', count: 2, differ: true }, 'A'), "2 different resources with URI 'A': only the first is shown");
  });
});
