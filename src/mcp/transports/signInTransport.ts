import type { FetchLike, JSONRPCMessage, MessageExtraInfo, OAuthClientProvider, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { InsufficientScopeError, UnauthorizedError } from '@modelcontextprotocol/client';
import { findSignInError } from '../auth/signInErrors';

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
  /** Streamable HTTP only: opens the standalone `GET` stream (with `Last-Event-ID` when not empty). */
  resumeStream?(lastEventId: string): Promise<void>;
}

/**
 * Asked when the server refused the standalone `GET` stream (its notifications) for want of authorization:
 * `insufficient_scope`, or a 401 the SDK's refresh could not mend. Resolves true once signed in (the stream is
 * then opened again), false when the refusal stands; `attempt` counts the refusals since the stream last
 * opened, `stillOpen` says whether this transport is still in use.
 */
export type StreamRefused = (error: unknown, attempt: number, stillOpen: () => boolean) => Promise<boolean>;

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
 * authorization context changed (lists the server marked private are fetched again). The standalone `GET` stream
 * (the server's notifications), which no request awaits, is signed in for the same way and then opened again.
 */
export class SignInTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private closed = false;
  /** Refusals already seen: the SDK reports a refused `GET` twice, with the same error. */
  private readonly refusals = new WeakSet<object>();
  /** Refusals a `send` caught: those are a request's, which `send` signs in for. */
  private readonly claimed = new WeakSet<object>();
  /** The sign-in for the stream under way: resolves true when the stream may open again. */
  private streamSignIn: Promise<boolean> | undefined;
  /** Whether the server refused a `GET` since the stream last opened: only then is a refusal the stream's. */
  private getRefusedSinceOpen = false;
  /** Refusals of the stream since it last opened. */
  private streamRefusals = 0;
  /** Resumptions of a dropped stream the SDK has scheduled and not yet run. */
  private scheduledResumptions = 0;

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
    /** Without it, a refused notification stream is only reported (`onerror`), as the SDK does. */
    private readonly streamRefused?: StreamRefused,
  ) {
    inner.onclose = () => {
      this.closed = true;
      this.onclose?.();
    };
    inner.onerror = err => {
      this.onerror?.(err);
      this.onInnerError(err);
    };
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  /**
   * The SDK reports a refused `GET` only through `onerror` (nothing awaits it), and a refused `POST` through
   * `onerror` too, just before `send` rejects with it. A refusal is taken for the stream's only when both say so:
   * the server refused a `GET` since the stream last opened (the transport's fetch saw it: `getRefused`), and no
   * `send` caught the error by the time the microtasks have run. Then the user is asked to sign in (as for a
   * request), and the stream opens again. A request's refusal is its `send`'s alone, whatever the SDK's timing.
   */
  private onInnerError(error: Error): void {
    const streamRefused = this.streamRefused;
    if (!streamRefused || this.closed || !isAuthorizationRefusal(error) || this.refusals.has(error)) return;
    this.refusals.add(error);
    setImmediate(() => {
      if (this.claimed.has(error) || !this.getRefusedSinceOpen || this.closed || this.streamSignIn) return;
      this.getRefusedSinceOpen = false;
      const signIn = streamRefused(error, ++this.streamRefusals, () => !this.closed).then(
        signedIn => signedIn && !this.closed,
        () => false,
      );
      this.streamSignIn = signIn;
      void signIn.then(signedIn => {
        this.streamSignIn = undefined;
        if (!signedIn) return;
        this.onSignedIn();
        // A resumption the SDK scheduled reopens it (after the last event received); else it is opened here.
        if (this.scheduledResumptions === 0) void this.inner.resumeStream?.('').catch(() => {});
      });
    });
  }

  /** The stream opened (a `GET` answered with a stream): its refusals count anew. */
  streamOpened(): void {
    this.streamRefusals = 0;
    this.getRefusedSinceOpen = false;
  }

  /** The server answered a `GET` (the stream) with 401 or 403. */
  getRefused(): void {
    this.getRefusedSinceOpen = true;
  }

  /**
   * The SDK's reconnection scheduler for a dropped stream: `reconnect` runs after `delay`, or, while the stream's
   * sign-in is under way, once it succeeded (never if it failed: the server is stopped then).
   */
  scheduleResumption(reconnect: () => void, delay: number): () => void {
    this.scheduledResumptions++;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      this.scheduledResumptions--;
      return true;
    };
    const timer = setTimeout(() => {
      const signIn = this.streamSignIn;
      if (!signIn) {
        if (finish()) reconnect();
        return;
      }
      void signIn.then(signedIn => {
        if (finish() && signedIn && !this.closed) reconnect();
      });
    }, delay);
    return () => {
      clearTimeout(timer);
      finish();
    };
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
        if (error && typeof error === 'object') this.claimed.add(error);
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
    this.closed = true;
    return this.inner.close();
  }
}

/** A refusal a sign-in may mend: more scopes asked for, or a 401 with no tokens left to refresh. */
function isAuthorizationRefusal(error: unknown): boolean {
  return error instanceof InsufficientScopeError || error instanceof UnauthorizedError || findSignInError(error) !== undefined;
}
