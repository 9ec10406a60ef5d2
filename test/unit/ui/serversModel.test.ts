import * as assert from 'assert';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin } from '../../../src/config/types';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerRegistry } from '../../../src/mcp/registry';
import { NodeCache, type TreeNode } from '../../../src/ui/tree/nodes';
import { ModelChange, pageOf, resourceLayout, ServersTreeModel, type ResourcePages } from '../../../src/ui/tree/serversModel';
import { promptArguments, promptDescription, promptLabel, schemaSummary, entryActions, serverActions, summarizeServers, toolDescription, toolHints, toolLabel } from '../../../src/ui/tree/treeText';
import { fixtureServer } from '../servers';

const origin: ConfigOrigin = { kind: 'workspaceVscode', file: '/ws/.vscode/mcp.json', folder: '/ws', label: '.vscode/mcp.json' };

function registry(createLog = () => Object.assign(new MemoryLog(), { dispose() {} })): ServerRegistry {
  return new ServerRegistry({
    createLog,
    plan: async def => {
      if (def.type !== 'stdio') throw new Error('stdio only');
      return { launch: { type: 'stdio', command: def.command, args: def.args, env: def.env }, timeouts: def.timeouts, secrets: [] };
    },
    mayStart: async defs => new Map(defs.map(d => [d.name, { allowed: true as const }])),
    handlers: { roots: () => [] },
    clientInfo: { name: 'test', version: '0' },
    connectionDefaults: { grace: { stdinMs: 300, termMs: 300 } },
  });
}

function config(servers: Record<string, unknown>) {
  const parsed = parseConfigText(JSON.stringify({ servers }), origin, 'vscode');
  return { servers: parsed.servers, problems: parsed.problems };
}

const paging = (...args: string[]) => ({ type: 'stdio', command: process.execPath, args: [fixtureServer('paging'), ...args] });

