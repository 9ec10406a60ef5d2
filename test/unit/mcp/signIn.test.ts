import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { describeState, type ConnectionState } from '../../../src/mcp/connectionState';
import type { LaunchPlan } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { Client, InsufficientScopeError, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { type AuthorizableTransport, SignInTransport } from '../../../src/mcp/transports/signInTransport';
import { remoteTransport } from '../../../src/mcp/transports/remoteTransport';
import { type PreRegisteredClient, type SecretStore, ServerOAuth, SignInCancelledError, type SignInBrowser, type SignInRequest } from '../../../src/mcp/auth/serverOAuth';
import { checkTransportSecurity, hasStaticCredentials, RemoteRefusedError } from '../../../src/mcp/auth/remotePolicy';
import { followAuthorization } from '../../fixtures/lib/headlessBrowser';
import { serverActions } from '../../../src/ui/tree/treeText';
import { startEverythingHttp } from '../servers';
import { ADMIN_SCOPE, OAUTH_SCOPES, STREAM_SCOPE, startOAuthFixture, type OAuthFixture } from '../../fixtures/lib/oauthServer';

/**
 * SecretStorage as a map, so a test can see exactly what was kept; shared by two connections it is what two
 * windows share, and, like VS Code's, it tells every listener (every window) of each change, a moment later.
 */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<(key: string) => void>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.changed(key);
  }
  async delete(key: string) {
    this.values.delete(key);
    this.changed(key);
  }
  onDidChange(listener: (key: string) => void) {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
  private changed(key: string): void {
    for (const listener of this.listeners) setImmediate(() => listener(key));
  }
}

/** The user, scripted: agrees (or not) after seeing the host, then the "browser" follows the authorization URL. */
class ScriptedBrowser implements SignInBrowser {
  readonly asked: SignInRequest[] = [];
  answer: 'approve' | 'decline' | 'wait' = 'approve';
  /** Answers for the next sign-ins, in order, before `answer` applies again. */
  readonly answers: Array<'approve' | 'decline'> = [];
  /** Awaited before the user answers: a test holds the sign-in open until other requests have been refused. */
  hold: (() => Promise<void>) | undefined;
  private cancelWait: (() => void) | undefined;

  async authorize(request: SignInRequest, redirect: Promise<URLSearchParams>): Promise<URLSearchParams> {
    this.asked.push(request);
    await this.hold?.();
    const answer = this.answers.shift() ?? this.answer;
    if (answer === 'decline') throw new SignInCancelledError(request);
    if (answer === 'wait') {
      // The browser never comes back; the user presses Cancel.
      return new Promise<URLSearchParams>((_resolve, reject) => (this.cancelWait = () => reject(new SignInCancelledError(request))));
    }
    assert.strictEqual(await followAuthorization(request.url), 200, 'the loopback listener accepts the redirect');
    return redirect;
  }

  cancel(): void {
    this.cancelWait?.();
  }
}

function connect(url: string, secrets: SecretStore, browser: SignInBrowser, log: MemoryLog, extra: { headers?: Record<string, string>; oauth?: PreRegisteredClient } = {}, clientMetadataUrl?: () => string | undefined) {
  const plan: LaunchPlan = { launch: { type: 'http', url, headers: {}, ...extra }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
  return new ServerConnection({
    name: 'remote',
    plan: async () => plan,
    log,
    clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
    signIn: { secrets, browser, clientName: 'MCP Host tests', ...(clientMetadataUrl ? { clientMetadataUrl } : {}) },
  });
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); await new Promise(r => setTimeout(r, 20))) {
    assert.ok(Date.now() < end, `timed out waiting: ${what}`);
  }
}

/** How many refused requests joined a step-up sign-in already under way. */
function joined(log: MemoryLog): number {
  return log.text().split('waits for the sign-in already asked for').length - 1;
}

function as<K extends ConnectionState['kind']>(state: ConnectionState, kind: K): Extract<ConnectionState, { kind: K }> {
  assert.strictEqual(state.kind, kind, `expected ${kind}, got ${JSON.stringify(state)}`);
  return state as Extract<ConnectionState, { kind: K }>;
}

