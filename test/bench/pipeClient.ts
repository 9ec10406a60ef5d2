/**
 * The floor every bench row is compared with: a client that is nothing but a pipe. It spawns the server,
 * writes newline-delimited JSON-RPC, splits stdout on newlines and `JSON.parse`s each line: no schemas, no
 * validation, no bookkeeping. Whatever MCP Host (or the SDK) costs on top of this is overhead.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';

interface Pending {
  resolve(message: Record<string, unknown>): void;
  reject(err: Error): void;
}

export class PipeClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private chunks: Buffer[] = [];
  private exited = false;

  private constructor(script: string, args: readonly string[], env: NodeJS.ProcessEnv, detached: boolean) {
    this.child = spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], detached });
    this.child.stderr.resume();
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error('the server exited'));
      this.pending.clear();
    });
  }

  /**
   * Spawns, initializes and sends `initialized`, as every MCP client must. `detached`: the server gets a session
   * of its own, as MCP Host's servers do (on Linux, with autogroup scheduling, also a scheduling group of its own).
   */
  static async start(script: string, args: readonly string[], env: NodeJS.ProcessEnv, detached = false): Promise<PipeClient> {
    const client = new PipeClient(script, args, env, detached);
    await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'pipe', version: '0' } });
    client.notify('notifications/initialized');
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request(method: string, params: object = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error('the server exited'));
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method: string, params: object = {}): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  /** Every page of a list, the way the host's lists are fetched (all pages, following `nextCursor`). */
  async listAll(method: 'tools/list' | 'prompts/list' | 'resources/templates/list'): Promise<unknown[]> {
    const key = method === 'tools/list' ? 'tools' : method === 'prompts/list' ? 'prompts' : 'resourceTemplates';
    const items: unknown[] = [];
    let cursor: string | undefined;
    do {
      const message = await this.request(method, cursor ? { cursor } : {});
      const result = message.result as Record<string, unknown>;
      items.push(...((result[key] as unknown[]) ?? []));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    } while (cursor);
    return items;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>(resolve => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      this.chunks.push(chunk.subarray(start, newline));
      const line = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      if (line.trim()) this.onMessage(JSON.parse(line) as Record<string, unknown>);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
  }

  private onMessage(message: Record<string, unknown>): void {
    if (typeof message.id !== 'number' || !('result' in message || 'error' in message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(new Error(JSON.stringify(message.error)));
    else pending.resolve(message);
  }
}
