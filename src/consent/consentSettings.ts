import * as vscode from 'vscode';
import { Settings } from '../ids';
import type { ConsentSettings } from './policy';

/**
 * The consent settings from the user's own (global) settings only. Workspace and folder values are
 * ignored on purpose: they loosen consent, and a cloned repository must not be able to do that.
 */
export function readConsentSettings(): ConsentSettings {
  const config = vscode.workspace.getConfiguration(Settings.section);
  const autoApproveReadOnly = config.inspect<unknown>(Settings.consentAutoApproveReadOnly)?.globalValue;
  const trustedServers = config.inspect<unknown>(Settings.consentTrustedServers)?.globalValue;
  return {
    autoApproveReadOnly: autoApproveReadOnly === true,
    trustedServers: Array.isArray(trustedServers) ? trustedServers.filter((s): s is string => typeof s === 'string') : [],
  };
}