describe('Remote servers: OAuth sign-in (real authorization server and v2 MCP server on loopback)', function () {
  this.timeout(30_000);
  let fixture: OAuthFixture;
  let secrets: MemorySecrets;
  let browser: ScriptedBrowser;
  let log: MemoryLog;
  let conn: ServerConnection;

  beforeEach(async () => {
    fixture = await startOAuthFixture();
    secrets = new MemorySecrets();
    browser = new ScriptedBrowser();
    log = new MemoryLog();
    conn = connect(fixture.url, secrets, browser, log);
  });
  afterEach(async () => {
    await conn.shutdown();
    await fixture.close();
  });

  it('a server answering 401 needs sign-in, naming the host and scopes, without opening a browser or registering', async () => {
    await conn.start();
    const state = as(conn.state, 'needsSignIn');
    assert.strictEqual(state.host, new URL(fixture.issuer).host);
    assert.deepStrictEqual(state.scopes, OAUTH_SCOPES);
    assert.strictEqual(state.reason, 'signIn');
    assert.strictEqual(browser.asked.length, 0, 'nothing asked the user');
    assert.strictEqual(fixture.counts.authorize + fixture.counts.register, 0, 'no registration, no authorization request');
    assert.strictEqual(secrets.values.size, 0);
  });

  it('Sign In: the user sees the host, the server runs and a tool works; tokens are kept per server and issuer', async () => {
    const states: ConnectionState[] = [];
    conn.onDidChangeState(state => states.push(state));
    await conn.start();
    assert.strictEqual(as(conn.state, 'needsSignIn').reason, 'signIn');
    assert.strictEqual(as(states[0]!, 'starting').signingIn, undefined, 'a start the user did not sign in with is just starting');
    let whileAsked: ConnectionState | undefined;
    browser.hold = async () => void (whileAsked = conn.state);
    await conn.signIn();
    as(conn.state, 'running');
    const host = new URL(fixture.issuer).host;
    assert.strictEqual(as(whileAsked!, 'starting').signingIn, host, 'while the browser is open the server shows it is signing in, and where');
    assert.strictEqual(describeState(whileAsked!), `signing in · ${host}`);
    assert.strictEqual(browser.asked.length, 1);
    assert.strictEqual(browser.asked[0]!.host, new URL(fixture.issuer).host);
    assert.deepStrictEqual(browser.asked[0]!.scopes, OAUTH_SCOPES);
    assert.strictEqual(browser.asked[0]!.url.searchParams.get('code_challenge_method'), 'S256');
    assert.strictEqual(fixture.counts.register, 1, 'dynamic client registration, once');
    const result = await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'));
    assert.match(JSON.stringify(result.result.content), /signed in as client/);
    const keys = [...secrets.values.keys()];
    assert.ok(keys.some(k => k.includes(fixture.url) && k.includes(fixture.issuer)), keys.join(', '));
    for (const t of fixture.issued) assert.ok(!log.text().includes(t), 'no token in the server log');
  });

  it('a second connection reuses the stored tokens without asking', async () => {
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    const again = connect(fixture.url, secrets, browser, log);
    try {
      await again.start();
      as(again.state, 'running');
      assert.strictEqual(browser.asked.length, 1);
    } finally {
      await again.shutdown();
    }
  });

  it('an expired access token is refreshed silently; a refused refresh goes back to needs sign-in', async () => {
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    fixture.expireAccessTokens();
    const result = await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'));
    assert.match(JSON.stringify(result.result.content), /signed in as client/);
    assert.strictEqual(fixture.counts.refresh, 1);
    assert.strictEqual(browser.asked.length, 1, 'the refresh asked nothing');

    fixture.expireAccessTokens();
    fixture.revokeRefreshTokens();
    // The call says why it got no answer: the sign-in, not "the server closed the connection (it exited or was stopped)" (walk16).
    const host = new URL(fixture.issuer).host;
    await assert.rejects(conn.callTool('whoami', {}, consentForTests(conn, 'whoami')), (e: Error) => {
      assert.strictEqual(e.message, `No answer: the sign-in expired and ${host} refused to renew it, so the server was stopped. Sign in again (Sign In on the server) and run the call again.`);
      return true;
    });
    const state = as(conn.state, 'needsSignIn');
    assert.strictEqual(state.reason, 'expired');
    assert.strictEqual(browser.asked.length, 1, 'no browser without the user');
    await conn.signIn();
    as(conn.state, 'running');
  });

  it('refreshes a short-lived access token before it expires, so no request meets a 401 for it', async () => {
    await conn.shutdown();
    await fixture.close();
    fixture = await startOAuthFixture({ accessTokenSeconds: 5 });
    conn = connect(fixture.url, secrets, browser, log);
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    const first = fixture.issued.length;
    for (const end = Date.now() + 15_000; fixture.counts.refresh < 2; ) {
      assert.ok(Date.now() < end, `two refreshes ahead of expiry (saw ${fixture.counts.refresh})`);
      await new Promise(r => setTimeout(r, 100));
    }
    assert.ok(fixture.issued.length > first, 'new tokens were issued');
    const result = await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'));
    assert.match(JSON.stringify(result.result.content), /signed in as client/);
    assert.strictEqual(fixture.counts.expired, 0, 'no request carried an expired token');
    assert.strictEqual(browser.asked.length, 1, 'the refreshes asked nothing');
    assert.ok(log.text().includes('Refreshed the access token before it expired.'));
    for (const t of fixture.issued) assert.ok(!log.text().includes(t), 'no token in the server log');
  });

  it('a proactive refresh racing a refresh after a 401, with a rotating refresh token: one refresh grant, both succeed, tokens kept', async () => {
    // Both paths explicitly, on the production wiring (ServerOAuth + remoteTransport + the SDK client): the
    // fixture deletes a used refresh token, so two grants with one token would lose one to invalid_grant.
    const oauth = new ServerOAuth({ server: 'remote', serverUrl: fixture.url, secrets, browser, clientName: 'MCP Host tests' });
    const client = new Client({ name: 'mcp-host-tests', version: '0.0.0' });
    await oauth.beginSignIn('signIn');
    await client.connect(remoteTransport({ type: 'http', url: fixture.url, headers: {} }, 'http', { authProvider: oauth }));
    oauth.endSignIn();
    try {
      fixture.expireAccessTokens();
      const release = fixture.holdRefreshes();
      const call = client.callTool({ name: 'whoami', arguments: {} }); // 401: the SDK refreshes
      await until(() => fixture.counts.refresh === 1, 'the refresh after the 401 reached the token endpoint');
      const proactive = oauth.refresh(); // the timer's refresh, with the same refresh token
      await until(() => fixture.counts.refresh + oauth.sharedRefreshes >= 2, 'the proactive refresh was sent');
      release();
      await proactive;
      assert.match(JSON.stringify((await call).content), /signed in as client/);
      assert.strictEqual(fixture.counts.refresh, 1, 'one refresh grant reached the authorization server');
      assert.ok(oauth.sharedRefreshes >= 1, 'the proactive refresh shared the first one');
      assert.ok(await oauth.hasTokens(), 'the new tokens were kept');
      const expiredBefore = fixture.counts.expired;
      assert.match(JSON.stringify((await client.callTool({ name: 'whoami', arguments: {} })).content), /signed in as client/);
      assert.strictEqual(fixture.counts.expired, expiredBefore, 'the next call carries the new, valid token');
      await oauth.refresh(); // the rotated refresh token works: it was not used twice
      assert.strictEqual(fixture.counts.refresh, 2);
      assert.strictEqual(browser.asked.length, 1, 'no sign-in asked for');
    } finally {
      await client.close();
    }
  });

  describe('two windows of one server (one SecretStorage, two extension hosts), with a rotating refresh token', () => {
    /** A window: its own ServerOAuth and SDK client over the shared store. */
    async function openWindow(signIn: boolean): Promise<{ oauth: ServerOAuth; client: Client }> {
      const oauth = new ServerOAuth({ server: 'remote', serverUrl: fixture.url, secrets, browser, clientName: 'MCP Host tests' });
      const client = new Client({ name: 'mcp-host-tests', version: '0.0.0' });
      if (signIn) await oauth.beginSignIn('signIn');
      await client.connect(remoteTransport({ type: 'http', url: fixture.url, headers: {} }, 'http', { authProvider: oauth }));
      oauth.endSignIn();
      return { oauth, client };
    }
    const whoami = async (client: Client) => assert.match(JSON.stringify((await client.callTool({ name: 'whoami', arguments: {} })).content), /signed in as client/);

    it('a window does not send a refresh token the other window already used: it takes the tokens that window stored, no prompt', async () => {
      const a = await openWindow(true);
      const b = await openWindow(false);
      try {
        assert.strictEqual(browser.asked.length, 1, 'the second window used the stored tokens');
        fixture.expireAccessTokens();
        await a.oauth.refresh(); // window A's timer: the refresh token both windows hold is rotated
        assert.strictEqual(fixture.counts.refresh, 1);
        await b.oauth.refresh(); // window B's timer (or a 401 in B), with the token A used
        assert.strictEqual(b.oauth.tokensFromOtherWindows, 1, 'B took the tokens A stored');
        await whoami(b.client);
        await b.oauth.refresh(); // B refreshes with A's refresh token, which rotates it under A
        await a.oauth.refresh();
        assert.strictEqual(a.oauth.tokensFromOtherWindows, 1, 'A in turn took what B stored');
        await whoami(a.client);
        assert.strictEqual(fixture.counts.refusedRefresh, 0, 'no window sent a refresh token that was already used');
        assert.strictEqual(browser.asked.length, 1, 'no window asked to sign in again');
      } finally {
        await Promise.all([a.client.close(), b.client.close()]);
      }
    });

    it('two windows refreshing at once: the one refused (invalid_grant) takes the tokens the winner stored, no prompt', async () => {
      const a = await openWindow(true);
      const b = await openWindow(false);
      try {
        fixture.expireAccessTokens();
        const release = fixture.holdRefreshes();
        const refreshes = [a.oauth.refresh(), b.oauth.refresh()];
        await until(() => fixture.counts.refresh === 2, 'both windows sent the same refresh token');
        release();
        await Promise.all(refreshes);
        assert.strictEqual(fixture.counts.refusedRefresh, 1, 'one window lost the race at the authorization server');
        assert.strictEqual(a.oauth.tokensFromOtherWindows + b.oauth.tokensFromOtherWindows, 1, 'the refused window took the stored tokens');
        await whoami(a.client);
        await whoami(b.client);
        assert.strictEqual(browser.asked.length, 1, 'no window asked to sign in again');
      } finally {
        await Promise.all([a.client.close(), b.client.close()]);
      }
    });

    /** Another window stored tokens without a refresh token (its authorization server gave none), saved `ageSeconds` ago. */
    function storeWithoutRefreshToken(ageSeconds: number): void {
      const key = [...secrets.values.keys()].find(k => k.endsWith(`/${fixture.issuer}`))!;
      const entry = JSON.parse(secrets.values.get(key)!) as { tokens: Record<string, unknown>; savedAt: number };
      delete entry.tokens.refresh_token;
      entry.savedAt = Date.now() - ageSeconds * 1000;
      secrets.values.set(key, JSON.stringify(entry));
    }

    it('tokens another window stored without a refresh token are not taken once expired: the refresh grant is sent', async () => {
      const a = await openWindow(true);
      try {
        fixture.expireAccessTokens();
        storeWithoutRefreshToken(3600 + 60); // their access token expired a minute ago
        await a.oauth.refresh();
        assert.strictEqual(a.oauth.tokensFromOtherWindows, 0, 'the expired tokens were not taken');
        assert.strictEqual(fixture.counts.refresh, 1, 'this window refreshed with its own refresh token');
        await whoami(a.client);
        assert.strictEqual(browser.asked.length, 1, 'no sign-in asked for');
      } finally {
        await a.client.close();
      }
    });

    it('tokens another window stored without a refresh token are taken while unexpired: no refresh grant', async () => {
      const a = await openWindow(true);
      try {
        storeWithoutRefreshToken(60);
        await a.oauth.refresh();
        assert.strictEqual(a.oauth.tokensFromOtherWindows, 1);
        assert.strictEqual(fixture.counts.refresh, 0);
        await whoami(a.client);
      } finally {
        await a.client.close();
      }
    });
  });

  it("hears of changes to this server's stored tokens only: not to another server whose URL extends its path", async () => {
    const secrets = new MemorySecrets();
    const oauth = (serverUrl: string) => new ServerOAuth({ server: 'remote', serverUrl, secrets, browser: new ScriptedBrowser(), clientName: 'MCP Host tests' });
    let heard = 0;
    const watch = oauth('https://mcp.example/api').onDidChangeStored(() => heard++);
    try {
      await secrets.store('mcpHost.oauth/https://mcp.example/api/v2', '{}');
      await secrets.store('mcpHost.oauth/https://mcp.example/api/v2/https://auth.example', '{}');
      await new Promise(resolve => setImmediate(resolve));
      assert.strictEqual(heard, 0, "another server's tokens woke this one");
      await secrets.store('mcpHost.oauth/https://mcp.example/api', '{}');
      await secrets.store('mcpHost.oauth/https://mcp.example/api/https://auth.example', '{}');
      await new Promise(resolve => setImmediate(resolve));
      assert.strictEqual(heard, 2);
    } finally {
      watch.dispose();
    }
  });

  describe('two windows at needs sign-in for the same server', () => {
    let otherLog: MemoryLog;
    let other: ServerConnection;
    beforeEach(() => {
      otherLog = new MemoryLog();
      other = connect(fixture.url, secrets, browser, otherLog);
    });
    afterEach(() => other.shutdown());

    it('signing in in one starts the other with the tokens it stored, without asking ("signed in from another window")', async () => {
      await Promise.all([conn.start(), other.start()]);
      as(conn.state, 'needsSignIn');
      as(other.state, 'needsSignIn');
      await conn.signIn();
      as(conn.state, 'running');
      await until(() => other.state.kind === 'running', 'the other window started with the stored tokens', 5_000);
      assert.strictEqual(browser.asked.length, 1, 'one sign-in for both windows');
      assert.strictEqual(fixture.counts.authorize, 1);
      assert.ok(otherLog.text().includes('Signed in from another window'), otherLog.text());
      const result = await other.callTool('whoami', {}, consentForTests(other, 'whoami'));
      assert.match(JSON.stringify(result.result.content), /signed in as client/);
      for (const t of fixture.issued) assert.ok(!otherLog.text().includes(t), 'no token in the server log');
    });

    it('a window closed while it looks at the tokens another window stored does nothing more', async () => {
      await Promise.all([conn.start(), other.start()]);
      as(other.state, 'needsSignIn');
      // Registered after the other window's own watch, so this runs just after it began to look: the window closes.
      const closing = secrets.onDidChange(() => other.dispose());
      try {
        await conn.signIn();
        as(conn.state, 'running');
        await new Promise(resolve => setTimeout(resolve, 400));
      } finally {
        closing.dispose();
      }
      assert.ok(!otherLog.text().includes('Signed in from another window'), otherLog.text());
      as(other.state, 'needsSignIn');
    });

    it('a window the user signed out of stays signed out when the other window signs in again', async () => {
      await conn.start();
      await conn.signIn();
      await other.start();
      as(other.state, 'running');
      await other.signOut();
      as(other.state, 'needsSignIn');
      await conn.signOut();
      await conn.signIn(); // stores new tokens
      as(conn.state, 'running');
      await new Promise(resolve => setTimeout(resolve, 1_000));
      as(other.state, 'needsSignIn');
      assert.ok(!otherLog.text().includes('Signed in from another window'));
      // Signing in there again is the user's to do, and works.
      await other.signIn();
      as(other.state, 'running');
    });
  });

  it('step-up: a call refused for insufficient_scope asks the user, naming the scopes, and runs after the new sign-in', async () => {
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    const result = await conn.callTool('admin', {}, consentForTests(conn, 'admin'));
    assert.match(JSON.stringify(result.result.content), new RegExp(`admin with .*${ADMIN_SCOPE}`));
    assert.strictEqual(fixture.counts.insufficientScope, 1, 'refused once; sent again after the sign-in');
    assert.strictEqual(browser.asked.length, 2, 'asked once more, at the call');
    const asked = browser.asked[1]!;
    assert.strictEqual(asked.reason, 'stepUp');
    assert.deepStrictEqual([...asked.scopes].sort(), [...OAUTH_SCOPES, ADMIN_SCOPE].sort());
    as(conn.state, 'running');
    assert.strictEqual(fixture.counts.toolCalls, 1, 'the tool ran once, after the sign-in');
  });

  it('step-up for calls refused at once: one sign-in; every call waits for it and then runs', async () => {
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    const calls = 3;
    // The sign-in stays open until every other call has joined it.
    browser.hold = () => until(() => joined(log) >= calls - 1, 'every call waits for the sign-in');
    const results = await Promise.all(Array.from({ length: calls }, () => conn.callTool('admin', {}, consentForTests(conn, 'admin'))));
    for (const result of results) assert.match(JSON.stringify(result.result.content), new RegExp(`admin with .*${ADMIN_SCOPE}`));
    assert.strictEqual(fixture.counts.insufficientScope, calls);
    assert.strictEqual(browser.asked.length, 2, 'one sign-in, then one step-up for all the calls');
    assert.strictEqual(fixture.counts.authorize, 2);
    assert.strictEqual(fixture.counts.toolCalls, calls, 'each call ran once, after the sign-in');
    as(conn.state, 'running');
    assert.ok(log.text().includes('waits for the sign-in already asked for'), log.text());
  });

  it('step-up declined while several calls wait: all fail with the same error, and the server keeps running', async () => {
    await conn.start();
    await conn.signIn();
    browser.answer = 'decline';
    browser.hold = () => until(() => joined(log) >= 1, 'the second call waits for the sign-in');
    const outcomes = await Promise.allSettled([0, 1].map(() => conn.callTool('admin', {}, consentForTests(conn, 'admin'))));
    const reasons = outcomes.map(o => (o.status === 'rejected' ? String((o.reason as Error).message) : 'ran'));
    assert.match(reasons[0]!, /cancelled/);
    assert.strictEqual(reasons[1], reasons[0], 'the same error for every waiting call');
    assert.strictEqual(browser.asked.length, 2, 'asked once for both');
    assert.strictEqual(fixture.counts.toolCalls, 0);
    as(conn.state, 'running');
    // The next refusal asks again (the failed sign-in is not remembered as an answer).
    browser.answer = 'approve';
    browser.hold = undefined;
    const result = await conn.callTool('admin', {}, consentForTests(conn, 'admin'));
    assert.match(JSON.stringify(result.result.content), new RegExp(`admin with .*${ADMIN_SCOPE}`));
    assert.strictEqual(browser.asked.length, 3);
  });

  it('step-up declined: the call fails, nothing opens, and the server keeps running', async () => {
    await conn.start();
    await conn.signIn();
    browser.answer = 'decline';
    await assert.rejects(conn.callTool('admin', {}, consentForTests(conn, 'admin')), /cancelled/);
    assert.strictEqual(browser.asked.length, 2);
    assert.strictEqual(fixture.counts.authorize, 1, 'no second authorization request reached the server');
    as(conn.state, 'running');
    browser.answer = 'approve';
    const result = await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'));
    assert.match(JSON.stringify(result.result.content), /signed in as client/);
  });

  describe('the notification stream (the standalone GET after initialize) refused for want of a scope', () => {
    /** The fixture again, its GET stream needing STREAM_SCOPE (the first sign-in asks only for OAUTH_SCOPES). */
    async function streamNeedsScope(): Promise<void> {
      await conn.shutdown();
      await fixture.close();
      fixture = await startOAuthFixture({ streamNeedsScope: true });
      conn = connect(fixture.url, secrets, browser, log);
    }
    /** The server notifies on its stream, and the client hears it: it lists the tools again. */
    async function notificationArrives(): Promise<void> {
      const before = fixture.counts.toolLists;
      assert.strictEqual(await fixture.notifyStreams(), 1, 'one notification stream is open (not none, not two)');
      await until(() => fixture.counts.toolLists > before, 'the client heard tools/list_changed and listed the tools again', 5_000);
    }

    it('the user is asked, naming the scopes; the stream opens again and notifications arrive', async () => {
      await streamNeedsScope();
      await conn.start();
      await conn.signIn();
      as(conn.state, 'running');
      await until(() => fixture.counts.streamsOpened === 1, 'the notification stream opened after the step-up', 5_000);
      assert.strictEqual(fixture.counts.streamsRefused, 1);
      assert.strictEqual(browser.asked.length, 2, 'the sign-in, then the step-up for the stream');
      const asked = browser.asked[1]!;
      assert.strictEqual(asked.reason, 'stepUp');
      assert.deepStrictEqual([...asked.scopes].sort(), [...OAUTH_SCOPES, STREAM_SCOPE].sort());
      as(conn.state, 'running');
      await notificationArrives();
      assert.match(log.text(), /\(mcp:tools mcp:notifications\) for its notification stream; asking you to sign in again/);
      for (const t of fixture.issued) assert.ok(!log.text().includes(t), 'no token in the server log');
    });

    it('declined: the server waits at needs sign-in naming the scopes (not a silent loss); Sign In brings the stream back', async () => {
      await streamNeedsScope();
      browser.answers.push('approve', 'decline');
      await conn.start();
      await conn.signIn();
      await until(() => conn.state.kind === 'needsSignIn', 'the declined step-up is shown');
      const state = as(conn.state, 'needsSignIn');
      assert.strictEqual(state.reason, 'stepUp');
      assert.strictEqual(state.host, new URL(fixture.issuer).host);
      assert.deepStrictEqual([...state.scopes].sort(), [...OAUTH_SCOPES, STREAM_SCOPE].sort());
      assert.strictEqual(fixture.counts.authorize, 1, 'nothing opened for the declined step-up');
      assert.strictEqual(fixture.counts.streamsOpened, 0);
      await conn.signIn();
      as(conn.state, 'running');
      await until(() => fixture.counts.streamsOpened === 1, 'the notification stream opened after the sign-in', 5_000);
      assert.strictEqual(browser.asked.length, 3, 'asked again after Sign In, for the stream');
      await notificationArrives();
    });

    it('a dropped stream whose resumption is refused waits for the step-up (the SDK does not spend its retries meanwhile), then resumes', async () => {
      await conn.start();
      await conn.signIn();
      await until(() => fixture.counts.streamsOpened === 1, 'the notification stream opened', 5_000);
      fixture.requireStreamScope(true);
      // The user takes a while: longer than the SDK's first retries (1 s, then 1.5 s) would wait.
      browser.hold = () => new Promise(resolve => setTimeout(resolve, 3_000));
      fixture.dropStreams();
      await until(() => fixture.counts.streamsOpened === 2, 'the stream resumed after the step-up', 20_000);
      assert.strictEqual(fixture.counts.streamsRefused, 1, 'one refused resumption; the next waited for the sign-in');
      assert.strictEqual(browser.asked.length, 2);
      assert.deepStrictEqual([...browser.asked[1]!.scopes].sort(), [...OAUTH_SCOPES, STREAM_SCOPE].sort());
      as(conn.state, 'running');
      await notificationArrives();
    });

    it('a dropped stream whose resumption meets a 401 and a refused refresh: the server goes to needs sign-in (expired), no prompt', async () => {
      await conn.start();
      await conn.signIn();
      await until(() => fixture.counts.streamsOpened === 1, 'the notification stream opened', 5_000);
      fixture.expireAccessTokens();
      fixture.revokeRefreshTokens();
      fixture.dropStreams();
      await until(() => conn.state.kind === 'needsSignIn', 'the refused refresh is shown', 10_000);
      assert.strictEqual(as(conn.state, 'needsSignIn').reason, 'expired');
      assert.strictEqual(fixture.counts.refusedRefresh, 1);
      assert.strictEqual(browser.asked.length, 1, 'nothing asked without the user');
      await conn.signIn();
      as(conn.state, 'running');
      await until(() => fixture.counts.streamsOpened === 2, 'the stream opened with the new sign-in', 5_000);
      await notificationArrives();
    });
  });

  it('declining or cancelling the sign-in returns to needs sign-in at once', async () => {
    await conn.start();
    browser.answer = 'decline';
    await conn.signIn();
    as(conn.state, 'needsSignIn');
    browser.answer = 'wait';
    const signingIn = conn.signIn();
    while (browser.asked.length < 2) await new Promise(r => setTimeout(r, 20));
    const cancelledAt = Date.now();
    browser.cancel();
    await signingIn;
    assert.ok(Date.now() - cancelledAt < 2000, 'the wait ended at once');
    as(conn.state, 'needsSignIn');
  });

  it('Sign Out forgets the tokens; the server needs sign-in again', async () => {
    await conn.start();
    await conn.signIn();
    as(conn.state, 'running');
    const states: string[] = [];
    conn.onDidChangeState(s => states.push(s.kind));
    await conn.signOut();
    assert.deepStrictEqual(states, ['stopped', 'starting', 'needsSignIn']);
    assert.strictEqual(secrets.values.size, 0, [...secrets.values.keys()].join(', '));
    assert.strictEqual(browser.asked.length, 1, 'signing out opened nothing');
  });

  it('offers Sign Out only when there is a sign-in to forget: not for a remote server that never asks for one (walk16)', async () => {
    // Every remote server without credentials in its headers has a sign-in provider; "Sign Out" was offered for all of
    // them (tree, CodeLens, status bar), and on server-everything it said "Signed out … stopped until you sign in
    // again" while the server simply started again.
    const open = await startEverythingHttp('streamableHttp');
    const plain = connect(open.url, secrets, browser, log);
    try {
      await plain.start();
      as(plain.state, 'running');
      assert.strictEqual(plain.signsIn, false, 'a server that never asked for a sign-in has nothing to sign out of');
      assert.ok(!serverActions(plain.state, { launched: true, signsIn: plain.signsIn }).includes('signOut'));
    } finally {
      await plain.shutdown();
      await open.stop();
    }
    await conn.start();
    as(conn.state, 'needsSignIn');
    assert.strictEqual(conn.signsIn, false, 'not signed in yet: Sign In, not Sign Out');
    await conn.signIn();
    as(conn.state, 'running');
    assert.strictEqual(conn.signsIn, true);
    // Another window (or the next session) starts with the stored tokens: it has signed in too.
    const again = connect(fixture.url, secrets, browser, log);
    try {
      await again.start();
      as(again.state, 'running');
      assert.strictEqual(again.signsIn, true);
    } finally {
      await again.shutdown();
    }
    // A refused refresh: the tokens are gone, the registration is not; Sign Out still has something to forget.
    fixture.revokeRefreshTokens();
    fixture.expireAccessTokens();
    await conn.restart();
    as(conn.state, 'needsSignIn');
    assert.strictEqual(conn.signsIn, true, 'signed in before');
    await conn.signOut();
    as(conn.state, 'needsSignIn');
    assert.strictEqual(conn.signsIn, false, 'signed out: nothing left to sign out of');
  });

  it('a pre-registered client (oauth in the definition) signs in with its id and secret, without registering', async () => {
    fixture.preRegister('pre-registered-client', 'pre-registered-secret');
    const pre = connect(fixture.url, secrets, browser, log, { oauth: { clientId: 'pre-registered-client', clientSecret: 'pre-registered-secret' } });
    try {
      await pre.start();
      as(pre.state, 'needsSignIn');
      await pre.signIn();
      as(pre.state, 'running');
      assert.strictEqual(browser.asked[0]!.url.searchParams.get('client_id'), 'pre-registered-client');
      assert.strictEqual(fixture.counts.register, 0);
      const result = await pre.callTool('whoami', {}, consentForTests(pre, 'whoami'));
      assert.match(JSON.stringify(result.result.content), /signed in as client pre-registered-client/);
    } finally {
      await pre.shutdown();
    }
  });

  it('with a client ID metadata document URL (read at sign-in), signs in with it as the client ID, without registering', async () => {
    const documentUrl = 'https://mcp-host.example/oauth/client-metadata.json';
    fixture.publishClientMetadata(documentUrl);
    let configured: string | undefined;
    const cimd = connect(fixture.url, new MemorySecrets(), browser, log, {}, () => configured);
    try {
      await cimd.start();
      as(cimd.state, 'needsSignIn');
      // Set after the connection was made: the URL is read when the sign-in starts, not when the server was defined.
      configured = documentUrl;
      const registered = fixture.counts.register;
      await cimd.signIn();
      as(cimd.state, 'running');
      assert.strictEqual(browser.asked.at(-1)!.url.searchParams.get('client_id'), documentUrl);
      assert.strictEqual(fixture.counts.register, registered, 'registered although the server accepts metadata documents');
      const result = await cimd.callTool('whoami', {}, consentForTests(cimd, 'whoami'));
      assert.match(JSON.stringify(result.result.content), /signed in as client https:\/\/mcp-host\.example/);
    } finally {
      await cimd.shutdown();
    }
  });

  it('a server with an API key in its headers never signs in or registers', async () => {
    const keyed = connect(fixture.url, secrets, browser, log, { headers: { Authorization: 'Bearer not-a-real-token' } });
    try {
      await keyed.start();
      const state = as(keyed.state, 'error');
      assert.match(state.message, /refused the credentials in the server's headers \(HTTP 401\)/);
      assert.strictEqual(fixture.counts.register + fixture.counts.authorize, 0);
      assert.strictEqual(browser.asked.length, 0);
    } finally {
      await keyed.shutdown();
    }
  });
});

describe('Remote servers: transport policy', () => {
  it('refuses plain http to a non-loopback host unless the user allowed it', () => {
    assert.throws(() => checkTransportSecurity('http://mcp.example.com/mcp', []), (e: unknown) => e instanceof RemoteRefusedError && /plain http/.test(e.message) && /allowPlainHttpHosts/.test(e.hint));
    checkTransportSecurity('http://mcp.example.com/mcp', ['MCP.example.com']);
    checkTransportSecurity('https://mcp.example.com/mcp', []);
    for (const local of ['http://127.0.0.1:3000/mcp', 'http://localhost/mcp', 'http://[::1]:8080/mcp']) checkTransportSecurity(local, []);
    assert.throws(() => checkTransportSecurity('http://127.0.0.1.example.com/mcp', []), RemoteRefusedError);
  });

  it('a plain-http server fails to start with that error and is never contacted', async () => {
    const log = new MemoryLog();
    const conn = connect('http://mcp.example.invalid/mcp', new MemorySecrets(), new ScriptedBrowser(), log);
    try {
      await conn.start();
      const state = as(conn.state, 'error');
      assert.match(state.message, /Refused to connect to mcp\.example\.invalid over plain http/);
      assert.match(state.hint ?? '', /mcpHost\.remote\.allowPlainHttpHosts/);
    } finally {
      await conn.shutdown();
    }
  });

  it('knows credential headers from other headers', () => {
    assert.ok(hasStaticCredentials({ Authorization: 'Bearer x' }));
    assert.ok(hasStaticCredentials({ 'X-API-Key': 'k' }));
    assert.ok(hasStaticCredentials({ 'x-goog-api-key': 'k' }));
    assert.ok(!hasStaticCredentials({ 'X-Tenant': 'acme' }));
    assert.ok(!hasStaticCredentials({}));
  });
});

describe('Remote servers: the HTTP+SSE fallback', function () {
  this.timeout(30_000);

  /** A server answering every request with `status` and `body`. */
  async function answering(status: number, body: string): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
      close: () => new Promise<void>(resolve => server.close(() => resolve())),
    };
  }

  it('a 400 is the server\'s real answer: no fallback, and its error is what the user sees', async () => {
    const server = await answering(400, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32022, message: 'Unsupported protocol version' } }));
    const log = new MemoryLog();
    const conn = connect(server.url, new MemorySecrets(), new ScriptedBrowser(), log);
    try {
      await conn.start();
      const state = as(conn.state, 'error');
      assert.match(state.message, /400|Unsupported protocol version/, state.message);
      assert.doesNotMatch(state.message, /SSE/);
      assert.doesNotMatch(log.text(), /trying the HTTP\+SSE transport/);
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });

  it('a 404 tries HTTP+SSE; when that fails too, the first error is shown and the second logged', async () => {
    const server = await answering(404, JSON.stringify({ error: 'no such endpoint' }));
    const log = new MemoryLog();
    const conn = connect(server.url, new MemorySecrets(), new ScriptedBrowser(), log);
    try {
      await conn.start();
      const state = as(conn.state, 'error');
      assert.match(log.text(), /answered 404; trying the HTTP\+SSE transport/);
      assert.match(log.text(), /The HTTP\+SSE transport failed too/);
      assert.match(state.message, /404/, state.message);
      assert.doesNotMatch(state.message, /SSE error/);
    } finally {
      await conn.shutdown();
      await server.close();
    }
  });
});

