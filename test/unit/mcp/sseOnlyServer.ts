import * as http from 'http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';

/**
 * A server that speaks only the older HTTP+SSE transport (protocol 2024-11-05 era): GET /sse opens the
 * stream, POST /messages carries requests, and a POST to /sse is refused with 405, as old servers do.
 */
export async function startSseOnlyServer(): Promise<{ url: string; close(): Promise<void> }> {
  const transports = new Map<string, SSEServerTransport>();
  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      transports.set(transport.sessionId, transport);
      res.on('close', () => transports.delete(transport.sessionId));
      const server = new McpServer({ name: 'sse-only', version: '1.0.0' });
      server.registerTool('ping_sse', { description: 'answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
      await server.connect(transport);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      const transport = transports.get(url.searchParams.get('sessionId') ?? '');
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(405).end();
  });
  await new Promise<void>(resolve => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as import('net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    close: () =>
      new Promise(resolve => {
        for (const t of transports.values()) void t.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
