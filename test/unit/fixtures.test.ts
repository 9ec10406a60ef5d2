import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Client,
  ProtocolError,
  ResourceNotFoundError,
  SdkError,
  SdkErrorCode,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type ClientOptions,
  type JSONRPCMessage,
  type LoggingMessageNotification,
  type NotificationMethod,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { HOSTILE } from '../fixtures/lib/hostileText';

// The compiled test lives at out/test/unit/, next to out/test/fixtures/servers/.
const fixture = (name: string) => path.resolve(__dirname, '../fixtures/servers', `${name}.js`);

const FEATURE_TOOLS = ['echo', 'add', 'lie_output', 'mutate', 'touch_resource', 'progress', 'slow', 'log', 'image', 'list_roots', 'fail'];
const STATIC_RESOURCES = 2;
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Fields of /proc/<pid>/stat after "pid (comm)"; comm may itself hold spaces and parentheses. */
function procStat(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Running, not a zombie: a killed orphan can wait a second or more for PID 1 to reap it, and kill(pid, 0) succeeds on zombies. */
function alive(pid: number): boolean {
  try {
    return procStat(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

function killIfAlive(pid: number): void {
  try {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // exited in between
  }
}

/** Generous, because a loaded CI machine can take seconds to start a node process that loads the SDK. */
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  errors: Error[];
}

/** Connects the SDK's real client to a fixture over stdio, draining its stderr into a string. */
async function connect(name: string, args: string[] = [], options: ClientOptions = {}, connectTimeoutMs?: number): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [fixture(name), ...args], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', chunk => (stderr += String(chunk)));
  const client = new Client({ name: 'fixtures-test', version: '1.0.0' }, options);
  const errors: Error[] = [];
  client.onerror = err => errors.push(err);
  cleanups.push(() => stopClient(client, transport));
  await client.connect(transport, connectTimeoutMs === undefined ? {} : { timeout: connectTimeoutMs });
  return { client, transport, stderr: () => stderr, errors };
}

/** Closes politely, but never lets a stuck fixture cost the SDK's 2 s + 2 s escalation. */
async function stopClient(client: Client, transport: { pid?: number | null }): Promise<void> {
  const pid = transport.pid ?? undefined;
  await Promise.race([client.close(), sleep(500)]);
  if (pid !== undefined) killIfAlive(pid);
}

interface Raw {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  send(message: object): void;
}

/** Spawns a fixture without the SDK, for exit codes, signals and raw stdout. */
function runRaw(name: string, args: string[] = [], stdin: 'pipe' | 'ignore' = 'pipe'): Raw {
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', chunk => (stdout += String(chunk)));
  child.stderr!.on('data', chunk => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited, send: m => child.stdin!.write(JSON.stringify(m) + '\n') };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function rawInitialize(raw: Raw): Promise<void> {
  raw.send(INITIALIZE);
  await until('initialize response', () => raw.stdout().includes('"id":0'));
  raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map(c => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

/** What a request rejects with: the server's JSON-RPC error (a numeric code) or the SDK's own (a string code). */
type RequestError = (ProtocolError | SdkError) & { code: number | string };

async function rejects(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ProtocolError || err instanceof SdkError, `not an SDK error: ${String(err)}`);
    return err as RequestError;
  }
  assert.fail('expected a rejection');
}

type Lister = (cursor: string | undefined) => Promise<{ items: { name?: string; uri?: string; uriTemplate?: string }[]; nextCursor?: string | undefined }>;

/** The host's job per the SDK: follow cursors, refusing repeats and capping the page count. */
async function listAll(list: Lister, maxPages = 5000): Promise<{ keys: string[]; pages: number[] }> {
  const keys: string[] = [];
  const pages: number[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items.length);
    keys.push(...page.items.map(i => i.name && !i.uri && !i.uriTemplate ? i.name : (i.uri ?? i.uriTemplate)!));
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      assert.ok(!seen.has(cursor), `cursor repeated: ${cursor}`);
      seen.add(cursor);
    }
    assert.ok(pages.length <= maxPages, 'too many pages');
  } while (cursor !== undefined);
  return { keys, pages };
}

// One page per request: the SDK's list methods walk every page themselves when called without a cursor.
const listers = (client: Client) => ({
  tools: (async cursor => {
    const r = await client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
    return { items: r.tools, nextCursor: r.nextCursor };
  }) as Lister,
  resources: (async cursor => {
    const r = await client.request({ method: 'resources/list', params: cursor === undefined ? {} : { cursor } });
    return { items: r.resources, nextCursor: r.nextCursor };
  }) as Lister,
  templates: (async cursor => {
    const r = await client.request({ method: 'resources/templates/list', params: cursor === undefined ? {} : { cursor } });
    return { items: r.resourceTemplates, nextCursor: r.nextCursor };
  }) as Lister,
  prompts: (async cursor => {
    const r = await client.request({ method: 'prompts/list', params: cursor === undefined ? {} : { cursor } });
    return { items: r.prompts, nextCursor: r.nextCursor };
  }) as Lister,
});

function nextNotification<T>(client: Client, method: NotificationMethod): Promise<T> {
  return new Promise(resolve => client.setNotificationHandler(method, n => resolve(n as T)));
}

describe('fixture servers', function () {
  // Generous: these start several Node servers at once, which took over 8 s each on a loaded 2-core machine.
  this.timeout(60_000);

  describe('paging', () => {
    it('pages every list with honest cursors and exactly the advertised counts', async () => {
      const { client } = await connect('paging', ['--tools', '25', '--resources', '2000', '--templates', '3', '--prompts', '7', '--page-size', '10']);
      const lists = listers(client);

      const tools = await listAll(lists.tools);
      assert.deepStrictEqual(tools.keys.slice(0, FEATURE_TOOLS.length), FEATURE_TOOLS);
      assert.strictEqual(tools.keys.length, FEATURE_TOOLS.length + 25);
      assert.deepStrictEqual(tools.pages, [10, 10, 10, 6]);

      const resources = await listAll(lists.resources);
      assert.strictEqual(resources.keys.length, STATIC_RESOURCES + 2000);
      assert.strictEqual(new Set(resources.keys).size, resources.keys.length);
      assert.strictEqual(resources.pages.length, 201);
      assert.ok(resources.pages.every(n => n <= 10));

      assert.strictEqual((await listAll(lists.templates)).keys.length, 1 + 3);
      const prompts = await listAll(lists.prompts);
      assert.strictEqual(prompts.keys.length, 1 + 7);
      assert.strictEqual(prompts.keys[0], 'greet');

      const bad = await rejects(client.listTools({ cursor: 'not-a-cursor' }));
      assert.strictEqual(bad.code, -32602);
    });

    it('--bad-cursor loop returns the same cursor forever; endless returns new cursors and items forever', async () => {
      const [loop, endless] = await Promise.all([
        connect('paging', ['--bad-cursor', 'loop', '--page-size', '5']),
        connect('paging', ['--bad-cursor', 'endless', '--page-size', '5']),
      ]);
      const first = await loop.client.request({ method: 'prompts/list', params: {} });
      const second = await loop.client.request({ method: 'prompts/list', params: { cursor: first.nextCursor! } });
      assert.ok(first.nextCursor);
      assert.strictEqual(second.nextCursor, first.nextCursor);
      await assert.rejects(listAll(listers(loop.client).tools), /cursor repeated/);

      const cursors = new Set<string>();
      const names = new Set<string>();
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await endless.client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
        page.tools.forEach(t => names.add(t.name));
        assert.ok(page.nextCursor && !cursors.has(page.nextCursor));
        cursor = page.nextCursor;
        cursors.add(cursor);
      }
      assert.strictEqual(names.size, 100);
    });

    it('--page-size 0: one page; tools have annotations and rich input schemas, and echo returns what it got', async () => {
      const { client } = await connect('paging', ['--page-size', '0', '--tools', '30']);
      const { tools, nextCursor } = await client.listTools();
      assert.strictEqual(tools.length, FEATURE_TOOLS.length + 30);
      assert.strictEqual(nextCursor, undefined);
      const byName = new Map(tools.map(t => [t.name, t]));
      assert.deepStrictEqual(byName.get('echo')!.annotations, { title: 'Echo', readOnlyHint: true, openWorldHint: false });
      assert.strictEqual(byName.get('mutate')!.annotations!.destructiveHint, true);
      const props = byName.get('echo')!.inputSchema.properties as Record<string, { type: string; enum?: string[]; default?: unknown }>;
      assert.deepStrictEqual(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.type])),
        { text: 'string', ratio: 'number', repeat: 'integer', loud: 'boolean', mood: 'string', tags: 'array', options: 'object' },
      );
      assert.deepStrictEqual(props['mood']!.enum, ['calm', 'excited', 'grumpy']);
      assert.deepStrictEqual(byName.get('echo')!.inputSchema.required, ['text']);
      assert.ok(JSON.stringify(byName.get('add')!.outputSchema).includes('prefixItems'));

      const args = { text: 'hi', repeat: 2, loud: true, tags: ['a'], options: { prefix: '<', suffix: '>', nested: { depth: 1 } } };
      const result = await client.callTool({ name: 'echo', arguments: args });
      assert.strictEqual(textOf(result), `<HI> <HI>\narguments: ${JSON.stringify(args)}`);
      const invalid = await client.callTool({ name: 'echo', arguments: { text: 42 } });
      assert.strictEqual(invalid.isError, true);

      const failed = await client.callTool({ name: 'fail', arguments: { mode: 'tool' } });
      assert.strictEqual(failed.isError, true);
      assert.strictEqual((await rejects(client.callTool({ name: 'fail', arguments: { mode: 'protocol' } }))).code, -32603);
      assert.strictEqual((await rejects(client.callTool({ name: 'no_such_tool' }))).code, -32602);
    });

    it('add/lie_output: 2020-12 output schemas that only a 2020-12 validator judges right', async () => {
      // The v2 SDK validates with JSON Schema 2020-12 (v1 used draft-07, see below), once it has listed the tools.
      const strict = await connect('paging', ['--page-size', '0']);
      await strict.client.listTools();
      const added = await strict.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepStrictEqual(added.structuredContent, { sum: 5, operands: [2, 3] });
      assert.match((await rejects(strict.client.callTool({ name: 'lie_output', arguments: { how: 'type' } }))).message, /does not match/);
      assert.match((await rejects(strict.client.callTool({ name: 'lie_output', arguments: { how: 'prefixItems' } }))).message, /does not match/);
    });

    it('mutate changes each list and sends its list_changed notification', async () => {
      const { client } = await connect('paging', ['--page-size', '0']);
      const cases = [
        { list: 'tools', schema: 'notifications/tools/list_changed', names: async () => (await client.listTools()).tools.map(t => t.name), added: 'dynamic_tool_1' },
        { list: 'resources', schema: 'notifications/resources/list_changed', names: async () => (await client.listResources()).resources.map(r => r.uri), added: 'fixture://dynamic/2' },
        { list: 'prompts', schema: 'notifications/prompts/list_changed', names: async () => (await client.listPrompts()).prompts.map(p => p.name), added: 'dynamic_prompt_3' },
      ] as const;
      for (const c of cases) {
        const added = nextNotification(client, c.schema);
        await client.callTool({ name: 'mutate', arguments: { list: c.list, action: 'add' } });
        await added;
        assert.ok((await c.names()).includes(c.added), `${c.added} listed`);
        const removed = nextNotification(client, c.schema);
        await client.callTool({ name: 'mutate', arguments: { list: c.list, action: 'remove' } });
        await removed;
        assert.ok(!(await c.names()).includes(c.added), `${c.added} gone`);
      }
    });

    it('resources: reads text and blobs, notifies subscribers only, and 404s unknown URIs', async () => {
      const { client } = await connect('paging');
      const uri = 'fixture://resource/2';
      const updates: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', n => void updates.push(n.params.uri));

      assert.match(textOf(await client.callTool({ name: 'touch_resource', arguments: { uri } })), /not subscribed/);
      await client.subscribeResource({ uri });
      assert.match(textOf(await client.callTool({ name: 'touch_resource', arguments: { uri } })), /notified/);
      await until('resources/updated', () => updates.length === 1);
      await client.unsubscribeResource({ uri });
      await client.callTool({ name: 'touch_resource', arguments: { uri } });
      await sleep(50);
      assert.deepStrictEqual(updates, [uri]);

      const read = await client.readResource({ uri });
      assert.deepStrictEqual(read.contents, [{ uri, mimeType: 'text/plain', text: `contents of ${uri} (version 3)` }]);
      const blob = (await client.readResource({ uri: 'fixture://static/pixel.png' })).contents[0] as { blob: string };
      assert.deepStrictEqual([...Buffer.from(blob.blob, 'base64').subarray(1, 4)], [...Buffer.from('PNG')]);
      assert.match(((await client.readResource({ uri: 'fixture://items/book/7' })).contents[0] as { text: string }).text, /items\/book\/7/);
      // The fixture answers -32002 with the URI; the v2 SDK reads that as its ResourceNotFoundError (code -32602, as 2026-07-28 has it).
      const missing = await rejects(client.readResource({ uri: 'fixture://nope' }));
      assert.ok(missing instanceof ResourceNotFoundError && missing.code === -32602, `${missing.name} ${missing.code}`);
    });

    it('progress puts one notification per step on the wire; the SDK drops the last when it shares a chunk with the response', async () => {
      const { client, transport, errors } = await connect('paging');
      const onWire: number[] = [];
      const deliver = transport.onmessage!;
      transport.onmessage = (message: JSONRPCMessage) => {
        if ('method' in message && message.method === 'notifications/progress') onWire.push(message.params!['progress'] as number);
        deliver(message);
      };
      const progress = async (args: Record<string, unknown>) => {
        onWire.length = 0;
        const seen: number[] = [];
        const result = await client.callTool({ name: 'progress', arguments: args }, { onprogress: p => seen.push(p.progress) });
        assert.match(textOf(result), /sent 4 progress/);
        await sleep(20);
        return seen;
      };

      // With a gap before the response the SDK usually delivers all four, but a busy client can still read
      // both writes in one chunk, so only the wire is asserted here.
      await progress({ steps: 4, delayMs: 30, sameChunk: false });
      assert.deepStrictEqual(onWire, [1, 2, 3, 4]);

      // SDK defect (1.32, and still in 2.4): notifications are dispatched a microtask later than responses, so the response
      // handler has already dropped the progress handler by the time the last notification is dispatched. On a
      // loaded machine earlier steps can share that chunk too and be dropped with it: what is seen is a prefix.
      const seen = await progress({ steps: 4, delayMs: 5 });
      assert.ok(seen.length < 4 && seen.every((p, i) => p === i + 1), `seen ${JSON.stringify(seen)}`);
      assert.deepStrictEqual(onWire, [1, 2, 3, 4]);
      assert.match(errors.map(e => e.message).join('\n'), /progress notification for an unknown token/);
    });

    it('slow answers after ms, and a cancelled call is reported on stderr', async () => {
      const { client, stderr } = await connect('paging');
      assert.strictEqual(textOf(await client.callTool({ name: 'slow', arguments: { ms: 20 } })), 'waited 20 ms');
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      await rejects(client.callTool({ name: 'slow', arguments: { ms: 5000 } }, { signal: abort.signal }));
      await until('cancellation on stderr', () => /slow: cancelled after \d+ ms/.test(stderr()));
    });

    it('logs at every level and honours logging/setLevel', async () => {
      const { client } = await connect('paging');
      const levels: string[] = [];
      client.setNotificationHandler('notifications/message', n => void levels.push(n.params.level));
      await client.callTool({ name: 'log' });
      assert.deepStrictEqual(levels, LEVELS);
      levels.length = 0;
      await client.setLoggingLevel('warning');
      assert.match(textOf(await client.callTool({ name: 'log' })), /sent: warning,error,critical,alert,emergency/);
      assert.deepStrictEqual(levels, LEVELS.slice(3));
    });

    it('serves instructions, the greet prompt, completions, and image with rich content parts', async () => {
      const { client } = await connect('paging');
      const languages = await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'language', value: 'es' } });
      assert.deepStrictEqual(languages.completion.values, ['esperanto', 'estonian']);
      const template = { type: 'ref/resource' as const, uri: 'fixture://items/{kind}/{id}' };
      assert.deepStrictEqual((await client.complete({ ref: template, argument: { name: 'kind', value: 'b' } })).completion.values, ['book', 'bottle', 'box']);
      const ids = await client.complete({ ref: template, argument: { name: 'id', value: '' }, context: { arguments: { kind: 'car' } } });
      assert.deepStrictEqual(ids.completion.values, ['car-1', 'car-2', 'car-3']);
      const prompt = await client.getPrompt({ name: 'greet', arguments: { language: 'french', name: 'Ada' } });
      assert.deepStrictEqual(prompt.messages[0]!.content, { type: 'text', text: 'Say hello to Ada in french.' });
      assert.match(client.getInstructions() ?? '', /Fixture server for MCP Host tests/);
      assert.strictEqual(client.getServerVersion()?.name, 'fixture-paging');
      const { content } = (await client.callTool({ name: 'image' })) as CallToolResult;
      assert.deepStrictEqual(content.map(c => c.type), ['text', 'image', 'resource_link', 'resource']);
      const image = content[1] as { data: string; mimeType: string };
      assert.strictEqual(image.mimeType, 'image/png');
      assert.strictEqual(Buffer.from(image.data, 'base64').subarray(1, 4).toString(), 'PNG');
    });

    it('list_roots asks the client for roots, and roots/list_changed is logged', async () => {
      let roots = [{ uri: 'file:///one', name: 'one' }];
      const [{ client, stderr }, noRoots] = await Promise.all([connect('paging', [], { capabilities: { roots: { listChanged: true } } }), connect('paging')]);
      client.setRequestHandler('roots/list', () => ({ roots }));
      const result = await client.callTool({ name: 'list_roots' });
      assert.deepStrictEqual(result.structuredContent, { roots });

      const logged = nextNotification<LoggingMessageNotification>(client, 'notifications/message');
      roots = [...roots, { uri: 'file:///two', name: 'two' }];
      await client.sendRootsListChanged();
      assert.strictEqual((await logged).params.data, 'roots changed: 2 root(s)');
      assert.match(stderr(), /notifications\/roots\/list_changed received/);

      assert.strictEqual((await noRoots.client.callTool({ name: 'list_roots' })).isError, true);
    });

    it('serves Streamable HTTP on 127.0.0.1 with --http 0, and exits on SIGTERM', async () => {
      const raw = runRaw('paging', ['--http', '0', '--tools', '5', '--page-size', '3'], 'ignore');
      await until('listening line', () => /listening on http:\/\/127\.0\.0\.1:\d+\/mcp/.test(raw.stderr()));
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(raw.stderr())![1]!;
      assert.strictEqual(raw.stdout(), '');

      const transport = new StreamableHTTPClientTransport(new URL(url));
      const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
      cleanups.push(() => client.close());
      await client.connect(transport);
      assert.ok(transport.sessionId);
      const tools = await listAll(listers(client).tools);
      assert.strictEqual(tools.keys.length, FEATURE_TOOLS.length + 5);
      assert.strictEqual(tools.pages.length, 6);
      assert.strictEqual(textOf(await client.callTool({ name: 'echo', arguments: { text: 'over http' } })).split('\n')[0], 'over http');
      const changed = nextNotification(client, 'notifications/tools/list_changed');
      await client.callTool({ name: 'mutate' });
      await changed;

      const rejected = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'mcp-session-id': 'bogus' }, body: '{}' });
      assert.strictEqual(rejected.status, 404);

      raw.child.kill('SIGTERM');
      assert.deepStrictEqual(await raw.exited, { code: 0, signal: null });
    });

    it('exits with 0 on stdin EOF and on SIGTERM, and with 2 on an unknown option', async () => {
      const [eof, term, typo] = [runRaw('paging'), runRaw('paging'), runRaw('paging', ['--tool', '3'])];
      await Promise.all([rawInitialize(eof), rawInitialize(term)]);
      eof.child.stdin!.end();
      term.child.kill('SIGTERM');
      assert.deepStrictEqual(await eof.exited, { code: 0, signal: null });
      assert.deepStrictEqual(await term.exited, { code: 0, signal: null });
      assert.deepStrictEqual(await typo.exited, { code: 2, signal: null });
      assert.match(typo.stderr(), /unknown option\(s\): --tool/);
    });
  });

  describe('crash', () => {
    it('before-init: writes stderr and exits with --code before answering anything', async () => {
      const raw = runRaw('crash', ['--when', 'before-init', '--code', '3']);
      const err = await rejects(connect('crash', ['--when', 'before-init']));
      assert.strictEqual(err.code, SdkErrorCode.ConnectionClosed);
      assert.deepStrictEqual(await raw.exited, { code: 3, signal: null });
      assert.match(raw.stderr(), /cannot find configuration file/);
      assert.strictEqual(raw.stdout(), '');
    });

    it('after-init: answers initialize, then exits --after-ms later', async () => {
      const raw = runRaw('crash', ['--when', 'after-init', '--code', '4', '--after-ms', '50']);
      await rawInitialize(raw);
      assert.match(raw.stdout(), /"serverInfo"/);
      assert.deepStrictEqual(await raw.exited, { code: 4, signal: null });
    });

    it('on-call: boom kills the server mid-call, with a code or a signal', async () => {
      const raw = runRaw('crash', ['--when', 'on-call', '--signal', 'SIGKILL']);
      const { client } = await connect('crash', ['--when', 'on-call']);
      assert.strictEqual(textOf(await client.callTool({ name: 'ok' })), 'ok');
      assert.strictEqual((await rejects(client.callTool({ name: 'boom' }))).code, SdkErrorCode.ConnectionClosed);

      await rawInitialize(raw);
      raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'boom', arguments: {} } });
      assert.deepStrictEqual(await raw.exited, { code: null, signal: 'SIGKILL' });
    });
  });

  describe('hang', () => {
    it('--when init never answers initialize, but still exits on stdin EOF', async () => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [fixture('hang'), '--when', 'init'], stderr: 'pipe' });
      let stderr = '';
      transport.stderr!.on('data', chunk => (stderr += String(chunk)));
      const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
      cleanups.push(() => stopClient(client, transport));
      const abort = new AbortController();
      const connecting = rejects(client.connect(transport, { signal: abort.signal }));
      await until('initialize to arrive', () => stderr.includes('initialize received; never answering'));
      await sleep(100);
      const pid = transport.pid!;
      abort.abort();
      assert.strictEqual((await connecting).code, SdkErrorCode.RequestTimeout);
      // A failed connect closes the transport: stdin EOF now, SIGTERM only 2 s later.
      await until('exit on stdin EOF', () => !alive(pid), 1900);
    });

    it('--when call: hang never answers, even when cancelled', async () => {
      const { client, stderr } = await connect('hang', ['--when', 'call']);
      assert.strictEqual(textOf(await client.callTool({ name: 'ok' })), 'ok');
      assert.strictEqual((await rejects(client.callTool({ name: 'hang' }, { timeout: 200 }))).code, SdkErrorCode.RequestTimeout);
      await until('cancellation logged', () => /cancelled; still not answering/.test(stderr()));
    });

    for (const fixture of ['hang', 'spawner']) {
      it(`${fixture} --ignore-sigterm --ignore-stdin-close survives EOF and SIGTERM, and only SIGKILL ends it`, async () => {
        const raw = runRaw(fixture, ['--ignore-sigterm', '--ignore-stdin-close', ...(fixture === 'spawner' ? ['--children', '0'] : [])]);
        await until('ready', () => raw.stderr().includes('ready'));
        raw.child.stdin!.end();
        await until('EOF ignored', () => raw.stderr().includes('stdin closed and ignored'));
        raw.child.kill('SIGTERM');
        await until('SIGTERM ignored', () => raw.stderr().includes('SIGTERM received and ignored'));
        await sleep(100);
        assert.strictEqual(raw.child.exitCode, null);
        raw.child.kill('SIGKILL');
        assert.deepStrictEqual(await raw.exited, { code: null, signal: 'SIGKILL' });
      });
    }
  });

  describe('garbage', () => {
    it('banner: non-protocol lines on stdout before a working server', async () => {
      const raw = runRaw('garbage', ['--lines', '3']);
      const { client, errors } = await connect('garbage');
      await until('banner', () => raw.stdout().split('\n').length > 3);
      assert.deepStrictEqual(raw.stdout().split('\n').slice(0, 3), ['Starting server v1.2.3...', 'banner line 2', 'banner line 3']);
      assert.strictEqual(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still works' } })), 'still works');
      // The v2 SDK's stdio transport drops lines that are not JSON without a word (v1 reported each): the
      // host's own transport is what names them in the server's log.
      assert.strictEqual(errors.length, 0, errors.map(e => e.message).join('\n'));
    });

    it('interleave: a noise line before every message', async () => {
      const { client, errors } = await connect('garbage', ['--mode', 'interleave', '--lines', '0']);
      for (let i = 0; i < 4; i++) assert.strictEqual(textOf(await client.callTool({ name: 'echo', arguments: { text: `n${i}` } })), `n${i}`);
      // initialize + 4 calls = 5 messages, each preceded by one noise line; of those the v2 SDK reports only the
      // one that is JSON but not JSON-RPC, and skips plain text and blank lines silently.
      assert.strictEqual(errors.length, 1, errors.map(e => e.message).join('\n'));
    });

    it('only: never speaks the protocol', async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [fixture('garbage'), '--mode', 'only', '--interval-ms', '20'],
        stderr: 'ignore',
      });
      const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
      const errors: Error[] = [];
      client.onerror = e => errors.push(e);
      cleanups.push(() => stopClient(client, transport));
      const abort = new AbortController();
      const connecting = rejects(client.connect(transport, { signal: abort.signal }));
      await until('noise', () => errors.length >= 3);
      abort.abort();
      assert.strictEqual((await connecting).code, SdkErrorCode.RequestTimeout, 'initialize was never answered');
      assert.ok(errors.every(e => e instanceof SyntaxError || e.name === 'ZodError'), errors.map(e => `${e.name}: ${e.message}`).join('\n'));
    });
  });

  describe('spawner', () => {
    // Made in a hook, not when the suite is collected: a run that filters these tests out (--grep) runs no hook.
    let tmp = '';
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fixtures-spawner-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const pgrp = (pid: number) => Number(procStat(pid)[2]);

    async function spawnServer(args: string[]): Promise<{ connected: Connected; pids: { server: number; children: number[] } }> {
      const pidFile = path.join(tmp, `pids-${Date.now()}-${Math.random()}.json`);
      const connected = await connect('spawner', ['--pid-file', pidFile, ...args]);
      const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { server: number; children: number[] };
      cleanups.push(() => pids.children.forEach(killIfAlive));
      return { connected, pids };
    }

    it('writes its own and its children\'s pids, and leaves the children running when it exits', async () => {
      const { connected, pids } = await spawnServer(['--children', '3']);
      assert.strictEqual(pids.server, connected.transport.pid);
      assert.strictEqual(pids.children.length, 3);
      assert.ok(pids.children.every(alive));
      assert.ok(pids.children.every(pid => pgrp(pid) === pgrp(pids.server)));
      assert.deepStrictEqual(JSON.parse(textOf(await connected.client.callTool({ name: 'pids' }))), pids);

      await connected.client.close();
      await until('server exit', () => !alive(pids.server));
      await sleep(100);
      assert.ok(pids.children.every(alive), 'orphaned children outlive the server');
    });

    it('--detached puts children in their own process group; --reap kills them on a clean exit', async () => {
      const [detached, reaped] = await Promise.all([spawnServer(['--children', '1', '--detached']), spawnServer(['--children', '2', '--reap'])]);
      assert.notStrictEqual(pgrp(detached.pids.children[0]!), pgrp(detached.pids.server));

      await reaped.connected.client.close();
      await until('children reaped', () => !reaped.pids.children.some(alive));
    });
  });

  describe('big', () => {
    it('returns exactly the requested number of bytes', async () => {
      const { client } = await connect('big');
      const result = (await client.callTool({ name: 'big', arguments: { bytes: 3_000_001, parts: 3 } })) as CallToolResult;
      const lengths = result.content.map(c => (c.type === 'text' ? c.text.length : -1));
      assert.deepStrictEqual(lengths, [1_000_000, 1_000_000, 1_000_001]);
    });
  });

  describe('misbehave', () => {
    it('answers initialize with the version it is told, late, and sends the request it is told unasked', async () => {
      const raw = runRaw('misbehave', ['--protocol-version', '1999-01-01', '--start-delay-ms', '300', '--unsolicited', 'bogus']);
      const t0 = Date.now();
      await rawInitialize(raw);
      assert.ok(Date.now() - t0 >= 300);
      assert.match(raw.stdout(), /"protocolVersion":"1999-01-01"/);
      await until('the unasked request', () => raw.stdout().includes('"method":"host/doSomethingUnheardOf"'));
      raw.send({ jsonrpc: '2.0', id: 'unsolicited-1', error: { code: -32601, message: 'no' } });
      await until('the answer logged', () => /response to request unsolicited-1: \{"code":-32601/.test(raw.stderr()));
    });

    it('flood writes one progress notification per count, then the result', async () => {
      const raw = runRaw('misbehave');
      await rawInitialize(raw);
      raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'flood', arguments: { count: 1000 }, _meta: { progressToken: 't' } } });
      await until('the result', () => raw.stdout().includes('"id":1,"result"'));
      const lines = raw.stdout().trim().split('\n').map(l => JSON.parse(l) as { method?: string; params?: { progress?: number } });
      const progress = lines.filter(l => l.method === 'notifications/progress');
      assert.deepStrictEqual(progress.map(p => p.params!.progress), Array.from({ length: 1000 }, (_, i) => i + 1));
    });
  });

  describe('schemas', () => {
    it('serves a catastrophic pattern and an output $id whose schema depends on --flavour', async () => {
      for (const flavour of ['a', 'b']) {
        const { client } = await connect('schemas', ['--flavour', flavour]);
        const tools = new Map((await client.listTools()).tools.map(t => [t.name, t]));
        assert.strictEqual(JSON.stringify(tools.get('redos')!.inputSchema.properties), '{"text":{"type":"string","pattern":"^(a+)+$"}}');
        assert.strictEqual(tools.get('claim_id')!.outputSchema!.$id, 'urn:fixture:schemas:shared');
        const claimed = (await client.callTool({ name: 'claim_id', arguments: {} })) as CallToolResult;
        assert.deepStrictEqual(claimed.structuredContent, { value: flavour === 'a' ? 'a' : 1 });
        // A short text only: the SDK's own validator backtracks.
        const echoed = (await client.callTool({ name: 'redos', arguments: { text: 'aaa' } })) as CallToolResult;
        assert.deepStrictEqual(echoed.structuredContent, { text: 'aaa' });
      }
    });
  });

  describe('stderr-flood', () => {
    it('works when the host drains stderr', async () => {
      const { client, stderr } = await connect('stderr-flood', ['--bytes', String(1 << 20), '--when', 'both']);
      assert.match(textOf(await client.callTool({ name: 'flood', arguments: { bytes: 1 << 20 } })), /wrote 1048576 bytes/);
      await until('all stderr', () => stderr().length >= 3 * (1 << 20));
    });

    it('stalls before answering initialize when nobody reads its stderr', async () => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [fixture('stderr-flood'), '--bytes', String(1 << 20)], stderr: 'pipe' });
      const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
      cleanups.push(() => stopClient(client, transport));
      assert.strictEqual((await rejects(client.connect(transport, { timeout: 1500 }))).code, SdkErrorCode.RequestTimeout);
    });
  });
});

