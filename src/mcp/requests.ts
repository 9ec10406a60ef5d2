import type { Progress, RequestOptions } from '@modelcontextprotocol/client';
import { requestSignal } from '../common/abortPool';
import { CallTimeLimitError, classifyRequestError, RequestTimeoutError, spokenDuration } from './diagnosis';
import type { ServerLog } from './log';

/** The options every request of the host carries: the server's timeout, reset by progress. */
export type HostRequestOptions = Pick<RequestOptions, 'signal' | 'timeout' | 'resetTimeoutOnProgress' | 'onprogress'> & { timeout: number };

export interface RequestContext {
  readonly requestMs: number;
  /**
   * The most a request whose progress the host follows may take in all, in milliseconds (0: no limit). Read
   * per request, so a changed setting applies to the next call. Absent: no limit.
   */
  readonly totalMs?: () => number;
  readonly log: ServerLog;
}

/**
 * Runs one request with the server's request timeout (which progress notifications extend) and turns the
 * SDK's one error code for both "aborted" and "timed out" into `RequestCancelledError` or
 * `RequestTimeoutError`. A timeout is logged: it is the server's fault, a cancellation is not.
 *
 * Progress resets the request timeout, so a request whose progress is followed is also bounded in all
 * (`totalMs`; the MCP spec: a client SHOULD enforce a maximum timeout regardless of progress). Not with the
 * SDK's `maxTotalTimeout`: it is checked only when progress arrives and, when it hits, rejects without telling
 * the server (SDK 2.4.0 `Protocol._onprogress`), which works on and keeps reporting. A timer aborts the request
 * at the limit instead, through the SDK's cancel path, which sends `notifications/cancelled` with the reason.
 */
export async function timedRequest<T>(context: RequestContext, method: string, send: (options: HostRequestOptions) => Promise<T>, signal?: AbortSignal, onProgress?: (progress: Progress) => void): Promise<T> {
  const timeout = context.requestMs;
  // Assigned, not spread: a spread followed by more properties costs microseconds per request on Node 20.
  const options: HostRequestOptions = { timeout, resetTimeoutOnProgress: true };
  // A pooled controller's signal goes to the SDK as its relay: the same cancellation, ~2 µs of CPU less per call.
  const relayed = signal ? requestSignal(signal) : undefined;
  if (relayed) options.signal = relayed;
  // Without a progress handler the SDK asks for no progress, so the request timeout alone bounds the request.
  const limit = onProgress ? totalLimit(context, method, relayed) : undefined;
  if (onProgress) options.onprogress = onProgress;
  if (limit) options.signal = limit.signal;
  try {
    return await send(options);
  } catch (error) {
    const classified = limit?.hit() ? new CallTimeLimitError(method, limit.ms) : classifyRequestError(error, method, signal, timeout);
    if (classified instanceof RequestTimeoutError) context.log.warn(`${method}: ${classified.message}`);
    throw classified;
  } finally {
    limit?.dispose();
  }
}

/** A signal that aborts when the caller's does, or when the request has run for the total limit. */
function totalLimit(context: RequestContext, method: string, outer: AbortSignal | undefined): { signal: AbortSignal; ms: number; hit(): boolean; dispose(): void } | undefined {
  const total = context.totalMs?.() ?? 0;
  if (!(total > 0) || !Number.isFinite(total)) return undefined;
  // A limit below the request timeout would cut a request that the request timeout allows.
  const ms = Math.max(total, context.requestMs);
  const controller = new AbortController();
  let hit = false;
  const timer = setTimeout(() => {
    hit = true;
    // The reason is what the server reads in `notifications/cancelled`.
    controller.abort(`MCP Host: ${method} ran for ${spokenDuration(ms)}, the most one call may take`);
  }, ms);
  const follow = () => controller.abort(outer!.reason);
  if (outer?.aborted) follow();
  else outer?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    ms,
    hit: () => hit,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', follow);
    },
  };
}
