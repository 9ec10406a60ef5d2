import { SdkHttpError, SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import type { ResolvedLaunch } from '../launch';
import { type AuthorizableTransport, type HostOAuthProvider, SignInTransport } from './signInTransport';

export type RemoteLaunch = Extract<ResolvedLaunch, { type: 'http' | 'sse' }>;

export interface RemoteTransportOptions {
  readonly authProvider?: HostOAuthProvider | undefined;
  /** Called after the user signed in during a request (the authorization context changed). */
  readonly onSignedIn?: () => void;
}

/**
 * A transport to a remote server: Streamable HTTP, or the older HTTP+SSE transport. The definition's
 * headers go with every request (the SSE stream's GET included), and with a sign-in provider a request
 * refused for want of authorization waits for the user to sign in.
 */
export function remoteTransport(launch: RemoteLaunch, wire: 'http' | 'sse', options: RemoteTransportOptions = {}): Transport {
  const url = new URL(launch.url);
  const requestInit: RequestInit = { headers: { ...launch.headers } };
  const provider = options.authProvider;
  const auth = provider ? { authProvider: provider } : {};
  const transport: AuthorizableTransport =
    wire === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit, ...auth })
      : new SSEClientTransport(url, {
          requestInit,
          eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...launch.headers, ...(init?.headers as Record<string, string>) } }) },
          ...auth,
        });
  return provider ? new SignInTransport(transport, provider, options.onSignedIn) : transport;
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
