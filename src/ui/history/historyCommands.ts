import * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import { safe } from '../../common/untrustedText';
import type { GatedCallResult } from '../../consent/types';
import { Commands } from '../../ids';
import { progressReporter, type ProgressDialog } from '../../commands/callProgress';
import type { McpHost } from '../../workspace/mcpHost';
import { plural } from '../tree/treeText';
import * as ui from '../window';

/** Asks before the tool call history is deleted. */
export interface HistoryDialog {
  confirmClearHistory(count: number): Promise<boolean>;
}

export function registerHistoryCommands(store: DisposableStore, host: McpHost, dialogs: () => HistoryDialog & ProgressDialog): void {
  store.add(vscode.commands.registerCommand(Commands.rerunToolCall, (arg?: unknown) => rerunToolCall(host, dialogs(), arg)));
  store.add(vscode.commands.registerCommand(Commands.clearHistory, () => clearHistory(host, dialogs())));
}

/**
 * Runs a recorded call again, through the consent gate like any other call (origin `history`), and
 * shows the result. Returns the gated result, or undefined when nothing was sent.
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
  const mask = (text: string) => host.registry.get(entry.server)?.connection.mask(text) ?? text;
  const result = await dialog.showCallProgress(safe`Running '${entry.tool}' on '${entry.server}'`, (progress, signal) =>
    host.gate.call({ server: entry.server, tool: entry.tool, args, origin: 'history', signal, onProgress: progressReporter(progress, mask) }),
  );
  await vscode.commands.executeCommand(Commands.showToolResult, { server: entry.server, tool: entry.tool, result, args });
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