describe('ServersTreeModel against the paging fixture', function () {
  this.timeout(60_000);
  let reg: ServerRegistry;
  let model: ServersTreeModel;
  const changes: ModelChange[] = [];

  before(async () => {
    reg = registry();
    model = new ServersTreeModel(reg);
    model.onDidChange(c => changes.push(c));
    await reg.apply(config({ big: paging('--resources', '10000', '--page-size', '100', '--templates', '2'), off: { ...paging(), disabled: true } }));
  });

  after(async () => {
    model.dispose();
    await reg.shutdown();
  });

  it('lists servers by name, with groups only for a running server', () => {
    assert.deepStrictEqual(model.servers.map(s => s.name), ['big', 'off']);
    assert.deepStrictEqual(model.groupsOf('big'), ['tools', 'resources', 'templates', 'prompts']);
    assert.deepStrictEqual(model.groupsOf('off'), []);
  });

  it('lists no resource until asked, then one page at a time', async () => {
    assert.strictEqual(model.resources('big').pagesLoaded, 0);
    let requests = 0;
    const connection = reg.get('big')!.connection;
    const original = connection.listResourcesPage.bind(connection);
    connection.listResourcesPage = cursor => (requests++, original(cursor));
    try {
      await Promise.all([model.loadResources('big'), model.loadResources('big')]);
      assert.strictEqual(requests, 1, 'two concurrent expansions must share one request');
      assert.strictEqual(model.resources('big').items.length, 100);
      assert.ok(model.resources('big').nextCursor);
      await model.loadResources('big');
      assert.strictEqual(requests, 1, 'a loaded list is not fetched again');
      await model.loadMoreResources('big');
      assert.strictEqual(requests, 2);
      const pages = model.resources('big');
      assert.strictEqual(pages.items.length, 200);
      assert.deepStrictEqual(pages.pageStarts, [0, 100]);
      assert.strictEqual(new Set(pages.items.map(r => r.uri)).size, 200);
      pages.items.forEach((r, i) => assert.strictEqual(pages.seen.get(r.uri), i));
      assert.ok(pages.arrivedAt !== undefined && pages.arrivedAt <= performance.now(), 'when the page arrived');
      assert.ok(changes.some(c => c.server === 'big' && c.what === 'resources'));
    } finally {
      connection.listResourcesPage = original;
    }
  });

  it('loads all pages up to a cap with progress, can be cancelled, and runs once at a time', async () => {
    const progress: number[] = [];
    const capped = await model.loadAllResources('big', { cap: 1000, onProgress: n => progress.push(n) });
    assert.deepStrictEqual(capped, { loaded: 1200, ended: 'cap' });
    assert.deepStrictEqual(progress, Array.from({ length: 11 }, (_, i) => 200 + 100 * i));
    assert.strictEqual(model.resources('big').pageStarts.length, 12);

    let asked = 0;
    const cancelled = await model.loadAllResources('big', { isCancelled: () => ++asked > 3 });
    assert.deepStrictEqual(cancelled, { loaded: 1500, ended: 'cancelled' });

    const [all, again] = await Promise.all([model.loadAllResources('big'), model.loadAllResources('big', { cap: 1 })]);
    assert.strictEqual(again, all, 'a second Load all joins the one running');
    // 10,000 generated resources and the fixture's two static ones, each once.
    assert.deepStrictEqual(all, { loaded: 10_002, ended: 'complete' });
    assert.strictEqual(model.isLoadingAll('big'), false);
    const pages = model.resources('big');
    assert.strictEqual(new Set(pages.items.map(r => r.uri)).size, 10_002);
    assert.strictEqual(pages.nextCursor, undefined);
    assert.strictEqual(pages.pageStarts.length, pages.pagesLoaded);
  });

  it('drops what was paged when the server restarts', async () => {
    await reg.restart('big');
    assert.strictEqual(model.resources('big').pagesLoaded, 0);
    await model.loadResources('big');
    assert.strictEqual(model.resources('big').items.length, 100);
  });

  it('summarises servers for the status bar', () => {
    const s = summarizeServers(reg.servers);
    assert.deepStrictEqual({ total: s.total, running: s.running, errors: s.errors }, { total: 2, running: 1, errors: 0 });
    assert.strictEqual(s.text, '$(plug) MCP 1/2');
    assert.strictEqual(summarizeServers([]).text, '');
  });

  it('offers the actions that fit a server\'s state', () => {
    assert.deepStrictEqual(entryActions(reg.get('big')!), ['stop', 'restart', 'showLog', 'openConfig']);
    // Disabled in config, never started: nothing in its log.
    assert.deepStrictEqual(entryActions(reg.get('off')!), ['start', 'openConfig']);
    assert.deepStrictEqual(serverActions({ kind: 'error', message: 'x', stderrTail: [], attempt: 1 }), ['restart', 'showLog', 'openConfig']);
    assert.deepStrictEqual(serverActions({ kind: 'blocked', reason: 'invalidConfig', message: 'x' }, { launched: false, signsIn: false }), ['openConfig']);
  });

  it('describes tools by their hints and arguments', () => {
    const tools = reg.get('big')!.connection.tools;
    const echo = tools.find(t => t.name === 'echo')!;
    const mutate = tools.find(t => t.name === 'mutate')!;
    assert.deepStrictEqual(toolHints(echo), ['read-only']);
    assert.deepStrictEqual(toolHints(mutate), ['destructive']);
    assert.match(toolDescription(mutate, false), /^destructive · Adds a dynamic item/);
    assert.match(toolDescription(echo, true), /^disabled in config · read-only · /);
    const summary = schemaSummary(echo.inputSchema);
    assert.strictEqual(summary[0], 'text*: string — Text to echo back');
    assert.ok(summary.includes('mood: "calm" | "excited" | "grumpy"'));
    assert.ok(summary.includes('tags: string[]'));
  });

  it('names tools and prompts by their title, falling back past a blank one', () => {
    const inputSchema = { type: 'object' as const };
    assert.strictEqual(toolLabel({ name: 'x', title: 'Title', annotations: { title: 'Annotated' }, inputSchema }), 'Title');
    assert.strictEqual(toolLabel({ name: 'x', title: '  ', annotations: { title: 'Annotated' }, inputSchema }), 'Annotated');
    assert.strictEqual(toolLabel({ name: 'x', title: '', annotations: { title: ' ' }, inputSchema }), 'x');
    assert.strictEqual(promptLabel({ name: 'p', title: ' ' }), 'p');
    const greet = { name: 'greet', description: 'Greets someone\nin detail', arguments: [{ name: 'language', required: true }, { name: 'name' }] };
    assert.strictEqual(promptArguments(greet), '(language*, name)');
    assert.strictEqual(promptArguments({ name: 'p' }), '');
    assert.strictEqual(promptDescription(greet), '(language*, name) Greets someone');
  });

  it('lays out the Resources group in as many nodes, read from as many page starts, at page 100 as at page 4, and as the first page alone', () => {
    // Pages of 100 (one of repeats only, page 50), read through a proxy that counts the page starts looked at.
    let reads = 0;
    const layoutAt = (pagesLoaded: number) => {
      const starts = Array.from({ length: pagesLoaded }, (_, k) => (k <= 50 ? 100 * k : 100 * (k - 1)));
      const counted = new Proxy(starts, { get: (target, key, receiver) => (typeof key === 'string' && /^\d+$/.test(key) && reads++, Reflect.get(target, key, receiver)) });
      const items = { length: 100 * pagesLoaded - (pagesLoaded > 50 ? 100 : 0) } as unknown as ResourcePages['items'];
      const pages = { items, pageStarts: counted, pagesLoaded } as unknown as ResourcePages;
      reads = 0;
      const layout = resourceLayout(pages);
      // The nodes the group hands VS Code at each "Load more…": the folders and the newest page's resources.
      return { nodes: layout.end - layout.start + layout.folders.length + (layout.earlier ? 1 : 0), reads, layout, pages };
    };
    assert.deepStrictEqual(layoutAt(1).layout, { page: 0, start: 0, end: 100, folders: [], earlier: undefined });
    assert.deepStrictEqual(layoutAt(2).layout, { page: 1, start: 100, end: 200, folders: [0], earlier: undefined });
    assert.deepStrictEqual(layoutAt(3).layout, { page: 2, start: 200, end: 300, folders: [0, 1], earlier: undefined });
    assert.deepStrictEqual(layoutAt(4).layout, { page: 3, start: 300, end: 400, folders: [0], earlier: { from: 1, to: 2 } });
    assert.deepStrictEqual(layoutAt(100).layout, { page: 99, start: 9_800, end: 9_900, folders: [0], earlier: { from: 1, to: 98 } });
    // The newest page only repeated earlier ones: the group keeps the page before it.
    assert.deepStrictEqual(layoutAt(51).layout, { page: 49, start: 4_900, end: 5_000, folders: [0], earlier: { from: 1, to: 48 } });
    // No resource at all yet, or a first page of repeats only.
    assert.deepStrictEqual(resourceLayout({ items: [], pageStarts: [0], pagesLoaded: 1 } as unknown as ResourcePages), { page: 0, start: 0, end: 0, folders: [], earlier: undefined });
    // A Load more… page gives VS Code two nodes more than the first page: the folders before its resources.
    assert.strictEqual(layoutAt(4).nodes, layoutAt(1).nodes + 2);
    const page4 = layoutAt(4);
    for (const n of [5, 10, 30, 99, 100, 1000]) {
      const at = layoutAt(n);
      assert.strictEqual(at.nodes, page4.nodes, `nodes at page ${n}`);
      assert.strictEqual(at.reads, page4.reads, `page starts read at page ${n}`);
    }
    // A resource's page (what reveal climbs through) by binary search: as a scan finds it, in at most log2(pages) + 1 reads.
    const { pages } = layoutAt(1000);
    for (const index of [0, 99, 100, 4_999, 5_000, 5_099, 5_100, 99_899]) {
      reads = 0;
      assert.strictEqual(pageOf(pages, index), pages.pageStarts.findLastIndex(start => start <= index), `index ${index}`);
    }
    reads = 0;
    pageOf(pages, 54_321);
    assert.ok(reads <= Math.ceil(Math.log2(1000)) + 1, `${reads} page starts read`);
  });

  it('forgets cached nodes by prefix as a scan of every key would, looking only at keys of the kind the prefix names', () => {
    const cache = new NodeCache();
    const node = {} as TreeNode;
    const keys = new Set<string>();
    const add = (key: string) => (cache.set(key, node), keys.add(key));
    for (let i = 0; i < 10_000; i++) add(`resource:fixture://items/${i}`);
    for (let k = 1; k <= 30; k++) add(`resourcePage@30:${k}`);
    add('resourcePage@30:earlier');
    for (const key of ['resources:more', 'resources:all', 'tool:echo', 'info:stderr', 'info:stderr/line0', 'templates:empty', 'nocolon']) add(key);
    const check = () => {
      for (const key of keys) assert.ok(cache.has(key), `${key} was forgotten`);
      assert.ok(!cache.has('resource:never'));
    };
    const forget = (prefix: string) => {
      const before = cache.keysVisited;
      cache.forget(prefix);
      for (const key of [...keys]) if (key.startsWith(prefix)) keys.delete(key);
      check();
      for (const key of keys) assert.ok(!key.startsWith(prefix));
      return cache.keysVisited - before;
    };
    check();
    // What a new page of resources does: the page folders go, the 10,000 resource nodes stay and are not looked at.
    assert.strictEqual(forget('resourcePage@'), 0);
    assert.ok(keys.has('resource:fixture://items/9999'));
    // Within a kind: only that kind's keys are looked at.
    assert.strictEqual(forget('info:stderr/'), 2);
    assert.strictEqual(forget('resource:fixture://items/1'), 10_000);
    assert.strictEqual(forget('no'), 0);
    // A prefix that spans kinds (a resource list that changed drops resources, pages and actions).
    forget('resource');
    assert.deepStrictEqual([...keys].sort(), ['info:stderr', 'templates:empty', 'tool:echo']);
    cache.clear();
    assert.ok(!cache.has('tool:echo'));
  });
});

