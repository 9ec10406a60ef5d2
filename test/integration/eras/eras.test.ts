import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { RunToolOutcome } from '../../../src/commands/runTool';
import { Commands } from '../../../src/ids';
import { HistoryTreeProvider, RUNNING } from '../../../src/ui/history/historyView';
import type { ServerNode } from '../../../src/ui/tree/nodes';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';

const fixture = (name: string) => repoPath('out', 'test', 'fixtures', 'servers', `${name}.js`);

/**
 * Both eras of MCP in the real extension host: a 2026-07-28 server (the modern fixture, on the v2 server SDK,
 * refusing the 2025 handshake) and a 2025-11-25 one (the paging fixture, SDK 1.32), side by side.
 */
describe('both protocol eras', function () {
  this.timeout(90_000);
  let api: Required<McpHostApi>;
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const run = (arg: object) => vscode.commands.executeCommand<RunToolOutcome>(Commands.runTool, arg);
  const tooltipOf = async (name: string) => {
    const provider = api.serversView.provider;
    const node = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === name) as ServerNode | undefined;
    assert.ok(node, `no tree node for ${name}`);
    // The tooltip is Markdown with server text escaped; read it as the user sees it.
    return (provider.resolveTreeItem(provider.getTreeItem(node), node).tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
  };
  const texts = (outcome: RunToolOutcome) => {
    assert.strictEqual(outcome.kind, 'sent', JSON.stringify(outcome));
    return (outcome as Extract<RunToolOutcome, { kind: 'sent' }>).view.content.map(c => (c.kind === 'text' ? c.text : c.kind));
  };

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          modern: { command: process.execPath, args: [fixture('modern')] },
          legacy: { command: process.execPath, args: [fixture('paging')] },
          tasks: { command: process.execPath, args: [fixture('tasks')] },
        },
      }),
    );
    await until(() => ['modern', 'legacy', 'tasks'].every(n => host.registry.get(n)?.connection.state.kind === 'running'), 'the servers to run', 45_000);
  });

  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('runs each server in its era and shows the negotiated version in its tooltip', async () => {
    const modern = host.registry.get('modern')!.connection.state;
    const legacy = host.registry.get('legacy')!.connection.state;
    assert.ok(modern.kind === 'running' && legacy.kind === 'running');
    assert.deepStrictEqual([modern.era, modern.protocolVersion], ['modern', '2026-07-28']);
    assert.deepStrictEqual([legacy.era, legacy.protocolVersion], ['legacy', '2025-11-25']);
    assert.match(await tooltipOf('modern'), /protocol 2026-07-28 \(modern, (probed|remembered)\)/);
    assert.match(await tooltipOf('legacy'), /protocol 2025-11-25 \(legacy, (probed|remembered)\)/);
  });

  it('runs a tool on each from the palette, through consent', async () => {
    const before = dialogs.toolCallsAsked.length;
    dialogs.argumentAnswers = { text: ['from the palette'] };
    assert.deepStrictEqual(texts(await run({ server: 'modern', tool: 'echo' })), ['from the palette']);
    dialogs.argumentAnswers = { text: ['from the palette'] };
    assert.strictEqual(texts(await run({ server: 'legacy', tool: 'echo' }))[0], 'from the palette');
    assert.strictEqual(dialogs.toolCallsAsked.length - before, 2, 'each call asked for consent');
  });

  it('brings an input_required elicitation to the user through the same elicitation dialog a legacy elicitation/create gets', async () => {
    dialogs.elicitationsAsked.length = 0;
    dialogs.elicitationChoices = ['accept'];
    // `question` is the tool's own argument; `name` is the field of the form the server asks for in its input_required result.
    dialogs.argumentAnswers = { question: ['Who are you?'], name: ['Ada Lovelace'] };
    assert.deepStrictEqual(texts(await run({ server: 'modern', tool: 'ask_user' })), ['Hello, Ada Lovelace!']);
    assert.deepStrictEqual(dialogs.elicitationsAsked, [{ mode: 'form', server: 'modern', message: 'Who are you?', fields: ['name'] }]);

    dialogs.elicitationChoices = ['decline'];
    dialogs.argumentAnswers = { question: ['Who are you?'] };
    assert.deepStrictEqual(texts(await run({ server: 'modern', tool: 'ask_user' })), ['the user chose decline']);
  });

  it('refreshes an open resource of the modern server through subscriptions/listen', async () => {
    const resource = 'modern://counter';
    const uri = (await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.openResource, { server: 'modern', uri: resource }))!;
    const doc = await until(() => vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString()), 'the resource document');
    const first = doc.getText();
    assert.match(first, /version \d+/);
    // The listen stream opens when the document subscribes; touching until the update arrives covers its opening.
    await until(async () => {
      await host.gate.call({ server: 'modern', tool: 'touch_resource', args: { uri: resource }, origin: 'tree' });
      return doc.getText() !== first;
    }, 'the open document to show the new version', 20_000);
    assert.match(doc.getText(), /version \d+/);
  });

  it('runs a legacy tool the server makes a task: status in the notification and a running history row that cancels; the result opens from the history', async () => {
    const provider = new HistoryTreeProvider(host.history);
    try {
      // A long task, cancelled from its history row.
      dialogs.argumentAnswers = { ms: ['60000'] };
      const long = run({ server: 'tasks', tool: 'task_job' });
      const running = await until(() => host.history.runningTasks().find(c => c.server === 'tasks'), 'a running task row', 30_000);
      const [top] = await provider.getChildren();
      const item = provider.getTreeItem(top!);
      assert.strictEqual(item.contextValue, RUNNING);
      assert.match(String(item.description), /task_job|tasks/);
      assert.match(String(item.description), /working/);
      assert.strictEqual(await vscode.commands.executeCommand(Commands.cancelToolCall, { id: running.id }), true);
      const cancelled = await long;
      assert.strictEqual(cancelled.kind === 'sent' && cancelled.result.kind, 'cancelled', JSON.stringify(cancelled));
      const [entry] = await host.history.list();
      assert.deepStrictEqual([entry!.tool, entry!.outcome, entry!.taskId], ['task_job', 'cancelled', running.task.taskId]);
      assert.deepStrictEqual(host.history.runningTasks(), []);

      // A short one: its steps reach the notification, and its result is kept to open from the history.
      dialogs.argumentAnswers = { ms: ['1500'] };
      const done = await run({ server: 'tasks', tool: 'task_job' });
      assert.deepStrictEqual(texts(done), ['job done after 1500 ms']);
      assert.ok(dialogs.progress.at(-1)!.messages.some(m => /^Task working: step \d\/4$/.test(m)), JSON.stringify(dialogs.progress.at(-1)));
      const [finished] = await host.history.list();
      assert.strictEqual(finished!.outcome, 'completed');
      assert.match(finished!.taskId ?? '', /\S/);
      const opened = await vscode.commands.executeCommand<{ shown: string }>(Commands.openToolCall, { id: finished!.id });
      assert.strictEqual(opened.shown, 'result');
    } finally {
      provider.dispose();
    }
  });
});
