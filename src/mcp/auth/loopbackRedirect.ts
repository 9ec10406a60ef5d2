import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const CALLBACK_PATH = '/callback';

/** The loopback redirect URI as registered: any port (RFC 8252 §7.3); each sign-in listens on a fresh one. */
export const LOOPBACK_REDIRECT = `http://127.0.0.1${CALLBACK_PATH}`;

/** What the browser tab shows once the redirect arrived; it carries nothing from the request. */
const DONE_PAGE = '<!doctype html><meta charset="utf-8"><title>MCP Host</title><p>Signed in. You can close this tab and return to VS Code.</p>';
const FAILED_PAGE = '<!doctype html><meta charset="utf-8"><title>MCP Host</title><p>The sign-in did not complete. Return to VS Code for details.</p>';

/**
 * The redirect target of one sign-in: an HTTP listener on 127.0.0.1 with an ephemeral port (RFC 8252 §7.3:
 * authorization servers accept any port on a loopback redirect URI). It answers only `/callback` with the
 * expected `state`, so a stray request or another sign-in's redirect cannot complete this one. Closed as
 * soon as the redirect arrived, the wait was cancelled, or `close` is called.
 */
export class LoopbackRedirect {
  private readonly server: http.Server;
  private settled = false;
  private resolveRedirect!: (params: URLSearchParams) => void;
  private rejectRedirect!: (error: Error) => void;
  /** The query of the redirect (`code`, `state`, `iss`), or the reason it never came. */
  readonly redirect: Promise<URLSearchParams>;
  private expectedState: string | undefined;

  private constructor() {
    this.redirect = new Promise<URLSearchParams>((resolve, reject) => {
      this.resolveRedirect = resolve;
      this.rejectRedirect = reject;
    });
    // Nobody may be awaiting yet; whoever awaits later still sees the rejection.
    this.redirect.catch(() => {});
    this.server = http.createServer((req, res) => this.onRequest(req, res));
  }

  static async listen(): Promise<LoopbackRedirect> {
    const redirect = new LoopbackRedirect();
    await new Promise<void>((resolve, reject) => {
      redirect.server.once('error', reject);
      redirect.server.listen(0, '127.0.0.1', () => resolve());
    });
    redirect.redirectUri = `http://127.0.0.1:${(redirect.server.address() as AddressInfo).port}${CALLBACK_PATH}`;
    return redirect;
  }

  /** The redirect URI sent with the authorization request, and again with the code exchange after the listener closed. */
  get url(): string {
    return this.redirectUri;
  }
  private redirectUri = '';

  /** What a client registration lists for it: the port left out. */
  readonly registeredUri = LOOPBACK_REDIRECT;

  /** Only a redirect carrying this `state` completes the sign-in. */
  expect(state: string): void {
    this.expectedState = state;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || this.settled || url.searchParams.get('state') !== this.expectedState || this.expectedState === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain', connection: 'close' }).end('Not found');
      return;
    }
    const error = url.searchParams.get('error');
    const ok = !error && url.searchParams.has('code');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end(ok ? DONE_PAGE : FAILED_PAGE);
    if (ok) this.settle(() => this.resolveRedirect(url.searchParams));
    else {
      const description = url.searchParams.get('error_description');
      this.settle(() => this.rejectRedirect(new Error(`The authorization server refused the sign-in: ${error ?? 'no code'}${description ? ` (${description})` : ''}`)));
    }
  }

  /** Ends the wait: the redirect promise rejects with `reason` unless it already settled. */
  cancel(reason: Error): void {
    this.settle(() => this.rejectRedirect(reason));
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    action();
    this.close();
  }

  close(): void {
    if (!this.settled) this.cancel(new Error('The sign-in was closed.'));
    // Responses carry `connection: close`; idle keep-alive sockets are all that could hold the port.
    this.server.close();
    this.server.closeIdleConnections();
  }
}
