import * as assert from 'assert';
import { previewLaunch, type PreviewContext } from '../../../src/config/launchPreview';
import { parseConfigText } from '../../../src/config/parse';
import { trustDetail, trustQuestion, trustRow, type ServerToTrust } from '../../../src/config/trustText';
import type { ConfigOrigin } from '../../../src/config/types';
import { BLOCK_MAX, inertBlock } from '../../../src/common/untrustedText';

const ctx: PreviewContext = { workspaceFolder: '/work/api', userHome: '/home/u', pathSeparator: '/' };

/** Servers as a repository defines them; `folderName` as a `.code-workspace` may set it (any text). */
function servers(json: string, folderName = 'api', cwdName?: string): ServerToTrust[] {
  const origin: ConfigOrigin = { kind: 'workspaceVscode', file: '/work/api/.vscode/mcp.json', folder: '/work/api', label: `.vscode/mcp.json (${folderName})` };
  const parsed = parseConfigText(`{ "servers": ${json} }`, origin, 'vscode');
  return parsed.servers.map(definition => ({ definition, preview: previewLaunch(definition, cwdName ? { ...ctx, workspaceFolder: cwdName } : ctx) }));
}

/** The lines of the detail as the modal dialog shows them. */
const shown = (list: readonly ServerToTrust[]) => inertBlock(trustDetail(list)).split('\n');

describe('the workspace trust question (what each server runs)', () => {
  it('keeps every repository value on its own line: a folder name or a cwd cannot print a "runs:" line of its own (review13)', () => {
    const forged = 'api)\n   runs: node harmless.js\n\n';
    const list = servers('{ "evil": { "command": "node", "args": ["steal.js"], "cwd": "${workspaceFolder}" } }', forged, '/work/x\n   runs: node also-harmless.js');
    const lines = shown(list);
    const runs = lines.filter(line => /^\s*runs: /.test(line));
    assert.deepStrictEqual(runs, ['   runs: node steal.js'], lines.join('\n'));
    assert.strictEqual(lines[0]!.startsWith('• evil — defined in .vscode/mcp.json (api) runs: node harmless.js'), true, lines[0]);
  });

  it("never pushes a server's command out of the dialog: a huge folder name is cut to one bounded line", () => {
    const list = servers('{ "evil": { "command": "node", "args": ["steal.js"] } }', `api${'\n'.repeat(9_000)}${'x'.repeat(9_000)}`);
    const detail = inertBlock(trustDetail(list));
    assert.ok(detail.length < BLOCK_MAX, String(detail.length));
    assert.match(detail, /^ {3}runs: node steal\.js$/m);
  });

  it('shows every server whole while they fit; past the limit each keeps its warnings and command line, the rest counted', () => {
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`VAR_${i}`, 'v'.repeat(60)]));
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}`, { command: 'node', args: [`server-${i}.js`], env: { ...env, NODE_OPTIONS: '--require ./x.js' } }]));
    const detail = inertBlock(trustDetail(servers(JSON.stringify(many))));
    assert.ok(detail.length < BLOCK_MAX, String(detail.length));
    for (let i = 0; i < 8; i++) assert.match(detail, new RegExp(`^ {3}runs: node server-${i}\\.js$`, 'm'));
    assert.match(detail, /NODE_OPTIONS/, 'warnings are kept');
    // 40 env values and the working folder.
    assert.match(detail, /… 41 more lines \(env, headers\): see its definition/);
    assert.doesNotMatch(detail, /VAR_0=/);

    const crowd = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`server${i}`, { command: 'node', args: ['x'.repeat(200)] }]));
    const crowded = inertBlock(trustDetail(servers(JSON.stringify(crowd))));
    assert.ok(crowded.length < BLOCK_MAX, String(crowded.length));
    const listed = crowded.split('\n').filter(line => line.startsWith('• ')).length;
    assert.ok(listed > 10, String(listed));
    assert.match(crowded, new RegExp(`… and ${300 - listed} more servers, not listed here: Choose… lists each with what it runs\\.\\n\\nThey run with your permissions`));
    // The dialog offers only Choose… then (review13: Start Servers started the servers it had not shown).
    assert.strictEqual(trustQuestion(servers(JSON.stringify(crowd))).left, 300 - listed);
    assert.strictEqual(trustQuestion(servers(JSON.stringify(many))).left, 0);
  });

  it('keeps one server\'s command line however many warnings its env adds (LD_* is a prefix: any number of them)', () => {
    const env = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`LD_X${i}`, 'y'.repeat(2_000)]));
    const list = servers(JSON.stringify({ evil: { command: 'node', args: ['steal.js'], env } }));
    const { detail, left } = trustQuestion(list);
    const shownDetail = inertBlock(detail);
    assert.ok(shownDetail.length < BLOCK_MAX, String(shownDetail.length));
    assert.strictEqual(left, 0);
    assert.match(shownDetail, /^ {3}runs: node steal\.js$/m);
    assert.match(shownDetail, /^ {3}⚠ LD_X0 /m);
    assert.match(shownDetail, /^ {3}… \d+ more lines$/m);
  });

  it("Choose…'s row says what runs first, then its warnings: the pick cuts a detail after ~90 characters (review13, ux13/trust-02)", () => {
    const [sketchy] = servers('{ "sketchy": { "command": "node", "args": ["-e", "1"], "env": { "NODE_OPTIONS": "--require ./preload.js" } } }');
    const row = trustRow(sketchy!);
    assert.ok(row.risky);
    assert.match(row.detail, /^runs: node -e 1 · ⚠ NODE_OPTIONS is set/);
    const [remote] = servers('{ "remote": { "type": "http", "url": "https://example.com/mcp", "headers": { "X": "y" } } }');
    assert.match(trustRow(remote!).detail, /^connects to: example\.com — HTTP https:\/\/example\.com\/mcp/);
  });

  it('names the working folder and env file relative to the workspace folder, absolute only outside it (review13)', () => {
    const lines = (json: string) => shown(servers(json));
    assert.ok(lines('{ "a": { "command": "node" } }').includes('   in: the workspace folder'), lines('{ "a": { "command": "node" } }').join('\n'));
    assert.ok(lines('{ "a": { "command": "node", "cwd": "${workspaceFolder}/tools/srv" } }').includes('   in: tools/srv, in the workspace folder'));
    assert.ok(lines('{ "a": { "command": "node", "cwd": "/opt/elsewhere" } }').includes('   in: /opt/elsewhere'));
    // A sibling folder whose name starts with the folder's is outside it.
    assert.ok(lines('{ "a": { "command": "node", "cwd": "/work/api-other" } }').includes('   in: /work/api-other'));
    assert.ok(lines('{ "a": { "command": "node", "envFile": "${workspaceFolder}/.env" } }').some(l => /^ {3}env file: \.env, in the workspace folder/.test(l)));
    assert.ok(!lines('{ "a": { "command": "node" } }').some(l => l.includes('/work/api')), 'the folder\'s absolute path is shown');
  });

  it('says "It runs" for one server and "They run" for several', () => {
    const two = servers('{ "a": { "command": "node" }, "b": { "command": "node" } }');
    assert.match(trustDetail(two.slice(0, 1)), /\n\nIt runs with your permissions\.[^\n]*$/);
    assert.match(trustDetail(two), /\n\nThey run with your permissions\..* Choose… starts only those you pick\.$/);
  });
});
