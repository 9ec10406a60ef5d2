import type { Progress, RequestOptions } from '@modelcontextprotocol/client';
import { OwnSignal, requestSignal } from '../common/abortPool';
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
  /** The client the request goes to: its call clocks wait while the user answers its server's question (CallClock.hold). */
  readonly client?: object;
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
export function timedRequest<T>(context: RequestContext, method: string, send: (options: HostRequestOptions) => Promise<T>, signal?: AbortSignal, onProgress?: (progress: Progress) => void): Promise<T> {
  const timeout = context.requestMs;
  // Assigned, not spread: a spread followed by more properties costs microseconds per request on Node 20.
  const options: HostRequestOptions = { timeout, resetTimeoutOnProgress: true };
  // A pooled controller's signal goes to the SDK as its relay: the same cancellation, ~2 µs of CPU less per call.
  const relayed = signal ? requestSignal(signal) : undefined;
  if (relayed) options.signal = relayed;
  // Without a progress handler the SDK asks for no progress, so the request timeout alone bounds the request
  // (unless its answer is input_required: then HostClient starts a clock for the rounds, see CallClock.forFlow).
  const clock = onProgress ? CallClock.start(method, callLimitMs(context.totalMs?.() ?? 0, timeout), relayed, context.client) : undefined;
  if (onProgress) options.onprogress = onProgress;
  if (clock) options.signal = clock.signal;
  let sent: Promise<T>;
  try {
    sent = send(options);
  } catch (error) {
    sent = Promise.reject(error);
  }
  // Reactions on the SDK's promise, not an async function: its suspended frame would be kept by every request in flight.
  const failed = (error: unknown): never => {
    clock?.dispose();
    const classified = clock?.hit ? clock.error() : classifyRequestError(error, method, signal, timeout);
    if (classified instanceof RequestTimeoutError) context.log.warn(`${method}: ${classified.message}`);
    throw classified;
  };
  return clock ? sent.then(result => (clock.dispose(), result), failed) : sent.then(undefined, failed);
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

/**
 * The call limit of one request: a timer that aborts the request (through the SDK's cancel path, so the server is
 * sent `notifications/cancelled` with the reason) once it has run for `ms`, or when the caller's signal aborts.
 * It counts the time the request is the server's to answer. A 2026-07-28 request answered with `input_required`
 * becomes several legs; between them the host answers the server's questions (the user fills in a form, approves a
 * sampling request), and the clock stops then: a user is never cut off mid-answer by the call's own clock (Cancel
 * ends the call at any time), while a server that keeps asking still meets the limit with its own time.
 *
 * The clock is the signal it gives the SDK (a plain-script one: no Node `AbortController` and no SDK listener on a fresh
 * Node signal per call, 4–9 µs of CPU), and it listens to the caller's signal as a listener object. The running clocks
 * share one timer, set for the earliest deadline: every palette and chat call follows progress, so has a clock, and a
 * 30-minute `setTimeout` per call, its closure and its `clearTimeout` were the clock's main cost (calls14b).
 */
export class CallClock extends OwnSignal {
  /**
   * The clocks running now, oldest first, as a list through the clocks themselves (`newer`/`older`): a `Set` hashed
   * each clock in and out and rehashed its table as calls came and went (~0.5 K instructions per call, calls16). The
   * one timer for them all is set for the earliest of their deadlines.
   */
  private static oldest: CallClock | undefined;
  private static newest: CallClock | undefined;
  private static timer: ReturnType<typeof setTimeout> | undefined;
  private static timerAt = Infinity;

  /** Time counted before the current stretch. */
  private used = 0;
  /** When the current stretch began; undefined while stopped. */
  private since: number | undefined;
  /** When the current stretch reaches the limit (while running). */
  private due = 0;
  private fired = false;
  private asked = false;
  private ended = false;
  /** The client the request went to (CallClock.hold). */
  private owner: object | undefined;
  /** In the list of running clocks. */
  private listed = false;
  private older: CallClock | undefined;
  private newer: CallClock | undefined;

  /** A running clock for a request about to be sent, or none when there is no limit. */
  static start(method: string, ms: number, outer: AbortSignal | undefined, owner?: object): CallClock | undefined {
    if (!(ms > 0)) return undefined;
    const clock = new CallClock(method, ms, outer);
    clock.owner = owner;
    clock.run(Date.now());
    return clock;
  }

  /**
   * Stops the running clocks of `owner`'s requests (a 2025-11-25 server's question is open: the user's time, not the
   * server's; see hostClient's whileUserAnswers) and returns what starts them again, each from where it stopped. A
   * clock that ended or was aborted meanwhile stays stopped.
   */
  static hold(owner: object): () => void {
    const stopped: CallClock[] = [];
    for (let clock = CallClock.oldest; clock; clock = clock.newer) {
      if (clock.owner === owner) stopped.push(clock);
    }
    for (const clock of stopped) clock.stop();
    return () => {
      const now = Date.now();
      for (const clock of stopped) if (!clock.ended) clock.run(now);
    };
  }

  /**
   * Takes over a multi-round flow: the request's own clock (a call whose progress is followed), or a new one that
   * counts the first leg (`limitMs`: the connection's limit, 0: none). Its legs and questions then follow the clock's
   * signal, and it runs only while a leg is on the wire. Returns the flow to hand to the SDK, and `end` to call when
   * the flow settles, which turns the clock's abort into the limit's error.
   */
  static forFlow<F extends MultiRoundFlow>(flow: F, limitMs: number): { flow: F; end(error?: unknown): unknown } | undefined {
    const outer = flow.options?.signal;
    let clock = (outer as unknown) instanceof CallClock ? (outer as unknown as CallClock) : undefined;
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
    super();
    if (outer?.aborted) this.abort(outer.reason);
    else if (outer) outer.addEventListener('abort', this, { once: true });
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.abort(this.outer?.reason);
  }

  get signal(): AbortSignal {
    return this as unknown as AbortSignal;
  }

  /** The limit was reached (not the caller's cancel). */
  get hit(): boolean {
    return this.fired;
  }

  error(): CallTimeLimitError {
    return new CallTimeLimitError(this.method, this.ms, this.asked ? 'input' : 'progress');
  }

  private run(now: number): void {
    if (this.since !== undefined || this.aborted) return;
    this.since = now;
    const left = this.ms - this.used;
    if (left <= 0) return this.expire();
    this.due = now + left;
    this.list();
    if (this.due < CallClock.timerAt) CallClock.arm(this.due, now);
  }

  private stop(): void {
    if (this.since === undefined) return;
    this.used += Date.now() - this.since;
    this.since = undefined;
    this.unlist();
  }

  private expire(): void {
    if (this.aborted) return;
    this.fired = true;
    // The reason is what the server reads in `notifications/cancelled`.
    this.abort(`MCP Host: ${this.method} ran for ${spokenDuration(this.ms)}, the most one call may take`);
  }

  dispose(): void {
    this.ended = true;
    this.unlist();
    this.outer?.removeEventListener('abort', this);
  }

  /** Adds this clock to the running ones, as the newest. */
  private list(): void {
    if (this.listed) return;
    this.listed = true;
    const newest = CallClock.newest;
    this.older = newest;
    this.newer = undefined;
    if (newest) newest.newer = this;
    else CallClock.oldest = this;
    CallClock.newest = this;
  }

  /** Takes this clock out of the running ones (no longer reachable from them: it can be collected). */
  private unlist(): void {
    if (!this.listed) return;
    this.listed = false;
    const { older, newer } = this;
    if (older) older.newer = newer;
    else CallClock.oldest = newer;
    if (newer) newer.older = older;
    else CallClock.newest = older;
    this.older = undefined;
    this.newer = undefined;
  }

  /**
   * Sets the shared timer for `due`. Unreferenced: a running clock's request is in flight, and the SDK's own request
   * timeout timer keeps the process up meanwhile; a timer left set after the last clock ended only sweeps nothing.
   */
  private static arm(due: number, now: number): void {
    if (CallClock.timer !== undefined) clearTimeout(CallClock.timer);
    CallClock.timerAt = due;
    const timer = setTimeout(CallClock.sweep, Math.max(1, due - now));
    (timer as { unref?(): unknown }).unref?.();
    CallClock.timer = timer;
  }

  /** Expires the clocks that are due, then sets the timer for the next deadline. */
  private static readonly sweep = (): void => {
    CallClock.timer = undefined;
    CallClock.timerAt = Infinity;
    const now = Date.now();
    const due: CallClock[] = [];
    let next = Infinity;
    for (let clock = CallClock.oldest; clock; clock = clock.newer) {
      if (clock.due <= now) due.push(clock);
      else if (clock.due < next) next = clock.due;
    }
    for (const clock of due) {
      clock.unlist();
      clock.expire();
    }
    if (next < Infinity) CallClock.arm(next, now);
  };
}
