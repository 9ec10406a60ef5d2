import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Tool } from '@modelcontextprotocol/client';

/** Paths of real MCP servers for tests: the published reference servers and our own fixtures. */
/** The repository root, found by walking up: this file is bundled into test files at different depths. */
export const root = (() => {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'mcp-host') return d;
    if (path.dirname(d) === d) throw new Error(`no mcp-host package.json above ${__dirname}`);
  }
})();
export const everythingServer = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const filesystemServer = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
export const memoryServer = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
export const sequentialThinkingServer = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-sequential-thinking', 'dist', 'index.js');
export const fixtureServer = (name: string) => path.join(root, 'out', 'test', 'fixtures', 'servers', `${name}.js`);

/** A real server's tools, listed over stdio by a real client (which then closes it). */
export async function toolsOf(server: string, env: Record<string, string> = {}, args: readonly string[] = []): Promise<Tool[]> {
  const client = new Client({ name: 'forms-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [server, ...args], env: { ...process.env, ...env } as Record<string, string>, stderr: 'ignore' }));
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}
const loopbackPreload = path.join(root, 'out', 'test', 'fixtures', 'bin', 'loopback-preload.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** server-everything in an HTTP mode, bound to loopback; resolves once it listens. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse', port?: number): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  port ??= await freePort();
  const child = spawn(process.execPath, ['--require', loopbackPreload, everythingServer, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${err}`)), 15_000);
    child.stderr!.on('data', d => {
      err += d;
      if (/listening|running/i.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', code => reject(new Error(`server-everything ${mode} exited ${code}: ${err}`)));
  });
  const url = `http://127.0.0.1:${port}/${mode === 'sse' ? 'sse' : 'mcp'}`;
  return {
    url,
    child,
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a scripted handler's wait for the user as the user's time, as the real handlers do (ServerQuestions.ask). */
export function userTime<T>(server: { userAnswering?<R>(answer: () => Promise<R>): Promise<R> }, answer: () => Promise<T>): Promise<T> {
  return server.userAnswering ? server.userAnswering(answer) : answer();
}
