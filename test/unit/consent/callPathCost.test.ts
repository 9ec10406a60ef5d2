/**
 * What a tool call costs, as work done rather than time (times live in `npm run bench`): a call through
 * the registry's catalog and the consent gate hashes nothing it hashed before and never builds the catalog;
 * the catalog is built once per change of a tool list; the history keeps every entry, in order, through a
 * burst of calls and a shutdown. Real registry, real server, real SDK.
 */
import * as assert from 'assert';
import { createHook } from 'async_hooks';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitForEvent } from '../../../src/common/event';
import type { ServerDefinition } from '../../../src/config/types';
import { ApprovalMemento, ApprovalStore } from '../../../src/consent/approvalStore';
import { CallHistory } from '../../../src/consent/callHistory';
import { DEFAULT_CONSENT_SETTINGS } from '../../../src/consent/policy';
import { AbortControllerPool } from '../../../src/common/abortPool';
import { callId, ConsentGate } from '../../../src/consent/toolCallGate';
import type { GatedCallResult } from '../../../src/consent/types';
import { buildCatalog, toolDefinitionHash, toolDefinitionHashAsync, toolDefinitionHashesComputed } from '../../../src/mcp/catalog';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerRegistry } from '../../../src/mcp/registry';
import { fixtureServer, root } from '../servers';

class MapMemento implements ApprovalMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue: T): T {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

/** The paging fixture with these arguments, defined in user settings (no trust question). */
function pagingServer(name: string, args: readonly string[], timeoutMs: number): ServerDefinition {
  return {
    name,
    type: 'stdio',
    command: process.execPath,
    args: [fixtureServer('paging'), ...args],
    env: {},
    origin: { kind: 'userSettings', label: 'User settings' },
    disabled: false,
    timeouts: { startupMs: timeoutMs, requestMs: timeoutMs },
    disabledTools: [],
  };
}

/** A gate whose dialog answers "Allow for this session" (calling `asked` each time it is shown). */
function sessionGate(registry: ServerRegistry, asked: () => void, history?: CallHistory): ConsentGate {
  return new ConsentGate({
    servers: registry,
    approvals: new ApprovalStore(new MapMemento()),
    settings: () => DEFAULT_CONSENT_SETTINGS,
    confirm: async () => {
      asked();
      return 'session';
    },
    ...(history ? { history } : {}),
  });
}

/** A registry that starts stdio servers as defined, every one allowed (no trust dialog), with short stop graces. */
function stdioRegistry(): ServerRegistry {
  return new ServerRegistry({
    createLog: () => Object.assign(new MemoryLog(), { dispose() {} }),
    plan: async def => {
      if (def.type !== 'stdio') throw new Error('stdio only');
      return { launch: { type: 'stdio', command: def.command, args: def.args, env: def.env }, timeouts: def.timeouts, secrets: [] };
    },
    mayStart: async defs => new Map(defs.map(d => [d.name, { allowed: true } as const])),
    handlers: { roots: () => [] },
    clientInfo: { name: 'test', version: '0' },
    connectionDefaults: { grace: { stdinMs: 300, termMs: 300 } },
  });
}

describe('the cost of a call, as work done', function () {
  this.timeout(120_000);
  let dir: string;
  let registry: ServerRegistry;
  let history: CallHistory;
  let gate: ConsentGate;
  let asked = 0;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-callcost-'));
    registry = stdioRegistry();
    await registry.apply({ servers: [pagingServer('paging', ['--tools', '300', '--page-size', '100'], 30_000)], problems: [] });
    assert.strictEqual(registry.stateOf('paging')?.kind, 'running');
    history = new CallHistory(path.join(dir, 'tool-calls.jsonl'));
    gate = sessionGate(registry, () => asked++, history);
  });

