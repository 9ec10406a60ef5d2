import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse } from '@modelcontextprotocol/client';

export interface TransportTrace {
  /** Whether tracing is on right now (serialising every message is not free). */
  enabled(): boolean;
  write(direction: 'send' | 'receive', text: string): void;
}

/** What became of the era probe (`server/discover`) sent over this transport, if one was sent. */
export type ProbeObservation = 'none' | 'unanswered' | 'answered';

const MAX_TRACE_CHARS = 4000;

/**
 * The error the host answers a request with when the server ended the request's response stream (Streamable HTTP)
 * without its answer and without a way to resume it: `classifyRequestError` names it (StreamEndedError).
 */
export const STREAM_ENDED = { code: -32000, message: 'MCP Host: the server ended the response stream without an answer', data: { mcpHost: 'streamEnded' } } as const;

/**
 * Whether a message is a response (to be delivered a microtask late), by its shape: the transports below hand on only
 * JSON-RPC messages, and the SDK validates each one itself. Checking with the SDK's schemas here cost two zod parses
 * per message (a notification fails both), ~0.5–1 µs per tool call, which the bare SDK client does not pay.
 */
function isResponse(message: JSONRPCMessage): boolean {
  return !('method' in message) && ('result' in message || 'error' in message);
}

/**
 * Sits between the SDK's `Client` and a real transport:
 * - traces every JSON-RPC message at trace level;
 * - delivers responses one microtask late. The SDK (v1 and v2 alike) runs notification handlers a
 *   microtask after arrival but settles responses at once, so a `notifications/progress` sent just before
 *   its response found its handler already gone ("unknown token") and was lost. Deferring the response
 *   restores wire order; nothing waits on a response synchronously, so the delay is otherwise invisible;
 * - notes whether the era probe was answered, so a verdict reached only because the server stayed silent
 *   is not remembered as if the server had said so.
 * It is transparent to the SDK: it forwards what the SDK reads from a transport (session id, protocol
 * version, per-request streams) and looks like a stdio transport when it wraps one (the SDK's probe treats
 * silence on stdio as a legacy server, on HTTP as an outage).
 */
export class TracingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private probeId: string | number | undefined;
  private probeAnswered = false;
  /**
   * Over HTTP: the requests sent and not answered yet, whose response stream may end without the answer, each with
   * what closes its stream (absent when the SDK closes it itself: the 2026-07-28 era).
   */
  private readonly unanswered: Map<string | number, AbortController | undefined> | undefined;

  constructor(
    readonly inner: Transport,
    private readonly trace: TransportTrace,
    kind: 'stdio' | 'remote',
  ) {
    this.unanswered = kind === 'remote' ? new Map() : undefined;
    inner.onclose = () => this.onclose?.();
    inner.onerror = err => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      this.traceMessage('receive', message);
      if (isResponse(message)) {
        this.unanswered?.delete((message as { id: string | number }).id);
        if (this.probeId !== undefined && (message as { id?: unknown }).id === this.probeId && (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message))) this.probeAnswered = true;
        // A microtask without the two promises `Promise.resolve().then(…)` makes; a throw stays an unhandled rejection, as it was.
        queueMicrotask(() => {
          try {
            this.onmessage?.(message, extra);
          } catch (err) {
            void Promise.reject(err);
          }
        });
      } else {
        this.onmessage?.(message, extra);
      }
    };
    // The SDK recognises a stdio transport by the presence of these two properties.
    if (kind === 'stdio') {
      Object.defineProperty(this, 'pid', { get: () => (inner as { pid?: unknown }).pid, enumerable: true });
      Object.defineProperty(this, 'stderr', { value: null, enumerable: true });
    }
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get hasPerRequestStream(): boolean {
    return this.inner.hasPerRequestStream === true;
  }

  get probe(): ProbeObservation {
    return this.probeId === undefined ? 'none' : this.probeAnswered ? 'answered' : 'unanswered';
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ('method' in message && message.method === 'server/discover' && 'id' in message) this.probeId = message.id;
    this.traceMessage('send', message);
    if (this.unanswered && 'method' in message) {
      if ('id' in message && message.id !== undefined) return this.inner.send(message, this.watchStream(message.id, options));
      if (message.method === 'notifications/cancelled') return this.inner.send(message, options).finally(() => this.giveUp(message.params?.requestId));
    }
    return this.inner.send(message, options);
  }

  /**
   * The SDK gave up on a request (its timeout, or a cancel) and told the server: the answer is no longer awaited, and on
   * a 2025-era connection the SDK left its response stream open (it closes it only on the 2026-07-28 era), so a server
   * that went on streaming keep-alives, or never answered, held a connection of the host's for good per call.
   */
  private giveUp(id: unknown): void {
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const stream = this.unanswered!.get(id);
    this.unanswered!.delete(id);
    stream?.abort();
  }

  /**
   * Over Streamable HTTP a request's answer comes in its POST's response. The SDK (2.4.0) resumes a response stream
   * that ended early only when the server gave its events ids; otherwise it tells the caller through
   * `onRequestStreamEnd` and nothing else, and the request waited for its whole timeout (60 s) for an answer that could
   * no longer come (a proxy that cuts idle streams, a server that crashed mid-request). It now fails at once.
   */
  private watchStream(id: string | number, options: TransportSendOptions | undefined): TransportSendOptions {
    const unanswered = this.unanswered!;
    const stream = options?.requestSignal ? undefined : new AbortController();
    unanswered.set(id, stream);
    const theirs = options?.onRequestStreamEnd;
    return {
      ...options,
      ...(stream ? { requestSignal: stream.signal } : {}),
      onRequestStreamEnd: () => {
        theirs?.();
        // Fired at every end of the stream, also after the answer came (it was delivered synchronously before).
        if (!unanswered.delete(id)) return;
        queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id, error: { ...STREAM_ENDED, data: { ...STREAM_ENDED.data } } }));
      },
    };
  }

  close(): Promise<void> {
    this.unanswered?.clear();
    return this.inner.close();
  }

  private traceMessage(direction: 'send' | 'receive', message: JSONRPCMessage): void {
    if (!this.trace.enabled()) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch {
      // Nested a few thousand deep (JSON.parse takes it, JSON.stringify overflows the stack): thrown here, it escaped the
      // transport's data handler uncaught and the message never reached the client.
      text = `(a message nested too deeply to show${'id' in message ? `, id ${String(message.id).slice(0, 100)}` : ''}${'method' in message ? `, ${String(message.method).slice(0, 100)}` : ''})`;
    }
    this.trace.write(direction, text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}… (${text.length} chars)` : text);
  }
}
