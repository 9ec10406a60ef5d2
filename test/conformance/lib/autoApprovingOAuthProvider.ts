import { randomBytes } from 'crypto';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/client';
import type { HostOAuthProvider } from '../../../src/mcp/transports/signInTransport';

/**
 * Signs in as a user would, minus the user. The conformance suite's mock authorization servers approve
 * every request at once, so "opening the browser" is one GET of the authorization URL whose redirect
 * (not followed) carries the code, and the state is checked as a real redirect handler would.
 * Registration, tokens and the PKCE verifier live in memory for one run.
 */
export class AutoApprovingOAuthProvider implements HostOAuthProvider {
  /** Never contacted: the code is read from the redirect itself. */
  readonly redirectUrl = 'http://127.0.0.1:33418/callback';
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: 'MCP Host conformance client',
    redirect_uris: [this.redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
  private client: OAuthClientInformationMixed | undefined;
  private savedTokens: OAuthTokens | undefined;
  private verifier: string | undefined;
  private expectedState: string | undefined;
  private pending: Promise<URLSearchParams> | undefined;

  constructor(
    private readonly log: (message: string) => void,
    /** The client ID metadata document URL used where the authorization server supports them (SEP-991). */
    readonly clientMetadataUrl: string,
    /** Credentials registered out of band, for authorization servers without dynamic registration. */
    preRegistered?: OAuthClientInformationMixed,
  ) {
    this.client = preRegistered;
  }

  state(): string {
    this.expectedState = randomBytes(16).toString('base64url');
    return this.expectedState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.savedTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.log(`OAuth: got an access token${tokens.scope ? ` for scope '${tokens.scope}'` : ''}`);
    this.savedTokens = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier saved');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.savedTokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.log(`OAuth: signing in at ${authorizationUrl.origin}${authorizationUrl.pathname} (scope '${authorizationUrl.searchParams.get('scope') ?? ''}')`);
    const redirect = this.approve(authorizationUrl);
    redirect.catch(() => {}); // reported to whoever waits for it
    this.pending = redirect;
  }

  waitForAuthorization(): Promise<URLSearchParams> {
    const redirect = this.pending;
    this.pending = undefined;
    return redirect ?? Promise.reject(new Error('no sign-in was started'));
  }

  /** The query of the redirect the authorization server answers with (its `code`, and `iss` where it sends one). */
  private async approve(authorizationUrl: URL): Promise<URLSearchParams> {
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (!location) throw new Error(`the authorization server answered ${response.status} without a redirect`);
    const redirect = new URL(location);
    if (redirect.searchParams.get('state') !== this.expectedState) throw new Error('the redirect carries the wrong state');
    if (!redirect.searchParams.get('code')) throw new Error(`the redirect carries no code: ${redirect.searchParams.get('error') ?? location}`);
    return redirect.searchParams;
  }
}
