import { AsyncLocalStorage } from 'node:async_hooks';

/** One resumption of a dropped Streamable HTTP stream the SDK has scheduled (see `StreamResumptionWatch`). */
export interface ScheduledResumption {
  /** From 1; the SDK gives up after `maxAttempts`. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The server's `retry`, or the backoff. */
  readonly delayMs: number;
  /**
   * `dropped`: the stream broke under the client (the connection was lost), or an earlier attempt failed.
   * `ended`: the server ended the stream itself and the client is to come back after `retry` (SEP-1699
   * polling): nothing is wrong unless that comes back failing (the next attempt is then `dropped`).
   */
  readonly cause: 'dropped' | 'ended';
}

export interface StreamResumptionEvents {
  /** The SDK scheduled a resumption (a `GET` carrying `Last-Event-ID`, after the delay). */
  readonly onScheduled?: (resumption: ScheduledResumption) => void;
  /** A scheduled resumption's `GET` is being sent now (its delay is over). */
  readonly onAttempt?: (attempt: number) => void;
  /** An attempt's `GET` failed: `reason` is what the HTTP exchange said (a status, a network error; server-derived: untrusted text). */
  readonly onAttemptFailed?: (attempt: number, reason: string) => void;
  /**
   * The resumption is over without the SDK giving up: `resumed`, the `GET` was answered with a stream; `noStream`,
   * with 405 (the server offers no stream now: the SDK stops there). Giving up reaches the client's `onerror`.
   */
  readonly onSettled?: (attempt: number, outcome: 'resumed' | 'noStream') => void;
}

/** The attempt a `GET` belongs to, carried through the SDK's own awaits from our `reconnect` to its fetch. */
const currentAttempt = new AsyncLocalStorage<{ readonly attempt: number }>();

/**
 * What the SDK does when it resumes a dropped stream, made visible. The SDK resumes by itself (`reconnectionScheduler`
 * is told of each attempt; nothing tells of success or of why an attempt failed); this watches through the two
 * public hooks it offers, the scheduler and `fetch`:
 * - `fetch` of a scheduled attempt's `GET` (known by the attempt's async context, whatever else is in flight) says
 *   whether the stream came back, or why not (an HTTP status or a network error);
 * - the body of every SSE response is read through a pass-through that notes a stream that broke (an error) as
 *   against one the server ended (done), so a polling server's routine reconnect is not shown as trouble.
 */
export class StreamResumptionWatch {
  /** A stream broke since the SDK last scheduled a first attempt. */
  private broke = false;

  constructor(
    /** The server's endpoint: an attempt's `GET` goes there (a sign-in's discovery within the attempt goes elsewhere). */
    private readonly endpoint: URL,
    private readonly maxAttempts: number,
    private readonly events: StreamResumptionEvents,
  ) {}

  /** For the SDK's `reconnectionScheduler`: tells of the resumption, and returns the `reconnect` to run when it is due. */
  scheduled(reconnect: () => void, delayMs: number, sdkAttempt: number): () => void {
    const attempt = sdkAttempt + 1;
    let cause: ScheduledResumption['cause'] = 'dropped';
    if (attempt === 1) {
      cause = this.broke ? 'dropped' : 'ended';
      this.broke = false;
    }
    this.events.onScheduled?.({ attempt, maxAttempts: this.maxAttempts, delayMs, cause });
    return () => {
      this.events.onAttempt?.(attempt);
      currentAttempt.run({ attempt }, reconnect);
    };
  }

  /** Wraps the transport's `fetch`: sees each attempt's outcome, and how SSE bodies end. */
  fetch(base: (input: string | URL, init?: RequestInit) => Promise<Response>): (input: string | URL, init?: RequestInit) => Promise<Response> {
    return async (input, init) => {
      const attempt = init?.method === 'GET' && hrefOf(input) === this.endpoint.href ? currentAttempt.getStore()?.attempt : undefined;
      let response: Response;
      try {
        response = await base(input, init);
      } catch (error) {
        if (attempt !== undefined && !init?.signal?.aborted) this.events.onAttemptFailed?.(attempt, networkError(error));
        throw error;
      }
      const stream = response.ok && response.body !== null && response.headers.get('content-type')?.toLowerCase().startsWith('text/event-stream') === true;
      if (attempt !== undefined) {
        if (stream) this.events.onSettled?.(attempt, 'resumed');
        else if (response.status === 405) this.events.onSettled?.(attempt, 'noStream');
        // A 401 is answered again within the attempt once the sign-in's refresh ran; the last answer is what counts.
        else this.events.onAttemptFailed?.(attempt, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      if (!stream) return response;
      const body = watchEnd(response.body!, () => {
        // A stream we aborted (a cancelled request, the transport closing) did not break.
        if (!init?.signal?.aborted) this.broke = true;
      });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
  }
}

function hrefOf(input: string | URL): string {
  try {
    return new URL(input).href;
  } catch {
    return String(input);
  }
}

/** A network failure in a few words: fetch's own "fetch failed" says nothing, its cause says what happened. */
function networkError(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message} (${detail})` : message;
}

/** `body` as is, read through a reader that calls `onBreak` when it errors (not when it ends). */
function watchEnd(body: ReadableStream<Uint8Array>, onBreak: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        onBreak();
        controller.error(error);
        return;
      }
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel: reason => reader.cancel(reason),
  });
}
