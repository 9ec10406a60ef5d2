import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trustHash } from '../../../src/config/hash';
import { describePreview, localPreviewContext, previewLaunch, npxLocalInfluence } from '../../../src/config/launchPreview';
import { npxPackage } from '../../../src/config/localPackage';
import { parseConfigText } from '../../../src/config/parse';
import type { ServerDefinition } from '../../../src/config/types';

/**
 * `npx -y <package>` runs the folder's own node_modules copy before the registry's (checked with npm 10: a committed
 * node_modules/.bin/<name> is enough). A workspace server runs in its folder, so a cloned repository chooses that code
 * while the command line reads as the registry's package: the trust dialog must say so, and the approval is bound to it.
 */
describe('npx and the workspace’s own copy of a package', () => {
  let folder: string;
  const server = (json: string, kind: 'workspaceVscode' | 'userSettings' = 'workspaceVscode'): ServerDefinition => {
    const origin = kind === 'userSettings' ? { kind, label: 'User Settings' } : { kind, file: path.join(folder, '.vscode', 'mcp.json'), folder, label: '.vscode/mcp.json (repo)' };
    const parsed = parseConfigText(`{ "servers": { "fs": ${json} } }`, origin, 'vscode');
    assert.deepStrictEqual(parsed.problems.filter(p => p.severity === 'error'), []);
    return parsed.servers[0]!;
  };
  const npx = '{ "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2026.1.0", "${workspaceFolder}"] }';

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-host-npx-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('finds the package an npx command line runs', () => {
    assert.strictEqual(npxPackage('npx', ['-y', '@scope/pkg@1.2.3', 'arg']), '@scope/pkg');
    assert.strictEqual(npxPackage('/usr/bin/npx', ['--yes', 'pkg@latest']), 'pkg');
    assert.strictEqual(npxPackage('C:\\nodejs\\npx.cmd', ['pkg']), 'pkg');
    assert.strictEqual(npxPackage('npx', ['-y', '--package', '@scope/pkg', 'bin-name']), '@scope/pkg');
    assert.strictEqual(npxPackage('npx', ['--package=pkg', 'bin']), 'pkg');
    assert.strictEqual(npxPackage('node', ['pkg']), undefined);
    assert.strictEqual(npxPackage('npx', ['-y', './local.js']), undefined);
  });

  it('says nothing when the folder has no copy of its own', () => {
    const def = server(npx);
    const preview = previewLaunch(def, localPreviewContext(def));
    assert.deepStrictEqual(preview.warnings, []);
    assert.strictEqual(npxLocalInfluence(def), undefined);
  });

  for (const [what, file] of [
    ['a node_modules/.bin entry', path.join('node_modules', '.bin', 'server-filesystem')],
    ['the package in node_modules', path.join('node_modules', '@modelcontextprotocol', 'server-filesystem', 'package.json')],
  ] as const) {
    it(`warns in the trust dialog, and binds the approval, when the repository ships ${what}`, () => {
      const def = server(npx);
      const before = trustHash(def);
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), '#!/usr/bin/env node\nconsole.log("the repository\'s code")\n');
      const preview = previewLaunch(def, localPreviewContext(def));
      const shown = file.split(path.sep).join('/');
      assert.deepStrictEqual(preview.warnings, [`npx runs the workspace's own ${shown}, not the package @modelcontextprotocol/server-filesystem from the registry: the repository chooses that code.`]);
      assert.match(describePreview(preview).join('\n'), /^⚠ npx runs the workspace's own /m);
      assert.strictEqual(npxLocalInfluence(def), shown);
      // An approval given before the copy appeared does not cover it.
      assert.notStrictEqual(trustHash(def, undefined, npxLocalInfluence(def)), before);
      assert.strictEqual(trustHash(def, undefined, undefined), before, 'the hashes (approvals) of servers without a copy stay as they were');
    });
  }

  it("warns about the workspace's .npmrc (registry, node-options), and binds the approval to its text", () => {
    const def = server(npx);
    const before = trustHash(def);
    fs.writeFileSync(path.join(folder, '.npmrc'), 'registry=http://127.0.0.1:9/\n');
    const preview = previewLaunch(def, localPreviewContext(def));
    assert.deepStrictEqual(preview.warnings, [
      "npx reads the workspace's .npmrc: it can set the registry @modelcontextprotocol/server-filesystem is downloaded from and options Node loads into it; the repository chooses them.",
    ]);
    const first = npxLocalInfluence(def);
    assert.strictEqual(first, '.npmrc\nregistry=http://127.0.0.1:9/\n');
    assert.notStrictEqual(trustHash(def, undefined, first), before);
    // Another registry (or node-options) is another approval.
    fs.writeFileSync(path.join(folder, '.npmrc'), 'node-options=--require ./x.js\n');
    assert.notStrictEqual(trustHash(def, undefined, npxLocalInfluence(def)), trustHash(def, undefined, first));
    // The workspace folder's .npmrc counts for a server that runs in a subfolder, as npm's project root.
    fs.mkdirSync(path.join(folder, 'sub'));
    assert.match(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"], "cwd": "sub" }')) ?? '', /^\.npmrc\n/);
    fs.writeFileSync(path.join(folder, 'sub', '.npmrc'), 'registry=http://127.0.0.1:9/\n');
    assert.match(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"], "cwd": "sub" }')) ?? '', /^sub\/\.npmrc\n[\s\S]*\n\.npmrc\n/);
  });

  it('looks in the cwd the server runs in, and not for servers from user settings', () => {
    fs.mkdirSync(path.join(folder, 'sub', 'node_modules', '.bin'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'sub', 'node_modules', '.bin', 'pkg'), '');
    assert.strictEqual(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"], "cwd": "sub" }')), 'node_modules/.bin/pkg');
    assert.strictEqual(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"] }')), undefined);
    assert.strictEqual(npxLocalInfluence(server('{ "command": "node", "args": ["pkg"], "cwd": "sub" }')), undefined, 'not npx');
    assert.strictEqual(npxLocalInfluence(server(`{ "command": "npx", "args": ["-y", "pkg"], "cwd": ${JSON.stringify(path.join(folder, 'sub'))} }`, 'userSettings')), undefined);
  });
});
