import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { type IDisposable, toDisposable } from '../../common/disposable';
import { plainLabel } from '../../common/untrustedText';
import type { ConnectionState, SignInReason } from '../connectionState';
import type { ServerLog } from '../log';
import type { HostOAuthProvider, StreamRefused } from '../transports/signInTransport';
import { hasStaticCredentials } from './remotePolicy';
import { findSignInError, type PreRegisteredClient, ServerOAuth, SignInCancelledError, SignInRequiredError, type SignInServices } from './serverOAuth';

export type NeedsSignIn = Extract<ConnectionState, { kind: 'needsSignIn' }>;

/** How long after a change to the stored tokens they are read again (another window writes two secrets). */
const STORED_ELSEWHERE_SETTLE_MS = 100;

/** Sign-ins for the notification stream before it opens again: one step-up, and one more after a refusal that raced it. */
const MAX_STREAM_SIGN_INS = 2;

/** The authorization server's host, once discovery found it. */
function authorizationHost(oauth: ServerOAuth): string | undefined {
  const url = oauth.discoveryState()?.authorizationServerUrl;
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}

export interface ConnectionSignInOptions {
  /** The server's configured name, as the sign-in shows it. */
  readonly server: string;
  readonly log: ServerLog;
  /** Signs in when the user asks; without them a server answering 401 fails to start. */
  readonly services: SignInServices | undefined;
  /** Whether the server is running: step-ups are asked for only then. */
  running(): boolean;
  /** Resolves once the server is no longer starting (running, failed, stopped or waiting for a sign-in). */
  started(): Promise<void>;
  /** A refused refresh or a step-up outside a user's sign-in needs the user: the connection stops and waits. */
  onSignInRequired(error: SignInRequiredError): void;
  /** Whether the server waits for the user to sign in (not for more scopes): tokens another window stores may do. */
  waitsForSignIn(): boolean;
  /** Another window stored tokens for this server while it waited for a sign-in: the connection starts with them. */
  onSignedInElsewhere(): void;
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
  /** The sign-in the user started, while it runs. */
  private userSignIn: Promise<void> | undefined;
  /** The watch on the stored tokens of `oauth`, for a sign-in made in another window. */
  private storeWatch: IDisposable | undefined;
  /** A look at tokens another window stored, while it runs, and whether they changed again meanwhile. */
  private lookingElsewhere: Promise<void> | undefined;
  private changedMeanwhile = false;
  /** A digest of the tokens another window stored that this one last started with. */
  private triedFromElsewhere: string | undefined;
  /** The user signed out in this window: tokens another window stores later are not taken until they sign in here. */
  private signedOut = false;
  /** The wait of `lookElsewhere` under way: dispose ends it (the look then stops). */
  private settling: { readonly timer: ReturnType<typeof setTimeout>; readonly resolve: () => void } | undefined;
  private disposed = false;

  constructor(private readonly options: ConnectionSignInOptions) {}

