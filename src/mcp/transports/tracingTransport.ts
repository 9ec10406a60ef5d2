import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';

export interface TransportTrace {
  /** Whether tracing is on right now (serialising every message is not free). */
  enabled(): boolean;
  write(direction: 'send' | 'receive', text: string): void;
}

const MAX_TRACE_CHARS = 4000;

/**
 * Sits between the SDK's `Client` and a real transport:
 * - traces every JSON-RPC message at trace level;
 * - delivers responses one microtask late. The SDK runs notification handlers a microtask after
 *   arrival but settles responses at once, so a `notifications/progress` sent just before its response
 *   found its handler already gone ("unknown token") and was lost. Deferring the response restores
 *   wire order; nothing waits on a response synchronously, so the delay is otherwise invisible.
 */
export class TracingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(
    readonly inner: Transport,
    private readonly trace: TransportTrace,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = err => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      this.traceMessage('receive', message);
      if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
        void Promise.resolve().then(() => this.onmessage?.(message, extra));
      } else {
        this.onmessage?.(message, extra);
      }
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** The version negotiated in `initialize` (the SDK reports it here). */
  protocolVersion: string | undefined;

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.traceMessage('send', message);
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private traceMessage(direction: 'send' | 'receive', message: JSONRPCMessage): void {
    if (!this.trace.enabled()) return;
    const text = JSON.stringify(message);
    this.trace.write(direction, text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}… (${text.length} chars)` : text);
  }
}
