import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Commands, ContextKeys, EXTENSION_ID, ViewContainers, Views } from '../../src/ids';

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

  it('contributes the view container and views the code uses', () => {
    const containers = manifest.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id);
    assert.deepStrictEqual(containers, Object.values(ViewContainers));
    const views = Object.values(manifest.contributes.views).flat().map(v => (v as { id: string }).id).sort();
    assert.deepStrictEqual(views, Object.values(Views).sort());
  });

  it('uses only context keys the code sets in when clauses of its own', () => {
    const whens = JSON.stringify(manifest.contributes).match(/mcpHost\.[A-Za-z]+/g) ?? [];
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Commands), ...Object.values(Views), ...Object.values(ViewContainers), 'mcpHost.servers']);
    assert.deepStrictEqual(whens.filter(w => !known.has(w)), []);
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
