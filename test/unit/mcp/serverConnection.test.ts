import * as assert from 'assert';
import { waitForEvent } from '../../../src/common/event';
import type { ConnectionState } from '../../../src/mcp/connectionState';
import type { LaunchPlan, ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { isAlive } from '../../../src/mcp/transports/processTree';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import type { ClientRequestHandlers } from '../../../src/mcp/clientRequests';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { RequestCancelledError, RequestTimeoutError } from '../../../src/mcp/diagnosis';
import { everythingServer, freePort, startEverythingHttp } from '../servers';
import { startSseOnlyServer } from './sseOnlyServer';

const FAST_GRACE = { stdinMs: 300, termMs: 300 };

function connection(launch: ResolvedLaunch, extra: Partial<LaunchPlan> = {}, log = new MemoryLog()) {
  const plan: LaunchPlan = { launch, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [], ...extra };
  return new ServerConnection({
    name: 'test',
    plan: async () => plan,
    log,
    clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
    handlers: { roots: () => [{ uri: 'file:///work/project', name: 'project' }] },
    grace: FAST_GRACE,
  });
}

const everything: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [everythingServer], env: {} };

function running(state: ConnectionState) {
  assert.strictEqual(state.kind, 'running', `expected running, got ${JSON.stringify(state)}`);
  return state as Extract<ConnectionState, { kind: 'running' }>;
}

describe('ServerConnection against server-everything (stdio)', function () {
  this.timeout(30_000);
  let conn: ServerConnection;
  const log = new MemoryLog();

  before(async () => {
    conn = connection(everything, { secrets: ['s3cr3t-value'] }, log);
    await conn.start();
  });
  after(() => conn.shutdown());

  it('reaches running with server info, capabilities and the negotiated protocol', () => {
    const state = running(conn.state);
    assert.match(state.serverInfo.name, /everything/i);
    assert.ok(state.capabilities.tools && state.capabilities.resources && state.capabilities.prompts);
    assert.strictEqual(state.protocolVersion, '2025-11-25');
    assert.strictEqual(state.transport, 'stdio');
  });

  it('lists tools, prompts and resource templates', async () => {
    assert.ok(conn.tools.some(t => t.name === 'echo'));
    assert.ok(conn.tools.find(t => t.name === 'echo')!.annotations?.readOnlyHint);
    assert.ok(conn.prompts.some(p => p.name === 'args-prompt'));
    assert.ok(conn.resourceTemplates.some(t => t.uriTemplate.startsWith('demo://resource/dynamic/text/')));
    assert.ok((await conn.listAllResources()).length >= 1);
  });

  it('calls a tool and validates structured output against its schema', async () => {
    const echo = await conn.callTool('echo', { message: 'hi' }, consentForTests(conn, 'echo'));
    assert.deepStrictEqual(echo.result.content, [{ type: 'text', text: 'Echo: hi' }]);
    const structured = await conn.callTool('get-structured-content', { location: 'Chicago' }, consentForTests(conn, 'get-structured-content'));
    assert.ok(structured.result.structuredContent, 'no structured content');
    assert.strictEqual(structured.outputError, undefined);
  });

  it('delivers every progress notification, including the last one before the response', async () => {
    const seen: number[] = [];
    await conn.callTool('trigger-long-running-operation', { duration: 0.5, steps: 5 }, consentForTests(conn, 'trigger-long-running-operation'), { onProgress: p => seen.push(p.progress) });
    assert.deepStrictEqual(seen, [1, 2, 3, 4, 5]);
    assert.ok(!log.text().includes('unknown token'), 'the SDK reported a progress notification for an unknown token');
  });

  it('tells a cancelled request from a timed-out one', async () => {
    const controller = new AbortController();
    const call = conn.callTool('trigger-long-running-operation', { duration: 5, steps: 5 }, consentForTests(conn, 'trigger-long-running-operation'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(call, RequestCancelledError);
  });

  it('answers roots/list with the workspace roots', async () => {
    const r = await conn.callTool('get-roots-list', {}, consentForTests(conn, 'get-roots-list'));
    const text = JSON.stringify(r.result.content);
    assert.match(text, /file:\/\/\/work\/project/);
  });

  it('reads resources and completes prompt arguments', async () => {
    const read = await conn.readResource('demo://resource/dynamic/text/1');
    assert.ok(read.contents.length > 0);
    const completion = await conn.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } });
    assert.ok(completion.completion.values.includes('Engineering'), JSON.stringify(completion));
  });

  it('masks secrets in its log', () => {
    conn.log.info('token is s3cr3t-value here');
    assert.ok(!log.text().includes('s3cr3t-value'));
    assert.ok(log.text().includes('token is *** here'));
  });

  it('stops, leaving no process behind', async () => {
    const c = connection(everything);
    await c.start();
    running(c.state);
    const pid = c.pid!;
    assert.ok(isAlive(pid));
    await c.stop();
    assert.strictEqual(c.state.kind, 'stopped');
    assert.ok(!isAlive(pid), `server process ${pid} outlived stop()`);
  });
});

