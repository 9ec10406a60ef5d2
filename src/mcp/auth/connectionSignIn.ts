import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { type IDisposable, toDisposable } from '../../common/disposable';
import type { ConnectionState, SignInReason } from '../connectionState';
import type { ServerLog } from '../log';
import type { HostOAuthProvider } from '../transports/signInTransport';
import { hasStaticCredentials } from './remotePolicy';
import { findSignInError, type PreRegisteredClient, ServerOAuth, type SignInCancelledError, type SignInRequiredError, type SignInServices } from './serverOAuth';

export type NeedsSignIn = Extract<ConnectionState, { kind: 'needsSignIn' }>;

export interface ConnectionSignInOptions {
  /** The server's configured name, as the sign-in shows it. */
  readonly server: string;
  readonly log: ServerLog;
  /** Signs in when the user asks; without them a server answering 401 fails to start. */
  readonly services: SignInServices | undefined;
  /** Whether the server is running: step-ups are asked for only then. */
  running(): boolean;
  /** A refused refresh or a step-up outside a user's sign-in needs the user: the connection stops and waits. */
  onSignInRequired(error: SignInRequiredError): void;
}

/**
 * The OAuth sign-in of one remote server connection, across its launches: the provider a launch signs in with
 * (its tokens are cached in it), what a "needs sign-in" state asks for, step-ups while the server runs, and
 * refreshing the access token ahead of its expiry. The connection keeps every state change; this keeps what
 * the sign-in knows and does.
 */
export class ConnectionSignIn {
  private oauth: ServerOAuth | undefined;
  /** What the last "needs sign-in" asked for, shown again when the user cancels a sign-in. */
  private lastAsked: NeedsSignIn | undefined;

  constructor(private readonly options: ConnectionSignInOptions) {}

  /** Whether this server signs in with OAuth (it asked for a sign-in at least once, or holds tokens). */
  get signsIn(): boolean {
    return this.oauth !== undefined;
  }

  /** The sign-in for a remote launch; a definition that brings its own credentials in headers never signs in. */
  providerFor(launch: { url: string; headers: Readonly<Record<string, string>>; oauth?: PreRegisteredClient | undefined }): ServerOAuth | undefined {
    const services = this.options.services;
    if (!services || hasStaticCredentials(launch.headers)) return undefined;
    if (this.oauth?.serverUrl !== launch.url) {
      this.oauth?.endSignIn();
      this.oauth = new ServerOAuth({
        ...services,
        server: this.options.server,
        serverUrl: launch.url,
        preRegistered: launch.oauth,
        onSignInRequired: error => this.options.onSignInRequired(error),
      });
    }
    return this.oauth;
  }

  /**
   * The step-up a remote transport asks before it gives up on `insufficient_scope`: the host's own sign-in runs
   * step-ups once per scope set; a provider given by the embedder (the conformance client's) keeps the SDK's
   * per-request step-up (undefined).
   */
  stepUpFor(provider: HostOAuthProvider | undefined): ((error: unknown) => Promise<boolean>) | undefined {
    return provider && provider === this.oauth ? error => this.stepUp(error) : undefined;
  }

  /** The "needs sign-in" state for a sign-in the server requires or the user cancelled (then: what was asked last). */
  needsSignIn(error: SignInRequiredError | SignInCancelledError): NeedsSignIn {
    const asked = 'host' in error ? error : error.request;
    const state: NeedsSignIn = asked
      ? { kind: 'needsSignIn', host: asked.host, scopes: asked.scopes, reason: asked.reason }
      : (this.lastAsked ?? { kind: 'needsSignIn', host: '', scopes: [], reason: 'signIn' });
    this.options.log.info(`${'host' in error ? error.message : 'The sign-in was cancelled.'} Use Sign In to continue.`);
    this.lastAsked = state;
    return state;
  }

  /**
   * Runs `restart` inside a sign-in the user started: from now until it settles, a flow that needs the user
   * asks them (the browser may open). Does nothing for a server that never asked for a sign-in.
   */
  async signIn(reason: SignInReason, restart: () => Promise<void>): Promise<void> {
    const oauth = this.oauth;
    if (!oauth) return;
    await oauth.beginSignIn(reason);
    try {
      await restart();
    } finally {
      oauth.endSignIn();
    }
  }

  /** Forgets this server's tokens and registrations (the connection stops it first). */
  async signOut(): Promise<void> {
    if (!this.oauth) return;
    await this.oauth.signOut();
    this.options.log.info('Signed out: the tokens for this server were forgotten.');
  }

  /**
   * A running server refused a request for want of more scopes (`insufficient_scope`): the user is asked in the
   * sign-in modal (which names the scopes), and the request is sent again after the sign-in. Requests refused
   * for the same scopes meanwhile wait for that one sign-in. Declined or cancelled, those requests fail and the
   * server keeps running.
   */
  private async stepUp(error: unknown): Promise<boolean> {
    const oauth = this.oauth;
    if (!oauth || !this.options.running()) return false;
    let scope: string | undefined;
    let resourceMetadataUrl: URL | undefined;
    if (error instanceof InsufficientScopeError) {
      ({ requiredScope: scope, resourceMetadataUrl } = error);
    } else {
      // The SDK's own flow stopped (not signing in) in `redirectToAuthorization` while tokens are held.
      const signIn = findSignInError(error);
      if (!signIn || !('reason' in signIn) || signIn.reason !== 'stepUp') return false;
      scope = signIn.scopes.join(' ');
    }
    this.options.log.info(
      oauth.steppingUp(scope)
        ? `The server asks for more access (${scope ?? ''}) for another request too; it waits for the sign-in already asked for.`
        : `The server asks for more access (${scope ?? ''}) for a request; asking you to sign in again.`,
    );
    await oauth.stepUp(scope, resourceMetadataUrl);
    return true;
  }

  /**
   * Refreshes the access token of a launch shortly before it expires, so no request meets a 401 for it (the 401
   * path stays), while `current()` holds; disposing stops it. Only the host's own sign-in is refreshed this way.
   */
  keepTokensFresh(provider: HostOAuthProvider | undefined, current: () => boolean): IDisposable {
    if (!(provider instanceof ServerOAuth)) return toDisposable(() => {});
    const oauth = provider;
    const log = this.options.log;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const schedule = (): void =>
      void oauth.refreshDueAt().then(at => {
        if (at === undefined || stopped || !current()) return;
        timer = setTimeout(() => void refresh(), Math.max(0, at - Date.now()));
        timer.unref?.();
      });
    const refresh = async (): Promise<void> => {
      try {
        await oauth.refresh();
        if (!current()) return;
        log.info('Refreshed the access token before it expired.');
        schedule();
      } catch (error) {
        // A refused refresh has already moved the server to "needs sign-in" (onSignInRequired).
        if (findSignInError(error) || !current()) return;
        log.warn(`Could not refresh the access token ahead of its expiry (${error instanceof Error ? error.message : String(error)}); it is refreshed when the server refuses it.`);
      }
    };
    schedule();
    return toDisposable(() => {
      stopped = true;
      clearTimeout(timer);
    });
  }

  /** Ends a sign-in under way (the connection is going away). */
  dispose(): void {
    this.oauth?.endSignIn();
  }
}
