import * as assert from 'assert';
import { createHash } from 'crypto';
import { canonicalJson, canonicalJsonHash, definitionHash, serverIdentity, trustHash } from '../../../src/config/hash';
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

  it("pins trust to a Claude Code ${VAR:-default}'s default: a changed default asks again (walk14 finding C)", () => {
    const origin = { kind: 'workspaceClaude' as const, file: '/w/.mcp.json', folder: '/w', label: '.mcp.json' };
    const claude = (url: string) => parseConfigText(`{ "mcpServers": { "r": { "type": "http", "url": "${url}" } } }`, origin, 'claude').servers[0]!;
    const approved = trustHash(claude('${API_BASE:-https://api.example.com}/mcp'));
    assert.strictEqual(trustHash(claude('${API_BASE:-https://api.example.com}/mcp')), approved);
    assert.notStrictEqual(trustHash(claude('${API_BASE:-https://evil.example}/mcp')), approved, 'a changed default must ask again');
    assert.notStrictEqual(trustHash(claude('${API_BASE}/mcp')), approved);
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

/** The recursive walk `canonicalJson` was until session 7: approvals stored since are bound to its text. */
function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Random JSON with the keys that trip a reordering: array indexes (V8 lists them first), `__proto__`, astral and accented letters. */
function randomJson(seed: number): unknown {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const KEYS = ['a', 'b', 'B', '', '0', '1', '2', '10', '01', '-1', '4294967294', '4294967295', '__proto__', 'toJSON', 'é', 'e\u0301', '\u{1F600}', 'z', 'type', 'properties'];
  const STRINGS = ['', 'x', '\ud800', 'a\u2028b', '"quoted"', '\u{1F600}', '<\/script>'];
  const value = (depth: number): unknown => {
    const kind = next(depth > 3 ? 5 : 8);
    switch (kind) {
      case 0: return null;
      case 1: return next(2) === 0;
      case 2: return [0, -0, 1.5, -7, 1e21, 2 ** 53][next(6)];
      case 3: case 4: return STRINGS[next(STRINGS.length)];
      case 5: return Array.from({ length: next(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: next(6) }, () => [KEYS[next(KEYS.length)]!, next(6) === 0 ? undefined : value(depth + 1)]));
    }
  };
  return value(0);
}

describe('canonical JSON', () => {
  it('is the same text the recursive walk wrote, for any JSON (so approvals stored before stay valid)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const value = randomJson(seed);
      assert.strictEqual(canonicalJson(value), referenceCanonicalJson(value), `seed ${seed}`);
    }
    // The cases by name: array-index keys keep code-unit order ("10" < "2"), `__proto__` stays a key.
    assert.strictEqual(canonicalJson({ 2: 'b', 10: 'a', x: { b: 1, a: 2 } }), '{"10":"a","2":"b","x":{"a":2,"b":1}}');
    assert.strictEqual(canonicalJson(JSON.parse('{"b":1,"__proto__":{"z":1,"y":2}}')), '{"__proto__":{"y":2,"z":1},"b":1}');
  });

  it('writes a value nested too deeply for V8\'s serializer, as the sliced hash does (a hostile tool schema: protocol fuzz)', async () => {
    // Thousands deep, as JSON.parse reads it from a server: JSON.stringify overflows the stack (RangeError) on it.
    const depth = 20_000;
    const deep = JSON.parse(`{"type":"object","properties":${'{"b":1,"a":'.repeat(depth)}1${'}'.repeat(depth)}}`) as unknown;
    assert.throws(() => JSON.stringify(deep), RangeError);
    const text = canonicalJson(deep);
    assert.ok(text.startsWith('{"properties":{"a":{"a":') && text.endsWith(`"b":1},"b":1},"type":"object"}`), text.slice(0, 40));
    assert.strictEqual(createHash('sha256').update(text).digest('hex'), await canonicalJsonHash(deep));
  });

  it('is hashed in slices that yield to the event loop, to the same digest', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const value = randomJson(seed);
      assert.strictEqual(await canonicalJsonHash(value), createHash('sha256').update(referenceCanonicalJson(value)).digest('hex'), `seed ${seed}`);
    }
    // A 500 KB tool definition (3,000 properties twice): other work runs while it is hashed.
    const huge = { type: 'object', properties: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field${i}`, { type: 'string', pattern: `^v${i}-[a-z]+$`, description: `Field ${i}` }])) };
    const tool = { name: 'huge', inputSchema: huge, outputSchema: huge };
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    const digest = await canonicalJsonHash(tool, 0.1);
    clearInterval(ticking);
    assert.strictEqual(digest, createHash('sha256').update(referenceCanonicalJson(tool)).digest('hex'));
    assert.ok(turns > 0, 'a timer ran while the definition was hashed');
  });
});
