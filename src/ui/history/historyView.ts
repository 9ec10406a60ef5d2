import * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import type { CallHistory, ConsentRecord, HistoryEntry, RunningCall } from '../../consent/callHistory';
import { originLabel } from '../../consent/origins';
import { Commands, Views } from '../../ids';
import { untrustedMarkdown } from '../markdown';
import { codeBlock, escapeMarkdown, plainLabel } from '../../common/untrustedText';
import { toolNamed } from '../tree/treeText';
import { taskStatusText } from '../../mcp/taskStatus';

/** `contextValue` of an entry whose arguments are known exactly, so it can be re-run. */
export const RERUNNABLE = 'toolCall.rerunnable';
/** `contextValue` of a call still running as a task: it can be cancelled. */
export const RUNNING = 'toolCall.running';

/** A row of the view: a recorded call, or one still running as a task. */
export type HistoryRow = HistoryEntry | RunningCall;

function isRunning(row: HistoryRow): row is RunningCall {
  return 'task' in row;
}

const OUTCOME: Record<HistoryEntry['outcome'], { icon: string; color?: string; label: string }> = {
  completed: { icon: 'pass', color: 'testing.iconPassed', label: 'Completed' },
  denied: { icon: 'circle-slash', color: 'disabledForeground', label: 'Denied' },
  cancelled: { icon: 'debug-stop', color: 'disabledForeground', label: 'Cancelled' },
  failed: { icon: 'error', color: 'errorForeground', label: 'Failed' },
};

const CONSENT: Record<string, string> = {
  once: 'allowed once',
  session: 'allowed for this session',
  always: 'always allowed in this workspace',
  deny: 'denied',
  trustedServer: 'server trusted in user settings',
  readOnly: 'read-only, auto-approved in user settings',
  approvedForSession: 'approved earlier for this session',
  approvedInWorkspace: 'approved earlier for this workspace',
};

export function describeConsent(consent: ConsentRecord | undefined): string {
  if (!consent) return 'not asked (the call could not be made)';
  return consent.asked ? `asked: ${CONSENT[consent.answer]}` : `not asked: ${CONSENT[consent.reason]}`;
}

function tooltip(entry: HistoryEntry, rerunnable: boolean): vscode.MarkdownString {
  // Everything here came from a server or its user's arguments.
  const md = untrustedMarkdown();
  const outcome = entry.outcome === 'completed' && entry.isError ? 'Completed with a tool error' : OUTCOME[entry.outcome].label;
  md.appendMarkdown(`**${escapeMarkdown(toolNamed(entry.title, entry.tool))}** on **${escapeMarkdown(entry.server)}** — ${outcome}\n\n`);
  md.appendMarkdown(`${escapeMarkdown(new Date(entry.time).toLocaleString())} · from ${escapeMarkdown(originLabel(entry.origin))}${entry.savedCall !== undefined ? ` · saved call '${escapeMarkdown(entry.savedCall)}'` : ''}`);
  if (entry.durationMs !== undefined) md.appendMarkdown(` · ${entry.durationMs} ms`);
  if (entry.taskId) md.appendMarkdown(` · ran as task ${escapeMarkdown(entry.taskId)}`);
  md.appendMarkdown(`\n\nConsent: ${escapeMarkdown(describeConsent(entry.consent))}\n\n`);
  if (entry.message) md.appendMarkdown(`${escapeMarkdown(entry.message)}\n\n`);
  if (entry.summary) md.appendMarkdown(`Result: ${escapeMarkdown(entry.summary)}\n\n`);
  md.appendMarkdown(`Arguments${entry.argsExact ? '' : ' (secrets masked, long values cut)'}:\n\n${codeBlock(JSON.stringify(entry.args, null, 2) ?? '', 'json')}`);
  if (!rerunnable) md.appendMarkdown('\n\nCannot be re-run: its arguments were masked or cut, and this window did not make the call.');
  return md;
}

