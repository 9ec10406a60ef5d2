import * as vscode from 'vscode';
import { inertBlock, safe } from '../common/untrustedText';
import { SignInCancelledError, type SignInRequest, type SecretStore } from '../mcp/auth/serverOAuth';
import { chooseRedirect, type RedirectSetting, UriHandlerChannel } from '../mcp/auth/redirectChannel';
import { Settings } from '../ids';
import * as ui from '../ui/window';
import { userSetting, userStrings } from '../userSettings';

/** The user's part of an OAuth sign-in to a remote server. */
export interface SignInDialog {
  /**
   * Shows which host the user is about to sign in to (and the scopes), opens the browser only if they agree,
   * and waits for `redirect` with a Cancel that ends the wait at once (rejecting with `SignInCancelledError`).
   */
  authorizeSignIn(request: SignInRequest, redirect: Promise<URLSearchParams>): Promise<URLSearchParams>;
}

const WHY: Record<SignInRequest['reason'], string> = {
  signIn: 'needs you to sign in',
  expired: 'needs you to sign in again (the sign-in expired)',
  stepUp: 'asks for more access',
};

export const signInDialog: SignInDialog = {
  async authorizeSignIn(request, redirect) {
    const open = 'Open Browser';
    const scopes = request.scopes.length ? request.scopes.join(' ') : '(none named)';
    const answer = await ui.showInformationMessage(
      safe`The MCP server '${request.server}' ${WHY[request.reason]}. Sign in at ${request.host}?`,
      {
        modal: true,
        detail: inertBlock(`Your browser opens a sign-in page at ${request.host}.\nScopes asked for: ${scopes}\n\nAfter you sign in there, the browser hands the sign-in back to VS Code.`),
      },
      open,
    );
    if (answer !== open) throw new SignInCancelledError(request);
    if (!(await ui.openExternal(request.url.href))) throw new SignInCancelledError(request);
    return ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: safe`Signing in to '${request.server}' at ${request.host}: waiting for the browser…`, cancellable: true },
      (_progress, token) =>
        new Promise<URLSearchParams>((resolve, reject) => {
          const cancelled = token.onCancellationRequested(() => reject(new SignInCancelledError(request)));
          redirect.then(resolve, reject).finally(() => cancelled.dispose());
        }),
    );
  },
};

/** SecretStorage as the sign-in's token store. */
export function secretStore(secrets: vscode.SecretStorage): SecretStore {
  return {
    get: key => secrets.get(key),
    store: (key, value) => secrets.store(key, value),
    delete: key => secrets.delete(key),
    // VS Code fires it in every window of this extension, for a change made in any of them.
    onDidChange: listener => secrets.onDidChange(e => listener(e.key)),
  };
}

/** Hosts the user allows plain http to: user settings only (the setting is application-scoped). */
export function allowedPlainHttpHosts(): readonly string[] {
  return userStrings(Settings.remoteAllowPlainHttpHosts);
}

/**
 * The user setting `mcpHost.remote.clientMetadataUrl`: the https URL of a client ID metadata document to sign in
 * with where an authorization server accepts them (instead of registering). Read at each sign-in; user settings only.
 */
export function clientMetadataUrl(): string | undefined {
  const value = userSetting(Settings.remoteClientMetadataUrl);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The path of this extension's URI-handler callback for sign-ins. */
const CALLBACK_PATH = '/oauth/callback';

/**
 * This window's sign-in redirect (`chooseRedirect`): the loopback listener in a local desktop window, VS Code's
 * URI handler (`${uriScheme}://<extension id>/oauth/callback`, made reachable by `vscode.env.asExternalUri`,
 * asked per sign-in) in a remote or web window, or what the user setting forces. Registers the URI handler.
 */
export class WindowRedirects extends UriHandlerChannel implements vscode.Disposable {
  private readonly handler: vscode.Disposable;

  constructor(context: vscode.ExtensionContext) {
    const web = vscode.env.uiKind === vscode.UIKind.Web;
    super(`${vscode.env.uriScheme}://${context.extension.id}${CALLBACK_PATH}`, {
      mode: () => {
        const setting = (userSetting(Settings.remoteSignInRedirect) as RedirectSetting | undefined) ?? 'auto';
        return chooseRedirect(setting, { remoteName: vscode.env.remoteName, web });
      },
      externalFormPerCall: web,
      // In a local window that signs in through loopback this round trip to the workbench never happens.
      externalForm: async callback => (await vscode.env.asExternalUri(vscode.Uri.parse(callback))).toString(true),
    });
    this.handler = vscode.window.registerUriHandler({ handleUri: uri => void (uri.path === CALLBACK_PATH && this.deliver(new URLSearchParams(uri.query))) });
  }

  dispose(): void {
    this.handler.dispose();
  }
}
