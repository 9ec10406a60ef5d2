import { createHash, randomBytes } from 'node:crypto';
import { auth, computeScopeUnion, isStrictScopeSuperset } from '@modelcontextprotocol/client';
import type {
  FetchLike,
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { type IDisposable, toDisposable } from '../../common/disposable';
import type { SignInReason } from '../connectionState';
import { SignInCancelledError, SignInRequiredError, findSignInError, type SignInRequest } from './signInErrors';
import type { HostOAuthProvider } from '../transports/signInTransport';
import { LOOPBACK_REDIRECT, loopbackChannel, type RedirectChannel, type RedirectListener } from './redirectChannel';

export { SignInCancelledError, SignInRequiredError, findSignInError, type SignInRequest };

/** Where tokens and client registrations are kept: VS Code's SecretStorage in the extension. */
export interface SecretStore {
  get(key: string): Thenable<string | undefined> | Promise<string | undefined>;
  store(key: string, value: string): Thenable<void> | Promise<void>;
  delete(key: string): Thenable<void> | Promise<void>;
  /** Told the key of each secret stored or deleted, in this window or another (VS Code's `SecretStorage.onDidChange`). */
  onDidChange?(listener: (key: string) => void): IDisposable;
}

/**
 * The user's part of a sign-in (VS Code: a modal naming the host, `openExternal`, a cancellable wait).
 * Resolves with the redirect's query once `redirect` brings it; rejects with `SignInCancelledError` when the
 * user declines or cancels, which ends the wait at once.
 */
export interface SignInBrowser {
  authorize(request: SignInRequest, redirect: Promise<URLSearchParams>): Promise<URLSearchParams>;
}

/** A client registered out of band, from the definition's `oauth` (the secret already resolved from an input). */
export interface PreRegisteredClient {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
}

export interface ServerOAuthOptions {
  /** The server's name, for the dialogs. */
  readonly server: string;
  /** The MCP server URL: with the issuer, it keys the stored tokens. */
  readonly serverUrl: string;
  readonly secrets: SecretStore;
  readonly browser: SignInBrowser;
  readonly clientName: string;
  readonly preRegistered?: PreRegisteredClient | undefined;
  /**
   * An https URL serving this client's metadata document (SEP-991), used where the authorization server accepts them;
   * a function is asked at each sign-in (a setting the user may change).
   */
  readonly clientMetadataUrl?: string | (() => string | undefined) | undefined;
  /** Where this window's sign-ins get their redirect (default: the loopback listener). */
  readonly redirects?: RedirectChannel | undefined;
  /** Called when a sign-in is needed while no sign-in was asked for (a refused refresh mid-session; not a step-up). */
  readonly onSignInRequired?: (error: SignInRequiredError) => void;
}

/** What the host provides every server's sign-in. */
export type SignInServices = Pick<ServerOAuthOptions, 'secrets' | 'browser' | 'clientName' | 'clientMetadataUrl' | 'redirects'>;

interface IssuerEntry {
  client?: StoredOAuthClientInformation;
  tokens?: StoredOAuthTokens;
  /** When the tokens were saved (epoch ms): with their `expires_in`, when they expire. */
  savedAt?: number;
}

interface ServerIndex {
  issuers: string[];
  last?: string;
}

const KEY_PREFIX = 'mcpHost.oauth';
/** Tokens are refreshed this long before they expire (or a fifth of their lifetime before, when that is shorter). */
const REFRESH_AHEAD_MS = 60_000;
/** After a refused refresh, how long another window that won the same refresh gets to store its tokens. */
const STORED_ELSEWHERE_GRACE_MS = 1_000;

/**
 * The SDK's OAuth client provider for one remote server: the SDK does discovery, client ID metadata
 * documents or dynamic registration, PKCE, the token exchange and refresh; this keeps what it hands over
 * in SecretStorage per server URL and authorization server issuer, and decides when a browser may open.
 *
 * It is passive unless the user chose Sign In: a flow that would need the browser (no tokens, a refused
 * refresh, more scopes) stops with `SignInRequiredError` naming the host and scopes, and the connection shows
 * "needs sign-in". A refresh that works happens silently in either mode.
 */
export class ServerOAuth implements HostOAuthProvider {
  private index: ServerIndex | undefined;
  private readonly entries = new Map<string, IssuerEntry>();
  private discovery: OAuthDiscoveryState | undefined;
  private verifier: string | undefined;
  private issuer: string | undefined;
  private listener: RedirectListener | undefined;
  private pending: Promise<URLSearchParams> | undefined;
  private tokensInvalidated = false;
  /** Tokens were held (read from storage or saved) since this was made or last signed out: then there is something to sign out of. */
  private held = false;
  private reason: SignInReason = 'signIn';
  /** Step-up sign-ins under way, by the scope set asked for: later refusals for the same scopes wait for it. */
  private readonly stepUps = new Map<string, Promise<void>>();
  /** One interactive step-up at a time: they share the redirect listener, the PKCE verifier and the user's attention. */
  private stepUpTurn: Promise<unknown> = Promise.resolve();

  /** The last refresh grant sent (by refresh token), so a second refresh with the same token shares its answer. */
  private refreshExchange: { readonly refreshToken: string; readonly answer: Promise<RecordedResponse> } | undefined;
  /** How many refresh grants shared another's answer instead of reaching the authorization server (for tests). */
  sharedRefreshes = 0;
  /** How many refreshes were answered with tokens another window had stored (for tests). */
  tokensFromOtherWindows = 0;

  constructor(private readonly options: ServerOAuthOptions) {}

  /** Present only when configured: the SDK then prefers it to dynamic registration where the server allows. */
  get clientMetadataUrl(): string {
    const url = this.options.clientMetadataUrl;
    // Undefined when none is configured, which the SDK checks for; its type (an optional string) has no room for
    // a getter that may answer undefined.
    return ((typeof url === 'function' ? url() : url) || undefined) as string;
  }

  get serverUrl(): string {
    return this.options.serverUrl;
  }

  /**
   * Whether this server has signed in: tokens were read or saved since this provider was made (or last signed
   * out). Every remote server without credentials in its headers has a provider; one that never asked for a
   * sign-in has nothing to sign out of.
   */
  get signedIn(): boolean {
    return this.held;
  }

  private get channel(): RedirectChannel {
    return this.options.redirects ?? loopbackChannel;
  }


  get redirectUrl(): string {
    return this.listener?.url ?? this.channel.registeredUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    const scopes = this.options.preRegistered?.scopes;
    return {
      client_name: this.options.clientName,
      // The loopback URI too, so a registration made in a remote or web window also serves local windows.
      redirect_uris: [...new Set([this.listener?.registeredUri ?? this.channel.registeredUri, LOOPBACK_REDIRECT])],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(scopes?.length ? { scope: scopes.join(' ') } : {}),
    };
  }

  /** Whether the user asked to sign in: only then may a browser open. */
  get interactive(): boolean {
    return this.listener !== undefined;
  }

  /** Starts listening for the redirect: from now until `endSignIn`, a flow that needs the user asks them. */
  async beginSignIn(reason: SignInReason): Promise<void> {
    this.endSignIn();
    this.reason = reason;
    this.listener = await this.channel.listen({ fixedRedirect: this.options.preRegistered !== undefined });
  }

  endSignIn(): void {
    this.listener?.close();
    this.listener = undefined;
    this.pending = undefined;
  }

  state(): string {
    const state = randomBytes(16).toString('base64url');
    this.listener?.expect(state);
    return state;
  }

  async clientInformation(ctx?: OAuthClientInformationContext): Promise<StoredOAuthClientInformation | undefined> {
    if (ctx?.issuer) this.issuer = ctx.issuer;
    const pre = this.options.preRegistered;
    if (pre) return { client_id: pre.clientId, ...(pre.clientSecret ? { client_secret: pre.clientSecret } : {}), ...(ctx?.issuer ? { issuer: ctx.issuer } : {}) };
    const stored = ctx?.issuer ? (await this.entry(ctx.issuer)).client : undefined;
    // A registration made in another kind of window, or for an earlier sign-in whose redirect URI was its own
    // (a browser workbench's callback carries a request id), lacks this sign-in's redirect URI: register again.
    const registered = (stored as { redirect_uris?: unknown } | undefined)?.redirect_uris;
    if (this.listener && Array.isArray(registered) && !registered.includes(this.listener.registeredUri)) return undefined;
    if (stored || this.interactive) return stored;
    // Not signing in: a placeholder lets the SDK build the authorization request (whose host and scopes the
    // user is shown) without registering a client with an authorization server the user has not chosen yet.
    // It never leaves this process: the request stops in `redirectToAuthorization`, and it is not saved.
    return { client_id: '', ...(ctx?.issuer ? { issuer: ctx.issuer } : {}) };
  }

  async saveClientInformation(info: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): Promise<void> {
    if (this.options.preRegistered || !info.client_id) return;
    const issuer = ctx?.issuer ?? info.issuer ?? this.issuer;
    if (!issuer) return;
    await this.update(issuer, entry => (entry.client = info));
  }

  async tokens(ctx?: OAuthClientInformationContext): Promise<StoredOAuthTokens | undefined> {
    const issuer = ctx?.issuer ?? (await this.loadIndex()).last;
    if (ctx?.issuer) this.issuer = ctx.issuer;
    const tokens = issuer ? (await this.entry(issuer)).tokens : undefined;
    if (tokens) this.held = true;
    return tokens;
  }

  async saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): Promise<void> {
    const issuer = ctx?.issuer ?? tokens.issuer ?? this.issuer;
    if (!issuer) return;
    this.tokensInvalidated = false;
    this.held = true;
    await this.update(issuer, entry => {
      entry.tokens = tokens;
      entry.savedAt = Date.now();
    });
  }

  /**
   * The fetch for this server's transport and its token requests. A refresh grant is sent once per refresh
   * token: the authorization server may rotate refresh tokens (a used one stops working), so a proactive refresh
   * and a refresh after a 401 racing with the same token would otherwise lose one to `invalid_grant`, and the
   * SDK would then drop the tokens the winner saved ("needs sign-in"). The second shares the first's answer.
   */
  readonly fetch: FetchLike = async (input, init) => {
    const body = init?.body;
    const refreshToken = init?.method === 'POST' && body instanceof URLSearchParams && body.get('grant_type') === 'refresh_token' ? body.get('refresh_token') : null;
    if (!refreshToken) return fetch(input, init);
    if (this.refreshExchange?.refreshToken === refreshToken) {
      this.sharedRefreshes++;
    } else {
      this.refreshExchange = { refreshToken, answer: this.exchangeRefreshToken(refreshToken, () => fetch(input, init)) };
    }
    const { status, statusText, headers, body: text } = await this.refreshExchange.answer;
    return new Response(text, { status, statusText, headers });
  };

  /**
   * A refresh grant, unless another window already used this refresh token. Windows share SecretStorage but not
   * memory: window A's refresh rotates the token window B still holds, and B's grant with it fails
   * (`invalid_grant`; an authorization server detecting reuse may even revoke the grant). So the stored tokens are
   * read again first, and once more after a refused grant (A may have been storing them just then, and again a
   * moment later): when they are others than the ones being refreshed, they are the answer, and no one is asked
   * to sign in.
   */
  private async exchangeRefreshToken(refreshToken: string, send: () => Promise<Response>): Promise<RecordedResponse> {
    const stored = await this.tokensStoredElsewhere(refreshToken);
    if (stored) return stored;
    const answer = await record(await send());
    if (answer.status < 400) return answer;
    for (const wait of [0, STORED_ELSEWHERE_GRACE_MS]) {
      if (wait) await new Promise(resolve => setTimeout(resolve, wait));
      const newer = await this.tokensStoredElsewhere(refreshToken);
      if (newer) return newer;
    }
    return answer;
  }

  /**
   * Tokens in SecretStorage other than those holding `refreshToken` (another window's), as a token response.
   * Tokens without a refresh token are taken only while their access token has not expired (or states no
   * lifetime): expired, they would only bring the next 401, and this window's refresh token would be lost.
   */
  private async tokensStoredElsewhere(refreshToken: string): Promise<RecordedResponse | undefined> {
    const issuer = this.issuer ?? (await this.loadIndex()).last;
    if (!issuer) return undefined;
    const entry = parseJson<IssuerEntry>(await this.options.secrets.get(this.key(issuer)));
    const tokens = entry?.tokens;
    if (!entry || !tokens?.access_token || tokens.refresh_token === refreshToken) return undefined;
    // Their lifetime counts from when that window stored them.
    const left = tokens.expires_in !== undefined && entry.savedAt !== undefined ? Math.floor(tokens.expires_in - (Date.now() - entry.savedAt) / 1000) : undefined;
    if (!tokens.refresh_token && left !== undefined && left <= 0) return undefined;
    this.entries.set(issuer, entry);
    this.tokensFromOtherWindows++;
    const body = JSON.stringify({ ...tokens, ...(left !== undefined ? { expires_in: Math.max(1, left) } : {}) });
    return { status: 200, statusText: 'OK', headers: [['content-type', 'application/json']], body };
  }

  /**
   * When (epoch ms) the current tokens should be refreshed, shortly before the access token expires; undefined
   * when there is nothing to refresh ahead of time (no refresh token, or no stated lifetime).
   */
  async refreshDueAt(): Promise<number | undefined> {
    const issuer = this.issuer ?? (await this.loadIndex()).last;
    const entry = issuer ? await this.entry(issuer) : undefined;
    const lifetime = (entry?.tokens?.expires_in ?? 0) * 1000;
    if (!entry?.tokens?.refresh_token || lifetime <= 0 || entry.savedAt === undefined) return undefined;
    return entry.savedAt + lifetime - Math.min(REFRESH_AHEAD_MS, lifetime / 5);
  }

  /**
   * Refreshes the tokens now, with the SDK's refresh grant (the same flow as on a 401). A refused refresh ends
   * like any other that needs the user: `SignInRequiredError`, and "needs sign-in" through `onSignInRequired`.
   */
  async refresh(): Promise<void> {
    if ((await auth(this, { serverUrl: this.options.serverUrl, fetchFn: this.fetch })) !== 'AUTHORIZED') throw new Error('The authorization server did not refresh the tokens.');
  }

  /**
   * Signs in again for more scopes (a step-up: the server refused a request with `insufficient_scope`), asking
   * the user. A single flight per scope set: every request refused for the same scopes while it runs waits for
   * this one sign-in and resolves or fails with it (a declined sign-in fails them all with the same
   * `SignInCancelledError`). A step-up for other scopes waits its turn; scopes the tokens already hold (an
   * earlier step-up granted them) need no sign-in.
   */
  stepUp(scope: string | undefined, resourceMetadataUrl?: URL): Promise<void> {
    const key = scopeKey(scope);
    let flight = this.stepUps.get(key);
    if (!flight) {
      const turn = this.stepUpTurn.catch(() => {}).then(() => this.signInForScopes(scope, resourceMetadataUrl));
      flight = turn.finally(() => this.stepUps.delete(key));
      this.stepUps.set(key, flight);
      this.stepUpTurn = flight;
    }
    return flight;
  }

  /** Whether a step-up for these scopes is under way (a refusal now joins it rather than asking again). */
  steppingUp(scope: string | undefined): boolean {
    return this.stepUps.has(scopeKey(scope));
  }

  private async signInForScopes(scope: string | undefined, resourceMetadataUrl: URL | undefined): Promise<void> {
    const held = (await this.tokens())?.scope;
    if (held && scope && !isStrictScopeSuperset(computeScopeUnion(held, scope), held)) return;
    const union = computeScopeUnion(held, scope);
    const scoped = union ? { scope: union } : {};
    const serverUrl = this.options.serverUrl;
    await this.beginSignIn('stepUp');
    try {
      // The SDK's step-up, as its transport runs it: the union of held and asked scopes, bypassing a refresh
      // (which cannot add scopes). It stops in `redirectToAuthorization`, which asks the user.
      const result = await auth(this, { serverUrl, ...scoped, forceReauthorization: true, ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}) });
      if (result === 'AUTHORIZED') return;
      const callback = await this.waitForAuthorization();
      const code = callback.get('code');
      if (!code) throw new Error(`The authorization server did not grant the access asked for (${callback.get('error') ?? 'no authorization code'}).`);
      const iss = callback.get('iss') ?? undefined;
      if ((await auth(this, { serverUrl, authorizationCode: code, ...(iss ? { iss } : {}), ...scoped })) !== 'AUTHORIZED') throw new Error('The authorization server did not issue tokens.');
    } finally {
      this.endSignIn();
    }
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('No sign-in is in progress (no PKCE code verifier).');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    const issuer = this.issuer;
    if (!issuer || scope === 'verifier' || scope === 'discovery') return;
    // The SDK drops tokens when the authorization server refused a refresh: what follows is a sign-in again.
    if (scope === 'all' || scope === 'tokens') this.tokensInvalidated = true;
    await this.update(issuer, entry => {
      if (scope === 'all' || scope === 'client') delete entry.client;
      if (scope === 'all' || scope === 'tokens') delete entry.tokens;
    });
  }

  /**
   * The SDK's last step before the browser. Signing in: the user sees the host and opens the browser, and
   * `waitForAuthorization` hands the redirect to the SDK. Otherwise: stop here and say what sign-in is needed.
   */
  async redirectToAuthorization(url: URL): Promise<void> {
    const scopes = (url.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
    const hadTokens = this.issuer !== undefined && (await this.entry(this.issuer)).tokens !== undefined;
    const reason: SignInReason = this.listener ? this.reason : hadTokens ? 'stepUp' : this.tokensInvalidated ? 'expired' : 'signIn';
    const request: SignInRequest = { server: this.options.server, host: url.host, scopes, reason, url };
    const listener = this.listener;
    if (!listener) {
      const error = new SignInRequiredError(url.host, scopes, reason);
      // A step-up is asked about at the request that needs it (the connection's `stepUp`), not by stopping the server.
      if (reason !== 'stepUp') this.options.onSignInRequired?.(error);
      throw error;
    }
    const redirect = this.options.browser.authorize(request, listener.redirect).catch(error => {
      listener.cancel(error instanceof Error ? error : new Error(String(error)));
      throw error instanceof SignInCancelledError || findSignInError(error) ? error : new SignInCancelledError(request);
    });
    redirect.catch(() => {}); // reported to whoever waits for it
    this.pending = redirect;
  }

  waitForAuthorization(): Promise<URLSearchParams> {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? Promise.reject(new Error('No sign-in was started.'));
  }

  /** Forgets every token and registration kept for this server. */
  async signOut(): Promise<void> {
    const index = await this.loadIndex();
    await Promise.all(index.issuers.map(issuer => this.options.secrets.delete(this.key(issuer))));
    await this.options.secrets.delete(this.key());
    this.index = { issuers: [] };
    this.entries.clear();
    this.held = false;
    this.refreshExchange = undefined;
    this.discovery = undefined;
    this.verifier = undefined;
  }

  /** Calls `listener` when this server's stored tokens or registrations change, in this window or another. */
  onDidChangeStored(listener: () => void): IDisposable {
    const own = this.key();
    // An issuer's key is `<own>/<issuer URL>`; a server whose URL merely extends this one's path (`<own>/v2`) is another server.
    const ours = (key: string) => key === own || (key.startsWith(`${own}/`) && /^[a-z][a-z\d+.-]*:\/\//i.test(key.slice(own.length + 1)));
    return this.options.secrets.onDidChange?.(key => (ours(key) ? listener() : undefined)) ?? toDisposable(() => {});
  }

  /**
   * Reads the stored tokens again (another window may have stored some since this one last read them): a digest
   * of their access tokens, undefined when there are none. Only while no flow of this window's runs: it forgets
   * what it had read.
   */
  async reloadTokens(): Promise<string | undefined> {
    this.index = undefined;
    this.entries.clear();
    const index = await this.loadIndex();
    const hash = createHash('sha256');
    let any = false;
    for (const issuer of index.issuers) {
      const token = (await this.entry(issuer)).tokens?.access_token;
      if (!token) continue;
      any = true;
      hash.update(`${issuer}\n${token}\n`);
    }
    return any ? hash.digest('base64url') : undefined;
  }

  /** Whether tokens are stored for this server (for any issuer). */
  async hasTokens(): Promise<boolean> {
    const index = await this.loadIndex();
    for (const issuer of index.issuers) if ((await this.entry(issuer)).tokens) return true;
    return false;
  }

  private key(issuer?: string): string {
    return issuer === undefined ? `${KEY_PREFIX}/${this.options.serverUrl}` : `${KEY_PREFIX}/${this.options.serverUrl}/${issuer}`;
  }

  private async loadIndex(): Promise<ServerIndex> {
    this.index ??= parseJson<ServerIndex>(await this.options.secrets.get(this.key())) ?? { issuers: [] };
    return this.index;
  }

  private async entry(issuer: string): Promise<IssuerEntry> {
    let entry = this.entries.get(issuer);
    if (!entry) {
      entry = parseJson<IssuerEntry>(await this.options.secrets.get(this.key(issuer))) ?? {};
      this.entries.set(issuer, entry);
    }
    return entry;
  }

  private async update(issuer: string, change: (entry: IssuerEntry) => void): Promise<void> {
    const entry = await this.entry(issuer);
    change(entry);
    await this.options.secrets.store(this.key(issuer), JSON.stringify(entry));
    const index = await this.loadIndex();
    if (!index.issuers.includes(issuer) || index.last !== issuer) {
      this.index = { issuers: [...new Set([...index.issuers, issuer])], last: issuer };
      await this.options.secrets.store(this.key(), JSON.stringify(this.index));
    }
  }
}

interface RecordedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: [string, string][];
  readonly body: string;
}

/** A response read once, so that each caller sharing it gets its own copy. */
async function record(response: Response): Promise<RecordedResponse> {
  return { status: response.status, statusText: response.statusText, headers: [...response.headers], body: await response.text() };
}

/** A scope set as a key: order and repeats do not matter. */
function scopeKey(scope: string | undefined): string {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))].sort().join(' ');
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
