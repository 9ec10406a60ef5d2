import { setTimeout as delay } from 'timers/promises';
import type { CallToolResult, Client, Tool } from '@modelcontextprotocol/client';
import { CallToolResultSchema, CancelTaskResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/core';
import { RequestCancelledError } from './diagnosis';
import type { ServerLog } from './log';
import { timedRequest } from './requests';
import { mayRunAsTask, type ToolTaskStatus } from './taskStatus';

export type { ToolTaskStatus } from './taskStatus';

export interface ToolTaskContext {
  readonly client: Client;
  readonly log: ServerLog;
  readonly requestMs: number;
  readonly meta: () => Record<string, unknown>;
}

/** Polling bounds: a server's `pollInterval` is honoured within these, so a hostile value neither spins nor stalls. */
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 5_000;
const DEFAULT_POLL_MS = 1_000;

/**
 * Whether a call to `tool` should ask the server for a task: the 2025-11-25 experimental tasks, where the
 * server declares task-augmented `tools/call` and the tool allows or requires it (`execution.taskSupport`).
 * On 2026-07-28 tasks are the `io.modelcontextprotocol/tasks` extension, which SDK 2.4.0's client cannot
 * receive (its codec refuses `resultType: "task"`), so calls there stay plain.
 */
export function wantsTask(client: Client, tool: Tool | undefined): boolean {
  if (!tool || client.getProtocolEra() !== 'legacy' || !mayRunAsTask(tool)) return false;
  const tasks = (client.getServerCapabilities() as { tasks?: { requests?: { tools?: { call?: unknown } } } } | undefined)?.tasks;
  return tasks?.requests?.tools?.call !== undefined;
}

/**
 * Runs a tool call as a 2025-11-25 task through the SDK's request API and its task schemas: the call answers
 * with a task, the host polls `tasks/get` at the server's `pollInterval`, reports each status to `onStatus`,
 * and fetches the outcome with `tasks/result` once the task ends (or needs input: `tasks/result` is where a
 * server delivers its questions). Aborting `signal`, or the `cancel` given to `onStatus`, sends `tasks/cancel`.
 * A server that answers the task-augmented call with a plain result gets it returned as is.
 */
export async function runToolTask(
  ctx: ToolTaskContext,
  name: string,
  args: Record<string, unknown>,
  options: { readonly signal?: AbortSignal; readonly onStatus?: (status: ToolTaskStatus, cancel: () => void) => void } = {},
): Promise<CallToolResult> {
  // Only a call run as a task can be cancelled from outside its caller (the history's Cancel): a plain call
  // pays for no controller. The caller's signal aborts this one through a listener removed when the call ends,
  // not `AbortSignal.any`: the caller's controller may be reused for later calls (the palette's pool,
  // src/common/abortPool.ts), and Node 20 keeps every signal `any` made from it in its dependants for good (one
  // entry per task call, never freed); `any` also costs 15–40 µs on Node 24 and 0.1–0.25 ms on Node 20.
  const own = new AbortController();
  const caller = options.signal;
  const follow = (): void => own.abort(caller?.reason);
  if (caller?.aborted) follow();
  else caller?.addEventListener('abort', follow, { once: true });
  try {
    return await runAsTask(ctx, name, args, own, options.onStatus);
  } finally {
    caller?.removeEventListener('abort', follow);
  }
}

/** `runToolTask` once its cancellation is set up: `own` aborts the call (the caller's signal, or `cancel`). */
async function runAsTask(
  ctx: ToolTaskContext,
  name: string,
  args: Record<string, unknown>,
  own: AbortController,
  report: ((status: ToolTaskStatus, cancel: () => void) => void) | undefined,
): Promise<CallToolResult> {
  const signal = own.signal;
  const cancel = (): void => own.abort();
  const onStatus = report && ((status: ToolTaskStatus) => report(status, cancel));
  const created = await timedRequest(
    ctx,
    'tools/call',
    opts => ctx.client.request({ method: 'tools/call', params: { name, arguments: args, task: {}, ...ctx.meta() } }, CreateTaskResultSchema.or(CallToolResultSchema), opts),
    signal,
  );
  if (!('task' in created)) return created as CallToolResult;
  let task: ToolTaskStatus = (created as { task: ToolTaskStatus }).task;
  const { taskId } = task;
  ctx.log.info(`tools/call ${name}: the server runs it as task ${taskId}`);
  try {
    onStatus?.(task);
    while (task.status === 'working') {
      // Aborting rejects the wait; the catch below turns it into the call's cancellation and sends tasks/cancel.
      await delay(clampPoll(task.pollInterval), undefined, { signal });
      task = await timedRequest(ctx, 'tasks/get', opts => ctx.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema, opts), signal);
      onStatus?.(task);
    }
    if (task.status === 'cancelled') throw new Error(`The server cancelled task ${taskId}${task.statusMessage ? `: ${task.statusMessage}` : ''}.`);
    // completed, failed or input_required: tasks/result answers with the call's result or error, and carries
    // any questions the task asks on the way (answered by the host's client-request handlers).
    const result = (await timedRequest(ctx, 'tasks/result', opts => ctx.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema, opts), signal)) as CallToolResult;
    if (task.status !== 'completed' && task.status !== 'failed') {
      task = await ctx.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema, { timeout: ctx.requestMs });
      onStatus?.(task);
    }
    return result;
  } catch (err) {
    if (signal.aborted) {
      const cancelled = await cancelTask(ctx, taskId);
      if (cancelled) onStatus?.(cancelled);
      throw err instanceof RequestCancelledError ? err : new RequestCancelledError('tools/call');
    }
    throw err;
  }
}

/** Asks the server to cancel a task; a server that refuses (say, the task already ended) is logged, not thrown. */
async function cancelTask(ctx: ToolTaskContext, taskId: string): Promise<ToolTaskStatus | undefined> {
  try {
    return await ctx.client.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema, { timeout: ctx.requestMs });
  } catch (err) {
    ctx.log.warn(`tasks/cancel ${taskId}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function clampPoll(ms: number | undefined): number {
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms)) : DEFAULT_POLL_MS;
}
