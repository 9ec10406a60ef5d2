import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

// esbuild.js stands in, for a bundled file that imports zod's whole `z` by name, a plain object holding only the
// members that file reads (zodMembersOf, a text scan). A member it missed would be undefined at run time, in
// whatever code path reads it. These tests hold the scan to a real parse of every such file the bundles take in.
const root = path.resolve(__dirname, '..', '..', '..');
const { zodMembersOf } = require(path.join(root, 'esbuild.js')) as { zodMembersOf(file: string): string[] | undefined };
const zod = require(path.join(root, 'node_modules', 'zod', 'v4')) as Record<string, unknown> & { z: Record<string, unknown> };

/** How a parse sees a file's `import { z as X } from "zod/v4"`: the members read as `X.m`, and X's other uses. */
function parsedUses(file: string): { members: Set<string>; other: string[] } | undefined {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  let local: string | undefined;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== 'zod/v4') continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const s of bindings.elements) if ((s.propertyName ?? s.name).text === 'z') local = s.name.text;
  }
  if (local === undefined) return undefined;
  const members = new Set<string>();
  const other: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === local) {
      const parent = node.parent;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node) members.add(parent.name.text);
      else if (ts.isPropertyAccessExpression(parent) || ts.isImportSpecifier(parent)) {
        // `a.X` names a property, not the binding; the import itself.
      } else if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) {
        // An object or class key.
      } else if (
        (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) || ts.isClassDeclaration(parent) || ts.isBindingElement(parent)) &&
        parent.name === node
      ) {
        // An inner binding of the same name: its member reads are counted too (harmless extra imports), its other uses are not the stand-in's.
      } else other.push(`${parent.getText(source).slice(0, 60)} (${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { members, other };
}

/** Asserts the stand-in zodMembersOf would build for `file` serves every use a parse finds, or that there is none. */
function assertStandInServes(file: string): string[] | undefined {
  const members = zodMembersOf(file);
  if (!members) return undefined;
  const parsed = parsedUses(file);
  assert.ok(parsed, `${file}: zodMembersOf found an import of zod's z that a parse does not`);
  assert.deepStrictEqual(parsed.other, [], `${file}: z is used other than by reading a member, yet esbuild.js would stand in a partial z for it`);
  const missing = [...parsed.members].filter(m => !members.includes(m));
  assert.deepStrictEqual(missing, [], `${file}: members read that esbuild.js's stand-in for z lacks`);
  for (const m of members) assert.ok(m in zod && zod[m] === zod.z[m], `${file}: z.${m} is not zod/v4's export of that name`);
  return members;
}

/** Every file under a package folder that imports z by name from zod/v4 (what the zod-members plugin may replace). */
function filesImportingZ(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(m|c)?js$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (/import\s*\{\s*z(\s+as\s+[\w$]+)?\s*\}\s*from\s*["']zod\/v4["']/.test(fs.readFileSync(file, 'utf8'))) out.push(file);
  }
  return out;
}

describe('esbuild.js: the partial z stood in for zod (zodMembersOf)', () => {
  it('serves every member the bundled packages read from it, and only real zod exports', () => {
    const files = ['client', 'core', 'ext-apps'].flatMap(p => filesImportingZ(path.join(root, 'node_modules', '@modelcontextprotocol', p, 'dist')));
    const served = files.map(file => [path.relative(root, file), assertStandInServes(file)] as const);
    const bridge = served.find(([file]) => file.endsWith(path.join('ext-apps', 'dist', 'src', 'app-bridge.js')));
    assert.ok(bridge?.[1]?.includes('object'), `the app bridge is no longer given a partial z (sdk.js would hold all of zod): ${JSON.stringify(served)}`);
  });

  it('keeps the whole z for a file that uses it other than by member reads, and misses no member', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zod-members-'));
    try {
      const cases: Array<[string, string[] | undefined]> = [
        ['F.object({a:F.string()});', ['object', 'string']],
        ['const G={...F};F.string();G.object({});', undefined],
        ['F["object"]({});', undefined],
        ['const G=F;G.object({});', undefined],
        ['F?.object({});', undefined],
        ['export{F as z};', undefined],
        ['function f(F){return F.x}F.object({});', undefined],
        ['a.F.b;F.string();', ['string']],
      ];
      for (const [body, expected] of cases) {
        const file = path.join(dir, 'case.js');
        fs.writeFileSync(file, `import{z as F}from"zod/v4";${body}`);
        assert.deepStrictEqual(zodMembersOf(file), expected, body);
        if (expected) assert.deepStrictEqual([...parsedUses(file)!.members].sort(), expected, body);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
