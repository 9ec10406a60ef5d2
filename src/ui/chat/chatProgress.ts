import type * as vscode from 'vscode';
import type { ToolCallRequest } from '../../consent/types';
import { taskStatusText } from '../../mcp/taskStatus';
import { line } from './chatText';

/**
 * What a chat response's progress line says while a tool runs: "Running X on S…", then the server's
 * progress messages and, for a call the server runs as a task, the task's status ("Task working: step 2/4").
 * VS Code renders a progress line as markdown, so every piece a server or config controls goes through
 * `line` (escaped, hidden characters shown, one line, cut); server messages are masked first.
 */
export function chatCallProgress(stream: vscode.ChatResponseStream, label: string, server: string, mask: (text: string) => string): Required<Pick<ToolCallRequest, 'onProgress' | 'onTask'>> {
  const tool = line(label);
  // VS Code 1.139 lists every progress line as a step of the response ("Completed 41 steps in 6s" for one 3 s task
  // polled every 100 ms): a line that says what the last one said is not a step.
  let last: string | undefined;
  const progress = (text: string) => {
    if (text === last) return;
    last = text;
    stream.progress(text);
  };
  progress(`Running ${tool} on ${line(server)}…`);
  return {
    onProgress: p => progress(`${tool}: ${p.message ? line(mask(p.message)) : p.total ? `${p.progress}/${p.total}` : String(p.progress)}`),
    onTask: task => progress(`${tool}: Task ${taskStatusText({ ...task, statusMessage: task.statusMessage ? line(mask(task.statusMessage)) : undefined })}`),
  };
}
