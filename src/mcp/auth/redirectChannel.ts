import { LoopbackRedirect } from './loopbackRedirect';

/** Where one sign-in's redirect comes back: the loopback listener, or VS Code's URI handler. */
export interface RedirectListener {
  /** The redirect URI sent with the authorization request (and again with the code exchange). */
  readonly url: string;
  /** The query of the redirect (`code`, `state`, `iss`), or the reason it never came. */
  readonly redirect: Promise<URLSearchParams>;
  /** Only a redirect carrying this `state` completes the sign-in. */
  expect(state: string): void;
  /** Ends the wait: `redirect` rejects with `reason` unless it already settled. */
  cancel(reason: Error): void;
  close(): void;
}

/** How sign-ins of this window get their redirect, and the URI to register for it. */
export interface RedirectChannel {
  readonly mode: RedirectMode;
  /** The redirect URI a client registration lists (for loopback: without a port, RFC 8252 §7.3). */
  readonly registeredUri: string;
  listen(): Promise<RedirectListener>;
}

export type RedirectMode = 'loopback' | 'uriHandler';
/** The user setting `mcpHost.remote.signInRedirect`. */
export type RedirectSetting = 'auto' | RedirectMode;

/** The loopback redirect URI as registered: any port (RFC 8252 §7.3); each sign-in listens on a fresh one. */
export const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';

export const loopbackChannel: RedirectChannel = { mode: 'loopback', registeredUri: LOOPBACK_REDIRECT, listen: () => LoopbackRedirect.listen() };

/**
 * Which redirect works in this window. The loopback listener runs where the extension host runs, so it works
 * only when the browser is on that machine too: a desktop window on local files. A remote extension host
 * (Remote-SSH, WSL, containers, Codespaces: `remoteName` set) or a workbench in a browser (code-server,
 * `serve-web`: `web`) gets the redirect through VS Code's URI handler instead, which the user's own VS Code
 * or browser tab hands to this window. The user setting can force either.
 */
export function chooseRedirect(setting: RedirectSetting, window: { readonly remoteName: string | undefined; readonly web: boolean }): RedirectMode {
  if (setting === 'loopback' || setting === 'uriHandler') return setting;
  return window.web || window.remoteName ? 'uriHandler' : 'loopback';
}

/**
 * Sign-ins waiting for a redirect through VS Code's URI handler, by `state`. The handler gives every callback
 * to `deliver`; only one carrying the `state` of a sign-in in progress completes it, once: a stray or replayed
 * callback, or another window's, completes nothing. (PKCE binds the code to this sign-in's verifier as well:
 * the authorization server checks it when the code is exchanged.)
 */
export class UriHandlerCallbacks implements RedirectChannel {
  readonly mode = 'uriHandler' as const;
  private readonly waiting = new Map<string, (params: URLSearchParams) => void>();

  /** `url`: the external form of this extension's callback URI (`vscode.env.asExternalUri`). */
  constructor(readonly registeredUri: string) {}

  async listen(): Promise<RedirectListener> {
    let resolve!: (params: URLSearchParams) => void;
    let reject!: (error: Error) => void;
    const redirect = new Promise<URLSearchParams>((res, rej) => ((resolve = res), (reject = rej)));
    redirect.catch(() => {}); // reported to whoever awaits it
    let settled = false;
    const states = new Set<string>();
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      for (const state of states) this.waiting.delete(state);
      action();
    };
    const listener: RedirectListener = {
      url: this.registeredUri,
      redirect,
      expect: state => {
        states.add(state);
        this.waiting.set(state, params => {
          const error = params.get('error');
          if (!error && params.has('code')) settle(() => resolve(params));
          else {
            const description = params.get('error_description');
            settle(() => reject(new Error(`The authorization server refused the sign-in: ${error ?? 'no code'}${description ? ` (${description})` : ''}`)));
          }
        });
      },
      cancel: reason => settle(() => reject(reason)),
      close: () => settle(() => reject(new Error('The sign-in was closed.'))),
    };
    return listener;
  }

  /** Hands a callback's query to the sign-in it belongs to; false when its `state` matches no sign-in in progress. */
  deliver(query: URLSearchParams): boolean {
    const state = query.get('state');
    const complete = state ? this.waiting.get(state) : undefined;
    if (!state || !complete) return false;
    this.waiting.delete(state);
    complete(query);
    return true;
  }
}
