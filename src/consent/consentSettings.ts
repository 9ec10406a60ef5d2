import * as vscode from 'vscode';
import { Settings } from '../ids';
import type { ConsentSettings } from './policy';
import { userSetting, userStrings } from '../userSettings';

/**
 * The consent settings from the user's own (global) settings only. Workspace and folder values are
 * ignored on purpose: they loosen consent, and a cloned repository must not be able to do that.
 */
function readConsentSettings(): ConsentSettings {
  return {
    autoApproveReadOnly: userSetting(Settings.consentAutoApproveReadOnly) === true,
    trustedServers: Object.freeze(userStrings(Settings.consentTrustedServers)),
  };
}

const KEYS = [Settings.consentAutoApproveReadOnly, Settings.consentTrustedServers];

/**
 * The consent settings, read once and kept until the configuration changes. The gate asks for them on every
 * call; reading them is a `getConfiguration` (a deep clone of the section) and two `inspect`s. Nothing goes
 * stale: the extension host replaces its configuration and fires `onDidChangeConfiguration` in one
 * synchronous step, so once `getConfiguration` could return a new value this cache has been dropped.
 */
export class ConsentSettingsCache implements vscode.Disposable {
  private cached: ConsentSettings | undefined;
  private readonly listener = vscode.workspace.onDidChangeConfiguration(e => {
    if (KEYS.some(key => e.affectsConfiguration(`${Settings.section}.${key}`))) this.cached = undefined;
  });

  readonly read = (): ConsentSettings => (this.cached ??= Object.freeze(readConsentSettings()));

  dispose(): void {
    this.listener.dispose();
  }
}
