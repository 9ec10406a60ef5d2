import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ChatCommands, ChatParticipants, Commands, ContextKeys, EXTENSION_ID, Settings, ViewContainers, Views } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json and src/ids.ts agree', () => {
  it('has the extension id the code uses', () => {
    assert.strictEqual(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
  });

  it('contributes exactly the commands the code defines', () => {
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepStrictEqual(contributed, Object.values(Commands).sort());
  });

  it('contributes the chat participant and exactly the slash commands the code handles', () => {
    const participants = manifest.contributes.chatParticipants as Array<{ id: string; name: string; commands: Array<{ name: string }> }>;
    assert.deepStrictEqual(participants.map(p => p.id), Object.values(ChatParticipants));
    assert.deepStrictEqual(participants[0]!.commands.map(c => c.name).sort(), [...ChatCommands].sort());
  });

  it('contributes the view container and views the code uses', () => {
    const containers = manifest.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id);
    assert.deepStrictEqual(containers, Object.values(ViewContainers));
    const views = Object.values(manifest.contributes.views).flat().map(v => (v as { id: string }).id).sort();
    assert.deepStrictEqual(views, Object.values(Views).sort());
  });

  it('uses only mcpHost context keys the code sets, in when clauses', () => {
    const whens: string[] = [];
    JSON.stringify(manifest.contributes, (key, value) => {
      if (key === 'when' && typeof value === 'string') whens.push(value);
      return value;
    });
    const used = whens.flatMap(w => w.match(/mcpHost\.[A-Za-z]+/g) ?? []);
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Views)]);
    assert.deepStrictEqual(used.filter(k => !known.has(k)), []);
  });

  it('declares exactly the settings the code reads, user-scoped so a workspace cannot set them', () => {
    const props = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;
    const expected = Object.entries(Settings).filter(([k]) => k !== 'section').map(([, v]) => `${Settings.section}.${v}`).sort();
    assert.deepStrictEqual(Object.keys(props).sort(), expected);
    for (const key of ['servers', 'inputs']) assert.strictEqual(props[`${Settings.section}.${key}`]!.scope, 'application');
  });

  it('ships the JSON schemas it contributes', () => {
    for (const v of manifest.contributes.jsonValidation as Array<{ url: string }>) {
      const src = path.join(root, 'src', 'config', path.basename(v.url));
      assert.ok(fs.existsSync(src), `${v.url} has no source in src/config`);
      assert.match(v.url, /^\.\/dist\//);
    }
  });

  it('activates lazily: no `*` or onStartupFinished, engines matches @types/vscode', () => {
    for (const e of manifest.activationEvents as string[]) assert.ok(e !== '*' && e !== 'onStartupFinished', `eager activation event ${e}`);
    const engine = String(manifest.engines.vscode).replace(/^\^/, '');
    const types = String(manifest.devDependencies['@types/vscode']).replace(/^\^/, '');
    const cmp = (a: string, b: string) => a.split('.').map(Number).reduce((r, n, i) => r || n - Number(b.split('.')[i]), 0);
    assert.ok(cmp(types, engine) <= 0, `@types/vscode ${types} is newer than engines.vscode ${engine}`);
  });

  it('runs where the workspace lives', () => {
    assert.deepStrictEqual(manifest.extensionKind, ['workspace']);
  });
});
