import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { Commands } from '../ids';
import type { ServerEntry } from '../mcp/registry';
import type { McpHost } from '../workspace/mcpHost';
import { serverDescription, ServerNode } from '../ui/tree/serversView';

/** A command's target: a tree node, a server name (from code or tests), or nothing (then we ask). */
type ServerArg = ServerNode | string | undefined;

async function pickServer(host: McpHost, arg: ServerArg, placeHolder: string, filter: (e: ServerEntry) => boolean = () => true): Promise<ServerEntry | undefined> {
  if (arg instanceof ServerNode) return host.registry.get(arg.name);
  if (typeof arg === 'string') return host.registry.get(arg);
  const entries = host.registry.servers.filter(filter);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('No MCP server to choose from. Add one to .vscode/mcp.json, or run "MCP Host: Import MCP Servers…".');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map(e => ({ label: e.name, description: serverDescription(e), detail: e.definition?.origin.label ?? 'invalid entry', entry: e })),
    { placeHolder },
  );
  return picked?.entry;
}

export function registerServerCommands(store: DisposableStore, host: McpHost): void {
  const reg = (id: string, fn: (...args: never[]) => unknown) => store.add(vscode.commands.registerCommand(id, fn));

  reg(Commands.startServer, async (arg: ServerArg) => {
    const e = await pickServer(host, arg, 'Start which MCP server?', e => e.connection.state.kind !== 'running');
    if (e) await host.registry.start(e.name, true);
  });
  reg(Commands.stopServer, async (arg: ServerArg) => {
    const e = await pickServer(host, arg, 'Stop which MCP server?', e => e.connection.state.kind === 'running' || e.connection.state.kind === 'starting' || e.connection.state.kind === 'error');
    if (e) await host.registry.stop(e.name);
  });
  reg(Commands.restartServer, async (arg: ServerArg) => {
    const e = await pickServer(host, arg, 'Restart which MCP server?');
    if (e) await host.registry.restart(e.name, true);
  });
  reg(Commands.showLog, async (arg: ServerArg) => {
    const e = await pickServer(host, arg, 'Show the log of which MCP server?');
    if (e) host.showLog(e.name);
  });
  reg(Commands.openServerConfig, async (arg: ServerArg) => {
    const e = await pickServer(host, arg, 'Open the config of which MCP server?');
    if (e) await openServerConfig(e);
  });
  reg(Commands.resetServerTrust, async () => {
    await host.trust.reset();
    void vscode.window.showInformationMessage('MCP Host forgot every server approval. Workspace servers will ask again before they next start.');
  });
  reg(Commands.clearInputs, async () => {
    const n = await host.inputs.clear();
    void vscode.window.showInformationMessage(n ? `MCP Host forgot ${n} stored input value${n === 1 ? '' : 's'}. Servers will ask again when they next start.` : 'MCP Host had no stored input values.');
  });
}

/** Opens the file that defines a server, at its entry (or at its first problem when the entry is invalid). */
export async function openServerConfig(entry: ServerEntry): Promise<void> {
  const located = entry.definition?.origin.file ? { file: entry.definition.origin.file, range: entry.definition.range } : entry.problems.find(p => p.file);
  if (!located?.file) {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    return;
  }
  const range = located.range;
  await vscode.window.showTextDocument(vscode.Uri.file(located.file), {
    ...(range ? { selection: new vscode.Range(range.start.line, range.start.character, range.start.line, range.start.character) } : {}),
  });
}
