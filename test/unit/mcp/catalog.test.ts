import * as assert from 'assert';
import type { Tool } from '@modelcontextprotocol/client';
import { buildCatalog, toolDefinitionHash } from '../../../src/mcp/catalog';

const tool = (name: string, extra: Partial<Tool> = {}): Tool => ({ name, inputSchema: { type: 'object' }, ...extra });

describe('tool catalog', () => {
  it('qualifies names with the server and keeps them to [A-Za-z0-9_-]', () => {
    const [t] = buildCatalog([{ server: 'my server.v2', tools: [tool('read file')], disabledTools: [] }]);
    assert.strictEqual(t!.qualifiedName, 'my_server_v2_read_file');
  });

  it('gives colliding names distinct suffixes that do not depend on order', () => {
    const a = { server: 'a_b', tools: [tool('c')], disabledTools: [] };
    const b = { server: 'a', tools: [tool('b_c')], disabledTools: [] };
    const one = buildCatalog([a, b]).map(t => t.qualifiedName);
    const two = buildCatalog([b, a]).map(t => t.qualifiedName);
    assert.notStrictEqual(one[0], one[1]);
    assert.deepStrictEqual([...one].sort(), [...two].sort());
    for (const n of one) assert.match(n, /^a_b_c_[0-9a-f]{6}$/);
  });

  it('caps names at 64 characters, still unique', () => {
    const long = 'x'.repeat(80);
    const names = buildCatalog([{ server: 's', tools: [tool(`${long}1`), tool(`${long}2`)], disabledTools: [] }]).map(t => t.qualifiedName);
    for (const n of names) assert.ok(n.length <= 64, n);
    assert.notStrictEqual(names[0], names[1]);
  });

  it('leaves out disabled tools and flags hidden characters in names and titles', () => {
    const cat = buildCatalog([
      {
        server: 's',
        tools: [
          tool('ok', { title: 'Fine ❤️ 👩‍💻' }),
          tool('off'),
          tool('sneaky\u200bname'),
          tool('t1', { title: 'invoice\u202etxt.exe' }),
          tool('t2', { annotations: { title: 'a\u2060b' } }),
          tool('t3\ufeff', { title: '\u200dx' }),
        ],
        disabledTools: ['off'],
      },
    ]);
    assert.deepStrictEqual(cat.map(t => t.tool.name), ['ok', 'sneaky\u200bname', 't1', 't2', 't3\ufeff']);
    const name = 'the tool name contains invisible, control or bidi characters (shown as ⟨U+…⟩)';
    const title = 'the tool title contains invisible, control or bidi characters (shown as ⟨U+…⟩)';
    assert.deepStrictEqual(cat.map(t => t.warnings), [[], [name], [title], [title], [name, title]]);
    assert.strictEqual(cat[1]!.qualifiedName, 's_sneaky_name');
  });

  it('hashes what the user approves, so a changed description or schema changes the hash', () => {
    const base = tool('t', { description: 'reads', annotations: { readOnlyHint: true } });
    assert.strictEqual(toolDefinitionHash(base), toolDefinitionHash({ ...base }));
    assert.notStrictEqual(toolDefinitionHash(base), toolDefinitionHash({ ...base, description: 'deletes' }));
    assert.notStrictEqual(toolDefinitionHash(base), toolDefinitionHash({ ...base, annotations: { readOnlyHint: false } }));
    assert.notStrictEqual(toolDefinitionHash(base), toolDefinitionHash({ ...base, inputSchema: { type: 'object', properties: { x: { type: 'string' } } } }));
  });
});
