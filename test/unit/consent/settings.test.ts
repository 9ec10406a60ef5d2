import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONSENT_SETTINGS } from '../../../src/consent/policy';
import { Settings } from '../../../src/ids';
import { root } from '../servers';

describe('consent settings in package.json', () => {
  // The settings come in titled sections (Servers, Consent, …).
  const sections = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.configuration as Array<{ properties: Record<string, { scope?: string; default?: unknown }> }>;
  const props = Object.assign({}, ...sections.map(s => s.properties)) as Record<string, { scope?: string; default?: unknown }>;
  const keys = { autoApproveReadOnly: Settings.consentAutoApproveReadOnly, trustedServers: Settings.consentTrustedServers } as const;

  it('declares every setting that loosens consent as application-scoped, so workspace settings cannot set it', () => {
    for (const key of Object.values(keys)) assert.strictEqual(props[`${Settings.section}.${key}`]?.scope, 'application', key);
  });

  it('has the defaults the code uses: nothing is approved without the user', () => {
    for (const [name, key] of Object.entries(keys)) {
      assert.deepStrictEqual(props[`${Settings.section}.${key}`]?.default, DEFAULT_CONSENT_SETTINGS[name as keyof typeof keys], key);
    }
    assert.deepStrictEqual(DEFAULT_CONSENT_SETTINGS, { autoApproveReadOnly: false, trustedServers: [] });
  });
});
