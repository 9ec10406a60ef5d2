import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';

/**
 * The SDK's OAuth client provider, plus the one thing the SDK leaves to the application: learning the
 * authorization code once the user has signed in. The SDK calls `redirectToAuthorization(url)` (in VS Code:
 * open the browser, start listening on the redirect URI) and then fails the request with
 * `UnauthorizedError`; `waitForAuthorizationCode` hands the code from that redirect back.
 * Non-interactive providers (client credentials, private-key JWT) leave it out: the SDK gets their tokens itself.
 */
export interface HostOAuthProvider extends OAuthClientProvider {
  /** Resolves with the code of the sign-in the last `redirectToAuthorization` started; rejects if the user gives up. */
  waitForAuthorizationCode?(): Promise<string>;
}

/** The SDK's HTTP transports (Streamable HTTP and SSE) both exchange a code for tokens this way. */
export interface AuthorizableTransport extends Transport {
  finishAuth(authorizationCode: string): Promise<void>;
}

/**
 * At most this many sign-ins for one message: a 401 without a token, then a 403 asking for more scopes
 * (step-up). More than that is a server that will never be satisfied; the SDK stops repeats of the same 403 too.
 */
const MAX_SIGN_INS_PER_MESSAGE = 2;

/**
 * Wraps a remote transport so that a message the server refuses for want of authorization waits for the
 * user to sign in and is sent again: `initialize` as well as any later request needing more scopes.
 * The sign-in counts against the request's timeout.
 */
export class SignInTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly inner: AuthorizableTransport,
    private readonly provider: HostOAuthProvider,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = err => this.onerror?.(err);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    for (let signIns = 0; ; signIns++) {
      try {
        return await this.inner.send(message, options);
      } catch (error) {
        if (!(error instanceof UnauthorizedError) || !this.provider.waitForAuthorizationCode || signIns >= MAX_SIGN_INS_PER_MESSAGE) throw error;
        await this.inner.finishAuth(await this.provider.waitForAuthorizationCode());
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
