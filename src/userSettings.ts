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
 * What is computed from some user settings, kept until one of them changes: for settings asked for on every call
 * (`inspect` is a deep clone of the section). Nothing goes stale: the extension host replaces its configuration and
 * fires `onDidChangeConfiguration` in one synchronous step, so once a read could return a new value the cache is gone.
 */
export class CachedUserSettings<T> implements vscode.Disposable {
  private cached: { readonly value: T } | undefined;
  private readonly listener: vscode.Disposable;

  constructor(
    /** Keys under the `mcpHost` section that `compute` reads. */
    keys: readonly string[],
    private readonly compute: () => T,
  ) {
    this.listener = vscode.workspace.onDidChangeConfiguration(e => {
      if (keys.some(key => e.affectsConfiguration(`${Settings.section}.${key}`))) this.cached = undefined;
    });
  }

  readonly read = (): T => (this.cached ??= { value: this.compute() }).value;

  dispose(): void {
    this.listener.dispose();
  }
}