  after(async () => {
    await registry.shutdown();
    history.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const echo = () => {
    const picked = registry.catalogTool(registry.catalog().find(t => t.tool.name === 'echo')!.qualifiedName)!;
    return gate.call({ server: picked.server, tool: picked.tool.name, args: { text: 'x' }, origin: 'palette' });
  };
  const echoWith = (signal: AbortSignal) => gate.call({ server: 'paging', tool: 'echo', args: { text: 'x' }, origin: 'palette', signal });

  it('builds the catalog once per change of a tool list, without hashing a tool', async () => {
    const hashes = toolDefinitionHashesComputed();
    const builds = registry.catalogBuilds;
    const first = registry.catalog();
    assert.ok(first.length > 300);
    assert.strictEqual(registry.catalog(), first, 'an unchanged catalog is the same array, not a rebuilt one');
    assert.strictEqual(registry.catalogTool(first[7]!.qualifiedName), first[7]);
    assert.ok(registry.catalogBuilds - builds <= 1);
    assert.strictEqual(toolDefinitionHashesComputed(), hashes, 'building the catalog hashes no tool');

    // A real change: the server adds a tool and announces it.
    const connection = registry.get('paging')!.connection;
    const changed = waitForEvent(connection.onDidChangeTools, () => true, 30_000);
    assert.strictEqual((await echo()).kind, 'completed');
    const mutate = registry.catalog().find(t => t.tool.name === 'mutate')!;
    assert.strictEqual((await gate.call({ server: 'paging', tool: mutate.tool.name, args: { list: 'tools' }, origin: 'palette' })).kind, 'completed');
    await changed;
    const before = registry.catalogBuilds;
    const second = registry.catalog();
    assert.notStrictEqual(second, first);
    assert.strictEqual(second.length, first.length + 1);
    assert.strictEqual(registry.catalog(), second);
    assert.strictEqual(registry.catalogBuilds, before + 1, 'one build for one change');
    // The next call finds the tool the list gained (the map by name is made again for the new list).
    const names = new Set(first.map(t => t.tool.name));
    const added = second.find(t => !names.has(t.tool.name))!;
    assert.strictEqual(registry.runningTool('paging', added.tool.name), added.tool);
  });

  it('a call through the catalog and the gate hashes nothing twice and never builds the catalog', async () => {
    assert.strictEqual((await echo()).kind, 'completed');
    const hashes = toolDefinitionHashesComputed();
    const builds = registry.catalogBuilds;
    const askedBefore = asked;
    for (let i = 0; i < 50; i++) assert.strictEqual((await echo()).kind, 'completed');
    await Promise.all(Array.from({ length: 50 }, echo));
    assert.strictEqual(toolDefinitionHashesComputed(), hashes, 'a call with a standing approval hashes no tool');
    assert.strictEqual(registry.catalogBuilds, builds, 'a call does not build the catalog');
    assert.strictEqual(asked, askedBefore, 'the standing approval held');
  });

  it('a plain call with a cancellation signal combines no signals (only a task can be cancelled from elsewhere)', async () => {
    const any = AbortSignal.any;
    let combined = 0;
    AbortSignal.any = signals => {
      combined++;
      return any.call(AbortSignal, signals);
    };
    try {
      const picked = registry.catalogTool(registry.catalog().find(t => t.tool.name === 'echo')!.qualifiedName)!;
      const cancel = new AbortController();
      for (let i = 0; i < 20; i++) {
        const result = await gate.call({ server: picked.server, tool: picked.tool.name, args: { text: 'x' }, origin: 'palette', signal: cancel.signal });
        assert.strictEqual(result.kind, 'completed');
      }
    } finally {
      AbortSignal.any = any;
    }
    assert.strictEqual(combined, 0, 'AbortSignal.any (tens of µs each) was called for plain calls');
  });

  it("a palette call's cancellation adds no listener to its pooled signal per call, and still cancels", async () => {
    // On Node's EventTarget the SDK's add and remove of its per-request 'abort' listener cost ~2 µs of CPU per call (session 13).
    const pool = new AbortControllerPool(4);
    const add = EventTarget.prototype.addEventListener;
    let added = 0;
    EventTarget.prototype.addEventListener = function (this: EventTarget, ...rest: Parameters<EventTarget['addEventListener']>) {
      if (this instanceof AbortSignal) added++;
      return add.apply(this, rest);
    };
    try {
      for (let i = 0; i < 50; i++) assert.strictEqual((await pool.run(c => echoWith(c.signal))).kind, 'completed');
      await Promise.all(Array.from({ length: 20 }, () => pool.run(c => echoWith(c.signal))));
    } finally {
      EventTarget.prototype.addEventListener = add;
    }
    // One per controller the pool made (its relay's own listener): 1 for the calls one at a time, up to 20 for those at once.
    assert.ok(added <= 20, `${added} 'abort' listeners added to pooled signals for 70 calls`);
    let cancel!: AbortController;
    const slow = pool.run(c => ((cancel = c), gate.call({ server: 'paging', tool: 'slow', args: { ms: 5000 }, origin: 'palette', signal: c.signal })));
    setTimeout(() => cancel.abort(), 100);
    assert.deepStrictEqual(await slow, { kind: 'cancelled', message: 'Cancelled.' });
  });

  it('a call that follows progress (as every palette and chat call does) makes no AbortController and adds no listener to a Node signal per call, and still cancels', async () => {
    // Such a call has a total time limit (mcpHost.calls.maxMinutes, 30 by default). Its signal to the SDK was a fresh
    // AbortController's per call, with the SDK's listener on it: 4–9 µs of CPU per call on Node 20 (calls14).
    const pool = new AbortControllerPool(4);
    const add = EventTarget.prototype.addEventListener;
    const Controller = globalThis.AbortController;
    let added = 0;
    let made = 0;
    EventTarget.prototype.addEventListener = function (this: EventTarget, ...rest: Parameters<EventTarget['addEventListener']>) {
      if (this instanceof AbortSignal) added++;
      return add.apply(this, rest);
    };
    globalThis.AbortController = class extends Controller {
      constructor() {
        super();
        made++;
      }
    };
    const follow = (signal: AbortSignal, tool = 'echo', args: Record<string, unknown> = { text: 'x' }) => gate.call({ server: 'paging', tool, args, origin: 'palette', signal, onProgress: () => undefined });
    try {
      for (let i = 0; i < 30; i++) assert.strictEqual((await pool.run(c => follow(c.signal))).kind, 'completed');
    } finally {
      EventTarget.prototype.addEventListener = add;
      globalThis.AbortController = Controller;
    }
    // The pool's one controller for calls one at a time, and its relay's listener.
    assert.ok(made <= 1, `${made} AbortControllers made for 30 calls`);
    assert.ok(added <= 1, `${added} 'abort' listeners added to Node signals for 30 calls`);
    let cancel!: AbortController;
    const slow = pool.run(c => ((cancel = c), follow(c.signal, 'slow', { ms: 5000 })));
    setTimeout(() => cancel.abort(), 100);
    assert.deepStrictEqual(await slow, { kind: 'cancelled', message: 'Cancelled.' });
  });

  it('a palette call keeps no suspended async frame in our layers: at most 22 promises per call, the SDK\'s own included', async () => {
    // The gate, the connection, sendToolCall and timedRequest were async functions: a promise and a suspended frame each,
    // kept by every call in flight (with 50 in flight, 6.7 KB per call against the bare SDK client's 2.4 KB). They go on as
    // reactions now (calls15): 25.2 promises per call before, ~21.3 after (the bare SDK client following progress: 23).
    const pool = new AbortControllerPool(24);
    const follow = () => pool.run(c => gate.call({ server: 'paging', tool: 'echo', args: { text: 'x' }, origin: 'palette', signal: c.signal, onProgress: () => undefined }));
    for (let i = 0; i < 5; i++) await Promise.all(Array.from({ length: 20 }, follow));
    let promises = 0;
    const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable();
    let results: GatedCallResult[] = [];
    try {
      for (let i = 0; i < 10; i++) results = results.concat(await Promise.all(Array.from({ length: 20 }, follow)));
    } finally {
      hook.disable();
    }
    assert.ok(results.every(r => r.kind === 'completed'));
    const perCall = promises / results.length;
    assert.ok(perCall <= 22, `${perCall.toFixed(2)} promises per call`);
  });

  it('calls that follow progress share one timer for their call limit', async () => {
    // Every palette and chat call has a call limit (mcpHost.calls.maxMinutes, 30 by default): it was a 30-minute
    // setTimeout per call with its closure and clearTimeout (calls14b).
    const pool = new AbortControllerPool(24);
    const set = globalThis.setTimeout;
    let longTimers = 0;
    globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      if ((ms ?? 0) >= 60_000) longTimers++;
      return set(fn, ms, ...rest);
    }) as typeof setTimeout;
    const follow = () => pool.run(c => gate.call({ server: 'paging', tool: 'echo', args: { text: 'x' }, origin: 'palette', signal: c.signal, onProgress: () => undefined }));
    try {
      for (let i = 0; i < 30; i++) assert.strictEqual((await follow()).kind, 'completed');
      const burst = await Promise.all(Array.from({ length: 20 }, follow));
      assert.ok(burst.every(r => r.kind === 'completed'));
    } finally {
      globalThis.setTimeout = set;
    }
    assert.ok(longTimers <= 2, `${longTimers} call-limit timers set for 50 calls`);
  });

