import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { MemoryLog } from '../../../src/mcp/log';
import { checkingAnswers, sseAnswers } from '../../../src/mcp/transports/httpAnswers';
import { ServerConnection } from '../../../src/mcp/serverConnection';

type Message = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: { name?: string; arguments?: { text?: string } } };

/**
 * A raw Streamable HTTP server that answers a tool call with a `result` that is not an object, in an SSE stream
 * or a JSON body, as a hostile or broken server may (the SDK's server cannot be made to).
 */
async function rawHttpServer(answers: 'sse' | 'json'): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    if (req.method !== 'POST') return void res.writeHead(405).end();
    let body = '';
    for await (const chunk of req) body += chunk;
    const m = JSON.parse(body) as Message;
    if (m.id === undefined) return void res.writeHead(202).end();
    const reply = (message: object) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id: m.id, ...message });
      if (answers === 'sse') res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'raw' }).end(`event: message\r\ndata: ${text}\r\n\r\n`);
      else res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'raw' }).end(text);
    };
    if (m.method === 'initialize') return reply({ result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } });
    if (m.method === 'tools/list') return reply({ result: { tools: ['echo', 'string_result', 'nested_result'].map(name => ({ name, inputSchema: { type: 'object' } })) } });
    if (m.method === 'tools/call' && m.params?.name === 'string_result') return reply({ result: 'oops' });
    // A key named "result" inside a well-formed answer: left alone.
    if (m.method === 'tools/call' && m.params?.name === 'nested_result') return reply({ result: { content: [], structuredContent: { result: 5 } } });
    if (m.method === 'tools/call') return reply({ result: { content: [{ type: 'text', text: m.params?.arguments?.text ?? '' }] } });
    return reply({ error: { code: -32601, message: `Method not found: ${m.method}` } });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => new Promise(resolve => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('Streamable HTTP: an answer whose result is not an object', function () {
  this.timeout(30_000);
  for (const answers of ['sse', 'json'] as const) {
    it(`fails the call at once with one line saying so (${answers === 'sse' ? 'in an SSE stream: it waited for the timeout' : 'in a JSON body: a schema dump'}), and the server keeps working`, async () => {
      const server = await rawHttpServer(answers);
      const conn = new ServerConnection({
        name: 'raw',
        plan: async () => ({ launch: { type: 'http', url: server.url, headers: {} }, timeouts: { startupMs: 10_000, requestMs: 8_000 }, secrets: [], protocol: 'legacy' }),
        log: new MemoryLog('debug'),
        clientInfo: { name: 'tests', version: '0' },
        restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
      });
      try {
        await conn.start();
        assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
        const call = (name: string, args: Record<string, unknown> = {}) => conn.callTool(name, args, consentForTests(conn, name));
        await assert.rejects(call('string_result'), (error: Error) => {
          assert.match(error.message, /The server's answer is malformed: its result is "oops", not an object\.$/);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        });
        assert.deepStrictEqual((await call('nested_result')).result.structuredContent, { result: 5 });
        assert.deepStrictEqual((await call('echo', { text: 'after' })).result.content, [{ type: 'text', text: 'after' }]);
      } finally {
        await conn.shutdown();
        await server.close();
      }
    });
  }
});

describe('checkingAnswers: an SSE body as the SDK reads it', () => {
  /** `text` as an SSE response arriving one byte at a time, read back through the check. */
  async function throughCheck(text: string): Promise<string> {
    const bytes = new TextEncoder().encode(text);
    let i = 0;
    const body = new ReadableStream<Uint8Array>({ pull: c => (i < bytes.length ? c.enqueue(bytes.slice(i, ++i)) : c.close()) });
    const fetch = checkingAnswers(async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
    return (await fetch('http://127.0.0.1/mcp', { method: 'POST' })).text();
  }

  it('passes every other line as it came, CR, LF or CRLF, split anywhere, multi-byte characters included', async () => {
    const text = 'id: 1\r\nevent: message\rdata: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"é ☃ 🎉 \\"result\\": 1"}],"structuredContent":{"result":[1]}}}\n\n: comment\r\n\r\ndata: partial';
    assert.strictEqual(await throughCheck(text), text);
  });

  it('turns an error whose code is a number but no integer JSON can carry safely (1e308) into one the SDK takes: it dropped it, the request waited out its timeout (fuzz, stdio seeds 75, 140, 254)', async () => {
    const out = await throughCheck('data: {"jsonrpc":"2.0","id":5,"error":{"code":1e+308,"message":"m"}}\n\n');
    assert.strictEqual(out, 'data: {"jsonrpc":"2.0","id":5,"error":{"code":-32603,"message":"The server\'s answer is malformed: its error has no numeric code. It said: m"}}\n\n');
  });

  it('turns an answer whose result is not an object into an error under its id, split anywhere', async () => {
    const out = await throughCheck('id: 7\r\ndata: {"jsonrpc":"2.0","id":3,"result":null}\r\n\r\ndata:{"jsonrpc":"2.0","id":4,"result" : [1,2]}\n\n');
    assert.strictEqual(
      out,
      'id: 7\r\ndata: {"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"The server\'s answer is malformed: its result is null, not an object."}}\r\n\r\n' +
        'data: {"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"The server\'s answer is malformed: its result is [1,2], not an object."}}\n\n',
    );
  });

  /** `text` split one byte at a time through an SSE check whose events may be at most `max` characters. */
  async function throughCap(text: string, max: number): Promise<string> {
    const bytes = new TextEncoder().encode(text);
    let i = 0;
    const body = new ReadableStream<Uint8Array>({ pull: c => (i < bytes.length ? c.enqueue(bytes.slice(i, ++i)) : c.close()) });
    return new Response(body.pipeThrough(sseAnswers(() => [5, 'b'], max))).text();
  }

  it('counts an event from its blank line on (CRLF, CR, LF, a CRLF split in two): events under the cap pass, one over it ends the stream with an error for each request', async () => {
    const events = 'data: 0123456789\r\n\r\ndata: 0123456789\r\rdata: 0123456789\n\n: 0123456789\r\ndata: 0\r\n\r\n';
    assert.strictEqual(await throughCap(events, 30), events);
    const over = await throughCap('data: 0123456789\r\n\r\ndata: 0123456789\r\ndata: 0123456789\r\ndata: never read\n\n', 30);
    const error = '{"code":-32000,"message":"MCP Host: an event of the response stream is too large","data":{"mcpHost":"tooLarge"}}';
    assert.strictEqual(
      over,
      `data: 0123456789\r\n\r\ndata: 0123456789\r\n\n\nevent: message\ndata: {"jsonrpc":"2.0","id":5,"error":${error}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":"b","error":${error}}\n\n`,
    );
  });
});

describe('Streamable HTTP: what the protocol fuzz found (sec16)', function () {
  this.timeout(30_000);
  /** A raw server whose tools answer as the fuzz did: `unsendable_id` ends its SSE stream without the answer after an event whose id holds U+200E; `deep_json` answers in a JSON body with an `error` key and a value 20,000 deep. */
  async function fuzzFoundServer(): Promise<{ url: string; gets: () => number; close(): Promise<void> }> {
    let gets = 0;
    const server = http.createServer(async (req, res) => {
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      if (req.method !== 'POST') return void (gets++, res.writeHead(405).end());
      let body = '';
      for await (const chunk of req) body += chunk;
      const m = JSON.parse(body) as Message;
      if (m.id === undefined) return void res.writeHead(202).end();
      const json = (text: string) => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'raw' }).end(text);
      if (m.method === 'initialize') return json(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } }));
      if (m.method === 'tools/list') return json(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { tools: ['unsendable_id', 'deep_json'].map(name => ({ name, inputSchema: { type: 'object' } })) } }));
      if (m.method === 'tools/call' && m.params?.name === 'unsendable_id') {
        const progress = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } });
        // U+200E is no byte; a bell is a byte no header value may hold.
        const id = m.params?.arguments?.text === 'bell' ? 'evt\u00071' : 'evt\u200e1';
        return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`id: ${id}\nevent: message\ndata: ${progress}\n\n`);
      }
      if (m.method === 'tools/call' && m.params?.name === 'deep_json') {
        const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
        return json(`{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":{"content":[{"type":"text","text":"ok"}],"structuredContent":{"error":null,"deep":${deep}}}}`);
      }
      return json(JSON.stringify({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'no' } }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
      gets: () => gets,
      close: () => new Promise(resolve => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  }

  async function connected(url: string, log: MemoryLog): Promise<ServerConnection> {
    const conn = new ServerConnection({
      name: 'raw',
      plan: async () => ({ launch: { type: 'http', url, headers: {} }, timeouts: { startupMs: 10_000, requestMs: 20_000 }, secrets: [], protocol: 'legacy' }),
      log,
      clientInfo: { name: 'tests', version: '0' },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
    return conn;
  }

  it('a stream that ends without the answer after an event id no header can carry fails its call at once (it retried five times over ~13 s, then restarted the server)', async () => {
    const server = await fuzzFoundServer();
    const log = new MemoryLog('debug');
    const conn = await connected(server.url, log);
    try {
      for (const text of ['U+200E', 'bell']) {
        const started = Date.now();
        await assert.rejects(conn.callTool('unsendable_id', { text }, consentForTests(conn, 'unsendable_id')), (error: Error) => /ended the response stream without an answer|stream/i.test(error.message));
        assert.ok(Date.now() - started < 3_000, `${text}: failed after ${Date.now() - started} ms`);
      }
      assert.ok(!/ByteString/.test(log.text()), log.text());
      assert.strictEqual(conn.state.kind, 'running');
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });

  it('a well-formed JSON answer with an "error" key and a value nested 20,000 deep reaches its caller (it failed as "Maximum call stack size exceeded")', async () => {
    const server = await fuzzFoundServer();
    const log = new MemoryLog('debug');
    const conn = await connected(server.url, log);
    try {
      const outcome = await conn.callTool('deep_json', {}, consentForTests(conn, 'deep_json'));
      assert.deepStrictEqual(outcome.result.content, [{ type: 'text', text: 'ok' }]);
      assert.ok(!/Maximum call stack/.test(log.text()), log.text().slice(0, 2_000));
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });
});
