/**
 * The stdio transport's write path, against real child processes: what a burst of sends costs in scheduled work
 * (counts, not times), and that a send waiting for the pipe fails, not hangs, when the server dies.
 */
import * as assert from 'assert';
import { createHook } from 'async_hooks';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioProcessTransport } from '../../../src/mcp/transports/stdioTransport';

const grace = { stdinMs: 200, termMs: 200 };
const notification = (i: number, pad = ''): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: `${i}${pad}` } });

describe('the stdio transport write path', function () {
  this.timeout(30_000);

  it('schedules no tick per message for a burst of sends (writes share one callback)', async () => {
    // A server that reads and discards everything.
    const transport = new StdioProcessTransport({ command: process.execPath, args: ['-e', 'process.stdin.resume()'], env: { ...process.env } as Record<string, string> }, { grace });
    await transport.start();
    try {
      let ticks = 0;
      const hook = createHook({
        init(_id, type) {
          if (type === 'TickObject') ticks++;
        },
      });
      hook.enable();
      let sends: Promise<void>[];
      try {
        sends = Array.from({ length: 200 }, (_, i) => transport.send(notification(i)));
        await Promise.all(sends);
        await new Promise(resolve => setImmediate(resolve));
      } finally {
        hook.disable();
      }
      // A callback of its own per write had Node's stream schedule a tick per message: 200 (session 13).
      assert.ok(ticks <= 10, `${ticks} ticks scheduled for 200 messages sent at once`);
    } finally {
      await transport.close();
    }
  });

  it('fails the sends waiting for the pipe to drain when the server exits without reading them', async () => {
    // A server that never reads its stdin, then exits.
    const transport = new StdioProcessTransport({ command: process.execPath, args: ['-e', 'setTimeout(() => process.exit(0), 500)'], env: { ...process.env } as Record<string, string> }, { grace });
    transport.onerror = () => undefined;
    await transport.start();
    try {
      const pad = 'x'.repeat(64 * 1024);
      // Past the pipe's buffer and the stream's high-water mark: the last sends wait for 'drain', which never comes.
      const sends = Array.from({ length: 64 }, (_, i) => transport.send(notification(i, pad)).then(() => 'sent', (err: Error) => err.message));
      const outcomes = await Promise.race([Promise.all(sends), new Promise<string[]>(resolve => setTimeout(() => resolve(['hung']), 10_000))]);
      assert.notDeepStrictEqual(outcomes, ['hung'], 'a send waiting for the pipe hung after the server exited');
      const failed = outcomes.filter(o => o !== 'sent');
      assert.ok(failed.length > 0, 'some sends had to wait for the pipe');
      for (const message of failed) assert.match(message, /Not connected: the server process has exited/);
    } finally {
      await transport.close();
    }
  });
});
