import * as vscode from 'vscode';
import { sendCallAgain, showToolResult } from '../../commands/runTool';
import type { DisposableStore } from '../../common/disposable';
import { pathSegment, plainBlock, safe } from '../../common/untrustedText';
import type { HistoryEntry } from '../../consent/callHistory';
import { originLabel } from '../../consent/origins';
import type { GatedCallResult } from '../../consent/types';
import { Commands } from '../../ids';
import type { ProgressDialog } from '../../commands/callProgress';
import type { McpHost } from '../../workspace/mcpHost';
import { plural, toolNamed } from '../tree/treeText';
import { describeConsent } from './historyView';
import * as ui from '../window';

/** Asks before the tool call history is deleted. */
export interface HistoryDialog {
  confirmClearHistory(count: number): Promise<boolean>;
}

export function registerHistoryCommands(store: DisposableStore, host: McpHost, dialogs: () => HistoryDialog & ProgressDialog): void {
  store.add(vscode.commands.registerCommand(Commands.rerunToolCall, (arg?: unknown) => rerunToolCall(host, dialogs(), arg)));
  store.add(vscode.commands.registerCommand(Commands.clearHistory, () => clearHistory(host, dialogs())));
  store.add(vscode.commands.registerCommand(Commands.openToolCall, (arg?: unknown) => openToolCall(host, arg)));
  store.add(vscode.commands.registerCommand(Commands.cancelToolCall, (arg?: unknown) => cancelToolCall(host, arg)));
  store.add(vscode.workspace.registerTextDocumentContentProvider(CALL_SCHEME, { provideTextDocumentContent: uri => callDetails(host, uri.query) }));
}

/** Read-only documents with a recorded call's details: `mcp-host-call:/<server>/<tool>.txt?<entry id>`. */
const CALL_SCHEME = 'mcp-host-call';

function idOf(arg: unknown): string | undefined {
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : typeof arg === 'string' ? arg : undefined;
  return typeof id === 'string' ? id : undefined;
}

async function entryOf(host: McpHost, arg: unknown): Promise<HistoryEntry | undefined> {
  const id = idOf(arg);
  return id ? (await host.history.list()).find(e => e.id === id) : undefined;
}

/** Cancels a call running as a task (its history row's Cancel): the gate's call ends as cancelled and sends `tasks/cancel`. */
function cancelToolCall(host: McpHost, arg: unknown): boolean {
  const id = idOf(arg);
  const call = host.history.runningTasks().find(c => c.id === id);
  call?.cancel();
  return call !== undefined;
}

/**
 * What clicking a history row does: the full result in the result panel while this window still keeps it
 * (with the arguments sent), else the recorded details and summary as a read-only document.
 */
async function openToolCall(host: McpHost, arg: unknown): Promise<{ shown: 'result' | 'details'; uri?: vscode.Uri } | undefined> {
  const entry = await entryOf(host, arg);
  if (!entry) return undefined;
  const result = host.history.resultOf(entry);
  if (result) {
    const args = host.history.argsForRerun(entry);
    await showToolResult({ server: entry.server, tool: entry.tool, ...(entry.title ? { title: entry.title } : {}), result, ...(args ? { args } : {}) });
    return { shown: 'result' };
  }
  // The tab's title: the server's tool title made plain (pathSegment), as the result panel's is (plainLabel).
  const uri = vscode.Uri.from({ scheme: CALL_SCHEME, path: `/${pathSegment(entry.server)}/${pathSegment(entry.title ?? entry.tool)}.txt`, query: entry.id });
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  return { shown: 'details', uri };
}

/** A recorded call as plain text (server text with hidden characters shown; a text document renders nothing). */
async function callDetails(host: McpHost, id: string): Promise<string> {
  const entry = (await host.history.list()).find(e => e.id === id);
  if (!entry) return 'This call is no longer in the Tool Call History.';
  const outcome = entry.outcome === 'completed' ? (entry.isError ? 'completed, with a tool error' : 'completed') : entry.outcome;
  const lines = [
    `Tool: ${toolNamed(entry.title, entry.tool)}`,
    `Server: ${entry.server}`,
    `Time: ${new Date(entry.time).toLocaleString()}`,
    `Requested from: ${originLabel(entry.origin)}${entry.savedCall !== undefined ? `, saved call '${entry.savedCall}'` : ''}`,
    `Consent: ${describeConsent(entry.consent)}`,
    `Outcome: ${outcome}${entry.durationMs !== undefined ? ` in ${entry.durationMs} ms` : ''}`,
    ...(entry.message ? [`Message: ${entry.message}`] : []),
    ...(entry.summary ? ['', 'Result (as recorded; the full result is kept only for the last calls of the window that made them):', entry.summary] : []),
    '',
    `Arguments${entry.argsExact ? '' : ' (secrets masked, long values cut)'}:`,
    JSON.stringify(entry.args, null, 2) ?? '',
  ];
  return plainBlock(lines.join('\n'));
}

/**
 * Runs a recorded call again, through the consent gate like any other call (origin `history`), and shows the
 * result (and the tool's app, as Run Tool… does). Returns the gated result, or undefined when nothing was sent.
 */
async function rerunToolCall(host: McpHost, dialog: ProgressDialog, arg: unknown): Promise<GatedCallResult | undefined> {
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : undefined;
  const entry = typeof id === 'string' ? (await host.history.list()).find(e => e.id === id) : undefined;
  if (!entry) {
    void ui.showWarningMessage(safe`Pick a call in the Tool Call History view to re-run it.`);
    return undefined;
  }
  const args = host.history.argsForRerun(entry);
  if (!args) {
    void ui.showWarningMessage(
      safe`Cannot re-run '${entry.tool}': its arguments were masked or cut when recorded, and they are kept in full only in the window that made the call. Run the tool again from the Command Palette.`,
    );
    return undefined;
  }
  const { result } = await sendCallAgain(dialog, {
    server: entry.server,
    tool: entry.tool,
    ...(entry.title ? { title: entry.title } : {}),
    args,
    origin: 'history',
    progress: safe`Running '${toolNamed(entry.title, entry.tool)}' on '${entry.server}'`,
  });
  return result;
}

async function clearHistory(host: McpHost, dialog: HistoryDialog): Promise<boolean> {
  const count = (await host.history.list()).length;
  if (count === 0) return false;
  if (!(await dialog.confirmClearHistory(count))) return false;
  await host.history.clear();
  return true;
}

export const historyDialog: HistoryDialog = { confirmClearHistory };

/** A modal question before the history, an audit record, is deleted. */
async function confirmClearHistory(count: number): Promise<boolean> {
  const clear = 'Clear History';
  const answer = await ui.showWarningMessage(
    safe`Clear the tool call history of this workspace (${plural(count, 'call')})?`,
    { modal: true, detail: safe`The history file is deleted; this cannot be undone. Tool approvals are not affected.` },
    clear,
  );
  return answer === clear;
}
