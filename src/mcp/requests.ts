import type { Progress, RequestOptions } from '@modelcontextprotocol/client';
import { requestAbort, requestSignal } from '../common/abortPool';
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
  // Without a progress handler the SDK asks for no progress, so the request timeout alone bounds the request
  // (unless its answer is input_required: then HostClient starts a clock for the rounds, see CallClock.forFlow).
  const clock = onProgress ? CallClock.start(method, callLimitMs(context.totalMs?.() ?? 0, timeout), relayed) : undefined;
  if (onProgress) options.onprogress = onProgress;
  if (clock) options.signal = clock.signal;
  try {
    return await send(options);
  } catch (error) {
    const classified = clock?.hit ? clock.error() : classifyRequestError(error, method, signal, timeout);
    if (classified instanceof RequestTimeoutError) context.log.warn(`${method}: ${classified.message}`);
    throw classified;
  } finally {
    clock?.dispose();
  }
}

/** The most a request may take in all, given the limit (0: none) and the request timeout, which it never cuts below. */
export function callLimitMs(totalMs: number, requestMs: number): number {
  return totalMs > 0 && Number.isFinite(totalMs) ? Math.max(totalMs, requestMs) : 0;
}

/** The part of the SDK's multi-round flow (2026-07-28 `input_required`) a CallClock needs. */
export interface MultiRoundFlow {
  readonly request: { readonly method: string };
  readonly options: RequestOptions | undefined;
  /** When the first leg was sent. */
  readonly flowStartedAt: number;
  retry(params: Record<string, unknown> | undefined, legOptions: RequestOptions): Promise<unknown>;
}

/** Clocks by the signal they give the SDK: a multi-round flow finds its request's clock through its options. */
const clocks = new WeakMap<AbortSignal, CallClock>();

/**
 * The call limit of one request: a timer that aborts the request (through the SDK's cancel path, so the server is
 * sent `notifications/cancelled` with the reason) once it has run for `ms`, or when the caller's signal aborts.
 * It counts the time the request is the server's to answer. A 2026-07-28 request answered with `input_required`
 * becomes several legs; between them the host answers the server's questions (the user fills in a form, approves a
 * sampling request), and the clock stops then: a user is never cut off mid-answer by the call's own clock (Cancel
 * ends the call at any time), while a server that keeps asking still meets the limit with its own time.
 */
export class CallClock {
  /**
   * Not an AbortController: this signal goes only to the SDK's requests, and a plain one spares the SDK's listener on a
   * fresh Node signal per call (4–9 µs of CPU; every palette and chat call follows progress, so has a clock).
   */
  private readonly controller = requestAbort();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Time counted before the current stretch. */
  private used = 0;
  /** When the current stretch began; undefined while stopped. */
  private since: number | undefined;
  private fired = false;
  private asked = false;
  private readonly follow: (() => void) | undefined;

  /** A running clock for a request about to be sent, or none when there is no limit. */
  static start(method: string, ms: number, outer: AbortSignal | undefined): CallClock | undefined {
    if (!(ms > 0)) return undefined;
    const clock = new CallClock(method, ms, outer);
    clock.run(Date.now());
    return clock;
  }

  /**
   * Takes over a multi-round flow: the request's own clock (a call whose progress is followed), or a new one that
   * counts the first leg (`limitMs`: the connection's limit, 0: none). Its legs and questions then follow the clock's
   * signal, and it runs only while a leg is on the wire. Returns the flow to hand to the SDK, and `end` to call when
   * the flow settles, which turns the clock's abort into the limit's error.
   */
  static forFlow<F extends MultiRoundFlow>(flow: F, limitMs: number): { flow: F; end(error?: unknown): unknown } | undefined {
    const outer = flow.options?.signal;
    let clock = outer ? clocks.get(outer) : undefined;
    const owned = !clock;
    if (!clock) {
      if (!(limitMs > 0)) return undefined;
      clock = new CallClock(flow.request.method, limitMs, outer);
      clock.used = Date.now() - flow.flowStartedAt;
    }
    const c = clock;
    c.stop();
    c.asked = true;
    const retry = flow.retry.bind(flow);
    const wrapped: F = {
      ...flow,
      options: { ...flow.options, signal: c.signal },
      retry: async (params: Record<string, unknown> | undefined, legOptions: RequestOptions) => {
        c.run(Date.now());
        try {
          return await retry(params, legOptions);
        } finally {
          c.stop();
        }
      },
    };
    return {
      flow: wrapped,
      end: error => {
        const result = c.fired ? c.error() : error;
        if (owned) c.dispose();
        return result;
      },
    };
  }

  private constructor(
    private readonly method: string,
    private readonly ms: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    clocks.set(this.controller.signal, this);
    if (outer?.aborted) this.controller.abort(outer.reason);
    else if (outer) {
      this.follow = () => this.controller.abort(outer.reason);
      outer.addEventListener('abort', this.follow, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The limit was reached (not the caller's cancel). */
  get hit(): boolean {
    return this.fired;
  }

  error(): CallTimeLimitError {
    return new CallTimeLimitError(this.method, this.ms, this.asked ? 'input' : 'progress');
  }

  private run(now: number): void {
    if (this.since !== undefined || this.controller.signal.aborted) return;
    this.since = now;
    const left = this.ms - this.used;
    if (left <= 0) this.fire();
    else this.timer = setTimeout(() => this.fire(), left);
  }

  private stop(): void {
    if (this.since === undefined) return;
    this.used += Date.now() - this.since;
    this.since = undefined;
    clearTimeout(this.timer);
  }

  private fire(): void {
    this.fired = true;
    // The reason is what the server reads in `notifications/cancelled`.
    this.controller.abort(`MCP Host: ${this.method} ran for ${spokenDuration(this.ms)}, the most one call may take`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.follow) this.outer?.removeEventListener('abort', this.follow);
  }
}