  /**
   * Whether this server has signed in with OAuth (it holds tokens, or did since it was last signed out), so Sign Out
   * has something to forget. Not merely remote: a server that never asked for a sign-in offered "Sign Out" (walk16).
   */
  get signsIn(): boolean {
    return this.oauth?.signedIn === true;
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
      this.storeWatch?.dispose();
      this.storeWatch = this.oauth.onDidChangeStored(() => this.storedChanged());
    }
    return this.oauth;
  }

  /**
   * The step-up a remote transport asks before it gives up on `insufficient_scope`: the host's own sign-in runs
   * step-ups once per scope set; a provider given by the embedder (the conformance client's) keeps the SDK's
   * per-request step-up (undefined).
   */
  stepUpFor(provider: HostOAuthProvider | undefined): ((error: unknown) => Promise<boolean>) | undefined {
    return provider && provider === this.oauth ? error => this.stepUp(error, 'a request') : undefined;
  }

  /** What a remote transport asks when the server refuses its notification stream: see `streamRefused`. */
  streamRefusedFor(provider: HostOAuthProvider | undefined): StreamRefused | undefined {
    return provider && provider === this.oauth ? (error, attempt, stillOpen) => this.streamRefused(error, attempt, stillOpen) : undefined;
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
    this.signedOut = false;
    const signIn = (async () => {
      await oauth.beginSignIn(reason);
      try {
        await restart();
      } finally {
        oauth.endSignIn();
      }
    })();
    const settled = signIn.then(
      () => {},
      () => {},
    );
    this.userSignIn = settled;
    try {
      await signIn;
    } finally {
      if (this.userSignIn === settled) this.userSignIn = undefined;
    }
  }

  /** While a sign-in the user started runs: the host it signs in to, as "needs sign-in" named it ('' if none). */
  get signingIn(): string | undefined {
    return this.userSignIn ? (this.lastAsked?.host ?? '') : undefined;
  }

  /** Forgets this server's tokens and registrations (the connection stops it first). */
  async signOut(): Promise<void> {
    if (!this.oauth) return;
    this.signedOut = true;
    await this.oauth.signOut();
    this.options.log.info('Signed out: the tokens for this server were forgotten.');
  }

  /**
   * A running server refused a request for want of more scopes (`insufficient_scope`): the user is asked in the
   * sign-in modal (which names the scopes), and the request is sent again after the sign-in. Requests refused
   * for the same scopes meanwhile wait for that one sign-in. Declined or cancelled, those requests fail and the
   * server keeps running.
   */
  private async stepUp(error: unknown, what: string): Promise<boolean> {
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
        ? `The server asks for more access (${plainLabel(scope ?? '')}) for ${what === 'a request' ? 'another request' : what} too; it waits for the sign-in already asked for.`
        : `The server asks for more access (${plainLabel(scope ?? '')}) for ${what}; asking you to sign in again.`,
    );
    await oauth.stepUp(scope, resourceMetadataUrl);
    return true;
  }

  /**
   * The server refused the standalone notification stream for want of authorization. Once the server has started
   * (and the user's own sign-in, if one is under way, has ended), a step-up asks the user, naming the scopes, as for
   * a request (a sign-in already asked for the same scopes is shared); resolves true when signed in, and the
   * transport opens the stream again. A refusal that needs a new sign-in (no tokens left to refresh), or a step-up
   * declined, cancelled or failed, stops the server at "needs sign-in": its notifications would otherwise be lost
   * without a sign. A server that refuses the stream again after the sign-in for it is left running, with a warning.
   */
  private async streamRefused(error: unknown, attempt: number, stillOpen: () => boolean): Promise<boolean> {
    const oauth = this.oauth;
    if (!oauth) return false;
    await this.options.started();
    await this.userSignIn;
    if (!stillOpen() || !this.options.running()) return false;
    const log = this.options.log;
    const needed = findSignInError(error);
    if (needed instanceof SignInRequiredError && needed.reason !== 'stepUp') {
      this.options.onSignInRequired(needed);
      return false;
    }
    const reason = plainLabel(error);
    if (attempt > MAX_STREAM_SIGN_INS) {
      log.warn(`The server still refuses its notification stream after the sign-in for it (${reason}); its notifications will not arrive until Restart.`);
      return false;
    }
    try {
      if (await this.stepUp(error, 'its notification stream')) return true;
    } catch (failure) {
      if (!stillOpen() || !this.options.running()) return false;
      const request = findSignInError(failure);
      const asked = request instanceof SignInCancelledError ? request.request : undefined;
      if (!asked) log.warn(`The sign-in for the server's notification stream failed (${plainLabel(failure)}).`);
      const scopes = asked?.scopes ?? (error instanceof InsufficientScopeError ? (error.requiredScope ?? '').split(' ').filter(Boolean) : []);
      const host = asked?.host ?? authorizationHost(oauth) ?? this.lastAsked?.host ?? '';
      // Without the stream its notifications would be lost unseen: the server waits at "needs sign-in" instead.
      this.options.onSignInRequired(new SignInRequiredError(host, scopes, 'stepUp'));
      return false;
    }
    log.warn(`The server refused its notification stream (${reason}); its notifications will not arrive until Restart.`);
    return false;
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

  /**
   * This server's stored tokens changed. While the server waits at "needs sign-in" (and no sign-in of this
   * window's runs), tokens found now were stored by another window that signed in (or refreshed): the server
   * starts with them, without asking. Two windows needing the same sign-in thus need it once.
   */
  private storedChanged(): void {
    if (this.lookingElsewhere) {
      this.changedMeanwhile = true;
      return;
    }
    const oauth = this.oauth;
    if (!oauth || !this.waitingHere()) return;
    this.lookingElsewhere = this.lookElsewhere(oauth)
      .catch(() => {})
      .finally(() => {
        this.lookingElsewhere = undefined;
        if (!this.changedMeanwhile) return;
        this.changedMeanwhile = false;
        this.storedChanged();
      });
  }

  private async lookElsewhere(oauth: ServerOAuth): Promise<void> {
    // Another window writes the entry and the index one after the other: look once both are there.
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => {
        this.settling = undefined;
        resolve();
      }, STORED_ELSEWHERE_SETTLE_MS);
      this.settling = { timer, resolve };
    });
    if (oauth !== this.oauth || !this.waitingHere()) return;
    const stored = await oauth.reloadTokens();
    // Tokens this window already started with once and came back here are not tried again (no start loop).
    if (!stored || stored === this.triedFromElsewhere || oauth !== this.oauth || !this.waitingHere()) return;
    this.triedFromElsewhere = stored;
    this.options.log.info('Signed in from another window: starting with the tokens it stored.');
    this.options.onSignedInElsewhere();
  }

  private waitingHere(): boolean {
    return !this.disposed && !this.signedOut && !this.userSignIn && this.options.waitsForSignIn();
  }

  /** Ends a sign-in under way (the connection is going away). */
  dispose(): void {
    this.disposed = true;
    if (this.settling) {
      clearTimeout(this.settling.timer);
      this.settling.resolve();
      this.settling = undefined;
    }
    this.storeWatch?.dispose();
    this.oauth?.endSignIn();
  }
}
