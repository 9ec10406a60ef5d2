import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { trustHash } from '../../../src/config/hash';
import { describePreview, localPreviewContext, previewLaunch, npxLocalInfluence } from '../../../src/config/launchPreview';
import { NODE_MODULES_BUDGET, npxInfluences, npxPackage } from '../../../src/config/localPackage';
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
    assert.strictEqual(npxPackage('npm', ['exec', '--yes', '--', '@scope/pkg@1']), '@scope/pkg');
    assert.strictEqual(npxPackage('npm.cmd', ['x', '-y', 'pkg']), 'pkg');
    assert.strictEqual(npxPackage('npm', ['run', 'pkg']), undefined);
    assert.strictEqual(npxPackage('bunx', ['pkg']), 'pkg');
  });

  it('says nothing when the folder has no copy of its own', () => {
    const def = server(npx);
    const preview = previewLaunch(def, localPreviewContext(def));
    assert.deepStrictEqual(preview.warnings, []);
    assert.strictEqual(npxLocalInfluence(def), undefined);
  });

  for (const [what, file, shown] of [
    ['a node_modules/.bin entry', path.join('node_modules', '.bin', 'server-filesystem'), 'node_modules/.bin/server-filesystem'],
    ['a scoped node_modules/.bin entry', path.join('node_modules', '.bin', '@modelcontextprotocol', 'server-filesystem'), 'node_modules/.bin/@modelcontextprotocol/server-filesystem'],
    ['the package in node_modules', path.join('node_modules', '@modelcontextprotocol', 'server-filesystem', 'package.json'), 'node_modules/@modelcontextprotocol/server-filesystem'],
    ['the package deeper in node_modules', path.join('node_modules', 'a', 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'package.json'), 'node_modules/a/node_modules/@modelcontextprotocol/server-filesystem'],
  ] as const) {
    it(`warns in the trust dialog, and binds the approval, when the repository ships ${what}`, () => {
      const def = server(npx);
      const before = trustHash(def);
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), '#!/usr/bin/env node\nconsole.log("the repository\'s code")\n');
      const preview = previewLaunch(def, localPreviewContext(def));
      assert.deepStrictEqual(preview.warnings, [`npx runs the workspace's own ${shown}, not the package @modelcontextprotocol/server-filesystem from the registry: the repository chooses that code.`]);
      assert.match(describePreview(preview).join('\n'), /^⚠ npx runs the workspace's own /m);
      assert.strictEqual(npxLocalInfluence(def), shown);
      // An approval given before the copy appeared does not cover it.
      assert.notStrictEqual(trustHash(def, undefined, npxLocalInfluence(def)), before);
      assert.strictEqual(trustHash(def, undefined, undefined), before, 'the hashes (approvals) of servers without a copy stay as they were');
    });
  }

  it("warns when the workspace's own package.json has a bin named like the command, and binds the approval to it", () => {
    const def = server('{ "command": "npx", "args": ["-y", "mcp-server-fetchy"] }');
    fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'app', bin: { 'other-tool': 'x.js' } }));
    assert.strictEqual(npxLocalInfluence(def), undefined, 'a bin of another name is not run');
    fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'app', bin: { 'mcp-server-fetchy': 'evil.js' } }));
    assert.deepStrictEqual(previewLaunch(def, localPreviewContext(def)).warnings, [
      "npx runs the bin 'mcp-server-fetchy' of the workspace's own package.json, not the package mcp-server-fetchy from the registry: the repository chooses that code.",
    ]);
    const first = npxLocalInfluence(def);
    fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'app', bin: { 'mcp-server-fetchy': 'other.js' } }));
    assert.notStrictEqual(npxLocalInfluence(def), first, 'the file the bin runs is part of the approval');
    // A string bin is named after the package.
    fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: '@me/mcp-server-fetchy', bin: 'evil.js' }));
    assert.match(npxLocalInfluence(def) ?? '', /^package\.json bin mcp-server-fetchy evil\.js$/);
  });

  it('looks in every folder from the cwd up to the workspace folder, and not above it', () => {
    fs.mkdirSync(path.join(folder, 'node_modules', '.bin'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'node_modules', '.bin', 'pkg'), '');
    fs.mkdirSync(path.join(folder, 'a', 'b'), { recursive: true });
    assert.strictEqual(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"], "cwd": "a/b" }')), 'node_modules/.bin/pkg');
    // The workspace folder's parent is not the repository's.
    const inner = path.join(folder, 'inner');
    fs.mkdirSync(inner);
    assert.deepStrictEqual(npxInfluences('npx', ['-y', 'pkg'], inner, inner), []);
  });

  it("counts a node_modules tree too large to look through as the repository's copy (links make it as large as they like)", () => {
    // 300 links to the project folder: node_modules/p0/node_modules is node_modules again, and so on (300^n folders).
    fs.mkdirSync(path.join(folder, 'node_modules'));
    for (let i = 0; i < 300; i++) fs.symlinkSync(folder, path.join(folder, 'node_modules', `p${i}`), 'dir');
    assert.ok(NODE_MODULES_BUDGET < 300 * 300);
    assert.deepStrictEqual(
      npxInfluences('npx', ['-y', 'pkg'], folder, folder).map(i => i.bound),
      ['node_modules unchecked'],
    );
  });

  // What the checks above model, run with the npm on this machine (offline: nothing is downloaded). Each layout makes
  // `npx --offline -y <package>` run the repository's file instead of the registry's package, and npxInfluences says so.
  for (const [layout, files, cwd, pkg] of [
    ['node_modules/.bin/<@scope/name> and a file of that name', { 'node_modules/.bin/@zz-mcp-host-test/server-a': 'SHADOW', '@zz-mcp-host-test/server-a': 'SHADOW' }, '.', '@zz-mcp-host-test/server-a'],
    ["the project's own package.json bin", { 'package.json': '{"name":"app","bin":{"zz-mcp-host-test-b":"evil.js"}}', 'evil.js': 'SHADOW' }, '.', 'zz-mcp-host-test-b'],
    ['node_modules/.bin/<name> above the cwd', { 'node_modules/.bin/zz-mcp-host-test-c': 'SHADOW', 'sub/.keep': '' }, 'sub', 'zz-mcp-host-test-c'],
    ['node_modules/.bin/<name@version as written>', { 'node_modules/.bin/zz-mcp-host-test-d@latest': 'SHADOW' }, '.', 'zz-mcp-host-test-d@latest'],
  ] as const) {
    it(`npm itself runs the repository's code for ${layout}, and the check finds it`, async function () {
      this.timeout(120_000);
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
        fs.writeFileSync(path.join(folder, file), text === 'SHADOW' ? '#!/usr/bin/env node\nconsole.log("SHADOW")\n' : text, { mode: 0o755 });
      }
      const runsIn = path.join(folder, cwd);
      const out = await new Promise<string>(resolve =>
        execFile(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--offline', '-y', pkg], { cwd: runsIn, timeout: 100_000, env: { ...process.env, npm_config_update_notifier: 'false' } }, (_e, stdout, stderr) => resolve(`${stdout}${stderr}`)),
      );
      assert.match(out, /SHADOW/, `npx ran something else: ${out}`);
      assert.notDeepStrictEqual(npxInfluences('npx', ['-y', pkg], runsIn, folder), []);
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
    assert.strictEqual(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"], "cwd": "sub" }')), 'sub/node_modules/.bin/pkg');
    assert.strictEqual(npxLocalInfluence(server('{ "command": "npx", "args": ["-y", "pkg"] }')), undefined, 'a folder below the cwd is not looked at');
    assert.strictEqual(npxLocalInfluence(server('{ "command": "node", "args": ["pkg"], "cwd": "sub" }')), undefined, 'not npx');
    assert.strictEqual(npxLocalInfluence(server(`{ "command": "npx", "args": ["-y", "pkg"], "cwd": ${JSON.stringify(path.join(folder, 'sub'))} }`, 'userSettings')), undefined);
  });
});

/**
 * `pnpm dlx` (`pnpx`) and `yarn dlx` also run a registry's package by name. Checked by running pnpm 10.34, yarn 4.18 and
 * yarn 1.22 (offline, in a folder holding a node_modules/.bin entry, a package.json bin and a node_modules copy of the
 * package): pnpm dlx runs none of them but takes its registry from the folder's .npmrc; yarn dlx runs none of them, but
 * runs a `yarnPath` (`.yarnrc.yml`) or `yarn-path` (`.yarnrc`) file in place of yarn and loads the `.yarnrc.yml`'s plugins.
 * Neither tool is on the test machines, so the layouts are modelled here as found.
 */
describe('pnpm dlx, pnpx and yarn dlx and the workspace’s files', () => {
  let folder: string;
  const server = (command: string, args: string[]): ServerDefinition => {
    const origin = { kind: 'workspaceVscode' as const, file: path.join(folder, '.vscode', 'mcp.json'), folder, label: '.vscode/mcp.json (repo)' };
    const parsed = parseConfigText(JSON.stringify({ servers: { s: { command, args } } }), origin, 'vscode');
    return parsed.servers[0]!;
  };
  const write = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), text);
    }
  };
  // Every kind of local copy npx would run: pnpm dlx and yarn dlx run none of them.
  const copies = {
    'node_modules/.bin/pkg': 'x',
    'node_modules/pkg/package.json': '{"name":"pkg","bin":"cli.js"}',
    'package.json': '{"name":"app","bin":{"pkg":"own.js"}}',
  };

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-host-dlx-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('reads the package pnpm dlx, pnpx and yarn dlx run; other pnpm and yarn commands are not npx', () => {
    assert.strictEqual(npxPackage('pnpm', ['dlx', '@scope/pkg@1.2.3', 'arg']), '@scope/pkg');
    assert.strictEqual(npxPackage('pnpm.cmd', ['--silent', 'dlx', 'pkg']), 'pkg');
    assert.strictEqual(npxPackage('pnpm', ['dlx', '--package', '@scope/pkg', 'bin-name']), '@scope/pkg');
    assert.strictEqual(npxPackage('/usr/local/bin/pnpx', ['pkg@latest']), 'pkg');
    assert.strictEqual(npxPackage('yarn', ['dlx', '-q', 'pkg']), 'pkg');
    assert.strictEqual(npxPackage('yarn', ['dlx', '-p', '@scope/pkg', 'bin-name']), '@scope/pkg');
    assert.strictEqual(npxPackage('pnpm', ['exec', 'pkg']), undefined);
    assert.strictEqual(npxPackage('pnpm', ['install']), undefined);
    assert.strictEqual(npxPackage('yarn', ['start']), undefined);
    assert.strictEqual(npxPackage('yarn', ['dlx', './local.js']), undefined);
  });

  it("bunx: a bunfig.toml in the cwd counts (bunx --bun runs its preload scripts first), and the warnings name bunx (config16, Bun 1.4.4 run)", () => {
    write({ 'node_modules/.bin/pkg': 'x', 'sub/.keep': '' });
    const def = server('bunx', ['--bun', 'pkg']);
    assert.deepStrictEqual(previewLaunch(def, localPreviewContext(def)).warnings, [
      "bunx runs the workspace's own node_modules/.bin/pkg, not the package pkg from the registry: the repository chooses that code.",
    ]);
    const before = trustHash(def, undefined, npxLocalInfluence(def));
    write({ 'bunfig.toml': 'preload = ["./pre.js"]\n' });
    assert.deepStrictEqual(previewLaunch(def, localPreviewContext(def)).warnings, [
      "bunx --bun (or a package that runs under Bun) loads the workspace's bunfig.toml: the preload scripts it names run first, and the repository chooses them.",
      "bunx runs the workspace's own node_modules/.bin/pkg, not the package pkg from the registry: the repository chooses that code.",
    ]);
    assert.notStrictEqual(trustHash(def, undefined, npxLocalInfluence(def)), before, 'a bunfig.toml is not part of the approval');
    // Bun reads bunfig.toml from the cwd only: a server running in a subfolder is not affected by the one above.
    const sub = parseConfigText(JSON.stringify({ servers: { s: { command: 'bunx', args: ['pkg'], cwd: 'sub' } } }), { kind: 'workspaceVscode', file: path.join(folder, '.vscode', 'mcp.json'), folder, label: 'x' }, 'vscode').servers[0]!;
    assert.ok(!previewLaunch(sub, localPreviewContext(sub)).warnings.some(w => w.includes('bunfig')));
  });

  it("pnpm dlx and pnpx: the .npmrc's registry counts, a local copy does not", () => {
    write({ ...copies, '.npmrc': 'registry=http://127.0.0.1:9/\n' });
    for (const [command, args] of [['pnpm', ['dlx', 'pkg']], ['pnpx', ['pkg']]] as const) {
      const def = server(command, [...args]);
      const preview = previewLaunch(def, localPreviewContext(def));
      assert.deepStrictEqual(preview.warnings, [
        "pnpm dlx reads the workspace's .npmrc: it can set the registry pkg is downloaded from and options Node loads into it; the repository chooses them.",
      ]);
      assert.strictEqual(npxLocalInfluence(def), '.npmrc\nregistry=http://127.0.0.1:9/\n');
    }
    fs.rmSync(path.join(folder, '.npmrc'));
    assert.strictEqual(npxLocalInfluence(server('pnpm', ['dlx', 'pkg'])), undefined, 'a local copy counted for pnpm dlx');
  });

  it("yarn dlx: a yarnPath (or Yarn 1's yarn-path) runs the repository's file in place of yarn, plugins load; the approval is bound to the file", () => {
    write({ ...copies, 'sub/.keep': '' });
    const def = server('yarn', ['dlx', 'pkg']);
    assert.strictEqual(npxLocalInfluence(def), undefined, 'a local copy counted for yarn dlx');
    const before = trustHash(def, undefined, npxLocalInfluence(def));
    write({ '.yarnrc.yml': 'yarnPath: ".yarn/releases/yarn-4.cjs"\n' });
    const preview = previewLaunch(def, localPreviewContext(def));
    assert.deepStrictEqual(preview.warnings, ["yarn runs the workspace's own .yarn/releases/yarn-4.cjs in place of yarn itself (yarnPath in .yarnrc.yml): the repository chooses that code."]);
    assert.match(describePreview(preview, folder).join('\n'), /^⚠ yarn runs the workspace's own \.yarn\/releases\/yarn-4\.cjs/);
    const pinned = trustHash(def, undefined, npxLocalInfluence(def));
    assert.notStrictEqual(pinned, before);
    // Another yarnPath, or a plugin, is another approval.
    write({ '.yarnrc.yml': 'plugins:\n  - path: ./plugin.cjs\n' });
    assert.notStrictEqual(trustHash(def, undefined, npxLocalInfluence(def)), pinned);
    assert.deepStrictEqual(previewLaunch(def, localPreviewContext(def)).warnings, ["yarn reads the workspace's .yarnrc.yml: the plugins it names are code yarn loads (yarn dlx too), and the repository chooses them."]);
    // From a subfolder, the workspace folder's file counts (yarn reads every folder up); Yarn 1's .yarnrc too.
    fs.rmSync(path.join(folder, '.yarnrc.yml'));
    write({ 'sub/.yarnrc': 'yarn-path "./evil.cjs"\n' });
    const sub = server('yarn', ['dlx', 'pkg']);
    const subDef = { ...sub, cwd: 'sub' } as ServerDefinition;
    assert.deepStrictEqual(previewLaunch(subDef, localPreviewContext(subDef)).warnings, ["yarn runs the workspace's own sub/evil.cjs in place of yarn itself (yarn-path in sub/.yarnrc): the repository chooses that code."]);
  });
});