describe('ServerConnection client-request handlers (one object for roots, sampling, elicitation)', function () {
  this.timeout(30_000);

  it('declares sampling and elicitation only when handled, and passes each request with the asking server', async () => {
    const asked: string[] = [];
    const handlers: ClientRequestHandlers = {
      roots: () => [],
      async sampling(server, params) {
        asked.push(`sampling from ${server.name}: ${params.maxTokens}`);
        return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'sampled answer' } };
      },
      async elicitation(server, params) {
        asked.push(`elicitation from ${server.name}: ${'requestedSchema' in params ? 'form' : 'url'}`);
        return { action: 'decline' };
      },
    };
    const conn = new ServerConnection({ name: 'asker', plan: async () => ({ launch: everything, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] }), log: new MemoryLog(), clientInfo: { name: 't', version: '0' }, handlers, grace: FAST_GRACE });
    const plain = connection(everything);
    try {
      await Promise.all([conn.start(), plain.start()]);
      // server-everything registers its sampling and elicitation tools only for clients that declare the capability.
      assert.ok(conn.tools.some(t => t.name === 'trigger-sampling-request'));
      assert.ok(!plain.tools.some(t => t.name === 'trigger-sampling-request' || t.name === 'trigger-elicitation-request'));
      const sampled = await conn.callTool('trigger-sampling-request', { prompt: 'hi', maxTokens: 7 }, consentForTests(conn, 'trigger-sampling-request'));
      assert.match(JSON.stringify(sampled.result.content), /sampled answer/);
      await conn.callTool('trigger-elicitation-request', {}, consentForTests(conn, 'trigger-elicitation-request'));
      assert.deepStrictEqual(asked, ['sampling from asker: 7', 'elicitation from asker: form']);
    } finally {
      await Promise.all([conn.shutdown(), plain.shutdown()]);
    }
  });
});

describe('ServerConnection request timeouts', function () {
  this.timeout(30_000);
  it('reports a request that outlives its timeout as a timeout, not a cancellation', async () => {
    const conn = connection(everything, { timeouts: { startupMs: 15_000, requestMs: 300 } });
    try {
      await conn.start();
      running(conn.state);
      await assert.rejects(conn.callTool('trigger-long-running-operation', { duration: 3, steps: 1 }, consentForTests(conn, 'trigger-long-running-operation')), RequestTimeoutError);
    } finally {
      await conn.shutdown();
    }
  });
});

describe('ServerConnection start-up failures', function () {
  this.timeout(30_000);

  it('explains a command that is not on PATH, with the PATH used', async () => {
    const conn = connection({ type: 'stdio', command: 'mcp-host-no-such-command', args: [], env: { PATH: '/nowhere/bin' } });
    await conn.start();
    const state = conn.state;
    assert.strictEqual(state.kind, 'error');
    if (state.kind !== 'error') return;
    assert.match(state.message, /'mcp-host-no-such-command' was not found on PATH/);
    assert.match(state.hint ?? '', /PATH used: \/nowhere\/bin/);
    assert.match(state.hint ?? '', /absolute path/);
    conn.dispose();
  });

  it('reports the exit code and stderr tail of a server that dies before initializing', async () => {
    const script = "console.error('loading config'); console.error('fatal: missing API key'); process.exit(3)";
    const conn = connection({ type: 'stdio', command: process.execPath, args: ['-e', script], env: {} });
    await conn.start();
    const state = conn.state;
    assert.strictEqual(state.kind, 'error');
    if (state.kind !== 'error') return;
    assert.strictEqual(state.exitCode, 3);
    assert.match(state.message, /exited with code 3 before completing initialization/);
    assert.deepStrictEqual(state.stderrTail, ['loading config', 'fatal: missing API key']);
    conn.dispose();
  });

  it('says in plain words that nothing listens at a remote server\'s address (walk14: "Version negotiation probe failed: fetch failed")', async () => {
    const port = await freePort();
    for (const type of ['http', 'sse'] as const) {
      const url = `http://127.0.0.1:${port}/mcp`;
      const conn = connection({ type, url, headers: {} });
      await conn.start();
      const state = conn.state;
      assert.strictEqual(state.kind, 'error', JSON.stringify(state));
      if (state.kind !== 'error') return;
      assert.strictEqual(state.message, `Could not connect to ${url}: nothing is listening there (connection refused at 127.0.0.1:${port}).`);
      assert.strictEqual(state.hint, 'Start the server, or check the host and port in its "url".');
      conn.dispose();
    }
  });
});

