import * as assert from 'assert';
import {
  addServerToConfig,
  buildServerEntry,
  parseHeaderLine,
  serverNamesIn,
  splitCommandLine,
  suggestServerName,
  validateServerName,
  writtenDefinition,
} from '../../../src/config/newServer';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin } from '../../../src/config/types';

const origin: ConfigOrigin = { kind: 'workspaceVscode', file: '/ws/.vscode/mcp.json', folder: '/ws', label: '.vscode/mcp.json' };

describe('Add Server without the dialogs', () => {
  it('builds entries for npm, Python, a typed command and HTTP', () => {
    assert.deepStrictEqual(buildServerEntry({ kind: 'npm', package: ' @modelcontextprotocol/server-memory ' }), { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] });
    assert.deepStrictEqual(buildServerEntry({ kind: 'pip', package: 'mcp-server-fetch' }), { type: 'stdio', command: 'uvx', args: ['mcp-server-fetch'] });
    assert.deepStrictEqual(buildServerEntry({ kind: 'command', commandLine: `node "/my dir/server.js" --flag='a b'` }), { type: 'stdio', command: 'node', args: ['/my dir/server.js', '--flag=a b'] });
    assert.deepStrictEqual(buildServerEntry({ kind: 'http', url: 'https://example.com/mcp', header: { name: 'X-Team', value: 'blue' } }), { type: 'http', url: 'https://example.com/mcp', headers: { 'X-Team': 'blue' } });
    assert.throws(() => buildServerEntry({ kind: 'http', url: 'ftp://x' }), /http/);
    assert.throws(() => buildServerEntry({ kind: 'command', commandLine: '   ' }), /empty/);
  });

  it('splits command lines like a shell, without expanding anything', () => {
    assert.deepStrictEqual(splitCommandLine(`a  b\\ c "d \\"e\\"" 'f $HOME' ""`), ['a', 'b c', 'd "e"', 'f $HOME', '']);
    assert.deepStrictEqual(splitCommandLine('C:\\\\tools\\\\s.exe'), ['C:\\tools\\s.exe']);
    assert.throws(() => splitCommandLine('node "unclosed'), /unclosed double quote/);
  });

  it('validates names: non-empty, no control characters, not taken', () => {
    assert.strictEqual(validateServerName('fresh', ['a', 'b']), undefined);
    assert.match(validateServerName('  ', [])!, /Enter a name/);
    assert.match(validateServerName('a', ['a'])!, /already exists/);
    assert.match(validateServerName('a\nb', [])!, /control/);
  });

  it('suggests a short unique name', () => {
    assert.strictEqual(suggestServerName({ kind: 'npm', package: '@modelcontextprotocol/server-memory' }), 'memory');
    assert.strictEqual(suggestServerName({ kind: 'pip', package: 'mcp-server-fetch==1.2' }), 'fetch');
    assert.strictEqual(suggestServerName({ kind: 'command', commandLine: 'node /srv/weather-mcp.js --stdio' }), 'weather');
    assert.strictEqual(suggestServerName({ kind: 'http', url: 'https://api.github.com/mcp' }, ['github']), 'github-2');
  });

  it('parses an optional header line', () => {
    assert.strictEqual(parseHeaderLine('  '), undefined);
    assert.deepStrictEqual(parseHeaderLine('Authorization: Bearer abc'), { name: 'Authorization', value: 'Bearer abc' });
    assert.strictEqual(typeof parseHeaderLine('no colon here'), 'string');
  });

  it('writes a valid entry into an existing file, keeping its comments, and says where it is', () => {
    const existing = '{\n  // my servers\n  "servers": {\n    "old": { "command": "x" } // keep me\n  }\n}\n';
    const added = addServerToConfig(existing, 'memory', buildServerEntry({ kind: 'npm', package: '@modelcontextprotocol/server-memory' }));
    assert.match(added.newText, /\/\/ my servers/);
    assert.match(added.newText, /\/\/ keep me/);
    const parsed = parseConfigText(added.newText, origin, 'vscode');
    assert.deepStrictEqual(parsed.problems, []);
    assert.deepStrictEqual(parsed.servers.map(s => s.name).sort(), ['memory', 'old']);
    const line = added.newText.split('\n')[added.position.line]!;
    assert.strictEqual(line.slice(added.position.character, added.position.character + '"memory"'.length), '"memory"');
    assert.deepStrictEqual(serverNamesIn(added.newText).sort(), ['memory', 'old']);
  });

  it('creates the file when there is none, and moves a token typed into a header to an input', () => {
    const added = addServerToConfig(undefined, 'remote', buildServerEntry({ kind: 'http', url: 'https://example.com/mcp', header: { name: 'Authorization', value: 'Bearer s3cret' } }));
    assert.ok(!added.newText.includes('s3cret'), 'the token was written to the file');
    assert.deepStrictEqual(added.movedSecrets.map(s => s.value), ['s3cret']);
    const parsed = parseConfigText(added.newText, origin, 'vscode');
    assert.deepStrictEqual(parsed.problems, []);
    const def = parsed.servers[0]!;
    assert.strictEqual(def.type, 'http');
    assert.match(def.type === 'http' ? def.headers['Authorization']! : '', /^Bearer \$\{input:remote-Authorization\}$/);
  });

  it('refuses a name that is already in the file', () => {
    assert.throws(() => addServerToConfig('{"servers":{"a":{"command":"x"}}}', 'a', { command: 'y' }), /already exists/);
  });

  it('approves only what the answers describe, where they were written: the definition the loader reads, secrets moved back included', () => {
    const command = { kind: 'command' as const, commandLine: 'node /srv/server.js --stdio' };
    const added = addServerToConfig('{\n  // mine\n  "servers": {}\n}\n', 'mine', buildServerEntry(command));
    const def = writtenDefinition(added.newText, origin, 'mine', command, added.movedSecrets);
    assert.ok(def?.type === 'stdio');
    assert.deepStrictEqual([def.command, def.args], ['node', ['/srv/server.js', '--stdio']]);
    assert.deepStrictEqual(def, parseConfigText(added.newText, origin, 'vscode').servers[0], 'what the config loader reads, nothing else');

    // A token typed into a header went to an input: the file's ${input:…} stands for exactly what was typed.
    const http = { kind: 'http' as const, url: 'https://x.example/mcp', header: { name: 'Authorization', value: 'Bearer sk-typed-0123456789abcdef' } };
    const remote = addServerToConfig(undefined, 'remote', buildServerEntry(http));
    assert.strictEqual(remote.movedSecrets.length, 1);
    const remoteDef = writtenDefinition(remote.newText, origin, 'remote', http, remote.movedSecrets);
    assert.ok(remoteDef?.type === 'http');
    assert.match(remoteDef.headers['Authorization']!, /^Bearer \$\{input:/);
    assert.strictEqual(writtenDefinition(remote.newText, origin, 'remote', http, []), undefined, 'an ${input:…} that is not one the command put there');

    // Text that does not read as the answers (the file makes the entry something else) is not approved.
    assert.strictEqual(writtenDefinition(added.newText.replace('--stdio', '--evil'), origin, 'mine', command, []), undefined);
    assert.strictEqual(writtenDefinition(added.newText.replace('"--stdio"', '"--stdio"], "envFile": ".env", "x": ['), origin, 'mine', command, []), undefined);
    assert.strictEqual(writtenDefinition(added.newText, origin, 'other', command, []), undefined);
  });
});
