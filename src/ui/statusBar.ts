import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { MicrotaskBatch } from '../common/event';
import { escapeMarkdown, safe, type SafeText } from '../common/untrustedText';
import { describeState } from '../mcp/connectionState';
import type { ServerRegistry } from '../mcp/registry';
import { Commands } from '../ids';
import { untrustedMarkdown } from './markdown';
import { pickServer } from './serverPick';
import * as ui from './window';
import { entryActions, ServerAction, serverDescription, stateIconOf, summarizeServers } from './tree/treeText';

/**
 * "$(plug) MCP 3/4": how many servers run, with the error count and a warning background when any failed.
 * Hidden when nothing is configured. Clicking it lists the servers; choosing one offers what can be done.
 */
export function registerStatusBar(store: DisposableStore, registry: ServerRegistry): vscode.StatusBarItem {
  const item = store.add(vscode.window.createStatusBarItem('mcpHost.status', vscode.StatusBarAlignment.Left, 50));
  item.name = 'MCP Host Servers';
  item.command = Commands.showServers;
  const update = () => {
    const servers = [...registry.servers].sort((a, b) => a.name.localeCompare(b.name));
    const summary = summarizeServers(servers);
    if (summary.total === 0) {
      item.text = '';
      item.hide();
      return;
    }
    item.text = summary.text;
    item.backgroundColor = summary.errors ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = untrustedMarkdown();
    const signIns = summary.needsSignIn ? `, ${summary.needsSignIn} need${summary.needsSignIn === 1 ? 's' : ''} sign-in` : '';
    md.appendMarkdown(`**MCP servers**: ${summary.running} of ${summary.total} running${summary.errors ? `, ${summary.errors} failed` : ''}${signIns}\n\n`);
    for (const e of servers) md.appendMarkdown(`$(${stateIconOf(e.connection.state).id}) ${escapeMarkdown(e.name)} — ${escapeMarkdown(serverDescription(e))}\n\n`);
    md.appendMarkdown('Click to manage a server.');
    item.tooltip = md;
    item.accessibilityInformation = { label: `MCP servers: ${summary.running} of ${summary.total} running${summary.errors ? `, ${summary.errors} failed` : ''}${signIns}` };
    item.show();
  };
  // The registry fires a state change and a tool change for one event: render once for both.
  const { schedule } = store.add(new MicrotaskBatch(update));
  store.add(registry.onDidChangeServers(schedule));
  store.add(registry.onDidChangeState(schedule));
  store.add(registry.onDidChangeTools(schedule));
  update();
  store.add(vscode.commands.registerCommand(Commands.showServers, () => showServers(registry)));
  return item;
}

const ACTIONS: Record<ServerAction, { label: SafeText; command: string }> = {
  signIn: { label: safe`$(account) Sign In`, command: Commands.signIn },
  start: { label: safe`$(debug-start) Start`, command: Commands.startServer },
  stop: { label: safe`$(debug-stop) Stop`, command: Commands.stopServer },
  restart: { label: safe`$(debug-restart) Restart`, command: Commands.restartServer },
  showLog: { label: safe`$(output) Show Log`, command: Commands.showLog },
  openConfig: { label: safe`$(go-to-file) Open Config`, command: Commands.openServerConfig },
  signOut: { label: safe`$(sign-out) Sign Out`, command: Commands.signOut },
};

/** Servers with their state; the chosen one's actions, as its context menu in the tree offers them (`serverActions`). */
async function showServers(registry: ServerRegistry): Promise<void> {
  const servers = [...registry.servers].sort((a, b) => a.name.localeCompare(b.name));
  if (servers.length === 0) {
    await vscode.commands.executeCommand(Commands.addServer);
    return;
  }
  const picked = await pickServer(servers, { title: safe`MCP Servers`, placeHolder: safe`Choose a server to start, stop, restart, or inspect` });
  if (!picked) return;
  const state = picked.connection.state;
  const action = await ui.showQuickPick(
    entryActions(picked).map(a => ACTIONS[a]),
    { title: safe`MCP server '${picked.name}' — ${describeState(state)}` },
  );
  if (action) await vscode.commands.executeCommand(action.command, picked.name);
}
