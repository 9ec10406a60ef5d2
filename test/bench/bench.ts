/**
 * `npm run bench`: MCP Host's core against baselines on the same machine, reported as ratios (medians of
 * several rounds), because absolute timings on a shared machine mean little.
 *   - start-up: ServerConnection (spawn, initialize, list tools/prompts/templates) vs. the raw SDK Client
 *     with StdioClientTransport doing the same;
 *   - call latency: 200 sequential `echo` calls, ours vs. the raw SDK client;
 *   - large result: one 50 MiB tool result, ours vs. the raw SDK client (which needs a raised buffer limit)
 *     vs. a raw pipe reading the same bytes with a newline splitter;
 *   - memory: heap growth of the host process per running connection.
 * Targets (a failing target exits non-zero): start-up ≤ 1.5× raw SDK, call latency ≤ 1.3× raw SDK,
 * 50 MiB result ≤ 3× a raw pipe and faster than the raw SDK client.
 */
import { spawn } from 'child_process';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { ServerConnection } from '../../src/mcp/serverConnection';
import { nullLog } from '../../src/mcp/log';
import { consentForTests } from '../../src/consent/toolCallGate';
import { fixtureServer } from '../unit/servers';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const server = fixtureServer('paging');
const big = fixtureServer('big');
const args = [server, '--tools', '50', '--prompts', '10', '--templates', '5', '--page-size', '20'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

function ours(script: string, extra: string[] = []) {
  return new ServerConnection({
    name: 'bench',
    plan: async () => ({ launch: { type: 'stdio', command: process.execPath, args: [script, ...extra], env: {} }, timeouts: { startupMs: 60_000, requestMs: 120_000 }, secrets: [] }),
    log: nullLog,
    clientInfo: { name: 'bench', version: '0' },
    grace: { stdinMs: 500, termMs: 500 },
  });
}

async function raw(script: string, extra: string[] = [], maxBufferSize?: number) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [script, ...extra], stderr: 'pipe', ...(maxBufferSize ? { maxBufferSize } : {}) } as never);
  (transport.stderr as NodeJS.ReadableStream | null)?.resume();
  const client = new Client({ name: 'bench', version: '0' }, { capabilities: {} });
  await client.connect(transport);
  return client;
}

async function listAll(client: Client) {
  // The v2 client walks every page itself when called without a cursor.
  await client.listTools();
  await client.listPrompts();
  await client.listResourceTemplates();
}

async function startup() {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = now();
    const conn = ours(server, args.slice(1));
    await conn.start();
    a.push(now() - t);
    await conn.shutdown();
    t = now();
    const client = await raw(server, args.slice(1));
    await listAll(client);
    b.push(now() - t);
    await client.close();
  }
  return { ours: median(a), raw: median(b) };
}

/** Batches alternate between the two clients, so a burst of load elsewhere hits both alike. */
async function latency() {
  const conn = ours(server, args.slice(1));
  await conn.start();
  const client = await raw(server, args.slice(1));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS * 4; i++) {
    let t = now();
    for (let j = 0; j < 50; j++) await conn.callTool('echo', { text: 'x' }, consentForTests(conn, 'echo'));
    a.push((now() - t) / 50);
    t = now();
    for (let j = 0; j < 50; j++) await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    b.push((now() - t) / 50);
  }
  await conn.shutdown();
  await client.close();
  return { ours: median(a), raw: median(b) };
}

/** Reads the same 50 MiB result through a plain pipe: spawn, send the request, split lines, JSON.parse. */
function pipeBaseline(bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [big], { stdio: ['pipe', 'pipe', 'ignore'] });
    const t = now();
    const chunks: Buffer[] = [];
    let answered = false;
    child.stdout.on('data', (c: Buffer) => {
      chunks.push(c);
      if (c.includes(0x0a)) {
        for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
          if (!line) continue;
          const msg = JSON.parse(line);
          if (msg.id === 0) send({ jsonrpc: '2.0', method: 'notifications/initialized' }), send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'big', arguments: { bytes } } });
          if (msg.id === 1 && !answered) {
            answered = true;
            resolve(now() - t);
            child.kill();
          }
        }
        chunks.length = 0;
      }
    });
    child.on('error', reject);
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'pipe', version: '0' } } });
  });
}

async function largeResult() {
  const bytes = 50 * 1024 * 1024;
  const a: number[] = [];
  const b: number[] = [];
  const p: number[] = [];
  const rounds = Math.max(1, Math.min(ROUNDS, 3));
  for (let i = 0; i < rounds; i++) {
    let t = now();
    const conn = ours(big);
    await conn.start();
    await conn.callTool('big', { bytes }, consentForTests(conn, 'big'));
    a.push(now() - t);
    await conn.shutdown();
    t = now();
    const client = await raw(big, [], 128 * 1024 * 1024);
    await client.callTool({ name: 'big', arguments: { bytes } }, { timeout: 600_000 });
    b.push(now() - t);
    await client.close();
    p.push(await pipeBaseline(bytes));
  }
  return { ours: median(a), raw: median(b), pipe: median(p) };
}

async function memory() {
  const conns: ServerConnection[] = [];
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10; i++) {
    const c = ours(server, args.slice(1));
    await c.start();
    conns.push(c);
  }
  global.gc?.();
  const perConnection = (process.memoryUsage().heapUsed - before) / 10;
  await Promise.all(conns.map(c => c.shutdown()));
  return perConnection;
}

async function main() {
  const rows: Array<[string, string, boolean]> = [];
  const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  const s = await startup();
  rows.push(['start-up + full lists', `${fmt(s.ours)} vs raw SDK ${fmt(s.raw)} → ${(s.ours / s.raw).toFixed(2)}× (target ≤ 1.5×)`, s.ours / s.raw <= 1.5]);
  const l = await latency();
  rows.push(['tools/call latency', `${fmt(l.ours)} vs raw SDK ${fmt(l.raw)} → ${(l.ours / l.raw).toFixed(2)}× (target ≤ 1.3×)`, l.ours / l.raw <= 1.3]);
  const r = await largeResult();
  rows.push([
    '50 MiB tool result',
    `${fmt(r.ours)} vs raw pipe ${fmt(r.pipe)} (${(r.ours / r.pipe).toFixed(2)}×, target ≤ 3×) vs raw SDK ${fmt(r.raw)} (${(r.ours / r.raw).toFixed(2)}×, target < 1×)`,
    r.ours / r.pipe <= 3 && r.ours < r.raw,
  ]);
  const m = await memory();
  rows.push(['heap per running connection', `${(m / 1024).toFixed(0)} KiB (informational)`, true]);
  console.log(`\nMCP Host bench (medians of ${ROUNDS} rounds; ratios are what matter)`);
  for (const [name, text, ok] of rows) console.log(`${ok ? 'ok  ' : 'MISS'}  ${name.padEnd(28)} ${text}`);
  const missed = rows.filter(r2 => !r2[2]).length;
  console.log(`bench: ${rows.length - missed} passed, ${missed} failed`);
  process.exit(missed ? 1 : 0);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
