import * as assert from 'assert';
import type { Tool } from '@modelcontextprotocol/client';
import { createHash } from 'node:crypto';
import { buildCatalog, CatalogBuilder, type CatalogSource, toolDefinitionHash } from '../../../src/mcp/catalog';

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

  describe('rebuilt per server', () => {
    /** The naming rule written out plainly, over all sources at once: what every incremental update must equal. */
    function reference(sources: readonly CatalogSource[]): Array<[string, string, Tool]> {
      const clean = (part: string) => part.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
      const rows = sources.flatMap(s => s.tools.filter(t => !s.disabledTools.includes(t.name)).map(t => ({ base: `${clean(s.server)}_${clean(t.name)}`, server: s.server, tool: t })));
      const count = (base: string) => rows.filter(r => r.base === base).length;
      return rows.map(({ base, server, tool }) => {
        if (count(base) === 1 && base.length <= 64) return [base, server, tool];
        const suffix = `_${createHash('sha256').update(`${server}\u0000${tool.name}`).digest('hex').slice(0, 6)}`;
        return [`${base.slice(0, 64 - suffix.length)}${suffix}`, server, tool];
      });
    }

    it('equals a build from scratch after every one of 400 random changes (lists, disabled tools, servers, order, collisions)', () => {
      let seed = 14;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
      // Names chosen to collide across servers ('a' + 'b_c' and 'a_b' + 'c' share a base) and to need capping.
      const servers = ['a', 'a_b', 'a b', 'x'];
      const names = ['c', 'b_c', 'b c', 'y', '_y_', 'z'.repeat(70), `${'z'.repeat(70)}!`];
      const list = () => names.filter(() => random(2)).map(n => tool(n));
      let sources: CatalogSource[] = [];
      const builder = new CatalogBuilder();
      for (let step = 0; step < 400; step++) {
        const server = servers[random(servers.length)]!;
        const at = sources.findIndex(s => s.server === server);
        const move = random(7);
        if (at < 0) sources.splice(random(sources.length + 1), 0, { server, tools: list(), disabledTools: [] });
        else if (move === 0) sources.splice(at, 1);
        else if (move === 1) sources[at] = { ...sources[at]!, tools: list() };
        else if (move === 2) sources[at] = { ...sources[at]!, disabledTools: sources[at]!.tools.filter(() => random(2)).map(t => t.name) };
        else if (move === 3) sources = [...sources.slice(at), ...sources.slice(0, at)];
        // The same names as new objects (a description changed), and the same names in another order.
        else if (move === 4) sources[at] = { ...sources[at]!, tools: sources[at]!.tools.map(t => tool(t.name, { description: `${step}` })) };
        else if (move === 5) sources[at] = { ...sources[at]!, tools: [...sources[at]!.tools].reverse().map(t => tool(t.name)) };
        const built = builder.update([...sources]);
        const got = built.tools.map(t => [t.qualifiedName, t.server, t.tool]);
        assert.deepStrictEqual(got, reference(sources), `step ${step}`);
        for (const t of built.tools) assert.strictEqual(built.byName.get(t.qualifiedName), t, `step ${step}: byName ${t.qualifiedName}`);
        assert.strictEqual(built.byName.size, new Set(got.map(g => g[0])).size, `step ${step}: byName holds stale names`);
      }
    });

    it('makes again only the changed server\'s entries, and returns the same catalog when nothing changed', () => {
      const builder = new CatalogBuilder();
      const many = { server: 'many', tools: Array.from({ length: 1000 }, (_, i) => tool(`t${i}`)), disabledTools: [] };
      const small = { server: 'small', tools: [tool('a')], disabledTools: [] };
      const first = builder.update([many, small]);
      assert.strictEqual(builder.update([many, small]), first, 'rebuilt although nothing changed');
      const second = builder.update([many, { ...small, tools: [tool('a'), tool('b')] }]);
      assert.notStrictEqual(second, first);
      assert.strictEqual(second.tools.length, 1002);
      for (let i = 0; i < 1000; i++) assert.strictEqual(second.tools[i], first.tools[i], `entry ${i} of the unchanged server was made again`);
      assert.deepStrictEqual(second.tools.slice(1000).map(t => t.qualifiedName), ['small_a', 'small_b']);
    });

    it('names and counts again only the tools a change added or renamed, and checks no other server\'s entries when no base name changed', () => {
      const builder = new CatalogBuilder();
      const names = Array.from({ length: 5000 }, (_, i) => `t${i}`);
      const other = { server: 'other', tools: Array.from({ length: 1000 }, (_, i) => tool(`o${i}`)), disabledTools: [] };
      builder.update([{ server: 'big', tools: names.map(n => tool(n)), disabledTools: [] }, other]);
      const made = () => ({ ...builder.work });
      const change = (tools: Tool[]) => {
        const was = made();
        const catalog = builder.update([{ server: 'big', tools, disabledTools: [] }, other]);
        return { catalog, basesMade: builder.work.basesMade - was.basesMade, unchangedChecked: builder.work.unchangedChecked - was.unchangedChecked };
      };
      // Every tool a new object (a refresh after a description change): no name made again, the other server untouched.
      let step = change(names.map(n => tool(n, { description: 'new' })));
      assert.deepStrictEqual([step.basesMade, step.unchangedChecked], [0, 0]);
      assert.strictEqual(step.catalog.tools.length, 6000);
      assert.strictEqual(step.catalog.byName.get('big_t4999')?.tool.description, 'new');
      // One tool added in the middle (the rest shift): one name made.
      const inserted = [...names.slice(0, 10), 'added', ...names.slice(10)];
      step = change(inserted.map(n => tool(n)));
      assert.strictEqual(step.basesMade, 1);
      assert.deepStrictEqual(step.catalog.tools.slice(9, 12).map(t => t.qualifiedName), ['big_t9', 'big_added', 'big_t10']);
      // One removed: nothing made; its name leaves the catalog.
      step = change(names.map(n => tool(n)));
      assert.strictEqual(step.basesMade, 0);
      assert.strictEqual(step.catalog.byName.get('big_added'), undefined);
      assert.strictEqual(step.catalog.byName.size, 6000);
    });

    it('renames an unchanged server\'s entry when a change creates or removes a collision with it', () => {
      const builder = new CatalogBuilder();
      const ab = { server: 'a_b', tools: [tool('c')], disabledTools: [] };
      assert.deepStrictEqual(builder.update([ab]).tools.map(t => t.qualifiedName), ['a_b_c']);
      const both = builder.update([ab, { server: 'a', tools: [tool('b_c')], disabledTools: [] }]);
      assert.deepStrictEqual(both.tools.map(t => t.qualifiedName.replace(/[0-9a-f]{6}$/, '#')), ['a_b_c_#', 'a_b_c_#']);
      assert.strictEqual(both.byName.get('a_b_c'), undefined);
      const again = builder.update([ab]);
      assert.deepStrictEqual(again.tools.map(t => t.qualifiedName), ['a_b_c']);
      assert.strictEqual(again.byName.get('a_b_c')?.server, 'a_b');
    });
  });
});
