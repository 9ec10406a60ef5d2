import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { McpHost } from '../../../src/workspace/mcpHost';
import type { ServerNode } from '../../../src/ui/tree/nodes';
import type { ServersTreeProvider } from '../../../src/ui/tree/serversView';
import { type ResumableServer, startResumableServer } from '../../fixtures/lib/resumableServer';
import { activateHost, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';

/**
 * A remote server whose notification stream drops, in the real extension host: a stateful v2 server on loopback
 * (test/fixtures/lib/resumableServer.ts) cuts the TCP connection under the stream and answers the resumptions 503
 * until told otherwise. The tree says so while the SDK resumes the stream, and "running" once it is back.
 */
describe('remote servers: a dropped stream being resumed', function () {
  this.timeout(60_000);
  let api: Required<McpHostApi>;
  let host: McpHost;
  let provider: ServersTreeProvider;
  let server: ResumableServer;
  const state = () => host.registry.get('resumable')?.connection.state;
  const item = async () => {
    const node = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'resumable') as ServerNode | undefined;
    assert.ok(node, 'the server is in the tree');
    return provider.resolveTreeItem(provider.getTreeItem(node), node);
  };

  before(async () => {
    expectLogEntry(/'PendingMigrationError' is deprecated/);
    api = await activateHost();
    api.setDialogs(new ScriptedDialogs());
    host = api.host;
    provider = api.serversView.provider;
    // The server's `retry`: each resumption 2 s apart, so the five take 10 s, time enough to look.
    server = await startResumableServer({ retryMs: 2_000 });
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { resumable: { type: 'http', url: server.url, protocol: 'legacy' } } }));
  });

  after(async () => {
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: {} }));
    await until(() => !host.registry.get('resumable'), 'the server to go');
    await server.close();
  });

  it('shows "reconnecting" with the attempt in the tree and a spinning status bar while the stream is resumed; a call meanwhile completes; then "running" again', async () => {
    await until(() => state()?.kind === 'running', 'running');
    await until(() => server.openStreams() > 0, 'the notification stream');
    let toolChanges = 0;
    const listener = host.registry.onDidChangeTools(() => toolChanges++);
    try {
      server.refuseStreams(Infinity);
      assert.strictEqual(server.dropStreams(), 1);
      const reconnecting = await until(async () => {
        const i = await item();
        return typeof i.description === 'string' && i.description.startsWith('reconnecting') ? i : undefined;
      }, 'the tree to say reconnecting');
      assert.match(String(reconnecting.description), /^reconnecting · the stream dropped \((in \d+(\.\d)? s, )?attempt [1-5] of 5\)$/);
      assert.strictEqual((reconnecting.iconPath as vscode.ThemeIcon).id, 'sync~spin');
      assert.match(api.statusBar.text, /^\$\(sync~spin\) MCP 1\/1/);
      const tooltip = reconnecting.tooltip as vscode.MarkdownString;
      assert.match(tooltip.value, /its stream is being resumed after the last event received/);
      // Sent meanwhile, and answered: only the stream is down.
      const outcome = await host.gate.call({ server: 'resumable', tool: 'echo', args: {}, origin: 'palette' });
      assert.strictEqual(outcome.kind, 'completed', JSON.stringify(outcome));
      server.refuseStreams(0);
      const back = await until(async () => {
        const i = await item();
        return i.description === 'running · 2 tools' ? i : undefined;
      }, 'the tree to say running again');
      assert.strictEqual((back.iconPath as vscode.ThemeIcon).id, 'circle-filled');
      assert.match(api.statusBar.text, /^\$\(plug\) MCP 1\/1/);
      assert.strictEqual(server.seen.sessions.length, 1, 'resumed in the same session');
      assert.strictEqual(toolChanges, 0, 'the tools were not announced as changed while the stream was resumed');
    } finally {
      listener.dispose();
    }
  });
});
