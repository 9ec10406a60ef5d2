import * as assert from 'assert';
import { canonicalJson, definitionHash, diffDefinitions } from '../../../src/config/hash';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin, ServerDefinition } from '../../../src/config/types';

const api: ConfigOrigin = { kind: 'workspaceVscode', file: '/work/api/.vscode/mcp.json', folder: '/work/api', label: '.vscode/mcp.json (api)' };

function parse(serversJson: string, origin: ConfigOrigin = api): ServerDefinition[] {
  return [...parseConfigText(`{ "servers": ${serversJson} }`, origin, 'vscode').servers];
}
const one = (serversJson: string, origin?: ConfigOrigin) => parse(serversJson, origin)[0]!;

const BASE = '{ "s": { "command": "node", "args": ["a", "b"], "env": { "X": "1", "Y": "2" }, "disabledTools": ["t1", "t2"] } }';

describe('config/hash', () => {
  it('is a sha256 hex digest that does not depend on key order, layout, range or label', () => {
    const hash = definitionHash(one(BASE));
    assert.match(hash, /^[0-9a-f]{64}$/);
    const reordered = `{

      "s": { "disabledTools": ["t2", "t1"], "env": { "Y": "2", "X": "1" }, "args": ["a", "b"], "command": "node" } }`;
    const relabelled = { ...api, label: 'renamed' };
    assert.strictEqual(definitionHash(one(reordered, relabelled)), hash);
  });

  it('changes when anything that affects the launch changes', () => {
    const hash = definitionHash(one(BASE));
    const variants = [
      BASE.replace('["a", "b"]', '["b", "a"]'),
      BASE.replace('"b"]', '"c"]'),
      BASE.replace('"node"', '"deno"'),
      BASE.replace('"Y": "2"', '"Y": "3"'),
      BASE.replace('"Y": "2"', '"Y": null'),
      BASE.replace('"disabledTools": ["t1", "t2"]', '"disabledTools": ["t1"]'),
      BASE.replace('"command"', '"cwd": "/tmp", "command"'),
      BASE.replace('"command"', '"envFile": ".env", "command"'),
      BASE.replace('"command"', '"disabled": true, "command"'),
      BASE.replace('"command"', '"timeout": 5000, "command"'),
    ];
    const hashes = variants.map(v => definitionHash(one(v)));
    assert.strictEqual(new Set([hash, ...hashes]).size, variants.length + 1);
  });

  it('differs for the same text in another folder or another kind of source', () => {
    const hash = definitionHash(one(BASE));
    assert.notStrictEqual(definitionHash(one(BASE, { ...api, folder: '/work/web' })), hash);
    assert.notStrictEqual(definitionHash(one(BASE, { ...api, kind: 'workspaceClaude' })), hash);
  });

  it('covers url and headers of remote servers', () => {
    const base = '{ "r": { "url": "https://a.example/mcp", "headers": { "X-A": "1" } } }';
    assert.notStrictEqual(definitionHash(one(base)), definitionHash(one(base.replace('"1"', '"2"'))));
    assert.notStrictEqual(definitionHash(one(base)), definitionHash(one(base.replace('https://a', 'https://b'))));
    assert.notStrictEqual(definitionHash(one(base)), definitionHash(one(base.replace('"url"', '"type": "sse", "url"'))));
  });

  it('writes canonical JSON with sorted keys at every depth', () => {
    assert.strictEqual(canonicalJson({ b: [{ z: 1, a: null }], a: 'x', u: undefined }), '{"a":"x","b":[{"a":null,"z":1}]}');
  });

  it('diffs two server lists by name', () => {
    const prev = parse('{ "same": { "command": "a" }, "edited": { "command": "b" }, "gone": { "command": "c" } }');
    const next = parse(`{
      "added": { "command": "d" },
      "edited": { "command": "b", "args": ["--verbose"] },
      "same": { "command": "a" }
    }`);
    const diff = diffDefinitions(prev, next);
    assert.deepStrictEqual(
      diff.added.map(d => d.name),
      ['added'],
    );
    assert.deepStrictEqual(
      diff.removed.map(d => d.name),
      ['gone'],
    );
    assert.deepStrictEqual(
      diff.changed.map(c => [c.previous.name, c.previous === prev[1], c.next === next[1]]),
      [['edited', true, true]],
    );
    // The new definition, whose range moved.
    assert.deepStrictEqual(diff.unchanged, [next[2]]);
    assert.notDeepStrictEqual(next[2]!.range, prev[0]!.range);
  });
});