describe('ServerConnection over HTTP (server-everything on loopback)', function () {
  this.timeout(40_000);

  it('connects with Streamable HTTP', async () => {
    const server = await startEverythingHttp('streamableHttp');
    const conn = connection({ type: 'http', url: server.url, headers: {} });
    try {
      await conn.start();
      assert.strictEqual(running(conn.state).transport, 'http');
      const echo = await conn.callTool('echo', { message: 'over http' }, consentForTests(conn, 'echo'));
      assert.deepStrictEqual(echo.result.content, [{ type: 'text', text: 'Echo: over http' }]);
    } finally {
      await conn.shutdown();
      await server.stop();
    }
  });

  it('falls back to HTTP+SSE when the initialize POST gets a 4xx', async () => {
    const server = await startSseOnlyServer();
    const log = new MemoryLog();
    const conn = connection({ type: 'http', url: server.url, headers: {} }, {}, log);
    try {
      await conn.start();
      assert.strictEqual(running(conn.state).transport, 'sse', JSON.stringify(conn.state));
      assert.match(log.text(), /answered 405; trying the HTTP\+SSE transport/);
      assert.match(log.text(), /\(legacy, because the server speaks only HTTP\+SSE \(2025 handshake only\)\)/);
      const r = await conn.callTool('ping_sse', {}, consentForTests(conn, 'ping_sse'));
      assert.deepStrictEqual(r.result.content, [{ type: 'text', text: 'pong' }]);
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });

  it('notices that a server reached over HTTP+SSE went away, shows the restart, and reconnects when it is back (walk14)', async () => {
    // It showed "running · 17 tools" while the server was down, and calls failed with a bare "fetch failed".
    const port = await freePort();
    let server = await startEverythingHttp('sse', port);
    const log = new MemoryLog();
    const conn = new ServerConnection({
      name: 'test',
      plan: async () => ({ launch: { type: 'sse', url: server.url, headers: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] }),
      log,
      clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
      restart: { initialDelayMs: 300, maxDelayMs: 300, maxAttempts: 50, stableAfterMs: 60_000 },
    });
    try {
      await conn.start();
      assert.strictEqual(running(conn.state).transport, 'sse');
      const errored = waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 15_000);
      await server.stop();
      const state = await errored;
      assert.ok(state.kind === 'error' && state.restartAt !== undefined, JSON.stringify(state));
      assert.strictEqual(state.message, "The server's SSE stream closed (the server stopped, restarted or dropped it).");
      server = await startEverythingHttp('sse', port);
      await waitForEvent(conn.onDidChangeState, s => s.kind === 'running', 15_000);
      const echo = await conn.callTool('echo', { message: 'back' }, consentForTests(conn, 'echo'));
      assert.deepStrictEqual(echo.result.content, [{ type: 'text', text: 'Echo: back' }]);
      assert.match(log.text(), /The server's SSE stream failed: /);
    } finally {
      await conn.shutdown();
      await server.stop();
    }
  });

  it('connects with SSE directly when the definition says "sse", and the log says the transport decided the era (walk14 finding F)', async () => {
    const server = await startSseOnlyServer();
    const log = new MemoryLog();
    const conn = connection({ type: 'sse', url: server.url, headers: {} }, {}, log);
    try {
      await conn.start();
      assert.strictEqual(running(conn.state).transport, 'sse');
      // It said "(legacy, set in config)" for a definition that sets no "protocol".
      assert.match(log.text(), /protocol 2025-\d\d-\d\d \(legacy, because "type": "sse" is the HTTP\+SSE transport \(2025 handshake only\)\)/);
      assert.doesNotMatch(log.text(), /set (in|by "protocol" in) config/);
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });
});

describe('ServerConnection crash and restart', function () {
  this.timeout(30_000);
  it('restarts a crashed server with backoff and shows the pending restart', async () => {
    const conn = new ServerConnection({
      name: 'crashy',
      plan: async () => ({ launch: everything, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] }),
      log: new MemoryLog(),
      clientInfo: { name: 't', version: '0' },
      grace: FAST_GRACE,
      restart: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: 3, stableAfterMs: 60_000 },
    });
    try {
      await conn.start();
      const pid = conn.pid!;
      const errored = waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 10_000);
      process.kill(pid, 'SIGKILL');
      const state = await errored;
      assert.ok(state.kind === 'error' && state.restartAt !== undefined && state.signal === 'SIGKILL', JSON.stringify(state));
      await waitForEvent(conn.onDidChangeState, s => s.kind === 'running', 10_000);
      assert.ok(conn.tools.length > 0);
    } finally {
      await conn.shutdown();
    }
  });
});
