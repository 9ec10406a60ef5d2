import * as assert from 'assert';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

/** Folders and files whose code must run in plain Node: the protocol, config, forms and server-request core, the consent core, and pure UI helpers. */
const VSCODE_FREE = [
  'src/common',
  'src/config',
  'src/mcp',
  'src/forms',
  'src/apps',
  'src/serverRequests',
  // Pure pieces of the UI, unit-tested in plain Node.
  'src/ui/results/resultHtml.ts',
  ...['toolSelection.ts', 'commandLine.ts', 'modelContent.ts'].map(f => `src/ui/chat/${f}`),
  ...['policy.ts', 'approvalStore.ts', 'callHistory.ts', 'callText.ts', 'toolCallGate.ts', 'types.ts', 'safetyHints.ts'].map(f => `src/consent/${f}`),
];
const root = path.resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is listed as vscode-free but does not exist`);
  if (fs.statSync(dir).isFile()) return [dir];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

/** A run-time import of `vscode`: `import … from 'vscode'`, `require('vscode')`, `import('vscode')`; `import type` is allowed. */
export function runtimeVscodeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\b)[^;]*?from\s+['"]vscode['"]/gm,
    /^\s*import\s+['"]vscode['"]/gm,
    /^\s*export\s+(?!type\b)[^;]*?from\s+['"]vscode['"]/gm,
    /\brequire\s*\(\s*['"]vscode['"]\s*\)/g,
    /\bimport\s*\(\s*['"]vscode['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[0].trim());
  return found;
}

/** Packages a source file imports at run time (type-only imports are erased by the bundler), by package name. */
export function packageImports(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]([^'"./][^'"]*)['"]/gm,
    /^\s*import\s+['"]([^'"./][^'"]*)['"]/gm,
    /\b(?:require|import)\s*\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) found.add(spec);
      else found.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  return [...found];
}

/** Relative imports (run-time or type-only) of a source file, resolved to repository paths without extension. */
export function relativeImports(file: string, source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s+|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    found.push(path.relative(root, path.resolve(path.dirname(file), m[1]!)).replace(/\.(ts|js|json)$/, ''));
  }
  return found;
}

describe('layering', () => {
  it('detects every form of run-time vscode import and ignores type-only ones', () => {
    assert.deepStrictEqual(runtimeVscodeImports(`import type { Uri } from 'vscode';`), []);
    assert.strictEqual(runtimeVscodeImports(`import * as vscode from 'vscode';`).length, 1);
    assert.strictEqual(runtimeVscodeImports(`import { window } from "vscode";`).length, 1);
    assert.strictEqual(runtimeVscodeImports(`const v = require('vscode');`).length, 1);
    assert.strictEqual(runtimeVscodeImports(`await import('vscode')`).length, 1);
    assert.strictEqual(runtimeVscodeImports(`export { Uri } from 'vscode';`).length, 1);
  });

  it('keeps the core folders free of run-time vscode imports', () => {
    const offenders: string[] = [];
    const scanned = VSCODE_FREE.flatMap(d => sourceFiles(path.join(root, d)));
    assert.ok(scanned.length > 0, 'no source files found under the vscode-free folders');
    for (const file of scanned) {
      for (const hit of runtimeVscodeImports(fs.readFileSync(file, 'utf8'))) {
        offenders.push(`${path.relative(root, file)}: ${hit}`);
      }
    }
    assert.deepStrictEqual(offenders, [], `run-time vscode imports in vscode-free folders:\n${offenders.join('\n')}`);
  });

  it('keeps the core importing only the core (imports point down)', () => {
    const free = VSCODE_FREE.map(d => path.join(root, d));
    const isFree = (target: string) => {
      const abs = path.join(root, target);
      return free.some(d => abs === d.replace(/\.ts$/, '') || abs.startsWith(d + path.sep));
    };
    const offenders: string[] = [];
    for (const file of free.flatMap(d => sourceFiles(d))) {
      for (const target of relativeImports(file, fs.readFileSync(file, 'utf8'))) {
        if (!isFree(target)) offenders.push(`${path.relative(root, file)} imports ${target}`);
      }
    }
    assert.deepStrictEqual(offenders, [], `vscode-free code importing from the layers above it:\n${offenders.join('\n')}`);
  });

  it('bundles only production dependencies: every package src/ imports at run time is in dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    const files = sourceFiles(path.join(root, 'src'));
    for (const file of files) {
      for (const name of packageImports(fs.readFileSync(file, 'utf8'))) {
        if (name !== 'vscode' && !builtins.has(name.replace(/^node:/, '')) && !(name in pkg.dependencies)) offenders.push(`${path.relative(root, file)} imports ${name}`);
      }
    }
    // The v1 SDK is kept for old-era test fixtures only (a devDependency); the product speaks through the v2 client.
    assert.deepStrictEqual(packageImports(`import { Client } from '@modelcontextprotocol/sdk/client/index.js';`), ['@modelcontextprotocol/sdk']);
    assert.deepStrictEqual(packageImports(`import type { Tool } from '@modelcontextprotocol/sdk/types.js';\nimport * as fs from 'node:fs';`), ['node:fs']);
    assert.deepStrictEqual(offenders, [], `run-time imports of packages that are not production dependencies:\n${offenders.join('\n')}`);
  });

  it('resolves relative imports of every form', () => {
    const file = path.join(root, 'src/forms/x.ts');
    const source = `import type { A } from '../mcp/a';\nimport { B } from './b';\nexport { C } from '../ui/c';\nconst d = require('../d.json');\nimport './side';`;
    assert.deepStrictEqual(relativeImports(file, source), ['src/mcp/a', 'src/forms/b', 'src/ui/c', 'src/d', 'src/forms/side']);
  });
});
