import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { ApprovalStore } from '../../../src/consent/approvalStore';
import { consentMessage } from '../../../src/consent/consentDialog';
import type { HistoryEntry } from '../../../src/consent/callHistory';
import type { GatedCallResult, ToolCallRequest } from '../../../src/consent/types';
import { Commands, Settings, Views } from '../../../src/ids';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { HistoryTreeProvider, RERUNNABLE } from '../../../src/ui/history/historyView';
import { activateHost, everythingServer, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';

/**
 * Every consent path in the real extension host, against real servers configured in .vscode/mcp.json:
 * server-everything, our paging fixture, and `swap`, which an edit turns from one into the other so
 * that its `echo` tool changes definition under the same name.
 */
describe('consent before each tool call', function () {
  this.timeout(60_000);
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const node = process.execPath;
  const paging = repoPath('out', 'test', 'fixtures', 'servers', 'paging.js');
  const everything = { type: 'stdio', command: node, args: [everythingServer()] };
  const pagingEntry = { type: 'stdio', command: node, args: [paging] };
  const writeConfig = (swap: object) => writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { everything, paging: pagingEntry, swap } }, null, 2));
  const running = (name: string) => host.registry.get(name)?.connection.state.kind === 'running';
  const call = (server: string, tool: string, args: Record<string, unknown> = {}, extra: Partial<ToolCallRequest> = {}) =>
    host.gate.call({ server, tool, args, origin: 'palette', ...extra });
  const ask = (answer: ScriptedDialogs['toolCallAnswer']) => {
    dialogs.toolCallAnswer = answer;
    dialogs.toolCallsAsked.length = 0;
  };
  const completed = (r: GatedCallResult) => {
    assert.strictEqual(r.kind, 'completed', JSON.stringify(r));
    return r as Extract<GatedCallResult, { kind: 'completed' }>;
  };
  const consent = () => vscode.workspace.getConfiguration(`${Settings.section}.consent`);

  before(async () => {
    const api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    await writeConfig(pagingEntry);
    await until(() => running('everything') && running('paging') && running('swap'), 'the three servers to run', 30_000);
  });

  after(async () => {
    await consent().update('autoApproveReadOnly', undefined, vscode.ConfigurationTarget.Global);
    await consent().update('trustedServers', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
  });

  it('"Allow Once" asks before every call', async () => {
    ask('once');
    const first = completed(await call('everything', 'echo', { message: 'one' }));
    assert.match(JSON.stringify(first.outcome.result.content), /one/);
    completed(await call('everything', 'echo', { message: 'two' }));
    assert.strictEqual(dialogs.toolCallsAsked.length, 2);
    const q = dialogs.toolCallsAsked[0]!;
    assert.deepStrictEqual([q.server, q.tool, q.origin, q.annotations.readOnlyHint], ['everything', 'echo', 'palette', true]);
    assert.match(q.serverOrigin, /mcp\.json/);
  });

  it('"Allow for This Session" asks once', async () => {
    ask('session');
    completed(await call('everything', 'get-sum', { a: 1, b: 2 }));
    completed(await call('everything', 'get-sum', { a: 3, b: 4 }));
    assert.strictEqual(dialogs.toolCallsAsked.length, 1);
    assert.deepStrictEqual(
      host.approvals.all().map(a => `${a.server}/${a.tool}:${a.scope}`),
      ['everything/get-sum:session'],
    );
  });

  it('"Always Allow in This Workspace" is kept in workspace state and still holds after a reload', async () => {
    ask('always');
    completed(await call('everything', 'get-tiny-image'));
    completed(await call('everything', 'get-tiny-image'));
    assert.strictEqual(dialogs.toolCallsAsked.length, 1);
    // A new store over the same workspace state is what the next window starts with.
    const reloaded = new ApprovalStore(host.approvals.workspaceState);
    assert.deepStrictEqual(reloaded.all().map(a => `${a.tool}:${a.scope}`), ['get-tiny-image:always']);
  });

  it('Deny returns a clear result, and the server never sees the call', async () => {
    ask('deny');
    const denied = await call('paging', 'mutate', { list: 'tools', action: 'add' });
    assert.deepStrictEqual(denied, { kind: 'denied', message: "Denied by user: 'Mutate lists' on server 'paging' was not called." });
    const [latest] = await host.history.list();
    assert.deepStrictEqual([latest!.tool, latest!.outcome, latest!.durationMs], ['mutate', 'denied', undefined]);
    // The fixture numbers the tools it adds: had the denied call run, this one would add dynamic_tool_2.
    ask('once');
    const added = completed(await call('paging', 'mutate', { list: 'tools', action: 'add' }));
    assert.match(JSON.stringify(added.outcome.result.content), /added dynamic_tool_1;/);
    await until(() => host.registry.get('paging')!.connection.tools.some(t => t.name === 'dynamic_tool_1'), 'the added tool to be listed');
  });

  it('asks again, with what changed, when a server is redefined and its tool changes', async () => {
    ask('always');
    completed(await call('swap', 'echo', { text: 'from paging' }));
    const before = host.registry.get('swap')!.connection;
    await writeConfig(everything);
    await until(() => host.registry.get('swap')?.connection !== before && running('swap'), 'swap to restart as server-everything', 30_000);
    ask('once');
    const result = completed(await call('swap', 'echo', { message: 'from everything' }));
    assert.match(JSON.stringify(result.outcome.result.content), /from everything/);
    assert.strictEqual(dialogs.toolCallsAsked.length, 1, 'the changed tool was not asked about again');
    const changed = dialogs.toolCallsAsked[0]!.changedSince;
    assert.ok(changed, 'the question did not say the tool changed');
    assert.ok(changed.changes.some(c => c.field === 'inputSchema'), JSON.stringify(changed.changes));
    const text = consentMessage(dialogs.toolCallsAsked[0]!);
    // The config entry now runs another program: the approval belonged to the old definition.
    assert.strictEqual(changed.serverRedefined, true);
    assert.match(text.message, /The MCP server 'swap' was redefined since you approved .*echo.*\. Run it\?/);
    assert.match(text.detail, /What changed since you approved it/);
    assert.match(text.detail, /the server's definition in its config/);
    assert.match(text.detail, /description: Echoes `text` back/);
  });

  it('ignores consent settings written in the workspace: a cloned repository cannot pre-approve', async () => {
    await writeFile(
      workspaceFile('.vscode', 'settings.json'),
      JSON.stringify({ 'mcpHost.consent.autoApproveReadOnly': true, 'mcpHost.consent.trustedServers': ['everything', 'paging'] }),
    );
    // Wait until VS Code has read the file (another setting in it would show up; these are application-scoped).
    await until(async () => {
      const text = Buffer.from(await vscode.workspace.fs.readFile(workspaceFile('.vscode', 'settings.json'))).toString();
      return text.includes('autoApproveReadOnly');
    }, 'the workspace settings file');
    await new Promise(r => setTimeout(r, 1500));
    ask('deny');
    assert.strictEqual((await call('everything', 'echo', { message: 'read-only' })).kind, 'denied');
    assert.strictEqual((await call('paging', 'touch_resource', { uri: 'fixture://static/readme.md' })).kind, 'denied');
    assert.strictEqual(dialogs.toolCallsAsked.length, 2, 'a workspace setting skipped the consent dialog');
  });

  it('honours autoApproveReadOnly from the user settings, for read-only tools only', async () => {
    await consent().update('autoApproveReadOnly', true, vscode.ConfigurationTarget.Global);
    try {
      await until(() => consent().inspect('autoApproveReadOnly')?.globalValue === true, 'the user setting');
      ask('deny');
      completed(await call('everything', 'echo', { message: 'auto' }));
      assert.strictEqual(dialogs.toolCallsAsked.length, 0);
      assert.strictEqual((await call('paging', 'mutate', { list: 'tools', action: 'remove' })).kind, 'denied');
      assert.strictEqual(dialogs.toolCallsAsked.length, 1);
      const [latest, previous] = await host.history.list();
      assert.deepStrictEqual(previous!.consent, { asked: false, reason: 'readOnly' });
      assert.deepStrictEqual(latest!.consent, { asked: true, answer: 'deny' });
    } finally {
      await consent().update('autoApproveReadOnly', undefined, vscode.ConfigurationTarget.Global);
    }
    ask('deny');
    assert.strictEqual((await call('everything', 'echo', { message: 'asks again' })).kind, 'denied');
    assert.strictEqual(dialogs.toolCallsAsked.length, 1);
  });

  it('sees a changed consent setting on the very next call (the settings are kept until the configuration changes)', async () => {
    try {
      for (const on of [true, false, true, false]) {
        await consent().update('autoApproveReadOnly', on ? true : undefined, vscode.ConfigurationTarget.Global);
        ask('deny');
        const outcome = await call('everything', 'echo', { message: `auto ${on}` });
        assert.strictEqual(outcome.kind, on ? 'completed' : 'denied', `autoApproveReadOnly ${on}: ${JSON.stringify(outcome)}`);
        assert.strictEqual(dialogs.toolCallsAsked.length, on ? 0 : 1);
      }
    } finally {
      await consent().update('autoApproveReadOnly', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('honours trustedServers from the user settings, for servers the user settings define', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.servers, { mine: everything }, vscode.ConfigurationTarget.Global);
    await consent().update('trustedServers', ['mine', 'everything'], vscode.ConfigurationTarget.Global);
    try {
      await until(() => running('mine'), 'the user-settings server to run', 30_000);
      ask('deny');
      completed(await call('mine', 'get-resource-links', { count: 1 }));
      assert.strictEqual(dialogs.toolCallsAsked.length, 0);
      // 'everything' is defined by the workspace: trusting the name must not trust the repository's server.
      assert.strictEqual((await call('everything', 'get-resource-links', { count: 1 })).kind, 'denied');
      assert.strictEqual(dialogs.toolCallsAsked.length, 1);
    } finally {
      await consent().update('trustedServers', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration(Settings.section).update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('records every call in the history file, and Re-run goes through consent again', async () => {
    const entries = await host.history.list();
    assert.ok(entries.length >= 15, `only ${entries.length} entries`);
    const lines = fs.readFileSync(host.history.file, 'utf8').trimEnd().split('\n');
    assert.strictEqual(lines.length, entries.length, 'the file and the view disagree');
    assert.deepStrictEqual(new Set(entries.map(e => e.outcome)), new Set(['completed', 'denied']));
    const echo = entries.find(e => e.server === 'everything' && e.tool === 'echo' && e.outcome === 'completed') as HistoryEntry;
    ask('once');
    const result = await vscode.commands.executeCommand<GatedCallResult | undefined>(Commands.rerunToolCall, echo);
    assert.ok(result, 're-run sent nothing');
    completed(result);
    assert.strictEqual(dialogs.toolCallsAsked.length, 1, 're-run skipped consent');
    assert.strictEqual(dialogs.toolCallsAsked[0]!.origin, 'history');
    // Named as the pick and the consent dialog name it: title, then name.
    assert.match(dialogs.progress.at(-1)!.title, /^Running 'Echo Tool \(echo\)' on 'everything'$/);
    assert.strictEqual(dialogs.progress.at(-1)!.started, true, 'the call was sent: its progress shows');
    const [rerun] = await host.history.list();
    assert.deepStrictEqual([rerun!.tool, rerun!.origin, rerun!.outcome], ['echo', 'history', 'completed']);
    assert.deepStrictEqual(rerun!.args, echo.args);
    ask('deny');
    const denied = await vscode.commands.executeCommand<GatedCallResult | undefined>(Commands.rerunToolCall, echo);
    assert.strictEqual(denied?.kind, 'denied');
    assert.strictEqual(dialogs.progress.at(-1)!.started, false, 'a denied call never shows "Running"');
    await vscode.commands.executeCommand(`${Views.history}.focus`);
  });

  it('opens a history row: the full result while it is kept, else the recorded details; named as the pick names it (issue 13 item 8)', async () => {
    ask('once');
    completed(await call('everything', 'echo', { message: 'row click' }));
    const provider = new HistoryTreeProvider(host.history);
    const entries = await provider.getChildren();
    const item = provider.getTreeItem(entries[0]!);
    // Title first, then the name, as Run Tool's pick shows it.
    assert.strictEqual(item.label, 'Echo Tool');
    assert.match(String(item.description), /^echo · everything · /);
    assert.strictEqual(item.command?.command, Commands.openToolCall, 'clicking the row does nothing');
    const opened = await vscode.commands.executeCommand<{ shown: string }>(item.command!.command, ...(item.command!.arguments ?? []));
    assert.deepStrictEqual(opened, { shown: 'result' });
    await until(() => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputWebview && t.label === 'MCP: Echo Tool result'), 'the result panel');
    // Only the last 20 calls keep their full result; an older one opens its recorded details.
    while ((await host.history.list()).length <= 21) await call('nope', 'echo');
    const oldest = (await host.history.list()).at(-1)!;
    assert.strictEqual(host.history.resultOf(oldest), undefined, `only ${entries.length} calls in the history`);
    const details = await vscode.commands.executeCommand<{ shown: string; uri: vscode.Uri }>(Commands.openToolCall, { id: oldest.id });
    assert.strictEqual(details?.shown, 'details');
    const text = (await vscode.workspace.openTextDocument(details.uri)).getText();
    assert.ok(text.startsWith('Tool: ') && text.includes(`\nServer: ${oldest.server}\n`), text);
    assert.match(text, /\nConsent: /);
    assert.match(text, /\nArguments.*:\n/);
    // Who asked, in words: never our origin ids ('palette', 'result', 'languageModel', …) (review13 NIT).
    assert.match(text, /\nRequested from: the command palette\n/);
    const tooltip = (provider.getTreeItem(entries[0]!).tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, / · from the command palette/);
    assert.doesNotMatch(tooltip, /from palette/);
    provider.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Manage Tool Approvals revokes the chosen approvals, or all of them', async () => {
    const before = host.approvals.all().map(a => `${a.server}/${a.tool}:${a.scope}`).sort();
    assert.deepStrictEqual(before, ['everything/get-sum:session', 'everything/get-tiny-image:always', 'swap/echo:always']);
    dialogs.revokeChoice = approvals => approvals.filter(a => a.tool === 'get-sum');
    assert.strictEqual(await vscode.commands.executeCommand(Commands.manageToolApprovals), 1);
    assert.deepStrictEqual(host.approvals.all().map(a => a.tool).sort(), ['echo', 'get-tiny-image']);
    ask('once');
    completed(await call('everything', 'get-sum', { a: 1, b: 1 }));
    assert.strictEqual(dialogs.toolCallsAsked.length, 1, 'a revoked approval still applied');
    dialogs.revokeChoice = () => 'all';
    assert.strictEqual(await vscode.commands.executeCommand(Commands.manageToolApprovals), 2);
    assert.deepStrictEqual(new ApprovalStore(host.approvals.workspaceState).all(), []);
  });

  it('shows the history newest first, with an icon per outcome, re-run only where the arguments are known', async () => {
    ask('once');
    await call('paging', 'fail', { mode: 'tool' });
    await call('paging', 'fail', { mode: 'protocol' });
    await call('nope', 'echo', { apiToken: 'tok-999' });
    const provider = new HistoryTreeProvider(host.history);
    const [missing, protocol, toolError] = await provider.getChildren();
    const items = [missing!, protocol!, toolError!].map(e => provider.getTreeItem(e));
    assert.deepStrictEqual(items.map(i => (i.iconPath as vscode.ThemeIcon).id), ['error', 'error', 'warning']);
    assert.deepStrictEqual(items.map(i => i.label), ['echo', 'Fail', 'Fail']);
    assert.match(String(items[2]!.description), /^fail · paging · .* · tool error$/);
    // Masked arguments cannot be re-run from the file, but this window made the call and kept them.
    assert.strictEqual(items[0]!.contextValue, RERUNNABLE);
    const tooltip = (items[0]!.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /No MCP server named 'nope'/);
    assert.doesNotMatch(tooltip, /tok-999/);
    assert.match(tooltip, /\n```json\n\{\n {2}"apiToken": ".*"\n\}\n```$/, 'the arguments are not in a fenced block');
    assert.strictEqual((items[0]!.tooltip as vscode.MarkdownString).isTrusted, false);
    const denied = (await provider.getChildren()).find(e => 'outcome' in e && e.outcome === 'denied')!;
    assert.strictEqual((provider.getTreeItem(denied).iconPath as vscode.ThemeIcon).id, 'circle-slash');
    provider.dispose();
  });

  it('Clear History deletes the file after asking', async () => {
    dialogs.clearHistoryAnswer = false;
    assert.strictEqual(await vscode.commands.executeCommand(Commands.clearHistory), false);
    assert.ok(fs.existsSync(host.history.file));
    dialogs.clearHistoryAnswer = true;
    assert.strictEqual(await vscode.commands.executeCommand(Commands.clearHistory), true);
    assert.ok(!fs.existsSync(host.history.file));
    assert.deepStrictEqual(await host.history.list(), []);
  });

  it('words the dialog loudly for tools that may change things or reach outside', () => {
    const base = { server: 's', serverOrigin: 'User Settings', tool: 'wipe', argumentsText: '{}', origin: 'chat' as const, warnings: [] };
    const destructive = consentMessage({ ...base, annotations: { destructiveHint: true, openWorldHint: false } });
    assert.match(destructive.detail, /may modify or delete data/);
    assert.doesNotMatch(destructive.detail, /outside systems/);
    assert.strictEqual(destructive.readOnly, false);
    const unannotated = consentMessage({ ...base, annotations: {} });
    // Worded as what the server did not say, as the tree shows it (issue 13 item 7).
    assert.match(unannotated.detail, /⚠ No safety hints from the server: it did not say whether this tool only reads, changes or deletes data, or reaches outside systems\. Treat it as if it may\./);
    assert.match(unannotated.detail, /Annotations \(reported by the server, not verified\): none \(no safety hints from the server\)/);
    const unstated = consentMessage({ ...base, annotations: { readOnlyHint: false } });
    assert.match(unstated.detail, /may modify or delete data \(the server did not say it only reads or never deletes\)/);
    assert.match(unstated.detail, /may reach outside systems \(the server did not say it stays inside\)/);
    const readOnly = consentMessage({ ...base, title: 'Wipe', annotations: { readOnlyHint: true }, warnings: ['hidden characters'] });
    assert.strictEqual(readOnly.readOnly, true);
    assert.match(readOnly.message, /'Wipe' \(wipe\) on server 's'/);
    assert.doesNotMatch(readOnly.detail, /modify or delete/);
    assert.match(readOnly.detail, /⚠ hidden characters/);
    const additive = consentMessage({ ...base, annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } });
    assert.match(additive.detail, /⚠ This tool may change data/);
    const contradictory = consentMessage({ ...base, annotations: { readOnlyHint: true, destructiveHint: true } });
    assert.match(contradictory.detail, /may modify or delete data/);
    assert.strictEqual(contradictory.readOnly, false);
    const openWorld = consentMessage({ ...base, annotations: { readOnlyHint: true, openWorldHint: true } });
    assert.match(openWorld.detail, /reaches outside systems/);
  });
});