describe('SignInTransport: which refusals are the notification stream\'s', () => {
  /**
   * The SDK's transport, reduced to what this question needs: a POST refused with insufficient_scope, reported
   * through onerror as a *different* object than the one send rejects with (as a later SDK might wrap it), and a
   * GET refusal the transport's fetch saw. Only the GET's is the stream's.
   */
  class RefusingTransport implements AuthorizableTransport {
    onclose?: () => void;
    onerror?: (error: Error) => void;
    onmessage?: (message: JSONRPCMessage) => void;
    async start(): Promise<void> {}
    async close(): Promise<void> {}
    async finishAuth(): Promise<void> {}
    async send(): Promise<void> {
      const refusal = new InsufficientScopeError({ requiredScope: 'admin' });
      this.onerror?.(new InsufficientScopeError({ requiredScope: 'admin' }));
      throw refusal;
    }
  }
  const provider = { redirectUrl: 'http://127.0.0.1/callback', clientMetadata: { redirect_uris: ['http://127.0.0.1/callback'] }, clientInformation: () => undefined, tokens: () => undefined, saveTokens: () => {}, redirectToAuthorization: () => {}, saveCodeVerifier: () => {}, codeVerifier: () => '' };
  const settle = () => new Promise(resolve => setTimeout(resolve, 50));

  it("a request's refusal reported as another object is its send's, not the stream's; a refused GET is the stream's", async () => {
    const inner = new RefusingTransport();
    const asked: unknown[] = [];
    const transport = new SignInTransport(inner, provider as never, () => {}, async () => false, async error => {
      asked.push(error);
      return false;
    });
    transport.onerror = () => {};
    await assert.rejects(transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }), InsufficientScopeError);
    await settle();
    assert.strictEqual(asked.length, 0, "a request's refusal was taken for the stream's");
    // The stream's GET refused (the fetch saw a 403), then the SDK reports it.
    transport.getRefused();
    inner.onerror!(new InsufficientScopeError({ requiredScope: 'stream' }));
    await settle();
    assert.strictEqual(asked.length, 1, "the stream's refusal was not handled");
  });
});
