// The 2026-07-28 fixture (test/fixtures/servers/modern.ts), driven by the bare v2 client over stdio and
// Streamable HTTP on loopback: the fixture must be a faithful modern server before the host is tested against it.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import { Client, StreamableHTTPClientTransport, type CallToolResult, type ClientOptions, type ElicitResult, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

// The compiled test lives at out/test/unit/, next to out/test/fixtures/servers/.
const FIXTURE = path.resolve(__dirname, '../fixtures/servers/modern.js');
const COUNTER = 'modern://counter';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Generous: a loaded machine can take seconds to start a node process that loads the SDK. */
async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const textOf = (result: CallToolResult) => result.content.map(c => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');

/** What the client answers when the server asks for input, whichever era carries the question. */
interface Answers {
  elicit?: (message: string) => ElicitResult;
}

function newClient(options: ClientOptions = {}, answers: Answers = {}): Client {
  const client = new Client(
    { name: 'modern-fixture-test', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {}, roots: {} }, versionNegotiation: { mode: 'auto' }, ...options },
  );
  client.setRequestHandler('elicitation/create', request =>
    answers.elicit ? answers.elicit(request.params.message) : { action: 'accept', content: { name: 'Ada', value: request.params.message.split(' ')[0] } },
  );
  client.setRequestHandler('sampling/createMessage', () => ({ model: 'scripted', role: 'assistant', content: { type: 'text', text: 'hello back' } }));
  client.setRequestHandler('roots/list', () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  cleanups.push(() => client.close());
  return client;
}

async function overStdio(args: string[] = [], options: ClientOptions = {}, answers: Answers = {}): Promise<{ client: Client; stderr(): string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [FIXTURE, ...args], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', chunk => (stderr += String(chunk)));
  const client = newClient(options, answers);
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startHttp(args: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [FIXTURE, '--http', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.on('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await until('listening line', () => /listening on http:\/\/127\.0\.0\.1:\d+\/mcp/.test(stderr));
  return { child, url: /listening on (\S+)/.exec(stderr)![1]!, exited };
}

async function overHttp(url: string, options: ClientOptions = {}): Promise<Client> {
  const client = newClient(options);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
  return client;
}

async function requestCounts(client: Client): Promise<Record<string, number>> {
  return JSON.parse(textOf(await client.callTool({ name: 'request_counts', arguments: {} }))) as Record<string, number>;
}

function nextNotification(client: Client, method: 'notifications/tools/list_changed' | 'notifications/resources/updated' | 'notifications/prompts/list_changed'): Promise<Record<string, unknown>> {
  return new Promise(resolve => client.setNotificationHandler(method, n => resolve((n.params ?? {}) as Record<string, unknown>)));
}

/** The calls every transport must get right on the modern era: each kind of input_required, and multi-round. */
async function assertInputRequired(client: Client): Promise<void> {
  assert.strictEqual(textOf(await client.callTool({ name: 'ask_user', arguments: {} })), 'Hello, Ada!');
  assert.strictEqual(textOf(await client.callTool({ name: 'ask_model', arguments: { prompt: 'hi' } })), 'scripted said: hello back');
  assert.strictEqual(textOf(await client.callTool({ name: 'ask_roots', arguments: {} })), 'roots: file:///work');
  assert.strictEqual(textOf(await client.callTool({ name: 'ask_twice', arguments: {} })), 'first=first second=second');
}

const DISCOVER = {
  jsonrpc: '2.0',
  id: 1,
  method: 'server/discover',
  params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
};

/** fetch() will not send a Host header of our choosing; a DNS-rebinding page's request carries one. */
function postWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, response => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(JSON.stringify(DISCOVER));
  });
}

const ENVELOPE = DISCOVER.params._meta;
const TASKS = 'io.modelcontextprotocol/tasks';
const WITH_TASKS = { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} }, elicitation: {} } };

interface RawError {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC peer over the fixture's stdio, for the wire the v2 client does not speak (the tasks extension). */
function rawPeer() {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  const pending = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: RawError): void }>();
  let buffer = '';
  let nextId = 1;
  child.stdout!.on('data', chunk => {
    buffer += String(chunk);
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, nl)) as { id?: number; result?: Record<string, unknown>; error?: RawError };
      buffer = buffer.slice(nl + 1);
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (message.error) waiter?.reject(message.error);
      else waiter?.resolve(message.result!);
    }
  });
  return {
    request(method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> = WITH_TASKS): Promise<Record<string, unknown>> {
      const id = nextId++;
      child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } })}\n`);
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
  };
}

async function rawError(promise: Promise<unknown>): Promise<RawError> {
  try {
    await promise;
  } catch (err) {
    return err as RawError;
  }
  assert.fail('expected a JSON-RPC error');
}

/** Polls tasks/get until the task leaves working (or input_required, when asked to wait through it). */
async function pollTask(peer: ReturnType<typeof rawPeer>, taskId: string, until: (status: string) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const task = await peer.request('tasks/get', { taskId });
    if (until(String(task.status))) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} stayed ${String(task.status)}`);
    await sleep(50);
  }
}