/**
 * A tree model over one rogue server (test/fixtures/servers/rogue.ts) started with `--cursor <mode>`, for the
 * describe block that calls it: started before its tests, shut down after them.
 */
function rogueCursorModel(name: string, mode: string): { model: () => ServersTreeModel; log: MemoryLog } {
  let reg: ServerRegistry;
  let model: ServersTreeModel;
  const log = new MemoryLog();
  before(async () => {
    reg = registry(() => Object.assign(log, { dispose() {} }));
    model = new ServersTreeModel(reg);
    await reg.apply(config({ [name]: { type: 'stdio', command: process.execPath, args: [fixtureServer('rogue'), '--cursor', mode] } }));
  });
  after(async () => {
    model.dispose();
    await reg.shutdown();
  });
  return { model: () => model, log };
}

describe('ServersTreeModel against a server whose resource cursors loop', function () {
  this.timeout(30_000);
  // Cursor a leads to b, b back to a, each page the same resource: only "a" repeated right away was caught.
  const { model: current, log } = rogueCursorModel('cycle', 'cycle');

  it('Load all ends on a cursor the server gave before, and Load more is no longer offered', async () => {
    // Before, this ran until cancelled: each page added nothing, so the 10,000-resource cap was never reached.
    const all = await current().loadAllResources('cycle');
    assert.deepStrictEqual(all, { loaded: 1, ended: 'complete' });
    const pages = current().resources('cycle');
    assert.strictEqual(pages.pagesLoaded, 3, 'the first page (→ a), a (→ b), b (→ a again: the end)');
    assert.strictEqual(pages.nextCursor, undefined);
    assert.match(log.text(), /resources\/list: the server repeated cursor "a"; the list may be incomplete\./);
  });
});

describe('ServersTreeModel against a server that ends its resources with a null cursor', function () {
  this.timeout(30_000);
  const { model: current, log } = rogueCursorModel('nulls', 'null');

  it('lists the page, offers no Load more, and warns of nothing: null is the end, as for the core\'s lists', async () => {
    // Before: the SDK refused the page ("nextCursor: expected string, received null"): no resources, an error.
    assert.deepStrictEqual(await current().loadAllResources('nulls'), { loaded: 1, ended: 'complete' });
    const pages = current().resources('nulls');
    assert.strictEqual(pages.error, undefined);
    assert.strictEqual(pages.nextCursor, undefined);
    assert.deepStrictEqual(log.lines.filter(l => l.level === 'warn' || l.level === 'error'), []);
  });
});
