import * as assert from 'assert';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { chooseRedirect, UriHandlerCallbacks, UriHandlerChannel } from '../../../src/mcp/auth/redirectChannel';
import { SignInCancelledError, type SecretStore, type SignInBrowser, type SignInRequest } from '../../../src/mcp/auth/serverOAuth';
import type { LaunchPlan } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { followAuthorization } from '../../fixtures/lib/headlessBrowser';
import { startOAuthFixture, type OAuthFixture } from '../../fixtures/lib/oauthServer';

/** A browser on the extension host's machine: the redirect reaches the loopback listener. */
const loopbackBrowser: SignInBrowser = {
  async authorize(request, redirect) {
    assert.strictEqual(await followAuthorization(request.url), 200);
    return redirect;
  },
};

/**
 * A workbench in a browser as code-server 4.x is (read from lib/vscode/out/vs/code/browser/workbench/workbench.js
 * and callback.html): `asExternalUri(vscode://ext/path)` hands out `http://<host>/callback?vscode-reqid=N&…`;
 * the page at `/callback` merges the authorization server's query into the URI, and the workbench delivers it to
 * the extension's URI handler ONCE, for a request id it handed out, then forgets that id.
 */
class BrowserWorkbench {
  private nextId = 1;
  private readonly pending = new Set<string>();
  externalForms = 0;
  handler: (query: URLSearchParams) => void = () => {};

  async externalForm(callback: string): Promise<string> {
    this.externalForms++;
    const uri = new URL(callback);
    const id = String(this.nextId++);
    this.pending.add(id);
    return `https://workbench.example/callback?${new URLSearchParams({ 'vscode-reqid': id, 'vscode-scheme': uri.protocol.slice(0, -1), 'vscode-authority': uri.host, 'vscode-path': uri.pathname })}`;
  }

  /** The browser tab reached `/callback`: true when the workbench delivered it to the URI handler. */
  callback(location: URL): boolean {
    const id = location.searchParams.get('vscode-reqid') ?? '';
    if (location.origin !== 'https://workbench.example' || !this.pending.delete(id)) return false;
    const query = new URLSearchParams([...location.searchParams].filter(([key]) => !key.startsWith('vscode-')));
    this.handler(query);
    return true;
  }
}

/** The state now (a function, so that TypeScript does not narrow it across awaits). */
function stateOf(conn: ServerConnection): string {
  return conn.state.kind;
}

function memorySecrets(): SecretStore {
  const values = new Map<string, string>();
  return { get: async k => values.get(k), store: async (k, v) => void values.set(k, v), delete: async k => void values.delete(k) };
}

