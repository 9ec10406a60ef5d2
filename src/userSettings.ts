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
