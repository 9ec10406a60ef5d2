/**
 * What a sign-in asks of the user and the errors it ends in. Kept apart from serverOAuth.ts, which runs the
 * SDK's OAuth flow, so that code which only names these (the VS Code dialogs, the test host) does not load the SDK.
 */
import type { SignInReason } from '../connectionState';

/** One sign-in the user is asked to make. Host and scopes come from the servers: untrusted text. */
export interface SignInRequest {
  readonly server: string;
  /** The host of the authorization server's sign-in page, which the browser will open. */
  readonly host: string;
  readonly scopes: readonly string[];
  readonly reason: SignInReason;
  /** The authorization URL (state and PKCE challenge, no secret). */
  readonly url: URL;
}

/** The server needs a sign-in the host cannot do without the user: no tokens, a refused refresh, or more scopes. */
export class SignInRequiredError extends Error {
  constructor(
    readonly host: string,
    readonly scopes: readonly string[],
    readonly reason: SignInReason,
  ) {
    super(reason === 'stepUp' ? `The server asks for more access (${scopes.join(' ')}); sign in to ${host} again.` : `Sign in to ${host} to use this server.`);
    this.name = 'SignInRequiredError';
  }
}

/** The user declined or cancelled a sign-in. */
export class SignInCancelledError extends Error {
  constructor(readonly request: SignInRequest | undefined) {
    super('The sign-in was cancelled.');
    this.name = 'SignInCancelledError';
  }
}

/** Finds a sign-in error the SDK or a transport may have wrapped. */
export function findSignInError(error: unknown): SignInRequiredError | SignInCancelledError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SignInRequiredError || e instanceof SignInCancelledError) return e;
  }
  return undefined;
}
