import * as vscode from 'vscode';
import { DisposableStore } from '../../common/disposable';
import { describeState, ConnectionState } from '../../mcp/connectionState';
import type { ServerEntry, ServerRegistry } from '../../mcp/registry';
import { ContextKeys, Views } from '../../ids';
import { describeDefinition } from '../../workspace/prompts';

/** A server in the tree: its name, where it came from, and its live state. */
export class ServerNode {
  constructor(readonly entry: ServerEntry) {}
  get name(): string {
    return this.entry.name;
  }
}

const STATE_ICON: Record<ConnectionState['kind'], vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed')),
  starting: new vscode.ThemeIcon('loading~spin'),
  stopped: new vscode.ThemeIcon('circle-outline'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  blocked: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

export function serverDescription(entry: ServerEntry): string {
  const state = entry.connection.state;
  if (state.kind === 'running') {
    const n = entry.connection.tools.length;
    return `running · ${n} tool${n === 1 ? '' : 's'}`;
  }
  return describeState(state);
}

/** Server output (instructions, stderr) is untrusted text: shown in code blocks, never as live markdown. */
function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map(m => m[0].length + 1)));
  return `${fence}text\n${text}\n${fence}`;
}

function tooltip(entry: ServerEntry): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  const state = entry.connection.state;
  md.appendMarkdown(`**${escape(entry.name)}** — ${escape(describeState(state))}\n\n`);
  if (entry.definition) {
    md.appendMarkdown(`From ${escape(entry.definition.origin.label)}\n\n`);
    md.appendMarkdown(codeBlock(entry.connection.mask(describeDefinition(entry.definition))));
  }
  if (state.kind === 'error') {
    md.appendMarkdown(`\n\n${escape(state.message)}${state.hint ? `\n\n${escape(state.hint)}` : ''}`);
    if (state.stderrTail.length) md.appendMarkdown(`\n\nLast stderr lines:\n\n${codeBlock(state.stderrTail.join('\n'))}`);
  }
  if (state.kind === 'running' && state.instructions) {
    md.appendMarkdown(`\n\nServer instructions:\n\n${codeBlock(state.instructions.length > 1500 ? `${state.instructions.slice(0, 1500)}…` : state.instructions)}`);
  }
  for (const p of entry.problems) md.appendMarkdown(`\n\n$(warning) ${escape(p.message)}`);
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}

class ServersProvider implements vscode.TreeDataProvider<ServerNode> {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ServerNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly registry: ServerRegistry) {}

  refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  getTreeItem(node: ServerNode): vscode.TreeItem {
    const entry = node.entry;
    const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `server:${entry.name}`;
    item.description = serverDescription(entry);
    item.iconPath = STATE_ICON[entry.connection.state.kind];
    item.tooltip = tooltip(entry);
    item.contextValue = `server.${entry.connection.state.kind}`;
    return item;
  }

  getChildren(node?: ServerNode): ServerNode[] {
    if (node) return [];
    return this.registry.servers.map(e => new ServerNode(e)).sort((a, b) => a.name.localeCompare(b.name));
  }

  dispose(): void {
    this._onDidChangeTreeData.dispose();
  }
}

export function registerServersView(store: DisposableStore, registry: ServerRegistry): vscode.TreeView<ServerNode> {
  const provider = store.add(new ServersProvider(registry));
  const view = store.add(vscode.window.createTreeView(Views.servers, { treeDataProvider: provider, showCollapseAll: true }));
  const update = () => {
    provider.refresh();
    void vscode.commands.executeCommand('setContext', ContextKeys.hasServers, registry.servers.length > 0);
  };
  store.add(registry.onDidChangeServers(update));
  store.add(registry.onDidChangeState(update));
  store.add(registry.onDidChangeTools(update));
  update();
  return view;
}
