import type { CallToolResult, Client, Progress, Tool } from '@modelcontextprotocol/client';
import type { ServerLog } from './log';
import type { ResultFiles, SavedValue } from './resultFiles';
import { timedRequest } from './requests';
import type { SchemaCheck, SchemaValidator } from './schemaValidator';
import { runToolTask, wantsTask, type ToolTaskStatus } from './toolTask';

export interface ToolCallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Called when the server runs the call as a task, and at each status the host learns of after that; `cancel`
   * stops the task (sends `tasks/cancel`) as aborting `signal` would.
   */
  readonly onTask?: (status: ToolTaskStatus, cancel: () => void) => void;
  /**
   * The call comes from the server's own app (MCP Apps), not from the user: it is not a request the user made, after
   * which a question from the server may be asked again (`ClientContext.requestsSent`).
   */
  readonly byApp?: boolean;
}

/** A tool call's result, with the host's verdict on its structured output. */
export interface ToolCallOutcome {
  readonly result: CallToolResult;
  /** Set when `structuredContent` is missing or does not match the tool's `outputSchema`. */
  readonly outputError?: string;
  /** Set when the host did not check `structuredContent` because the `outputSchema` is over its budget: why. */
  readonly outputNotChecked?: string;
  /** Values of a very large result that `result` holds only the beginning of; the rest is on disk. */
  readonly saved?: readonly SavedValue[];
}

export interface ToolCallContext {
  readonly client: Client;
  readonly log: ServerLog;
  readonly requestMs: number;
  /** The most a call whose progress is followed may take in all (0: no limit); read per call. */
  readonly totalMs?: () => number;
  readonly validator: SchemaValidator;
  readonly meta: () => Record<string, unknown>;
  /** Where the stdio transport kept the values it cut from very large messages. */
  readonly resultFiles?: ResultFiles | undefined;
}

/**
 * Sends one `tools/call`: the only place a tool call leaves the host (the connection reaches it after
 * redeeming the consent gate's permit). The call goes through the SDK's `callTool`, so a 2026-07-28
 * connection mirrors the tool's declared `Mcp-Param-*` headers and an `input_required` answer is fulfilled
 * through the host's client-request handlers. The SDK is given the tool's definition without its
 * `outputSchema`: the host checks structured output itself, with JSON Schema 2020-12, and shows a mismatch
 * with the result instead of failing the call. A tool the server can run as a task (2025-11-25) is called as
 * one (toolTask.ts): one permit, one call, however long the task runs and however often it is polled.
 */
export function sendToolCall(ctx: ToolCallContext, tool: Tool | undefined, name: string, args: Record<string, unknown>, options: ToolCallOptions = {}): Promise<ToolCallOutcome> {
  let sent: Promise<CallToolResult>;
  try {
    if (wantsTask(ctx.client, tool)) {
      sent = runToolTask(ctx, name, args, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onTask ? { onStatus: options.onTask } : {}) });
    } else {
      const toolDefinition = tool ? withoutOutputSchema(tool) : undefined;
      sent = timedRequest(
        ctx,
        'tools/call',
        // Assigned, not spread: a spread followed by more properties costs microseconds per call on Node 20.
        opts => ctx.client.callTool(Object.assign({ name, arguments: args }, ctx.meta()), toolDefinition ? Object.assign(opts, { toolDefinition }) : opts),
        options.signal,
        options.onProgress,
      ) as Promise<CallToolResult>;
    }
  } catch (error) {
    return Promise.reject(error);
  }
  // A reaction, not an async function: its suspended frame would be kept by every call in flight.
  return sent.then(result => toolCallOutcome(ctx, tool, name, result));
}

/** The outcome of a call the server answered: the result, the values cut to disk, the check of its structured output. */
function toolCallOutcome(ctx: ToolCallContext, tool: Tool | undefined, name: string, result: CallToolResult): ToolCallOutcome | Promise<ToolCallOutcome> {
  const saved = ctx.resultFiles?.claim(result) ?? [];
  // Structured content cut to fit in memory cannot be checked; the full value is on disk.
  const structuredCut = saved.some(v => v.path[0] === 'structuredContent');
  const checkable = tool?.outputSchema && !result.isError && !structuredCut;
  return checkable ? checkOutput(ctx.validator, tool.outputSchema, result).then(check => outcomeOf(ctx, name, result, saved, check)) : outcomeOf(ctx, name, result, saved, {});
}

function outcomeOf(ctx: ToolCallContext, name: string, result: CallToolResult, saved: readonly SavedValue[], { problem: outputError, notChecked: outputNotChecked }: SchemaCheck): ToolCallOutcome {
  if (outputError) ctx.log.warn(`tools/call ${name}: ${outputError}`);
  if (outputNotChecked) ctx.log.info(`tools/call ${name}: structured output not checked: ${outputNotChecked}`);
  if (saved.length) ctx.log.info(`tools/call ${name}: a large result (${saved.length} value(s) cut); kept in full in ${ctx.resultFiles!.dir}`);
  const outcome: { -readonly [K in keyof ToolCallOutcome]: ToolCallOutcome[K] } = { result };
  if (outputError) outcome.outputError = outputError;
  if (outputNotChecked) outcome.outputNotChecked = outputNotChecked;
  if (saved.length) outcome.saved = saved;
  return outcome;
}

/** Per tool object: a list is replaced, never edited, so the same object always gives the same copy. */
const withoutOutputSchemas = new WeakMap<Tool, Tool>();

function withoutOutputSchema(tool: Tool): Tool {
  let copy = withoutOutputSchemas.get(tool);
  if (!copy) {
    const { outputSchema: _ignored, ...rest } = tool;
    copy = rest as Tool;
    withoutOutputSchemas.set(tool, copy);
  }
  return copy;
}

async function checkOutput(validator: SchemaValidator, schema: unknown, result: CallToolResult): Promise<SchemaCheck> {
  const { problem, notChecked } = await validator.check(schema, result.structuredContent);
  if (notChecked) return { notChecked };
  if (result.structuredContent === undefined) return { problem: 'the tool declares an output schema but returned no structured content' };
  return problem ? { problem: `the structured content does not match the tool's output schema: ${problem}` } : {};
}
