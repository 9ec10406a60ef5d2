import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as vscode from 'vscode';
import type { CallAgainOutcome, RunToolOutcome } from '../../../src/commands/runTool';
import { Commands } from '../../../src/ids';
import type { AppClosed, AppView } from '../../../src/ui/apps/appPanels';
import type { GroupNode, ServerNode, ToolNode } from '../../../src/ui/tree/nodes';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { frame, shows } from './appFrames';

/**
 * MCP Apps in the real extension host: our counter fixture (servers/app.ts, its UI built on the real
 * `App` class) and the npm example server-basic-vanillajs. The app renders in its sandboxed frame, which
 * the test reaches through the browser; its calls go through the consent gate.
 */
describe('MCP Apps', function () {
  this.timeout(120_000);
  let host: McpHost;
  let api: Awaited<ReturnType<typeof activateHost>>;
  const dialogs = new ScriptedDialogs();
  let counter: AppView | undefined;
  const probe = { requests: 0, server: undefined as http.Server | undefined, url: '' };
  const run = (arg?: object) => vscode.commands.executeCommand<RunToolOutcome>(Commands.runTool, arg);
  const appOf = (outcome: RunToolOutcome): AppView => {
    // Messages name what came back without serialising it: a live view reaches timers and panels (circular).
    assert.strictEqual(outcome.kind, 'sent', `the call ended ${outcome.kind}`);
    const app = (outcome as Extract<RunToolOutcome, { kind: 'sent' }>).app;
    assert.ok(app && 'view' in app, `no app: ${app ? (app as { failed?: string }).failed : 'none opened'}`);
    return app.view;
  };

  before(async () => {
    probe.server = http.createServer((_req, res) => {
      probe.requests++;
      res.writeHead(200, { 'access-control-allow-origin': '*' });
      res.end('probe');
    });
    await new Promise<void>(resolve => probe.server!.listen(0, '127.0.0.1', resolve));
    probe.url = `http://127.0.0.1:${(probe.server.address() as AddressInfo).port}/probe`;
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    const node = process.execPath;
    const fixture = (name: string) => repoPath('out', 'test', 'fixtures', 'servers', `${name}.js`);
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          app: { type: 'stdio', command: node, args: [fixture('app')] },
          // The same app, declaring the probe's origin: the control for the CSP test.
          'app-open': { type: 'stdio', command: node, args: [fixture('app'), '--connect-domain', new URL(probe.url).origin] },
          other: { type: 'stdio', command: node, args: [fixture('paging')] },
          basic: { type: 'stdio', command: node, args: [repoPath('node_modules', '@modelcontextprotocol', 'server-basic-vanillajs', 'dist', 'index.js'), '--stdio'] },
        },
      }),
    );
    await until(() => ['app', 'app-open', 'other', 'basic'].every(s => host.registry.get(s)?.connection.state.kind === 'running'), 'the servers to run', 60_000);
  });

  after(async () => {
    await api.apps.closeAll();
    await new Promise(resolve => probe.server?.close(resolve));
  });

  beforeEach(() => {
    dialogs.toolCallAnswer = 'once';
    dialogs.toolCallsAsked.length = 0;
    dialogs.picks = [];
    dialogs.argumentAnswers = {};
    dialogs.pickRequests.length = 0;
    dialogs.cancelAfterProgress = undefined;
  });

  it('marks tools with an app in the pick, from the nested and the deprecated flat key', async () => {
    dialogs.picks = [];
    const outcome = await run();
    assert.strictEqual(outcome.kind, 'dismissed');
    const items = dialogs.pickRequests[0]!.groups.find(g => g.label === 'app')!.items;
    const description = (label: string) => items.find(i => i.label === label)?.description ?? '';
    assert.match(description('Show Counter'), /\$\(window\) app/);
    assert.match(description('show_counter_flat'), /\$\(window\) app/);
    assert.doesNotMatch(description('increment'), /app/);
  });

  it('renders the app in its sandboxed frame beside the result, and sends it the input and the result', async () => {
    dialogs.argumentAnswers = { probeUrl: [probe.url] };
    const view = appOf(await run({ server: 'app', tool: 'show_counter' }));
    counter = view;
    await view.session.ready;
    assert.strictEqual(await shows('#status', /^connected$/), 'connected');
    assert.strictEqual(await shows('#result', /Counter at/), 'Counter at 0');
    assert.deepStrictEqual(JSON.parse((await frame('#input')) ?? '{}'), { probeUrl: probe.url });
    assert.match((await frame('#theme')) ?? '', /^(light|dark)$/);
    // Only the honest declarations are applied; the rest is shown to the user as ignored.
    assert.deepStrictEqual(view.resource.policy.permissions, ['clipboardWrite']);
    assert.deepStrictEqual(view.resource.policy.csp.connectDomains, []);
    assert.match(view.panel.webview.html, /Permissions: Write to the clipboard/);
    assert.match(view.panel.webview.html, /Ignored \(not allowed\):.*unsafe-eval.*usb/s);
    assert.match(view.panel.webview.html, /connect-src &#39;none&#39;/);
    assert.match(view.panel.webview.html, /object-src &#39;none&#39;/);
  });

  it('sends an app-visible tool call through the consent gate, with origin "app"', async () => {
    dialogs.toolCallAnswer = 'deny';
    await frame('#increment', 'click');
    await shows('#call', /^error: Denied by user/);
    const asked = await until(() => dialogs.toolCallsAsked.find(r => r.tool === 'increment'), 'the consent question');
    assert.strictEqual(asked.origin, 'app');
    assert.strictEqual(asked.server, 'app');

    dialogs.toolCallAnswer = 'once';
    await frame('#increment', 'click');
    assert.strictEqual(await shows('#call', /^ok:/), 'ok: Count is 1');
    assert.strictEqual(await frame('#count'), '1');
    const history = await host.history.list();
    const calls = history.filter(h => h.server === 'app' && h.tool === 'increment');
    assert.deepStrictEqual(calls.map(h => [h.origin, h.outcome]).sort(), [['app', 'completed'], ['app', 'denied']]);
  });

  it('refuses a call to another server’s tool and to a model-only tool, without asking', async () => {
    const before = (await host.history.list()).length;
    await frame('#cross', 'click');
    assert.match(await shows('#call', /^refused:/), /only call tools of its own server \('app'\)/);
    await frame('#model-only', 'click');
    assert.match(await shows('#call', /^refused:.*model_only/), /not visible to apps/);
    assert.deepStrictEqual(dialogs.toolCallsAsked, []);
    // Neither reached the gate's record: the other server's echo was never called.
    assert.strictEqual((await host.history.list()).filter(h => h.tool === 'echo').length, 0);
    assert.ok((await host.history.list()).length - before <= 1);
  });

  it('keeps app-only tools from the model: the gate refuses them for chat and language-model calls', async () => {
    for (const origin of ['chat', 'languageModel'] as const) {
      const result = await host.gate.call({ server: 'app', tool: 'increment', args: { by: 5 }, origin });
      assert.strictEqual(result.kind, 'failed');
      assert.match(result.kind === 'failed' ? result.message : '', /only for its server's app/);
    }
    assert.deepStrictEqual(dialogs.toolCallsAsked, []);
  });

  it('refuses ui/message from an app opened from the palette, with a clear note, and tells the user once (walk16)', async () => {
    const shown = api.shownTexts!.length;
    await frame('#message', 'click');
    assert.match(await shows('#call', /^message refused:/), /opened outside chat/);
    // An app that ignores the refusal (ext-apps' basic examples) showed nothing at all: the user is told why.
    await frame('#message', 'click');
    await shows('#call', /^message refused:/);
    const told = api.shownTexts!.slice(shown).filter(t => /asked to send a message to chat/.test(t.text));
    assert.deepStrictEqual(
      told.map(t => [t.kind, t.text]),
      [['information', "The app of 'Show Counter' on 'app' asked to send a message to chat, but it was opened from the Command Palette or the sidebar, so there is no chat to send it to. Run the tool from @mcp in the Chat view to use that."]],
    );
  });

  it('blocks a fetch to a host the app did not declare (CSP), and allows one it declared', async () => {
    const before = probe.requests;
    await frame('#fetch', 'click');
    assert.match(await shows('#fetch-result', /^blocked:/), /blocked:/);
    assert.match(await shows('#violations', /connect-src/), new RegExp(`connect-src ${probe.url.replace(/[.]/g, '\\.')}`));
    assert.strictEqual(probe.requests, before, 'the blocked fetch reached the probe server');

    // The control: the same app from a server that declares the probe's origin in connectDomains.
    counter?.panel.dispose();
    dialogs.argumentAnswers = { probeUrl: [probe.url] };
    const view = appOf(await run({ server: 'app-open', tool: 'show_counter' }));
    await view.session.ready;
    assert.deepStrictEqual(view.resource.policy.csp.connectDomains, [new URL(probe.url).origin]);
    await shows('#input', /probe/);
    await frame('#fetch', 'click');
    assert.strictEqual(await shows('#fetch-result', /^fetched|^blocked/), 'fetched: 200');
    assert.strictEqual(probe.requests, before + 1);
    view.panel.dispose();
  });

  it('does not render a ui:// resource that is not of the MCP App MIME type', async () => {
    const outcome = await run({ server: 'app', tool: 'wrong_mime' });
    assert.strictEqual(outcome.kind, 'sent');
    const app = (outcome as Extract<RunToolOutcome, { kind: 'sent' }>).app;
    assert.ok(app && 'failed' in app, app ? 'the app opened' : 'no app outcome');
    assert.match(app.failed, /MIME type 'text\/html', not 'text\/html;profile=mcp-app'/);
  });

  it('renders a real MCP App from npm (server-basic-vanillajs): its button calls its tool through the gate', async () => {
    const view = appOf(await run({ server: 'basic', tool: 'get-time' }));
    await view.session.ready;
    const first = await shows('#server-time', /\d{4}-\d\d-\d\dT/);
    dialogs.toolCallsAsked.length = 0;
    await new Promise(resolve => setTimeout(resolve, 1_100));
    await frame('#get-time-btn', 'click');
    const asked = await until(() => dialogs.toolCallsAsked.find(r => r.tool === 'get-time'), 'consent for the app’s call');
    assert.strictEqual(asked.origin, 'app');
    await shows('#server-time', new RegExp(`^(?!${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)\\d{4}-`));
  });

  it('asks before opening a link from an app, showing the full URL', async () => {
    dialogs.openLinkAnswer = false;
    await frame('#open-link-btn', 'click');
    const asked = await until(() => dialogs.linksAsked[0], 'the open-link question');
    assert.strictEqual(asked.server, 'basic');
    assert.match(asked.url, /^https?:\/\//);
  });

  it('opens the app as the call starts, with the input, and tells it when the user cancels the call', async () => {
    dialogs.argumentAnswers = { label: ['slow'] };
    // Cancel as soon as the call reports progress: the call is running, no result will come.
    dialogs.cancelAfterProgress = 1;
    const outcome = await run({ server: 'app', tool: 'slow_counter' });
    const view = appOf(outcome);
    assert.strictEqual((outcome as Extract<RunToolOutcome, { kind: 'sent' }>).result.kind, 'cancelled');
    await view.session.ready;
    assert.strictEqual(await shows('#cancelled', /./), 'Cancelled.');
    assert.strictEqual(await shows('#events', /cancelled/), 'input cancelled');
    assert.deepStrictEqual(JSON.parse((await frame('#input')) ?? '{}'), { label: 'slow' });
    assert.strictEqual(await frame('#result'), '');
    view.panel.dispose();
  });

  it('opens the app when its tool is run from the tree', async () => {
    const provider = api.serversView.provider;
    const server = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'app') as ServerNode;
    const tools = (await provider.getChildren(server)).find(n => n.kind === 'group' && n.group === 'tools') as GroupNode;
    const node = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'show_counter') as ToolNode;
    const command = provider.getTreeItem(node).command!;
    const view = appOf((await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []))) as RunToolOutcome);
    await view.session.ready;
    assert.match(await shows('#result', /Counter at/), /^Counter at \d+$/);
    assert.strictEqual(await shows('#events', /result/), 'input result');
    const history = await host.history.list();
    assert.strictEqual(history.find(h => h.tool === 'show_counter')?.origin, 'tree');
  });

  it('Run Again on the result panel opens the app with the new result, as running the tool does (review13 NIT)', async () => {
    const outcome = await run({ server: 'app', tool: 'show_counter' });
    const view = appOf(outcome);
    await view.session.ready;
    const count = Number(/^Counter at (\d+)$/.exec(await shows('#result', /^Counter at \d+$/))![1]);
    // The counter moves between the calls, so the second call's answer differs from the first.
    await frame('#increment', 'click');
    assert.strictEqual(await shows('#call', /^ok: Count is/), `ok: Count is ${count + 1}`);
    const html = (outcome as Extract<RunToolOutcome, { kind: 'sent' }>).html;
    const link = /href="command:mcpHost\.runResultAgain\?([^"]+)"/.exec(html);
    assert.ok(link, 'the result page has no Run Again link');
    const args = JSON.parse(decodeURIComponent(link[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'))) as unknown[];
    dialogs.toolCallsAsked.length = 0;
    const again = await vscode.commands.executeCommand<CallAgainOutcome | undefined>(Commands.runResultAgain, ...args);
    assert.strictEqual(again?.result.kind, 'completed');
    assert.deepStrictEqual(dialogs.toolCallsAsked.map(r => [r.tool, r.origin]), [['show_counter', 'result']], 'Run Again skipped consent');
    const app = again.app;
    assert.ok(app && 'view' in app, `Run Again opened no app: ${app ? (app as { failed: string }).failed : 'none'}`);
    await app.view.session.ready;
    assert.strictEqual(await shows('#result', new RegExp(`^Counter at ${count + 1}$`)), `Counter at ${count + 1}`);
    assert.match(again.html, new RegExp(`Counter at ${count + 1}`));
  });

  describe('teardown', () => {
    const nextClose = () => new Promise<AppClosed>(resolve => {
      const sub = api.apps.onDidClose(e => {
        sub.dispose();
        resolve(e);
      });
    });
    const openCounter = async (server: string) => {
        const view = appOf(await run({ server, tool: 'show_counter' }));
      await view.session.ready;
      await shows('#result', /Counter at/);
      return view;
    };

    it('sends ui/resource-teardown before "Close App" closes the panel', async () => {
      const view = await openCounter('app');
      view.panel.reveal(undefined, false);
      await until(() => view.panel.active, 'the app panel to be active');
      const closed = nextClose();
      assert.strictEqual(await vscode.commands.executeCommand(Commands.closeApp), true);
      assert.deepStrictEqual(await closed, { server: 'app', tool: 'show_counter', reason: 'command', tornDown: true });
    });

    it('sends ui/resource-teardown before closing the app of a server that stops', async () => {
      await openCounter('app-open');
      const closed = nextClose();
      await host.registry.stop('app-open');
      assert.deepStrictEqual(await closed, { server: 'app-open', tool: 'show_counter', reason: 'serverStopped', tornDown: true });
    });

    it('cannot tear down an app whose tab the user closed: VS Code closes the webview first', async () => {
      const view = await openCounter('app');
      view.panel.reveal(undefined, false);
      await until(() => view.panel.active, 'the app panel to be active');
      const closed = nextClose();
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      assert.deepStrictEqual(await closed, { server: 'app', tool: 'show_counter', reason: 'userClosed', tornDown: false });
    });
  });
});