  it('gives every call a unique id in a UUID\'s shape, its last group counting up across the ids formatted in blocks', () => {
    const ids = Array.from({ length: 700 }, () => callId());
    const counts = ids.map(id => {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      return parseInt(id.slice(24), 16);
    });
    for (let i = 1; i < ids.length; i++) {
      assert.strictEqual(ids[i]!.slice(0, 24), ids[0]!.slice(0, 24));
      assert.strictEqual(counts[i], counts[i - 1]! + 1, `${ids[i - 1]} then ${ids[i]}`);
    }
  });

  it('draws no random UUID per call: the history ids are a per-window random prefix and a counter, and stay unique', async () => {
    // randomUUID formats its 16 bytes piece by piece: 0.33 µs and ~600 bytes of strings per call (session 12).
    const crypto = require('crypto') as { randomUUID: () => string };
    const draw = crypto.randomUUID;
    let drawn = 0;
    crypto.randomUUID = () => {
      drawn++;
      return draw();
    };
    let entries: readonly { id: string }[];
    try {
      const results = await Promise.all(Array.from({ length: 200 }, echo));
      assert.ok(results.every(r => r.kind === 'completed'));
      await history.flush();
      entries = (await history.list()).slice(0, 200);
    } finally {
      crypto.randomUUID = draw;
    }
    assert.ok(drawn <= 1, `${drawn} random UUIDs drawn for 200 calls`);
    assert.strictEqual(new Set(entries.map(e => e.id)).size, 200);
    for (const { id } of entries) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps every history entry, in order, through a burst of 1,000 calls and a shutdown', async () => {
    await history.flush();
    const before = (await history.list()).length;
    const results = await Promise.all(Array.from({ length: 1000 }, echo));
    assert.ok(results.every(r => r.kind === 'completed'));
    // What the extension's shutdown does: stop the servers, then wait for the queued history writes.
    await history.flush();
    const lines = fs.readFileSync(history.file, 'utf8').trimEnd().split('\n');
    assert.strictEqual(lines.length, before + 1000);
    const ids = lines.slice(before).map(l => (JSON.parse(l) as { id: string }).id);
    assert.strictEqual(new Set(ids).size, 1000);
    // The file's order is the order the calls were recorded in, which the in-memory view shows too.
    assert.deepStrictEqual(ids, (await history.list()).slice(0, 1000).reverse().map(e => e.id));
  });
});

