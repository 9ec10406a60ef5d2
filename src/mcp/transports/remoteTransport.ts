import { SdkHttpError, SSEClientTransport, SseError, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import type { ResolvedLaunch } from '../launch';
import { type AuthorizableTransport, type HostOAuthProvider, SignInTransport, type StreamRefused } from './signInTransport';
import { checkingAnswers } from './httpAnswers';
import { type StreamResumptionEvents, StreamResumptionWatch } from './streamResumption';

export type RemoteLaunch = Extract<ResolvedLaunch, { type: 'http' | 'sse' }>;

export interface RemoteTransportOptions {
  readonly authProvider?: HostOAuthProvider | undefined;
  /** Called after the user signed in during a request (the authorization context changed). */
  readonly onSignedIn?: () => void;
  /**
   * Told when the SDK schedules the resumption of a dropped response or notification stream (a `GET` carrying
   * `Last-Event-ID`, after the server's `retry` or the backoff; attempts count from 1), when an attempt is sent,
   * and when the stream is back. Streamable HTTP only.
   */
  readonly resumption?: StreamResumptionEvents;
  /** Asked when a request is refused for want of more scopes: see `SignInTransport`. */
  readonly stepUp?: (error: unknown) => Promise<boolean>;
  /** Asked when the server refuses the standalone notification stream for want of authorization: see `SignInTransport`. */
  readonly streamRefused?: StreamRefused;
}

/**
 * How often and how patiently a dropped Streamable HTTP stream is resumed. The SDK's default (2 tries)
 * gives up within seconds; a server restarting behind a proxy needs longer. A server's `retry` replaces the delay.
 */
export const STREAM_RESUMPTION = { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 } as const;

/**
 * A transport to a remote server: Streamable HTTP, or the older HTTP+SSE transport. The definition's
 * headers go with every request (the SSE stream's GET included), and with a sign-in provider a request
 * refused for want of authorization waits for the user to sign in.
 */
export function remoteTransport(launch: RemoteLaunch, wire: 'http' | 'sse', options: RemoteTransportOptions = {}): Transport {
  const url = new URL(launch.url);
  const requestInit: RequestInit = { headers: { ...launch.headers } };
  const provider = options.authProvider;
  const auth = provider ? { authProvider: provider, ...(provider.fetch ? { fetch: provider.fetch } : {}) } : {};
  // Set below when the transport signs in: it holds a resumption while the stream's sign-in runs, and hears of opened streams.
  let signIn: SignInTransport | undefined;
  const baseFetch = provider?.fetch ?? ((input, init) => fetch(input, init));
  const watch = new StreamResumptionWatch(url, STREAM_RESUMPTION.maxRetries, options.resumption ?? {});
  const transport: AuthorizableTransport =
    wire === 'http'
      ? new StreamableHTTPClientTransport(url, {
          requestInit,
          ...auth,
          // An answer whose result is not an object is failed at once, as on stdio (the SDK dropped it: the request waited its timeout).
          fetch: checkingAnswers(watch.fetch(
            provider && options.streamRefused
              ? async (input: string | URL, init?: RequestInit) => {
                  const response = await baseFetch(input, init);
                  if (init?.method === 'GET' && response.ok && response.headers.get('content-type')?.startsWith('text/event-stream')) signIn?.streamOpened();
                  if (init?.method === 'GET' && (response.status === 401 || response.status === 403)) signIn?.getRefused();
                  return response;
                }
              : baseFetch,
          )),
          // A 403 insufficient_scope comes to `stepUp`, which signs in once for every request refused for the same scopes.
          ...(provider && options.stepUp ? { onInsufficientScope: 'throw' as const } : {}),
          reconnectionOptions: STREAM_RESUMPTION,
          // The SDK resumes by itself; this lets the user see it happen, and waits for a sign-in the stream needs.
          reconnectionScheduler: (sdkReconnect, delay, attempt) => {
            const reconnect = watch.scheduled(sdkReconnect, delay, attempt);
            if (signIn) return signIn.scheduleResumption(reconnect, delay);
            const timer = setTimeout(reconnect, delay);
            return () => clearTimeout(timer);
          },
        })
      : new SSEClientTransport(url, {
          requestInit,
          eventSourceInit: { fetch: checkingAnswers((u, init) => fetch(u, { ...init, headers: { ...launch.headers, ...(init?.headers as Record<string, string>) } })) },
          ...auth,
        });
  if (!provider) return transport;
  signIn = new SignInTransport(transport, provider, options.onSignedIn, options.stepUp, wire === 'http' ? options.streamRefused : undefined);
  return signIn;
}

/**
 * Whether a failed connect over Streamable HTTP means "no Streamable HTTP here, perhaps HTTP+SSE": only a
 * 404 or 405 to the opening POST. Any other 4xx is the server's real answer (a 400 refusing the protocol
 * version, 401/403 about authorization) and is shown as it is, not masked by the fallback's own failure.
 */
export function wantsSseFallback(error: unknown): number | undefined {
  const status = error instanceof SdkHttpError ? error.status : (error as { code?: unknown } | undefined)?.code;
  return status === 404 || status === 405 ? status : undefined;
}

/**
 * Whether an error is the server's 404 to a request carrying our session id: on 2025-11-25 that means the
 * session is gone (the server restarted or ended it) and the client must open a new one.
 */
export function isSessionLost(error: unknown, transport: Transport | undefined): boolean {
  if (!transport?.sessionId) return false;
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SdkHttpError && e.status === 404) return true;
  }
  return false;
}

/**
 * Whether an error is the HTTP+SSE transport's event stream failing once connected: the server stopped, restarted
 * or dropped the stream. That transport has no resumption of its own (its EventSource reconnects silently, to a
 * new session the server never initialized), so the connection is lost and must be opened again.
 */
export function isSseStreamLost(error: unknown): boolean {
  return error instanceof SseError;
}

/**
 * Whether an error is the SDK giving up on resuming a dropped stream (every attempt of `STREAM_RESUMPTION`
 * failed): the server has been unreachable for a while, and the notification stream is gone for good.
 */
export function isStreamGivenUp(error: unknown): boolean {
  return error instanceof Error && /^Maximum reconnection attempts \(\d+\) exceeded/.test(error.message);
}

/**
 * Ends a Streamable HTTP session with the `DELETE` the spec asks clients to send when they leave, waiting at
 * most `withinMs` (a server that does not answer must not hold up a stop). True when the server acknowledged
 * it (405, "not supported", counts as done). Other transports, and sessionless connections, have nothing to end.
 */
export async function terminateSession(transport: Transport | undefined, withinMs: number): Promise<boolean> {
  const session = transport as (Transport & { terminateSession?: () => Promise<void> }) | undefined;
  if (!session?.terminateSession || !session.sessionId) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>(resolve => (timer = setTimeout(() => resolve(false), withinMs)));
  try {
    return await Promise.race([session.terminateSession().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
