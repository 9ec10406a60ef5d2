import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import { Commands, Settings } from '../../../src/ids';
import type { McpHost } from '../../../src/workspace/mcpHost';
import type { ServerNode, TreeNode } from '../../../src/ui/tree/nodes';
import type { ServersTreeProvider } from '../../../src/ui/tree/serversView';
import { OAUTH_SCOPES, startOAuthFixture, type OAuthFixture } from '../../fixtures/lib/oauthServer';
import { activateHost, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';
import { ask, buttons, newChat, scriptedModel } from '../chat/chatUtil';

/**
 * Signing in to a remote server in the real extension host: an authorization server and an MCP server on the
 * v2 server SDK that checks bearer tokens, both on loopback (test/fixtures/lib/oauthServer.ts). The harness
 * is the browser: ScriptedDialogs agrees to the host it is shown and follows the authorization URL headlessly,
 * whose redirect reaches the extension's loopback listener.
 */
describe('remote servers: sign-in', function () {
  this.timeout(90_000);
  let api: Required<McpHostApi>;
  let host: McpHost;
  let provider: ServersTreeProvider;
  let fixture: OAuthFixture;
  const dialogs = new ScriptedDialogs();
  const state = () => host.registry.get('remote')?.connection.state;
  const item = async () => {
    const node = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'remote') as ServerNode | undefined;
    assert.ok(node, 'the server is in the tree');
    return { node, item: provider.getTreeItem(node) };
  };
  const whoami = () => host.gate.call({ server: 'remote', tool: 'whoami', args: {}, origin: 'palette' });

  before(async () => {
    // The fixture runs in this extension host and loads zod from node_modules, which probes `navigator`;
    // the extension's own bundle has that probe patched out (esbuild.js).
    expectLogEntry(/'PendingMigrationError' is deprecated/);
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    provider = api.serversView.provider;
    fixture = await startOAuthFixture();
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { remote: { type: 'http', url: fixture.url } } }));
  });

  after(async () => {
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: {} }));
    await until(() => !host.registry.get('remote'), 'the server to go');
    await fixture.close();
  });

  it('a server answering 401 shows "needs sign-in" with the host, a Sign In action and a status-bar count; nothing opened', async () => {
    const s = await until(() => (state()?.kind === 'needsSignIn' ? state() : undefined), 'needs sign-in');
    assert.ok(s.kind === 'needsSignIn');
    const issuerHost = new URL(fixture.issuer).host;
    assert.strictEqual(s.host, issuerHost);
    assert.deepStrictEqual(s.scopes, OAUTH_SCOPES);
    const { node, item: server } = await item();
    assert.strictEqual(server.description, `needs sign-in · ${issuerHost}`);
    // Never signed in: nothing to sign out of, so no Sign Out (walk16; it was offered for every remote server).
    assert.strictEqual(server.contextValue, 'server.needsSignIn signIn showLog openConfig');
    assert.strictEqual(server.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const children = (await provider.getChildren(node)) as TreeNode[];
    const signIn = children.map(c => provider.getTreeItem(c)).find(i => i.command?.command === Commands.signIn);
    assert.ok(signIn, 'a "Sign in at …" child runs Sign In');
    assert.match(api.statusBar.text, /\$\(account\) 1$/);
    assert.strictEqual(dialogs.signInsAsked.length, 0, 'no sign-in was started without the user');
    assert.strictEqual(fixture.counts.authorize + fixture.counts.register, 0);
  });

  it('@mcp /servers in chat lists it as needing sign-in, with a Sign In link on its line; nothing opened', async () => {
    const model = await scriptedModel();
    await newChat();
    const t = await ask(api, model, '@mcp /servers');
    // Markdown-escaped, as every server-derived text in chat: `needs sign\-in · 127\.0\.0\.1\:port`; the server's
    // actions are links at the end of its line (07a52e7), Sign In first.
    assert.match(t.text(), /^- \*\*remote\*\* — needs sign\\-in · 127\\\.0\\\.0\\\.1\\:\d+ · .* — \[Sign In\]\(command:mcpHost\.signIn\?([^)\s]+)\)/m, t.text());
    const query = /\[Sign In\]\(command:mcpHost\.signIn\?([^)\s]+)\)/.exec(t.text())![1]!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(query)), ['remote']);
    assert.ok(!buttons(t).some(b => b.command === Commands.signIn), buttons(t).map(b => b.title).join(', '));
    assert.strictEqual(model.requests.length, 0, 'no model request');
    assert.strictEqual(dialogs.signInsAsked.length, 0, 'listing it started no sign-in');
    assert.strictEqual(state()?.kind, 'needsSignIn');
  });

  it('Sign In shows the host first, then the server runs and a tool call works', async () => {
    await vscode.commands.executeCommand(Commands.signIn, 'remote');
    assert.strictEqual(state()?.kind, 'running', JSON.stringify(state()));
    assert.strictEqual(dialogs.signInsAsked.length, 1);
    assert.strictEqual(dialogs.signInsAsked[0]!.host, new URL(fixture.issuer).host);
    const outcome = await whoami();
    assert.strictEqual(outcome.kind, 'completed', JSON.stringify(outcome));
    assert.doesNotMatch(api.statusBar.text, /\$\(account\)/);
  });

  it('an expired access token is refreshed with no prompt', async () => {
    fixture.expireAccessTokens();
    const outcome = await whoami();
    assert.strictEqual(outcome.kind, 'completed', JSON.stringify(outcome));
    assert.strictEqual(fixture.counts.refresh, 1);
    assert.strictEqual(dialogs.signInsAsked.length, 1, 'no sign-in asked');
    assert.strictEqual(state()?.kind, 'running');
  });

  it('Sign Out forgets the tokens and returns to "needs sign-in"', async () => {
    await vscode.commands.executeCommand(Commands.signOut, 'remote');
    await until(() => state()?.kind === 'needsSignIn', 'needs sign-in after Sign Out');
    assert.strictEqual(dialogs.signInsAsked.length, 1);
  });

  it('with mcpHost.remote.clientMetadataUrl set, Sign In uses the document URL as the client ID and registers nothing', async () => {
    const documentUrl = 'https://mcp-host.example/oauth/client-metadata.json';
    fixture.publishClientMetadata(documentUrl);
    const settings = vscode.workspace.getConfiguration(Settings.section);
    await settings.update(Settings.remoteClientMetadataUrl, documentUrl, vscode.ConfigurationTarget.Global);
    try {
      const registered = fixture.counts.register;
      await vscode.commands.executeCommand(Commands.signIn, 'remote');
      assert.strictEqual(state()?.kind, 'running', JSON.stringify(state()));
      const outcome = await whoami();
      assert.strictEqual(outcome.kind, 'completed', JSON.stringify(outcome));
      assert.match(JSON.stringify(outcome.kind === 'completed' && outcome.outcome.result.content), /signed in as client https:\/\/mcp-host\.example\/oauth\/client-metadata\.json/);
      assert.strictEqual(fixture.counts.register, registered, 'registered although a metadata document URL was set');
    } finally {
      await settings.update(Settings.remoteClientMetadataUrl, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('no token reaches the extension host logs, the server log or the history file', async () => {
    assert.ok(fixture.issued.length >= 4, 'tokens were issued');
    const files = [...(await filesUnder(path.dirname(api.logUri.fsPath))), host.history.file];
    let read = 0;
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      read += text.length;
      for (const token of fixture.issued) assert.ok(!text.includes(token), `a token in ${file}`);
    }
    assert.ok(read > 0, 'the logs were read');
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}
