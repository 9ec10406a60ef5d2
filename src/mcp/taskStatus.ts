// Kept apart from toolTask.ts, so views that show a status do not load the SDK's schemas.
import type { Tool } from '@modelcontextprotocol/client';

/** A task's state as the server last reported it (2025-11-25 `Task`). */
export interface ToolTaskStatus {
  readonly taskId: string;
  readonly status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  readonly statusMessage?: string | undefined;
  /** How often the server would like to be asked, in ms. */
  readonly pollInterval?: number | undefined;
}

/** A task's status in words, e.g. "working: step 2/4" (the message is the server's). */
export function taskStatusText(task: ToolTaskStatus): string {
  const status = task.status.replace('_', ' ');
  return task.statusMessage ? `${status}: ${task.statusMessage}` : status;
}

/** Whether the tool says it can run as a task (`execution.taskSupport`): a call to any other tool never becomes one. */
export function mayRunAsTask(tool: Tool): boolean {
  const support = (tool as { execution?: { taskSupport?: unknown } }).execution?.taskSupport;
  return support === 'required' || support === 'optional';
}