/** The time for a call made today, the date otherwise: absolute, so the label never goes stale. */
function when(iso: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleDateString();
}

function runningTooltip(call: RunningCall): vscode.MarkdownString {
  const md = untrustedMarkdown();
  md.appendMarkdown(`**${escapeMarkdown(toolNamed(call.title, call.tool))}** on **${escapeMarkdown(call.server)}** — running as task ${escapeMarkdown(call.task.taskId)}\n\n`);
  md.appendMarkdown(`${escapeMarkdown(new Date(call.time).toLocaleString())} · from ${escapeMarkdown(originLabel(call.origin))}\n\nStatus: ${escapeMarkdown(taskStatusText(call.task))}`);
  return md;
}

/** The Tool Call History view: calls still running as tasks, then every call through the consent gate, newest first. */
export class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryRow> {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly history: CallHistory) {}

  refresh(): void {
    this._onDidChangeTreeData.fire();
  }

  async getChildren(element?: HistoryRow): Promise<HistoryRow[]> {
    if (element) return [];
    return [...this.history.runningTasks(), ...(await this.history.list())];
  }

  getTreeItem(row: HistoryRow): vscode.TreeItem {
    return isRunning(row) ? this.runningItem(row) : this.entryItem(row);
  }

  private runningItem(call: RunningCall): vscode.TreeItem {
    const item = new vscode.TreeItem(plainLabel(call.title ?? call.tool), vscode.TreeItemCollapsibleState.None);
    // Its own id: the recorded entry that replaces it is a different row.
    item.id = `running:${call.id}`;
    item.iconPath = new vscode.ThemeIcon('sync~spin');
    item.description = [call.title ? call.tool : undefined, call.server, when(call.time), taskStatusText(call.task)].filter(Boolean).map(t => plainLabel(t)).join(' · ');
    item.tooltip = runningTooltip(call);
    item.contextValue = RUNNING;
    item.accessibilityInformation = { label: plainLabel(`${toolNamed(call.title, call.tool)} on ${call.server}, running, ${taskStatusText(call.task)}`) };
    return item;
  }

  private entryItem(entry: HistoryEntry): vscode.TreeItem {
    // Named as the Run Tool pick names it: the title, then the name when they differ.
    const item = new vscode.TreeItem(plainLabel(entry.title ?? entry.tool), vscode.TreeItemCollapsibleState.None);
    item.id = entry.id;
    const style = entry.outcome === 'completed' && entry.isError ? { icon: 'warning', color: 'list.warningForeground' } : OUTCOME[entry.outcome];
    item.iconPath = new vscode.ThemeIcon(style.icon, style.color ? new vscode.ThemeColor(style.color) : undefined);
    const outcome = entry.outcome === 'completed' ? (entry.isError ? 'tool error' : '') : entry.outcome;
    item.description = [entry.title ? entry.tool : undefined, entry.server, when(entry.time), outcome].filter(Boolean).map(t => plainLabel(t)).join(' · ');
    item.command = { command: Commands.openToolCall, title: 'Open Tool Call', arguments: [{ id: entry.id }] };
    const rerunnable = this.history.argsForRerun(entry) !== undefined;
    item.tooltip = tooltip(entry, rerunnable);
    item.contextValue = rerunnable ? RERUNNABLE : 'toolCall';
    item.accessibilityInformation = { label: plainLabel(`${toolNamed(entry.title, entry.tool)} on ${entry.server}, ${OUTCOME[entry.outcome].label}, ${new Date(entry.time).toLocaleString()}`) };
    return item;
  }

  dispose(): void {
    this._onDidChangeTreeData.dispose();
  }
}

export function registerHistoryView(store: DisposableStore, history: CallHistory): HistoryTreeProvider {
  const provider = new HistoryTreeProvider(history);
  store.add(provider);
  store.add(vscode.window.createTreeView(Views.history, { treeDataProvider: provider }));
  store.add(history.onDidChange(() => provider.refresh()));
  return provider;
}
