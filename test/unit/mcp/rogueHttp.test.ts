import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { fixtureServer } from '../servers';

/** The `rogueHttp` fixture: a Streamable HTTP server that abuses HTTP on the handshake or on one tool's POST. */
async function startRogueHttp(...args: string[]): Promise<{ url: string; stderr(): string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [fixtureServer('rogueHttp'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', d => (stderr += String(d)));
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !/listening on \S+/.test(stderr); i++) await new Promise(r => setTimeout(r, 50));
  const url = /listening on (\S+)/.exec(stderr)?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`rogueHttp did not start: ${stderr}`);
  }
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('core vs. a rogue Streamable HTTP server', function () {
  this.timeout(30_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function connect(...args: string[]) {
    return connectWith(5000, ...args);
  }
  /**
   * Reading 64 MiB before giving up takes ~1 s on a quiet machine and several at load 15+: the endless answers get a
   * long request timeout, so "fails at once" (well before the timeout) is not a race with the machine's load.
   */
  const ENDLESS_REQUEST_MS = 20_000;
  async function connectWith(requestMs: number, ...args: string[]) {
    const server = await startRogueHttp(...args);
    cleanup.push(server.stop);
    const log = new MemoryLog('debug');
    const conn = new ServerConnection({
      name: 'rogue-http',
      plan: async () => ({ launch: { type: 'http', url: server.url, headers: {} }, timeouts: { startupMs: 5000, requestMs }, secrets: [] }),
      log,
      clientInfo: { name: 'tests', version: '0' },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    cleanup.push(() => conn.shutdown());
    await conn.start();
    return { conn, log, server };
  }
  const call = (conn: ServerConnection, name: string, args: Record<string, unknown> = {}) => conn.callTool(name, args, consentForTests(conn, name), { onProgress: () => {} });
  const echoAfter = async (conn: ServerConnection) => {
    const r = await call(conn, 'echo', { text: 'after' });
    assert.strictEqual((r.result.content[0] as { text: string }).text, 'after');
    assert.strictEqual(conn.state.kind, 'running');
  };
  const longestLine = (log: MemoryLog) => Math.max(...log.lines.map(l => l.message.length));
  /** How long `p` took to fail, and with what. */
  async function failure(p: Promise<unknown>): Promise<{ ms: number; error: Error }> {
    const started = Date.now();
    try {
      await p;
    } catch (error) {
      return { ms: Date.now() - started, error: error as Error };
    }
    throw new assert.AssertionError({ message: 'expected the call to fail' });
  }

  it('an HTTP 500 with a 20 MB body, at initialize and on a call: the error keeps 16 K characters of it, and the log too', async () => {
    // Before: a 20 MB state message (the tree, its tooltip, the log) and a 20 MB error message for the call.
    const { conn: starting, log: startLog } = await connect('--init', 'huge-500');
    const state = starting.state;
    assert.strictEqual(state.kind, 'error');
    assert.match(state.kind === 'error' ? state.message : '', /^Could not connect to http:\/\/127\.0\.0\.1:\d+\/mcp: HTTP 500: Error POSTing to endpoint: <html><body>Internal Server Error x+… \(the rest of the response was not read\)$/);
    assert.ok(state.kind === 'error' && state.message.length < 17_000, `${state.kind === 'error' ? state.message.length : 0} characters`);
    assert.ok(longestLine(startLog) < 17_000, `a log line of ${longestLine(startLog)} characters`);

    const { conn, log } = await connect();
    const { error } = await failure(call(conn, 'huge_500'));
    assert.match(String(error), /^SdkHttpError: Error POSTing to endpoint: <html><body>Internal Server Error x+… \(the rest of the response was not read\)$/);
    assert.ok(error.message.length < 17_000, `${error.message.length} characters`);
    assert.ok(longestLine(log) < 17_000, `a log line of ${longestLine(log)} characters`);
    await echoAfter(conn);
  });

  it('a response stream that ends without the answer: the call fails at once, saying so (it waited for its whole timeout)', async () => {
    const { conn } = await connect();
    const { ms, error } = await failure(call(conn, 'sse_close'));
    assert.strictEqual(String(error), 'StreamEndedError: tools/call got no answer: the server ended its response stream without sending one (it may have failed mid-request, or a proxy cut the stream)');
    assert.ok(ms < 2500, `failed after ${ms} ms (the request timeout is 5 s)`);
    await echoAfter(conn);
  });

  it("a call given up (its timeout, or the user's cancel) whose server keeps its stream open: the host closes that stream", async () => {
    // Before (2025-11-25 era): the SDK sent notifications/cancelled and left the POST's stream open, so a server that
    // went on sending keep-alives held one of the host's connections for good per call given up.
    const { conn, server } = await connect();
    const hungUp = () => (server.stderr().match(/sse_silent: the host hung up/g) ?? []).length;
    const until = async (n: number) => {
      for (let i = 0; i < 40 && hungUp() < n; i++) await new Promise(r => setTimeout(r, 50));
      assert.strictEqual(hungUp(), n, server.stderr());
    };
    assert.strictEqual(String((await failure(call(conn, 'sse_silent'))).error), 'RequestTimeoutError: tools/call got no answer within 5 s');
    await until(1);
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 300);
    assert.strictEqual(String((await failure(conn.callTool('sse_silent', {}, consentForTests(conn, 'sse_silent'), { signal: cancel.signal }))).error), 'RequestCancelledError: tools/call was cancelled');
    await until(2);
    await echoAfter(conn);
  });

  it('an answer that never ends: the host stops reading at 64 MiB, the call fails saying so, the server keeps working', async () => {
    // Before: read until the request's timeout, growing the extension host's memory at the network's speed.
    const { conn, server } = await connectWith(ENDLESS_REQUEST_MS);
    const { ms, error } = await failure(call(conn, 'endless_json'));
    assert.strictEqual(error.message, "The server's answer is larger than 64 MiB; MCP Host stopped reading it.");
    assert.ok(ms < ENDLESS_REQUEST_MS - 5000, `failed after ${ms} ms (the request timeout is 20 s)`);
    for (let i = 0; i < 40 && !/endless_json: the host hung up/.test(server.stderr()); i++) await new Promise(r => setTimeout(r, 50));
    assert.match(server.stderr(), /endless_json: the host hung up after \d+ MiB/);
    await echoAfter(conn);
  });

  it('an answer cut short by a dropped connection: the call fails saying the connection dropped, not as a JSON parse error', async () => {
    // Before: the bounded reader handed on what it had, and the call failed with "SyntaxError: Unterminated string in JSON…".
    const { conn } = await connect();
    assert.strictEqual(String((await failure(call(conn, 'cut_json'))).error), 'NetworkError: tools/call got no answer: the server closed the connection without answering. It may have failed mid-request, or a proxy cut the connection; check the server log.');
    await echoAfter(conn);
  });

  for (const tool of ['endless_sse', 'endless_event']) {
    it(`an SSE event that never ends (${tool === 'endless_sse' ? 'one data line' : 'data lines without end'}): the host stops reading at 64 MiB, the call fails saying so, the server keeps working`, async () => {
      // Before: read until the request's timeout (the fixture stops at 256 MiB), growing the extension host's memory.
      const { conn, server } = await connectWith(ENDLESS_REQUEST_MS);
      const { ms, error } = await failure(call(conn, tool));
      assert.strictEqual(String(error), "AnswerTooLargeError: tools/call got no answer: the server sent a message larger than 64 MiB in its answer's stream, and MCP Host stopped reading it");
      assert.ok(ms < ENDLESS_REQUEST_MS - 5000, `failed after ${ms} ms (the request timeout is 20 s)`);
      const hungUp = new RegExp(`${tool}: the host hung up after (\\d+) MiB`);
      for (let i = 0; i < 40 && !hungUp.test(server.stderr()); i++) await new Promise(r => setTimeout(r, 50));
      assert.ok(Number(hungUp.exec(server.stderr())?.[1]) < 200, server.stderr());
      await echoAfter(conn);
    });
  }

  // Guards (each passed before this test was written): what the host already handles.
  it('an HTML page, an answer under another id, a silent stream, two answers, a reset, a body that is not JSON, a redirect loop: each call ends with its reason, and the server keeps working', async () => {
    const { conn } = await connect();
    assert.strictEqual(String((await failure(call(conn, 'html'))).error), 'SdkError: Unexpected content type: text/html');
    await echoAfter(conn);
    const { ms, error } = await failure(call(conn, 'wrong_id'));
    assert.strictEqual(String(error), 'RequestTimeoutError: tools/call got no answer within 5 s');
    assert.ok(ms >= 4900, `failed after ${ms} ms`);
    await echoAfter(conn);
    const twice = await call(conn, 'sse_twice');
    assert.strictEqual((twice.result.content[0] as { text: string }).text, 'first');
    await echoAfter(conn);
    // Were fetch's and JSON.parse's bare words ("TypeError: fetch failed", "SyntaxError: Unexpected end of JSON input").
    assert.strictEqual(String((await failure(call(conn, 'reset'))).error), 'NetworkError: tools/call got no answer: the server closed the connection without answering. It may have failed mid-request, or a proxy cut the connection; check the server log.');
    await echoAfter(conn);
    assert.strictEqual(String((await failure(call(conn, 'bad_json'))).error), "MalformedAnswerError: The server's answer to tools/call is malformed: it is not valid JSON.");
    await echoAfter(conn);
    assert.match(String((await failure(call(conn, 'redirect_loop'))).error), /^SdkHttpError: Error POSTing to endpoint: Redirect to http:\/\/127\.0\.0\.1:\d+\/mcp not followed/);
    await echoAfter(conn);
  });

  it('at initialize: an HTML page, a reset, a stream that never answers: a clear error each, in time', async () => {
    const expected: Record<string, RegExp> = {
      html: /^Could not connect to http:\/\/127\.0\.0\.1:\d+\/mcp: Unexpected content type: text\/html$/,
      reset: /^Could not connect to http:\/\/127\.0\.0\.1:\d+\/mcp: the server closed the connection without answering\.$/,
      silent: /^The server did not complete initialization within 5 s\.$/,
    };
    for (const [init, message] of Object.entries(expected)) {
      const { conn } = await connect('--init', init);
      const state = conn.state;
      assert.strictEqual(state.kind, 'error', init);
      assert.match(state.kind === 'error' ? state.message : '', message);
    }
  });
});
