import * as assert from 'assert';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { chooseRedirect, UriHandlerCallbacks } from '../../../src/mcp/auth/redirectChannel';
import { type SecretStore, type SignInBrowser, type SignInRequest } from '../../../src/mcp/auth/serverOAuth';
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
  });
});
