import type { FetchLike, JSONRPCMessage, MessageExtraInfo, OAuthClientProvider, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { UnauthorizedError } from '@modelcontextprotocol/client';

/**
 * The SDK's OAuth client provider, plus the one thing the SDK leaves to the application: learning how the
 * user's sign-in ended. The SDK calls `redirectToAuthorization(url)` (in VS Code: open the browser, start
 * listening on the redirect URI) and then fails the request with `UnauthorizedError`;
 * `waitForAuthorization` hands back the query of that redirect (`code`, and `iss`, which the SDK checks
 * against the authorization server it started with, RFC 9207). Non-interactive providers (client
 * credentials, private-key JWT) leave it out: the SDK gets their tokens itself.
 */
export interface HostOAuthProvider extends OAuthClientProvider {
  /** Resolves with the redirect's query of the sign-in the last `redirectToAuthorization` started; rejects if the user gives up. */
  waitForAuthorization?(): Promise<URLSearchParams>;
  /** The fetch for the transport's requests, token requests included (see `ServerOAuth.fetch`). */
  readonly fetch?: FetchLike;
}

/** The SDK's HTTP transports (Streamable HTTP and SSE) both exchange a code for tokens this way. */
export interface AuthorizableTransport extends Transport {
  finishAuth(callbackParams: URLSearchParams): Promise<void>;
  /** Streamable HTTP only: the session `DELETE`. */
  terminateSession?(): Promise<void>;
}

/**
 * At most this many sign-ins for one message: a 401 without a token, then a 403 asking for more scopes
 * (step-up: the refusal, then the sign-in the user agreed to). More than that is a server that will never be
 * satisfied; the SDK stops repeats of the same 403 too.
 */
const MAX_SIGN_INS_PER_MESSAGE = 2;

/**
 * Wraps a remote transport so that a message the server refuses for want of authorization waits for the
 * user to sign in and is sent again: the era probe or `initialize` as well as any later request needing more
 * scopes. The sign-in counts against the request's timeout. `onSignedIn` tells the connection that the
 * authorization context changed (lists the server marked private are fetched again).
 */
export class SignInTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly inner: AuthorizableTransport,
    private readonly provider: HostOAuthProvider,
    private readonly onSignedIn: () => void = () => {},
    /**
     * Offered every other refusal of a message: when it is a step-up (the server wants more scopes) the host
     * signs in for them, or waits for the sign-in already under way for the same scopes, and resolves true: the
     * message is then sent again with the new tokens. False: the refusal stands. Rejects when the sign-in failed.
     */
    private readonly stepUp?: (error: unknown) => Promise<boolean>,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = err => this.onerror?.(err);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get hasPerRequestStream(): boolean {
    return this.inner.hasPerRequestStream === true;
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

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    let steppedUp = false;
    for (let signIns = 0; ; signIns++) {
      try {
        return await this.inner.send(message, options);
      } catch (error) {
        if (signIns >= MAX_SIGN_INS_PER_MESSAGE) throw error;
        if (error instanceof UnauthorizedError && this.provider.waitForAuthorization) {
          await this.inner.finishAuth(await this.provider.waitForAuthorization());
        } else if (steppedUp || !(steppedUp = (await this.stepUp?.(error)) === true)) {
          throw error;
        }
        this.onSignedIn();
      }
    }
  }

  /** Present when the inner transport has sessions (Streamable HTTP). */
  get terminateSession(): (() => Promise<void>) | undefined {
    return this.inner.terminateSession?.bind(this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