describe('fixture server: hostile', function () {
  this.timeout(20000);

  it('carries its hostile strings in every place a host shows text', async () => {
    const { client, transport } = await connect('hostile');
    // What the server puts on the wire: the SDK drops progress that shares a chunk with the response (see the
    // paging `progress` test), which on a loaded machine can be every one of them.
    const onWire: string[] = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (message: JSONRPCMessage) => {
      if ('method' in message && message.method === 'notifications/progress') onWire.push(String(message.params!['message']));
      deliver(message);
    };
    assert.strictEqual(client.getInstructions(), HOSTILE.instructions);
    const { tools } = await client.listTools();
    assert.deepStrictEqual(tools.map(t => t.name), ['fail_with_link', 'error_result', 'progress_link', 'links_everywhere', 'log_forgery', 'long_description', HOSTILE.zeroWidthName]);
    const failed = await rejects(client.callTool({ name: 'fail_with_link', arguments: {} }));
    assert.ok(failed.message.includes(HOSTILE.commandLink));
    const messages: string[] = [];
    await client.callTool({ name: 'progress_link', arguments: {} }, { onprogress: p => messages.push(p.message ?? '') });
    assert.deepStrictEqual(onWire, [HOSTILE.commandLink, HOSTILE.commandLink, HOSTILE.commandLink]);
    assert.ok(messages.every(m => m === HOSTILE.commandLink), JSON.stringify(messages));
    assert.deepStrictEqual((await client.listResources()).resources.map(r => r.name), [HOSTILE.reversedName]);
    assert.strictEqual((await client.listPrompts()).prompts[0]?.description, HOSTILE.description);
  });
});

