import { LOOPBACK_REDIRECT, LoopbackRedirect } from './loopbackRedirect';

export { LOOPBACK_REDIRECT };

/** Where one sign-in's redirect comes back: the loopback listener, or VS Code's URI handler. */
export interface RedirectListener {
  /** The redirect URI sent with the authorization request (and again with the code exchange). */
  readonly url: string;
  /** The redirect URI a client registration must list for this sign-in (for loopback: without the port). */
  readonly registeredUri: string;
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
  /**
   * The redirect URI outside a sign-in: what a passive authorization request (never sent, it only names the
   * host and scopes) carries. A sign-in's own URI is its listener's `registeredUri`.
   */
  readonly registeredUri: string;
  listen(options?: ListenOptions): Promise<RedirectListener>;
}

export interface ListenOptions {
  /**
   * The client was registered out of band (the definition's `oauth.clientId`), so its redirect URIs cannot
   * change per sign-in: a window whose URI-handler callback does (a browser workbench) uses loopback instead.
   */
  readonly fixedRedirect?: boolean;
}

export type RedirectMode = 'loopback' | 'uriHandler';
/** The user setting `mcpHost.remote.signInRedirect`. */
export type RedirectSetting = 'auto' | RedirectMode;

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

  /** `registeredUri`: this extension's callback URI, or its external form where that is the same for every sign-in. */
  constructor(readonly registeredUri: string) {}

  /** `url`: this sign-in's redirect URI, when it has its own (the external form asked for this sign-in). */
  async listen(_options?: ListenOptions, url = this.registeredUri): Promise<RedirectListener> {
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
      url,
      registeredUri: url,
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

/** The window a sign-in runs in, as `UriHandlerChannel` needs it (VS Code: `vscode.env` and the user setting). */
export interface SignInWindow {
  /** The redirect chosen for this window now (`chooseRedirect` with the user setting). */
  mode(): RedirectMode;
  /**
   * Whether the callback's external form differs per call: a workbench in a browser (code-server, `serve-web`)
   * hands out a request id with each `asExternalUri` and delivers one callback for it, then forgets it.
   */
  readonly externalFormPerCall: boolean;
  /** The external form of the callback URI (`vscode.env.asExternalUri`). */
  externalForm(callback: string): Promise<string>;
}

/**
 * A window's sign-in redirects: the loopback listener, or VS Code's URI handler at `callback` (the handler
 * passes every callback to `deliver`). The URI handler's external form is asked for each sign-in, not once per
 * window: a browser workbench delivers one callback per `asExternalUri` call (its request id), so a form kept
 * from an earlier sign-in would never bring a second one back. The redirect URI then differs per sign-in, and
 * a kept dynamic registration that lacks it is made again (`ServerOAuth.clientInformation`).
 */
export class UriHandlerChannel implements RedirectChannel {
  private readonly callbacks: UriHandlerCallbacks;

  constructor(
    readonly callback: string,
    private readonly window: SignInWindow,
  ) {
    this.callbacks = new UriHandlerCallbacks(callback);
  }

  get mode(): RedirectMode {
    return this.window.mode();
  }

  get registeredUri(): string {
    return this.mode === 'loopback' ? LOOPBACK_REDIRECT : this.callback;
  }

  async listen(options?: ListenOptions): Promise<RedirectListener> {
    if (this.mode === 'loopback' || (options?.fixedRedirect && this.window.externalFormPerCall)) return loopbackChannel.listen();
    // Asked before the listener exists: the authorization request and the registration carry it.
    return this.callbacks.listen(undefined, await this.window.externalForm(this.callback));
  }

  /** A callback no sign-in in progress expects (stray, replayed, another window's) completes nothing. */
  deliver(query: URLSearchParams): boolean {
    return this.callbacks.deliver(query);
  }
}
