import * as vscode from 'vscode';
import { Settings } from './ids';

/**
 * A setting as the user's own settings have it. Workspace and folder values are never read: the settings read
 * this way run commands, loosen consent or allow hosts and servers, which a cloned repository must not do.
 */
export function userSetting(key: string): unknown {
  return vscode.workspace.getConfiguration(Settings.section).inspect<unknown>(key)?.globalValue;
}

/** A user setting that is a list of strings: its strings (anything else in it left out), or none. */
export function userStrings(key: string): string[] {
  const value = userSetting(key);
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * A user setting read once and kept until the configuration changes: for a setting asked for on every call
 * (`inspect` is a deep clone of the section). As with the consent settings, the extension host replaces its
 * configuration and fires `onDidChangeConfiguration` in one synchronous step, so nothing goes stale.
 */
export class CachedUserSetting<T> implements vscode.Disposable {
  private cached: { readonly value: T } | undefined;
  private readonly listener = vscode.workspace.onDidChangeConfiguration(e => {
    if (e.affectsConfiguration(`${Settings.section}.${this.key}`)) this.cached = undefined;
  });

  constructor(
    private readonly key: string,
    private readonly parse: (raw: unknown) => T,
  ) {}

  readonly read = (): T => (this.cached ??= { value: this.parse(userSetting(this.key)) }).value;

  dispose(): void {
    this.listener.dispose();
  }
}
