import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { safe, type SafeText } from '../common/untrustedText';
import { Commands, MANAGE_TRUST_COMMAND } from '../ids';
import { canBeStarted } from '../mcp/connectionState';
import type { ServerEntry } from '../mcp/registry';
import type { McpHost } from '../workspace/mcpHost';
import { pickServer } from '../ui/serverPick';
import { ServerNode } from '../ui/tree/nodes';
import { entryActions, plural, ServerAction } from '../ui/tree/treeText';
import * as ui from '../ui/window';

/** A command's target: a tree node, a server name (from code or tests), or nothing (then we ask). */
type ServerArg = ServerNode | string | undefined;

/** The server a command acts on: the one given, else one picked among those `filter` lets through. */
async function targetServer(host: McpHost, arg: ServerArg, placeHolder: SafeText, filter: (entry: ServerEntry) => boolean = () => true): Promise<ServerEntry | undefined> {
  if (arg instanceof ServerNode) return host.registry.get(arg.name);
  if (typeof arg === 'string') return host.registry.get(arg);
  const entries = host.registry.servers.filter(filter);
  if (entries.length === 0) {
    void ui.showInformationMessage(safe`No MCP server to choose from. Add one to .vscode/mcp.json, or run "MCP Host: Import MCP Servers…".`);
    return undefined;
  }
  return pickServer(entries, { placeHolder });
}

/** Whether the status bar's pick and the tree's menu offer `action` for a server: the palette offers the same servers. */
const offers = (action: ServerAction) => (entry: ServerEntry) => entryActions(entry).includes(action);

export function registerServerCommands(store: DisposableStore, host: McpHost): void {
  const reg = (id: string, fn: (...args: never[]) => unknown) => store.add(vscode.commands.registerCommand(id, fn));

  // Start also offers a server that failed (the menu offers Restart for it instead): starting it again is what the user asked for.
  reg(Commands.startServer, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Start which MCP server?`, entry => canBeStarted(entry.connection.state));
    if (!e) return;
    await host.registry.start(e.name, true);
    explainRestricted(e);
  });
  reg(Commands.stopServer, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Stop which MCP server?`, offers('stop'));
    if (e) await host.registry.stop(e.name);
  });
  reg(Commands.restartServer, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Restart which MCP server?`, offers('restart'));
    if (!e) return;
    await host.registry.restart(e.name, true);
    explainRestricted(e);
  });
  reg(Commands.signIn, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Sign in to which MCP server?`, offers('signIn'));
    if (e) await e.connection.signIn();
  });
  reg(Commands.signOut, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Sign out of which MCP server?`, () => true);
    if (!e) return;
    if (!e.connection.signsIn) {
      void ui.showInformationMessage(safe`'${e.name}' has not signed in: there is nothing to sign out of.`);
      return;
    }
    await e.connection.signOut();
    void ui.showInformationMessage(safe`Signed out of '${e.name}': its tokens are forgotten and it is stopped until you sign in again.`);
  });
  reg(Commands.showLog, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Show the log of which MCP server?`);
    if (e) host.showLog(e.name);
  });
  reg(Commands.openServerConfig, async (arg: ServerArg) => {
    const e = await targetServer(host, arg, safe`Open the config of which MCP server?`);
    if (e) await openServerConfig(e);
  });
  reg(Commands.resetServerTrust, async () => {
    await host.trust.reset();
    await host.forgetSamplingAnswers();
    void ui.showInformationMessage(safe`MCP Host forgot every server approval. Workspace servers will ask again before they next start, and servers ask again before they use your language model.`);
  });
  reg(Commands.clearInputs, async () => {
    const n = await host.inputs.clear();
    void ui.showInformationMessage(n ? safe`MCP Host forgot ${plural(n, 'stored input value')}. Servers will ask again when they next start.` : safe`MCP Host had no stored input values.`);
  });
}

/**
 * Start (or Restart) on a workspace server in Restricted Mode changes nothing, which looked like a button that does
 * nothing: say why, with the way out. Not awaited: the command ends when the server's state is settled.
 */
function explainRestricted(entry: ServerEntry): void {
  const state = entry.connection.state;
  if (state.kind !== 'blocked' || state.reason !== 'workspaceUntrusted') return;
  const manage = 'Manage Workspace Trust';
  const said =
    entry.definition?.origin.kind === 'userSettings'
      ? safe`'${entry.name}' uses \${workspaceFolder}, and this workspace is in Restricted Mode: MCP Host starts it once you trust the workspace.`
      : safe`'${entry.name}' is defined by this workspace, which is in Restricted Mode: MCP Host starts its servers once you trust it.`;
  void ui.showInformationMessage(said, manage).then(answer => {
    if (answer === manage) void vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
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