// If one of these starts failing after an SDK upgrade, the defect may be fixed: revisit the host's guard for it.
// (The dropped last progress notification is shown in the paging `progress` test.)
describe('SDK defects reproduced by the fixtures (v1 1.32, still in v2 2.4)', function () {
  this.timeout(20000);

  it('rejects an aborted request and a timed-out one with the same code; only error.data differs', async () => {
    const { client, stderr } = await connect('paging');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const aborted = await rejects(client.callTool({ name: 'slow', arguments: { ms: 5000 } }, { signal: abort.signal }));
    const timedOut = await rejects(client.callTool({ name: 'slow', arguments: { ms: 5000 } }, { timeout: 50 }));
    assert.ok(aborted instanceof SdkError && timedOut instanceof SdkError);
    assert.strictEqual(aborted.code, SdkErrorCode.RequestTimeout);
    assert.strictEqual(timedOut.code, SdkErrorCode.RequestTimeout);
    assert.strictEqual(aborted.data, undefined);
    assert.deepStrictEqual(timedOut.data, { timeout: 50 });
    await until('both cancellations reach the server', () => (stderr().match(/slow: cancelled/g) ?? []).length === 2);
  });
});

describe('SDK 1.32 defects fixed in v2', function () {
  this.timeout(20000);

  it('validates output with JSON Schema 2020-12 (v1: draft-07, rejecting a correct result) for tools listed on any page', async () => {
    const { client } = await connect('paging', ['--page-size', '10', '--tools', '5']);
    // v2 walks every page itself and keeps one validator per listed tool (v1 reset them on each page).
    const { tools } = await client.listTools();
    assert.ok(tools.some(t => t.name === 'add') && tools.some(t => t.name === 'lie_output'));
    assert.deepStrictEqual((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).structuredContent, { sum: 3, operands: [1, 2] });
    assert.match((await rejects(client.callTool({ name: 'lie_output', arguments: { how: 'prefixItems' } }))).message, /does not match the tool's output schema/);
    assert.match((await rejects(client.callTool({ name: 'lie_output', arguments: { how: 'type' } }))).message, /does not match the tool's output schema/);
  });
});