describe('Sign-in redirect: loopback or VS Code URI handler, per window', () => {
  it('chooses loopback only where the browser shares the extension host machine, unless the setting says otherwise', () => {
    assert.strictEqual(chooseRedirect('auto', { remoteName: undefined, web: false }), 'loopback', 'local desktop window');
    assert.strictEqual(chooseRedirect('auto', { remoteName: 'ssh-remote', web: false }), 'uriHandler', 'Remote-SSH');
    assert.strictEqual(chooseRedirect('auto', { remoteName: 'wsl', web: false }), 'uriHandler', 'WSL');
    assert.strictEqual(chooseRedirect('auto', { remoteName: undefined, web: true }), 'uriHandler', 'code-server / serve-web in a browser');
    assert.strictEqual(chooseRedirect('auto', { remoteName: 'codespaces', web: true }), 'uriHandler', 'Codespaces in a browser');
    assert.strictEqual(chooseRedirect('loopback', { remoteName: 'ssh-remote', web: true }), 'loopback');
    assert.strictEqual(chooseRedirect('uriHandler', { remoteName: undefined, web: false }), 'uriHandler');
  });

  it('a URI-handler callback completes only the sign-in whose state it carries, once', async () => {
    const callbacks = new UriHandlerCallbacks('vscode://mcp-host.test/oauth/callback');
    const one = await callbacks.listen();
    const two = await callbacks.listen();
    one.expect('state-one');
    two.expect('state-two');
    let oneDone = false;
    void one.redirect.then(() => (oneDone = true), () => {});
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'forged' })), false, 'no state: ignored');
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'forged', state: 'guessed' })), false, 'unknown state: ignored');
    await new Promise(r => setTimeout(r, 10));
    assert.strictEqual(oneDone, false, 'nothing completed the first sign-in');
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'c2', state: 'state-two' })), true);
    assert.strictEqual((await two.redirect).get('code'), 'c2', 'each sign-in gets its own callback');
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'c2', state: 'state-two' })), false, 'a replayed callback completes nothing');
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ error: 'access_denied', state: 'state-one' })), true);
    await assert.rejects(one.redirect, /refused the sign-in: access_denied/);
    const three = await callbacks.listen();
    three.expect('state-three');
    three.close();
    await assert.rejects(three.redirect, /closed/);
    assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'late', state: 'state-three' })), false, 'a closed sign-in takes no callback');
  });

  describe('a whole sign-in through the URI handler (real authorization server on loopback)', function () {
    this.timeout(30_000);
    let fixture: OAuthFixture;
    let conn: ServerConnection;
    afterEach(async () => {
      await conn?.shutdown();
      await fixture?.close();
    });

    it('registers and sends the handler URI, ignores a forged callback, and runs once the real one arrives (PKCE checked by the server)', async () => {
      fixture = await startOAuthFixture();
      const handlerUri = 'vscode://mcp-host.test/oauth/callback';
      const callbacks = new UriHandlerCallbacks(handlerUri);
      const values = new Map<string, string>();
      const secrets: SecretStore = { get: async k => values.get(k), store: async (k, v) => void values.set(k, v), delete: async k => void values.delete(k) };
      const asked: SignInRequest[] = [];
      // The browser: follows the authorization URL; VS Code hands the redirect it lands on to the URI handler.
      const browser: SignInBrowser = {
        async authorize(request, redirect) {
          asked.push(request);
          assert.strictEqual(callbacks.deliver(new URLSearchParams({ code: 'forged', state: 'not-this-sign-in' })), false);
          const answer = await fetch(request.url, { redirect: 'manual' });
          const location = new URL(answer.headers.get('location') ?? 'about:blank');
          assert.strictEqual(`${location.protocol}//${location.host}${location.pathname}`, handlerUri, 'the server redirects to the URI handler');
          assert.strictEqual(callbacks.deliver(location.searchParams), true);
          return redirect;
        },
      };
      const plan: LaunchPlan = { launch: { type: 'http', url: fixture.url, headers: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets, browser, clientName: 'MCP Host tests', redirects: callbacks } });
      await conn.start();
      assert.strictEqual(conn.state.kind, 'needsSignIn');
      await conn.signIn();
      assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
      assert.strictEqual(asked[0]!.url.searchParams.get('redirect_uri'), handlerUri);
      assert.strictEqual(asked[0]!.url.searchParams.get('code_challenge_method'), 'S256');
      const result = await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'));
      assert.match(JSON.stringify(result.result.content), /signed in as client/);
      assert.strictEqual(fixture.counts.register, 1);

      // The same tokens store, now in a local window (loopback): the registration lists the loopback URI too.
      fixture.expireAccessTokens();
      fixture.revokeRefreshTokens();
      await conn.shutdown();
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets, browser: loopbackBrowser, clientName: 'MCP Host tests' } });
      await conn.start();
      assert.strictEqual(conn.state.kind, 'needsSignIn');
      await conn.signIn();
      assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
      assert.strictEqual(fixture.counts.register, 1, 'no second registration');
    });

    it('registers again when the kept registration lacks this window\'s redirect URI', async () => {
      fixture = await startOAuthFixture();
      const values = new Map<string, string>();
      const secrets: SecretStore = { get: async k => values.get(k), store: async (k, v) => void values.set(k, v), delete: async k => void values.delete(k) };
      const plan: LaunchPlan = { launch: { type: 'http', url: fixture.url, headers: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
      // Registered in a window whose only redirect is one this window cannot receive.
      const elsewhere = new UriHandlerCallbacks('vscode://mcp-host.test/oauth/callback');
      const viaHandler: SignInBrowser = {
        async authorize(request, redirect) {
          const answer = await fetch(request.url, { redirect: 'manual' });
          elsewhere.deliver(new URL(answer.headers.get('location') ?? 'about:blank').searchParams);
          return redirect;
        },
      };
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets, browser: viaHandler, clientName: 'MCP Host tests', redirects: { mode: 'uriHandler', registeredUri: 'vscode://mcp-host.test/oauth/callback', listen: () => elsewhere.listen() } } });
      await conn.start();
      await conn.signIn();
      assert.strictEqual(conn.state.kind, 'running');
      await conn.shutdown();
      fixture.expireAccessTokens();
      fixture.revokeRefreshTokens();
      const other = new UriHandlerCallbacks('https://vscode.example/callback-for-this-window');
      const viaOther: SignInBrowser = {
        async authorize(request, redirect) {
          assert.strictEqual(request.url.searchParams.get('redirect_uri'), other.registeredUri);
          const answer = await fetch(request.url, { redirect: 'manual' });
          assert.ok(other.deliver(new URL(answer.headers.get('location') ?? 'about:blank').searchParams), 'the server accepted the new redirect URI');
          return redirect;
        },
      };
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets, browser: viaOther, clientName: 'MCP Host tests', redirects: other } });
      await conn.start();
      await conn.signIn();
      assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
      assert.strictEqual(fixture.counts.register, 2, 'registered again, with this window\'s redirect URI');
    });

    it('in a browser workbench every sign-in asks for its own callback URI, so signing in again in the same window completes too', async () => {
      fixture = await startOAuthFixture();
      const workbench = new BrowserWorkbench();
      const channel = new UriHandlerChannel('vscode://mcp-host.test/oauth/callback', { mode: () => 'uriHandler', externalFormPerCall: true, externalForm: cb => workbench.externalForm(cb) });
      workbench.handler = query => channel.deliver(query);
      const asked: SignInRequest[] = [];
      // The browser tab: the authorization server redirects it to the workbench's `/callback`. A callback the
      // workbench no longer delivers leaves the wait to the user, who cancels it.
      const browser: SignInBrowser = {
        async authorize(request, redirect) {
          asked.push(request);
          const answer = await fetch(request.url, { redirect: 'manual' });
          if (!workbench.callback(new URL(answer.headers.get('location') ?? 'about:blank'))) throw new SignInCancelledError(request);
          return redirect;
        },
      };
      const plan: LaunchPlan = { launch: { type: 'http', url: fixture.url, headers: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets: memorySecrets(), browser, clientName: 'MCP Host tests', redirects: channel } });
      await conn.start();
      assert.strictEqual(stateOf(conn), 'needsSignIn');
      assert.strictEqual(workbench.externalForms, 0, 'no external form until the user signs in');
      await conn.signIn();
      assert.strictEqual(stateOf(conn), 'running', JSON.stringify(conn.state));

      await conn.signOut();
      assert.strictEqual(stateOf(conn), 'needsSignIn');
      await conn.signIn();
      assert.strictEqual(stateOf(conn), 'running', `the second sign-in in the window: ${JSON.stringify(conn.state)}`);
      assert.match(JSON.stringify((await conn.callTool('whoami', {}, consentForTests(conn, 'whoami'))).result.content), /signed in as client/);

      // Signed out by the authorization server (the registration is kept): the kept registration lists only
      // the previous sign-in's URI, so it is registered again; reusing it would be refused (redirect_uri mismatch).
      fixture.expireAccessTokens();
      fixture.revokeRefreshTokens();
      await conn.restart();
      assert.strictEqual(stateOf(conn), 'needsSignIn');
      await conn.signIn();
      assert.strictEqual(stateOf(conn), 'running', `the third sign-in, with a kept registration: ${JSON.stringify(conn.state)}`);

      const uris = asked.map(r => r.url.searchParams.get('redirect_uri'));
      assert.deepStrictEqual(uris.map(u => new URL(u ?? '').searchParams.get('vscode-reqid')), ['1', '2', '3'], 'one request id per sign-in');
      assert.strictEqual(new Set(asked.map(r => r.url.searchParams.get('client_id'))).size, 3, 'each sign-in registered the URI it redirects to');
      assert.strictEqual(fixture.counts.register, 3);
    });

    it('a pre-registered client signs in through loopback where the callback URI changes per sign-in (it cannot list those)', async () => {
      fixture = await startOAuthFixture();
      fixture.preRegister('pre-registered-client', 'pre-registered-secret');
      const workbench = new BrowserWorkbench();
      const channel = new UriHandlerChannel('vscode://mcp-host.test/oauth/callback', { mode: () => 'uriHandler', externalFormPerCall: true, externalForm: cb => workbench.externalForm(cb) });
      const asked: SignInRequest[] = [];
      const browser: SignInBrowser = { authorize: (request, redirect) => (asked.push(request), loopbackBrowser.authorize(request, redirect)) };
      const plan: LaunchPlan = { launch: { type: 'http', url: fixture.url, headers: {}, oauth: { clientId: 'pre-registered-client', clientSecret: 'pre-registered-secret' } }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] };
      conn = new ServerConnection({ name: 'remote', plan: async () => plan, log: new MemoryLog(), clientInfo: { name: 'mcp-host-tests', version: '0.0.0' }, signIn: { secrets: memorySecrets(), browser, clientName: 'MCP Host tests', redirects: channel } });
      await conn.start();
      await conn.signIn();
      assert.strictEqual(stateOf(conn), 'running', JSON.stringify(conn.state));
      assert.match(asked[0]!.url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      assert.strictEqual(workbench.externalForms, 0);
      assert.strictEqual(fixture.counts.register, 0);

      // Where the external form is the same every time (a desktop window on a remote host), it keeps the handler.
      const desktop = new UriHandlerChannel('vscode://mcp-host.test/oauth/callback', { mode: () => 'uriHandler', externalFormPerCall: false, externalForm: async cb => cb });
      const listener = await desktop.listen({ fixedRedirect: true });
      assert.strictEqual(listener.url, 'vscode://mcp-host.test/oauth/callback');
      listener.close();
    });
  });
});
