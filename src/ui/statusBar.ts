import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { canBeStarted, describeState } from '../mcp/connectionState';
import type { ServerEntry, ServerRegistry } from '../mcp/registry';
import { Commands } from '../ids';
import { escapeMarkdown, serverDescription, summarizeServers } from './tree/treeText';

const STATE_CODICON: Record<string, string> = {
  running: '$(pass-filled)',
  starting: '$(sync~spin)',
  stopped: '$(circle-outline)',
  error: '$(error)',
  blocked: '$(circle-slash)',
};

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
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown(`**MCP servers**: ${summary.running} of ${summary.total} running${summary.errors ? `, ${summary.errors} failed` : ''}\n\n`);
    for (const e of servers) md.appendMarkdown(`${STATE_CODICON[e.connection.state.kind] ?? ''} ${escapeMarkdown(e.name)} — ${escapeMarkdown(serverDescription(e))}\n\n`);
    md.appendMarkdown('Click to manage a server.');
    item.tooltip = md;
    item.accessibilityInformation = { label: `MCP servers: ${summary.running} of ${summary.total} running${summary.errors ? `, ${summary.errors} failed` : ''}` };
    item.show();
  };
  store.add(registry.onDidChangeServers(update));
  store.add(registry.onDidChangeState(update));
  store.add(registry.onDidChangeTools(update));
  update();
  store.add(vscode.commands.registerCommand(Commands.showServers, () => showServers(registry)));
  return item;
}

type Action = vscode.QuickPickItem & { command: string };

/** Servers with their state; the chosen one's actions (start, stop, restart, log, config). */
async function showServers(registry: ServerRegistry): Promise<void> {
  const servers = [...registry.servers].sort((a, b) => a.name.localeCompare(b.name));
  if (servers.length === 0) {
    await vscode.commands.executeCommand(Commands.addServer);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    servers.map(e => ({ label: `${STATE_CODICON[e.connection.state.kind] ?? ''} ${e.name}`, description: serverDescription(e), detail: e.definition?.origin.label ?? 'invalid entry', entry: e })),
    { title: 'MCP Servers', placeHolder: 'Choose a server to start, stop, restart, or inspect' },
  );
  if (!picked) return;
  const actions = actionsFor(picked.entry);
  const action = await vscode.window.showQuickPick(actions, { title: `MCP server '${picked.entry.name}' — ${describeState(picked.entry.connection.state)}` });
  if (action) await vscode.commands.executeCommand(action.command, picked.entry.name);
}

function actionsFor(entry: ServerEntry): Action[] {
  const state = entry.connection.state;
  const actions: Action[] = [];
  if (canBeStarted(state) && state.kind !== 'error') actions.push({ label: '$(debug-start) Start', command: Commands.startServer });
  if (state.kind === 'running' || state.kind === 'starting' || state.kind === 'error') actions.push({ label: '$(debug-stop) Stop', command: Commands.stopServer });
  if (state.kind !== 'blocked' || canBeStarted(state)) actions.push({ label: '$(debug-restart) Restart', command: Commands.restartServer });
  actions.push({ label: '$(output) Show Log', command: Commands.showLog }, { label: '$(go-to-file) Open Config', command: Commands.openServerConfig });
  return actions;
}