describe('the tools a call reads, at 60 and at 5,000 tools', function () {
  this.timeout(120_000);
  const sizes = [
    { server: 'small', tools: 60 },
    { server: 'large', tools: 5000 },
  ];
  let registry: ServerRegistry;
  let gate: ConsentGate;
  let asked = 0;

  before(async () => {
    registry = stdioRegistry();
    // The fixture lists its 11 feature tools, then the generated ones.
    const servers = sizes.map(({ server, tools }) => pagingServer(server, ['--tools', String(tools - 11), '--page-size', '500'], 60_000));
    await registry.apply({ servers, problems: [] });
    for (const { server, tools } of sizes) {
      assert.strictEqual(registry.stateOf(server)?.kind, 'running');
      assert.strictEqual(registry.get(server)!.connection.tools.length, tools);
    }
    gate = sessionGate(registry, () => asked++);
  });

  after(() => registry.shutdown());

  /**
   * Counts every read of an element of the server's tool list from now on: its list becomes a proxy over the same
   * tool objects (what the catalog and the hashes cache stay valid for). A search of the list reads each element.
   */
  function countReads(server: string): { reads: number } {
    const lists = (registry.get(server)!.connection as unknown as { live: { lists: { _tools: readonly unknown[] } } }).live.lists;
    const counter = { reads: 0 };
    lists._tools = new Proxy(lists._tools, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) counter.reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    return counter;
  }

  it('no code in src/ searches a tool list for a tool by name (each entry point uses the registry\'s O(1) lookup)', () => {
    // `tools.find(t => t.name === name)` and the like: what the palette, saved calls and apps did per call until session 11.
    const search = /\btools\??\.(?:find|findIndex|filter|some)\(\s*\(?(\w+)\)?\s*=>\s*\1\.name\s*===/;
    for (const old of ['entry.connection.tools.find(t => t.name === target.tool)', 'connection?.tools.find(t => t.name === arg.tool)', 'tools.find(t => t.name === name)']) {
      assert.match(old, search, 'the scan would miss the form it is for');
    }
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const found = files(path.join(root, 'src')).flatMap(file =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (search.test(line) ? [`${path.relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepStrictEqual(found, [], `a search of a tool list by name (O(tools) per call; use registry.runningTool or connection.tool):\n${found.join('\n')}`);
  });

  for (const { server, tools } of sizes) {
    it(`a call to the last of ${tools} tools, found as every entry point finds it, reads none of the list`, async () => {
      const last = registry.get(server)!.connection.tools[tools - 1]!.name;
      assert.match(last, /^filler_\d{4}$/);
      // As the palette, the tree, saved calls and apps do: the tool by its server and name, then the gate.
      const call = async () => {
        const tool = registry.runningTool(server, last);
        assert.ok(tool, `${last} found`);
        return gate.call({ server, tool: tool.name, args: { value: 'x' }, origin: 'palette' });
      };
      assert.strictEqual((await call()).kind, 'completed');
      const counter = countReads(server);
      // A list seen for the first time (the proxy is a new array) is read once, for the catalog; not per call.
      registry.catalog();
      counter.reads = 0;
      const askedBefore = asked;
      for (let i = 0; i < 20; i++) assert.strictEqual((await call()).kind, 'completed');
      await Promise.all(Array.from({ length: 20 }, call));
      assert.strictEqual(asked, askedBefore, 'the standing approval held');
      assert.strictEqual(counter.reads, 0, `40 calls read ${counter.reads} elements of the list of ${tools} tools`);
      // The catalog by qualified name is O(1) too.
      const entry = registry.catalog().find(t => t.server === server && t.tool.name === last)!;
      counter.reads = 0;
      for (let i = 0; i < 20; i++) assert.strictEqual(registry.catalogTool(entry.qualifiedName), entry);
      assert.strictEqual(counter.reads, 0);
    });
  }
});

describe('tool definition hashes', () => {
  it('are computed once per tool object, and differ when the definition does', () => {
    const tool = { name: 't', inputSchema: { type: 'object' as const, properties: { a: { type: 'string' } } } };
    const before = toolDefinitionHashesComputed();
    const hash = toolDefinitionHash(tool);
    assert.strictEqual(toolDefinitionHash(tool), hash);
    assert.strictEqual(toolDefinitionHashesComputed(), before + 1);
    // A changed tool is a new object (lists are replaced, never edited), so it gets its own hash.
    const changed = { ...tool, description: 'now different' };
    assert.notStrictEqual(toolDefinitionHash(changed), hash);
    assert.strictEqual(toolDefinitionHash({ ...tool }), hash, 'the same definition in another object hashes the same');
  });

  it('are the same, and computed once, when awaited in slices (as the consent gate does)', async () => {
    const tool = { name: 'sliced', inputSchema: { type: 'object' as const, properties: { b: { type: 'string' }, a: { type: 'number' } } } };
    const before = toolDefinitionHashesComputed();
    const [first, second] = await Promise.all([toolDefinitionHashAsync(tool), toolDefinitionHashAsync(tool)]);
    assert.strictEqual(first, second);
    assert.strictEqual(toolDefinitionHashesComputed(), before + 1, 'two callers at once share one computation');
    assert.strictEqual(toolDefinitionHash(tool), first, 'the synchronous hash is the same, from the cache');
    assert.strictEqual(toolDefinitionHash({ ...tool }), first);
    assert.strictEqual(toolDefinitionHashesComputed(), before + 2);
  });

  it('a catalog entry hashes its tool only when asked', () => {
    const tools = Array.from({ length: 100 }, (_, i) => ({ name: `t${i}`, inputSchema: { type: 'object' as const } }));
    const before = toolDefinitionHashesComputed();
    const catalog = buildCatalog([{ server: 's', tools, disabledTools: [] }]);
    assert.strictEqual(toolDefinitionHashesComputed(), before);
    assert.strictEqual(catalog[3]!.definitionHash, toolDefinitionHash(tools[3]!));
    assert.strictEqual(toolDefinitionHashesComputed(), before + 1);
  });
});
