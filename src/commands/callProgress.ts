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

/**
 * Runs a call under a cancellable progress indicator; cancelling aborts `signal`. The indicator shows from `started()`,
 * which the task calls when the call is sent (the gate's `onStart`): while the user is still asked for consent, nothing
 * says the call is running.
 */
export interface ProgressDialog {
  showCallProgress<T>(title: SafeText, task: (progress: CallProgress, signal: AbortSignal, started: () => void) => Promise<T>): PromiseLike<T>;
}

export const progressDialog: ProgressDialog = { showCallProgress };

/**
 * Runs `task`, with a cancellable notification from the moment it calls `started` until it settles; Cancel aborts
 * `signal`. Progress reported before the notification shows is shown in it. The signal's controller is the call's
 * alone while it runs, and is reused by a later call once this one has settled without a Cancel (see callControllers).
 */
function showCallProgress<T>(title: SafeText, task: (progress: CallProgress, signal: AbortSignal, started: () => void) => Promise<T>): Promise<T> {
  return callControllers.run(abort => {
    let opened = false;
    let shown: ui.SafeProgress | undefined;
    const early: Array<{ message: SafeText; increment?: number }> = [];
    let settled!: () => void;
    const done = new Promise<void>(resolve => (settled = resolve));
    const started = () => {
      if (opened) return;
      opened = true;
      void ui.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        shown = progress;
        for (const report of early.splice(0)) progress.report(report);
        const listener = token.onCancellationRequested(() => abort.abort());
        return done.finally(() => listener.dispose());
      });
    };
    const report = (message: SafeText, increment?: number) => {
      const update = { message, ...(increment !== undefined ? { increment } : {}) };
      if (shown) shown.report(update);
      else early.push(update);
    };
    return task({ report }, abort.signal, started).finally(settled);
  });
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
