import * as vscode from 'vscode';
import type { Progress } from '@modelcontextprotocol/client';
import { callControllers } from '../common/abortPool';
import { safe, type SafeText } from '../common/untrustedText';
import { taskStatusText, type ToolTaskStatus } from '../mcp/taskStatus';
import * as ui from '../ui/window';

/** Where a running call reports progress. */
export interface CallProgress {
  /** `increment` is in percent of the whole, when the server says how much there is. */
  report(message: SafeText, increment?: number): void;
}

/** Runs a call under a cancellable progress indicator; cancelling aborts `signal`. */
export interface ProgressDialog {
  showCallProgress<T>(title: SafeText, task: (progress: CallProgress, signal: AbortSignal) => Promise<T>): PromiseLike<T>;
}

export const progressDialog: ProgressDialog = { showCallProgress };

/**
 * Runs `task` under a cancellable notification; Cancel aborts `signal`. The signal's controller is the call's
 * alone while it runs, and is reused by a later call once this one has settled without a Cancel (see callControllers).
 */
function showCallProgress<T>(title: SafeText, task: (progress: CallProgress, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return ui.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    callControllers.run(abort => {
      const listener = token.onCancellationRequested(() => abort.abort());
      return task({ report: (message, increment) => progress.report({ message, ...(increment !== undefined ? { increment } : {}) }) }, abort.signal).finally(() => listener.dispose());
    }),
  );
}

/**
 * Turns MCP progress notifications into messages and increments: `progress` only grows, and `total`
 * (when given) says how far along that is. Messages come from the server: masked by the caller, made inert here.
 */
export function progressReporter(progress: CallProgress, mask: (text: string) => string): (p: Progress) => void {
  let reported = 0;
  return p => {
    const fraction = p.total ? Math.min(1, Math.max(0, p.progress / p.total)) : undefined;
    const increment = fraction !== undefined ? Math.max(0, fraction * 100 - reported) : undefined;
    if (fraction !== undefined) reported = fraction * 100;
    const count = p.total ? `${p.progress}/${p.total}` : `${p.progress}`;
    progress.report(p.message ? safe`${mask(p.message)} (${count})` : safe`${count}`, increment);
  };
}

/** Shows a task's status in the call's notification ("Task working: step 2/4"); the message is the server's, masked by the caller. */
export function taskReporter(progress: CallProgress, mask: (text: string) => string): (task: ToolTaskStatus) => void {
  return task => progress.report(safe`Task ${taskStatusText({ ...task, ...(task.statusMessage ? { statusMessage: mask(task.statusMessage) } : {}) })}`);
}
