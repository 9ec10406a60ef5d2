import { Settings } from '../ids';
import type { ConsentSettings } from './policy';
import { CachedUserSettings, userSetting, userStrings } from '../userSettings';

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

/** The consent settings, read once and kept until one of them changes: the gate asks for them on every call. */
export class ConsentSettingsCache extends CachedUserSettings<ConsentSettings> {
  constructor() {
    super(KEYS, () => Object.freeze(readConsentSettings()));
  }
}