describe('modern fixture (2026-07-28, v2 server SDK)', function () {
  this.timeout(30_000);

  describe('stdio', () => {
    it('negotiates 2026-07-28 through server/discover and answers every kind of input_required', async () => {
      const { client } = await overStdio();
      assert.strictEqual(client.getProtocolEra(), 'modern');
      assert.strictEqual(client.getNegotiatedProtocolVersion(), '2026-07-28');
      const discovered = client.getDiscoverResult();
      assert.deepStrictEqual(discovered?.supportedVersions, ['2026-07-28']);
      assert.deepStrictEqual(client.getServerVersion(), { name: 'fixture-modern', version: '2.0.0' });
      assert.match(client.getInstructions() ?? '', /2026-07-28 era/);
      await assertInputRequired(client);

      const declined = await overStdio([], {}, { elicit: () => ({ action: 'decline' }) });
      assert.strictEqual(textOf(await declined.client.callTool({ name: 'ask_user', arguments: {} })), 'the user chose decline');
    });

    it('refuses the 2025-11-25 handshake by default (-32022), and serves it from the same tools with --legacy serve', async () => {
      await assert.rejects(overStdio([], { versionNegotiation: { mode: 'legacy' } }), (err: Error & { code?: unknown }) => {
        assert.strictEqual(err.code, -32022);
        assert.match(err.message, /Unsupported protocol version: 2025-11-25/);
        return true;
      });

      const { client } = await overStdio(['--legacy', 'serve'], { versionNegotiation: { mode: 'legacy' } });
      assert.strictEqual(client.getProtocolEra(), 'legacy');
      assert.strictEqual(client.getNegotiatedProtocolVersion(), '2025-11-25');
      // On the old era the SDK's shim turns the same input_required returns into real server-to-client requests.
      await assertInputRequired(client);
      const updated = nextNotification(client, 'notifications/resources/updated');
      await client.subscribeResource({ uri: COUNTER });
      await client.callTool({ name: 'touch_resource', arguments: { uri: COUNTER } });
      assert.deepStrictEqual(await updated, { uri: COUNTER });
    });

    it('delivers list_changed and resources/updated on subscriptions/listen, filtered to what was asked', async () => {
      const { client } = await overStdio();
      const subscription = await client.listen({ toolsListChanged: true, resourceSubscriptions: [COUNTER] });
      assert.deepStrictEqual(subscription.honoredFilter, { toolsListChanged: true, resourceSubscriptions: [COUNTER] });
      const updates: unknown[] = [];
      client.setNotificationHandler('notifications/resources/updated', n => void updates.push(n.params.uri));
      const promptsChanged: unknown[] = [];
      client.setNotificationHandler('notifications/prompts/list_changed', n => void promptsChanged.push(n));

      const toolsChanged = nextNotification(client, 'notifications/tools/list_changed');
      await client.callTool({ name: 'mutate', arguments: { list: 'tools' } });
      assert.ok(((await toolsChanged)._meta as Record<string, unknown>)['io.modelcontextprotocol/subscriptionId'], 'stamped with the subscription id');
      assert.ok((await client.listTools()).tools.some(t => t.name === 'dynamic_tool_1'));

      await client.callTool({ name: 'touch_resource', arguments: { uri: 'modern://items/7' } });
      await client.callTool({ name: 'touch_resource', arguments: { uri: COUNTER } });
      await client.callTool({ name: 'mutate', arguments: { list: 'prompts' } });
      await until('the counter update', () => updates.length > 0);
      await sleep(200);
      assert.deepStrictEqual(updates, [COUNTER], 'only the subscribed URI');
      assert.deepStrictEqual(promptsChanged, [], 'prompts were not asked for');
      assert.deepStrictEqual((await client.readResource({ uri: COUNTER })).contents, [{ uri: COUNTER, mimeType: 'text/plain', text: 'version 2' }]);

      await subscription.close();
      assert.strictEqual(await subscription.closed, 'local');
    });

    it('storm: each notification announces a new tools list, the last one named generation_<count>', async () => {
      const { client } = await overStdio();
      let notified = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => void notified++);
      await client.listen({ toolsListChanged: true });
      assert.strictEqual(textOf(await client.callTool({ name: 'storm', arguments: { count: 300 } })), 'storm: 300 notifications, generation 300');
      await until('300 notifications', () => notified === 300);
      const names = (await client.listTools({}, { cacheMode: 'refresh' })).tools.map(t => t.name);
      assert.ok(names.includes('generation_300') && !names.includes('generation_299'), names.join(', '));
    });

    it('exits with 0 on stdin EOF and on SIGTERM, with 2 on an unknown option', async () => {
      const run = (args: string[]) => {
        const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', chunk => (stdout += String(chunk)));
        child.stderr!.on('data', chunk => (stderr += String(chunk)));
        const exited = new Promise(resolve => child.on('exit', (code, signal) => resolve({ code, signal })));
        cleanups.push(() => void child.kill('SIGKILL'));
        return { child, exited, stdout: () => stdout, stderr: () => stderr };
      };
      const [eof, term, typo] = [run([]), run([]), run(['--ttl', '5'])];
      // Answering a raw server/discover shows it is up (its signal handlers too).
      for (const { child } of [eof, term]) child.stdin!.write(`${JSON.stringify(DISCOVER)}\n`);
      await until('both discover answers', () => [eof, term].every(r => r.stdout().includes('"supportedVersions"')));
      eof.child.stdin!.end();
      term.child.kill('SIGTERM');
      assert.deepStrictEqual(await eof.exited, { code: 0, signal: null });
      assert.deepStrictEqual(await term.exited, { code: 0, signal: null });
      assert.deepStrictEqual(await typo.exited, { code: 2, signal: null });
      assert.match(typo.stderr(), /unknown option\(s\): --ttl/);
    });
  });

  describe('tasks extension (io.modelcontextprotocol/tasks, served by hand)', () => {
    it('task_job: a task for a client that declares the extension, synchronous otherwise; results, tool errors and protocol errors inline on tasks/get', async () => {
      const peer = rawPeer();
      const discovered = await peer.request('server/discover');
      assert.deepStrictEqual((discovered.capabilities as { extensions?: unknown }).extensions, { [TASKS]: {} });

      const created = await peer.request('tools/call', { name: 'task_job', arguments: { ms: 200 } });
      assert.strictEqual(created.resultType, 'task');
      assert.match(String(created.taskId), /^task-\d+$/);
      assert.strictEqual(created.status, 'working');
      assert.strictEqual(created.pollIntervalMs, 100);
      const done = await pollTask(peer, String(created.taskId), status => status !== 'working');
      assert.strictEqual(done.status, 'completed');
      assert.deepStrictEqual(done.result, { content: [{ type: 'text', text: 'job done after 200 ms' }] });

      const toolError = await peer.request('tools/call', { name: 'task_job', arguments: { ms: 10, outcome: 'tool_error' } });
      const reported = await pollTask(peer, String(toolError.taskId), status => status !== 'working');
      assert.strictEqual(reported.status, 'completed', 'a tool error is a completed task');
      assert.strictEqual((reported.result as { isError?: boolean }).isError, true);

      const protocolError = await peer.request('tools/call', { name: 'task_job', arguments: { ms: 10, outcome: 'protocol_error' } });
      const failed = await pollTask(peer, String(protocolError.taskId), status => status !== 'working');
      assert.strictEqual(failed.status, 'failed');
      assert.deepStrictEqual(failed.error, { code: -32603, message: 'job failed after 10 ms' });
      assert.ok(!('result' in failed));

      const sync = await peer.request('tools/call', { name: 'task_job', arguments: { ms: 10 } }, ENVELOPE);
      assert.deepStrictEqual([sync.resultType, sync.content], ['complete', [{ type: 'text', text: 'job done after 10 ms' }]]);
    });

    it('tasks/cancel ends a running task (idempotent); unknown ids are -32602; no extension, no tasks (-32021)', async () => {
      const peer = rawPeer();
      const created = await peer.request('tools/call', { name: 'task_job', arguments: { ms: 60_000 } });
      const taskId = String(created.taskId);
      assert.deepStrictEqual(await peer.request('tasks/cancel', { taskId }), { resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'fixture-modern', version: '2.0.0' } } });
      assert.strictEqual((await peer.request('tasks/get', { taskId })).status, 'cancelled');
      await peer.request('tasks/cancel', { taskId });
      assert.strictEqual((await rawError(peer.request('tasks/get', { taskId: 'task-999' }))).code, -32602);

      const missing = await rawError(peer.request('tasks/get', { taskId }, ENVELOPE));
      assert.strictEqual(missing.code, -32021);
      const required = await rawError(peer.request('tools/call', { name: 'task_confirm', arguments: {} }, ENVELOPE));
      assert.strictEqual(required.code, -32021);
      assert.deepStrictEqual((required.data as { requiredCapabilities?: unknown }).requiredCapabilities, { extensions: { [TASKS]: {} } });
    });

    it('task_confirm parks in input_required with its question until tasks/update answers it', async () => {
      const peer = rawPeer();
      const created = await peer.request('tools/call', { name: 'task_confirm', arguments: { question: 'Delete it?' } });
      const taskId = String(created.taskId);
      const waiting = await peer.request('tasks/get', { taskId });
      assert.strictEqual(waiting.status, 'input_required');
      const question = (waiting.inputRequests as Record<string, { method: string; params: { message: string } }>).confirm!;
      assert.deepStrictEqual([question.method, question.params.message], ['elicitation/create', 'Delete it?']);

      assert.strictEqual((await peer.request('tasks/update', { taskId, inputResponses: { confirm: { action: 'accept', content: { answer: 'yes' } } } })).resultType, 'complete');
      const done = await pollTask(peer, taskId, status => status === 'completed');
      assert.deepStrictEqual(done.result, { content: [{ type: 'text', text: 'confirmed: yes' }] });
    });

    it('SDK 2.4.0 gap: the v2 client rejects a CreateTaskResult (UnsupportedResultType), so a host must take tasks off the wire itself', async () => {
      const { client } = await overStdio([], { capabilities: { elicitation: { form: {} }, sampling: {}, roots: {}, extensions: { [TASKS]: {} } } });
      await assert.rejects(client.callTool({ name: 'task_job', arguments: { ms: 10 } }), /Unsupported result type 'task' for tools\/call/);
    });
  });

  describe('Streamable HTTP on loopback', () => {
    it('discover, input_required and listen over HTTP; only loopback Host headers are served', async () => {
      const server = await startHttp();
      const client = await overHttp(server.url);
      assert.strictEqual(client.getNegotiatedProtocolVersion(), '2026-07-28');
      await assertInputRequired(client);

      const subscription = await client.listen({ toolsListChanged: true, resourceSubscriptions: [COUNTER] });
      const toolsChanged = nextNotification(client, 'notifications/tools/list_changed');
      const updated = nextNotification(client, 'notifications/resources/updated');
      await client.callTool({ name: 'mutate', arguments: { list: 'tools' } });
      await client.callTool({ name: 'touch_resource', arguments: { uri: COUNTER } });
      await toolsChanged;
      assert.strictEqual((await updated).uri, COUNTER);
      await subscription.close();

      assert.strictEqual(await postWithHost(server.url, 'evil.example'), 403);
      const legacy = await overHttp(server.url, { versionNegotiation: { mode: 'legacy' } }).then(
        () => 'connected',
        (err: Error) => err.message,
      );
      assert.match(legacy, /-32022|Unsupported protocol version/);

      server.child.kill('SIGTERM');
      assert.deepStrictEqual(await server.exited, { code: 0, signal: null });
    });

    it('ttlMs decides re-fetching: a fresh list is served from the cache, list_changed evicts it; ttl 0 always asks', async () => {
      const cached = await startHttp(['--ttl-ms', '60000', '--cache-scope', 'public']);
      const client = await overHttp(cached.url);
      const first = await client.listTools();
      assert.strictEqual(first.ttlMs, 60_000);
      assert.strictEqual(first.cacheScope, 'public');
      await client.listTools();
      assert.strictEqual((await requestCounts(client))['tools/list'], 1, 'the second list came from the cache');

      await client.listen({ toolsListChanged: true });
      const changed = nextNotification(client, 'notifications/tools/list_changed');
      await client.callTool({ name: 'mutate', arguments: { list: 'tools' } });
      await changed;
      assert.ok((await client.listTools()).tools.some(t => t.name === 'dynamic_tool_1'));
      assert.strictEqual((await requestCounts(client))['tools/list'], 2, 'list_changed evicted the cached list');

      const uncached = await startHttp();
      const other = await overHttp(uncached.url);
      assert.strictEqual((await other.listTools()).ttlMs, 0);
      await other.listTools();
      assert.strictEqual((await requestCounts(other))['tools/list'], 2);
    });
  });
});
