import * as assert from 'assert';
import { canonicalJson, definitionHash, serverIdentity, trustHash } from '../../../src/config/hash';
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
      BASE.replace('"command"', '"protocol": "legacy", "command"'),
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

  it('pins trust to what runs and where it is defined, not to tuning', () => {
    const [base] = parse('{ "s": { "command": "a", "args": ["x"] } }');
    const [tuned] = parse('{ "s": { "command": "a", "args": ["x"], "timeout": 5000, "disabledTools": ["t"], "disabled": true, "protocol": "modern" } }');
    const [edited] = parse('{ "s": { "command": "a", "args": ["y"] } }');
    assert.strictEqual(trustHash(base!), trustHash(tuned!));
    assert.notStrictEqual(definitionHash(base!), definitionHash(tuned!), 'tuning still restarts the server');
    assert.notStrictEqual(trustHash(base!), trustHash(edited!));
    const [remote] = parse('{ "r": { "type": "http", "url": "https://h/mcp", "headers": { "X": "1" } } }');
    const [otherHeader] = parse('{ "r": { "type": "http", "url": "https://h/mcp", "headers": { "X": "${env:SECRET}" } } }');
    assert.notStrictEqual(trustHash(remote!), trustHash(otherHeader!), 'a changed header must ask again');
  });

  it('pins trust to the variables the env file sets, not to its comments or layout', () => {
    const def = one('{ "s": { "command": "node", "args": ["s.js"], "envFile": ".env" } }');
    const approved = trustHash(def, 'MODE=fast\n');
    assert.strictEqual(trustHash(def, '# tuned\n\nexport MODE=fast\n'), approved);
    assert.notStrictEqual(trustHash(def, 'MODE=fast\nNODE_OPTIONS=--require ./x.js\n'), approved, 'a pull that adds NODE_OPTIONS must ask again');
    assert.notStrictEqual(trustHash(def, 'MODE=slow\n'), approved);
    assert.notStrictEqual(trustHash(def), approved, 'an unreadable env file is not the approved one');
    // Definitions without an env file hash as before, whatever text is passed.
    const plain = one('{ "s": { "command": "node" } }');
    assert.strictEqual(trustHash(plain, 'X=1'), trustHash(plain));
  });

  it('identifies a server for tool approvals by name, defining file and folder, and what runs', () => {
    const base = one('{ "fs": { "command": "npx", "args": ["server-fs"] } }');
    const identity = serverIdentity(base);
    assert.match(identity, /^[0-9a-f]{64}$/);
    assert.strictEqual(serverIdentity(one('{ "fs": { "args": ["server-fs"], "command": "npx", "timeout": 9000, "disabledTools": ["x"] } }')), identity, 'tuning keeps the identity');
    assert.strictEqual(serverIdentity(one('{ "fs": { "command": "npx", "args": ["server-fs"] } }', { ...api, label: 'renamed' })), identity);
    const others = {
      'another name': one('{ "fs2": { "command": "npx", "args": ["server-fs"] } }'),
      'a clone in another folder': one('{ "fs": { "command": "npx", "args": ["server-fs"] } }', { ...api, folder: '/work/clone', file: '/work/clone/.vscode/mcp.json' }),
      'another file of the folder': one('{ "fs": { "command": "npx", "args": ["server-fs"] } }', { ...api, file: '/work/api/.mcp.json', kind: 'workspaceClaude' }),
      'the user settings': one('{ "fs": { "command": "npx", "args": ["server-fs"] } }', { kind: 'userSettings', label: 'User Settings' }),
      'a rewritten command': one('{ "fs": { "command": "./bin/npx", "args": ["server-fs"] } }'),
      'a new env entry': one('{ "fs": { "command": "npx", "args": ["server-fs"], "env": { "NODE_OPTIONS": "--require ./x.js" } } }'),
    };
    for (const [what, def] of Object.entries(others)) assert.notStrictEqual(serverIdentity(def), identity, what);
  });
});
