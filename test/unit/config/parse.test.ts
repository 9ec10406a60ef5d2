import * as assert from 'assert';
import { formatJsonPath, keepLastRead, MAX_NESTING, parseConfigText, parseConfigValue } from '../../../src/config/parse';
import { mergeSources } from '../../../src/config/merge';
import { DEFAULT_TIMEOUTS, type ConfigOrigin, type ConfigProblem, type ServerDefinition } from '../../../src/config/types';

const vscodeOrigin: ConfigOrigin = {
  kind: 'workspaceVscode',
  file: '/work/api/.vscode/mcp.json',
  folder: '/work/api',
  label: '.vscode/mcp.json (api)',
};
const claudeOrigin: ConfigOrigin = { kind: 'workspaceClaude', file: '/work/api/.mcp.json', folder: '/work/api', label: '.mcp.json (api)' };
const userOrigin: ConfigOrigin = { kind: 'userSettings', label: 'User Settings' };

/** `[line, character]` of a problem's start and end, for compact assertions. */
const span = (p: ConfigProblem | ServerDefinition) => p.range && [p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character];
/** Where the `nth` occurrence of a one-line `needle` sits, counted independently of the code under test. */
function locate(text: string, needle: string, nth = 0): number[] {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
  const lines = text.slice(0, offset).split('\n');
  const line = lines.length - 1;
  const character = lines[line]!.length;
  return [line, character, line, character + needle.length];
}
const byName = (servers: readonly ServerDefinition[], name: string) => servers.find(s => s.name === name)!;

// One broken entry (db) between two valid ones; comments and trailing commas throughout.
const THREE_ENTRIES = `{
  // Servers for the api project
  "servers": {
    "files": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "\${workspaceFolder}"],
    },
    "db": {
      "command": 42,
      "env": { "DB_URL": "postgres://localhost" }
    },
    /* remote */
    "search": { "type": "http", "url": "https://search.example.com/mcp", "timeout": { "startup": 5000 } },
  },
}
`;

describe('config/parse', () => {
  describe('parseConfigText (VS Code format)', () => {
    it('keeps the valid entries when one entry is broken, and points at the bad value', () => {
      const parsed = parseConfigText(THREE_ENTRIES, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        parsed.servers.map(s => s.name),
        ['files', 'search'],
      );
      assert.strictEqual(parsed.problems.length, 1);
      const [problem] = parsed.problems;
      assert.strictEqual(problem!.severity, 'error');
      assert.strictEqual(problem!.message, 'servers.db.command: must be a string');
      assert.strictEqual(problem!.server, 'db');
      assert.strictEqual(problem!.file, '/work/api/.vscode/mcp.json');
      // `42` on line 8 (zero-based), after six spaces and `"command": `.
      assert.deepStrictEqual(span(problem!), [8, 17, 8, 19]);
      assert.strictEqual(problem!.range!.offset, THREE_ENTRIES.indexOf('42'));
      assert.strictEqual(problem!.range!.length, 2);
    });

    it('fills defaults and applies timeout overrides', () => {
      const { servers } = parseConfigText(THREE_ENTRIES, vscodeOrigin, 'vscode');
      const files = byName(servers, 'files');
      assert.deepStrictEqual({ ...files, range: undefined }, {
        name: 'files',
        origin: vscodeOrigin,
        range: undefined,
        disabled: false,
        timeouts: DEFAULT_TIMEOUTS,
        disabledTools: [],
        type: 'stdio',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem', '${workspaceFolder}'],
        env: {},
      });
      // The entry's object, from its `{` (line 3) to its `}` (line 6).
      assert.deepStrictEqual(span(files), [3, 13, 6, 5]);

      const search = byName(servers, 'search');
      assert.strictEqual(search.type, 'http');
      assert.deepStrictEqual(search.type === 'http' && search.headers, {});
      assert.deepStrictEqual(search.timeouts, { startupMs: 5000, requestMs: DEFAULT_TIMEOUTS.requestMs });
    });

    it('reads the total a call may take (timeout.total), absent unless written, 0 for no limit', () => {
      const { servers, problems } = parseConfigText(`{ "servers": { "a": { "command": "x", "timeout": { "request": 1000, "total": 600000 } }, "b": { "command": "x", "timeout": { "total": 0 } } } }`, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(byName(servers, 'a').timeouts, { startupMs: DEFAULT_TIMEOUTS.startupMs, requestMs: 1000, totalMs: 600_000 });
      assert.deepStrictEqual(byName(servers, 'b').timeouts, { ...DEFAULT_TIMEOUTS, totalMs: 0 });
      const negative = parseConfigText(`{ "servers": { "c": { "command": "x", "timeout": { "total": -1 } } } }`, vscodeOrigin, 'vscode');
      assert.match(negative.problems.map(p => p.message).join('\n'), /total/);
    });

    it('reads every field, with a single number as both timeouts', () => {
      const text = `{ "servers": { "full": {
        "type": "stdio", "command": "node", "args": ["server.js"], "env": { "A": "1", "HOME": null },
        "envFile": ".env", "cwd": "\${workspaceFolder}/srv", "disabled": true, "timeout": 1000, "disabledTools": ["rm"]
      }, "sse": { "type": "sse", "url": "http://localhost:3001/sse", "headers": { "X-Trace": "1" } } } }`;
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(problems, []);
      const full = byName(servers, 'full');
      assert.ok(full.type === 'stdio');
      assert.deepStrictEqual(
        [full.command, full.args, full.env, full.envFile, full.cwd, full.disabled, full.timeouts, full.disabledTools],
        ['node', ['server.js'], { A: '1', HOME: null }, '.env', '${workspaceFolder}/srv', true, { startupMs: 1000, requestMs: 1000 }, ['rm']],
      );
      const sse = byName(servers, 'sse');
      assert.ok(sse.type === 'sse');
      assert.deepStrictEqual([sse.url, sse.headers], ['http://localhost:3001/sse', { 'X-Trace': '1' }]);
    });

    it('treats an entry with only a url as http', () => {
      const { servers } = parseConfigText('{ "servers": { "r": { "url": "https://x.example/mcp" } } }', vscodeOrigin, 'vscode');
      assert.strictEqual(servers[0]!.type, 'http');
    });

    it('reads the protocol pin: an era, a version, or auto (the same as leaving it out)', () => {
      const text = `{ "servers": {
        "l": { "command": "a", "protocol": "legacy" }, "m": { "url": "https://m.example/mcp", "protocol": "modern" },
        "v": { "command": "a", "protocol": "2025-06-18" }, "auto": { "command": "a", "protocol": "auto" }, "none": { "command": "a" },
        "bad": { "command": "a", "protocol": "newest" } } }`;
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers.map(s => [s.name, s.protocol]), [['l', 'legacy'], ['m', 'modern'], ['v', '2025-06-18'], ['auto', undefined], ['none', undefined]]);
      assert.deepStrictEqual(problems.map(p => [p.severity, p.server]), [['error', 'bad']]);
      assert.strictEqual(problems[0]!.message, 'servers.bad.protocol: must be "auto", "legacy", "modern" or a protocol version such as "2025-11-25"');
    });

    it('reports a syntax error at its position and keeps the entries it does not run through', () => {
      const text = ['{', '  "servers": {', '    "a": { "command": "node" }', '    "b": { "command": "deno" }', '  }', '}'].join('\n');
      const parsed = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.message, span(p)]),
        [['error', 'Syntax error: comma expected', [3, 4, 3, 7]]],
      );
      assert.deepStrictEqual(
        parsed.servers.map(s => s.name),
        ['a'],
      );
    });

    it('counts CRLF line breaks as one', () => {
      const text = '{\r\n  "servers": {\r\n    "x": { "command": false }\r\n  }\r\n}';
      const [problem] = parseConfigText(text, vscodeOrigin, 'vscode').problems;
      assert.deepStrictEqual(span(problem!), [2, 22, 2, 27]);
    });

    it('warns about unknown properties at their key and still produces the server', () => {
      const text = '{\n  "servers": {\n    "x": { "command": "node", "autoApprove": [] }\n  }\n}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.strictEqual(servers.length, 1);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message, span(p)]),
        [['warning', 'servers.x: unknown property "autoApprove" is ignored', [2, 30, 2, 43]]],
      );
    });

    it('reports an entry with neither command nor url at the server name', () => {
      const text = '{\n  "servers": {\n    "half": { "args": ["x"] }\n  }\n}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers, []);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message, span(p), p.server]),
        [['error', 'servers.half: needs "command" (a local server) or "url" (a remote server)', [2, 4, 2, 10], 'half']],
      );
    });

    it('reports a missing required property of a typed entry at the server name', () => {
      const { problems } = parseConfigText('{"servers":{"r":{"type":"sse"}}}', vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        problems.map(p => [p.message, span(p)]),
        [['servers.r: missing required property "url"', [0, 12, 0, 15]]],
      );
    });

    it('warns when a stdio entry also has a url, and runs it as stdio', () => {
      const text = '{"servers":{"both":{"command":"node","url":"http://x"}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.strictEqual(servers[0]!.type, 'stdio');
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message, p.range!.offset]),
        [['warning', 'servers.both: has both "command" and "url"; it runs as a local (stdio) server and "url" is ignored', text.indexOf('"url"')]],
      );
    });

    it('rejects an unknown transport type at the type value', () => {
      const text = '{"servers":{"ws":{"type":"websocket","url":"ws://x"}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers, []);
      assert.deepStrictEqual(
        problems.map(p => [p.message, p.range!.offset, p.range!.length]),
        [['servers.ws.type: must be one of "stdio", "http", "sse"', text.indexOf('"websocket"'), '"websocket"'.length]],
      );
    });

    it('names nested values and reports every error of an entry', () => {
      const text = '{"servers":{"x":{"command":"","args":["a",1],"env":{"N":2},"timeout":{"startup":-1,"requests":5},"disabledTools":["a","a"]}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers, []);
      assert.deepStrictEqual(problems.map(p => [p.severity, p.message]).sort(), [
        ['error', 'servers.x.args[1]: must be a string'],
        ['error', 'servers.x.command: must not be empty'],
        ['error', 'servers.x.disabledTools: lists the same item twice (items 1 and 0)'],
        ['error', 'servers.x.env.N: must be a string or null'],
        ['error', 'servers.x.timeout.startup: must be greater than 0'],
        ['warning', 'servers.x.timeout: unknown property "requests" is ignored'],
      ]);
      const argProblem = problems.find(p => p.message.startsWith('servers.x.args[1]'))!;
      assert.strictEqual(argProblem.range!.offset, text.indexOf(',1]') + 1);
    });

    it('rejects server names with invisible, control or bidi characters, with an error at the name', () => {
      const text = '{"servers":{"git\\u200bhub":{"command":"a"},"invoice\\u202etxt":{"command":"b"},"ok":{"command":"c"}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers.map(s => s.name), ['ok']);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.server, p.message]),
        [
          ['error', 'git\u200bhub', 'servers: the server name "git⟨U+200B⟩hub" contains invisible, control or bidi characters (shown as ⟨U+…⟩); rename it'],
          ['error', 'invoice\u202etxt', 'servers: the server name "invoice⟨U+202E⟩txt" contains invisible, control or bidi characters (shown as ⟨U+…⟩); rename it'],
        ],
      );
      assert.strictEqual(problems[0]!.range!.offset, text.indexOf('"git'));
    });

    it('warns about a server name used twice in one file; the last one is used', () => {
      const text = '{"servers":{"x":{"command":"old"},"x":{"command":"new"}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        servers.map(s => s.type === 'stdio' && s.command),
        ['new'],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.range!.offset]),
        [['warning', text.indexOf('"x"')]],
      );
    });

    it('reports a root or servers of the wrong shape', () => {
      assert.deepStrictEqual(
        parseConfigText('[1]', vscodeOrigin, 'vscode').problems.map(p => p.message),
        ['The configuration must be an object with a "servers" property'],
      );
      assert.deepStrictEqual(
        parseConfigText('{"servers":[]}', vscodeOrigin, 'vscode').problems.map(p => p.message),
        ['servers: must be an object mapping server names to servers'],
      );
    });

    it('accepts an empty file and an empty object without problems', () => {
      for (const text of ['', '  \n', '{}', '{ "$schema": "./schema.json" }']) {
        const parsed = parseConfigText(text, vscodeOrigin, 'vscode');
        assert.deepStrictEqual([parsed.servers, parsed.problems], [[], []], JSON.stringify(text));
      }
    });

    it('hints when a file of one format uses the other format\'s key', () => {
      const { problems } = parseConfigText('{"mcpServers":{}}', vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message]),
        [['warning', 'Unknown property "mcpServers" is ignored; this file lists servers under "servers"']],
      );
    });
  });

  describe('odd files a user will have (config16 walk)', () => {
    it('of two equal keys reads the last, as JSON and VS Code do, and says the earlier one is ignored at its key', () => {
      // A second "servers" object (a paste at the end of the file): before, the first was read and the second lost silently.
      const text = `{
  "servers": { "old": { "command": "node" } },
  "inputs": [],
  "servers": { "new": { "command": "node", "args": ["a"], "args": ["b"], "env": { "K": "1", "K": "2" } } }
}`;
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        servers.map(s => [s.name, s.type === 'stdio' && s.args, s.type === 'stdio' && s.env]),
        [['new', ['b'], { K: '2' }]],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message, span(p), p.server]),
        [
          ['warning', 'servers: written again below in the same object; this one is ignored', locate(text, '"servers"'), undefined],
          ['warning', 'servers.new.args: written again below in the same object; this one is ignored', locate(text, '"args"'), 'new'],
          ['warning', 'servers.new.env.K: written again below in the same object; this one is ignored', locate(text, '"K"'), 'new'],
        ],
      );
    });

    it('reports a type error at the value that is read, not at an earlier duplicate', () => {
      const text = '{"servers":{"x":{"command":"node","command":42}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(servers, []);
      const error = problems.find(p => p.severity === 'error')!;
      assert.strictEqual(error.message, 'servers.x.command: must be a string');
      assert.strictEqual(error.range!.offset, text.indexOf('42'));
    });

    it('says a value nested too deep is not read, at its place, and keeps every other entry (before: the stack overflowed)', () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const text = `{\n  "servers": {\n    "ok": { "command": "node" },\n    "deep": { "command": "node", "x": ${deep} },\n    "after": { "url": "https://e.example/mcp" }\n  }\n}`;
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        servers.map(s => s.name),
        ['ok', 'after'],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message, p.range!.start]),
        [['error', `Nested more than ${MAX_NESTING} levels deep: MCP Host does not read this value, and leaves out the entry that holds it`, { line: 3, character: text.split('\n')[3]!.indexOf('[') + MAX_NESTING - 3 }]],
      );
      // Brackets in strings and comments do not count; a file nested 100 deep is read.
      const fine = `{ "servers": { "s": { "command": "node", "args": ["${'['.repeat(500)}", "\\"${'\\"['.repeat(100_000)}"] /* ${'{'.repeat(500)} */ } }, "x": ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)} }`;
      assert.deepStrictEqual(
        parseConfigText(fine, vscodeOrigin, 'vscode').problems.map(p => p.message),
        ['Unknown property "x" is ignored'],
      );
      // The same for the user setting, whose value comes without text.
      let nested: unknown = [];
      for (let i = 0; i < 20_000; i++) nested = [nested];
      const fromSettings = parseConfigValue({ servers: { ok: { command: 'node' }, deep: { command: 'node', x: nested } } }, userOrigin, 'vscode');
      assert.deepStrictEqual(
        fromSettings.servers.map(s => s.name),
        ['ok'],
      );
    });

    it('says a syntax error once where a file cut short ends several objects', () => {
      const text = '{ "servers": { "a": { "command": "node" }, "b": { "command": ';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        servers.map(s => s.name),
        ['a'],
      );
      assert.deepStrictEqual(
        problems.map(p => p.message),
        ['Syntax error: value expected', 'Syntax error: close brace expected'],
      );
    });

    it('keeps the last definition read of an entry a syntax error now runs through, saying so at its name (a save mid-edit)', () => {
      const good = '{\n  "servers": {\n    "a": { "command": "node", "args": ["a.js"] },\n    "b": { "command": "node", "args": ["b.js"] },\n    "gone": { "command": "x" }\n  }\n}';
      const first = parseConfigText(good, vscodeOrigin, 'vscode');
      // A comma missing in b, and gone deleted: a is read anew, b keeps what it was, gone goes.
      const broken = '{\n  "servers": {\n    "a": { "command": "node", "args": ["a2.js"] },\n    "b": { "command": "node" "args": ["b2.js"] }\n  }\n}';
      const parsed = parseConfigText(broken, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        parsed.servers.map(s => s.name),
        ['a'],
      );
      const kept = keepLastRead(parsed, first);
      assert.deepStrictEqual(
        kept.servers.map(s => [s.name, s.type === 'stdio' && s.args]),
        [
          ['a', ['a2.js']],
          ['b', ['b.js']],
        ],
      );
      assert.strictEqual(kept.servers[1], first.servers[1], 'the same definition: the running server is not restarted');
      assert.deepStrictEqual(
        kept.problems.map(p => [p.severity, p.message, p.server]),
        [
          ['error', 'Syntax error: comma expected', undefined],
          ['warning', 'servers.b: a syntax error runs through this entry, so it keeps its definition as last read until the file is fixed', 'b'],
        ],
      );
      assert.deepStrictEqual(span(kept.problems[1]!), locate(broken, '"b"'));
      // A first read has nothing to keep.
      assert.deepStrictEqual(keepLastRead(parsed, undefined), parsed);
    });

    it('reads servers named like Object.prototype members as any other name', () => {
      const text = '{"servers":{"__proto__":{"command":"a"},"constructor":{"command":"b"},"toString":{"url":"https://e.example"}}}';
      const { servers, problems } = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(
        servers.map(s => s.name),
        ['__proto__', 'constructor', 'toString'],
      );
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(
        mergeSources([{ origin: vscodeOrigin, servers, inputs: [], problems }]).servers.map(s => s.name),
        ['__proto__', 'constructor', 'toString'],
      );
    });
  });

  describe('inputs', () => {
    const text = `{
  "inputs": [
    { "type": "promptString", "id": "token", "description": "API token", "password": true },
    { "type": "promptString", "id": "region", "description": "Region", "default": "eu" },
    { "type": "pickString", "id": "region", "description": "Region again", "options": ["eu", "us"] },
    { "type": "pickString", "id": "tier", "description": "Tier" },
    { "type": "checkbox", "id": "c", "description": "?" }
  ],
  "servers": {
    "api": { "url": "https://api.example/mcp", "headers": { "Authorization": "Bearer \${input:token}", "X-Team": "\${input:team}" } }
  }
}`;
    const parsed = parseConfigText(text, vscodeOrigin, 'vscode');

    it('parses valid inputs with defaults filled', () => {
      assert.deepStrictEqual(parsed.inputs, [
        { type: 'promptString', id: 'token', description: 'API token', password: true },
        { type: 'promptString', id: 'region', description: 'Region', default: 'eu', password: false },
      ]);
    });

    it('reports duplicate ids, invalid inputs and undeclared references', () => {
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.message, span(p)]),
        [
          ['warning', 'inputs[2].id: duplicate input id "region"; this input is ignored', [4, 34, 4, 42]],
          ['error', 'inputs[3]: missing required property "options"', locate(text, '{ "type": "pickString", "id": "tier", "description": "Tier" }')],
          ['error', 'inputs[4].type: must be "promptString" or "pickString"', [6, 14, 6, 24]],
          // Exactly the `${input:team}` token inside the header value.
          ['warning', 'servers.api.headers.X-Team: input "team" is not declared in "inputs"', locate(text, '${input:team}')],
        ],
      );
      assert.strictEqual(parsed.problems[3]!.server, 'api');
      assert.strictEqual(parsed.servers.length, 1);
    });
  });

  describe('Claude Code format (.mcp.json)', () => {
    const text = `{
  "mcpServers": {
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": { "GITHUB_TOKEN": "\${GITHUB_TOKEN}" }
    },
    "remote": { "type": "streamable-http", "url": "\${API_BASE:-https://api.example.com}/mcp" },
    "docs": { "url": "https://docs.example/mcp", "headers": { "Authorization": "Bearer \${input:docs}" } }
  },
  "servers": {}
}`;
    const parsed = parseConfigText(text, claudeOrigin, 'claude');

    it('reads mcpServers and rewrites ${VAR} as ${env:VAR}', () => {
      assert.deepStrictEqual(
        parsed.servers.map(s => [s.name, s.type, s.origin.kind]),
        [
          ['github', 'stdio', 'workspaceClaude'],
          ['remote', 'http', 'workspaceClaude'],
          ['docs', 'http', 'workspaceClaude'],
        ],
      );
      const github = byName(parsed.servers, 'github');
      assert.deepStrictEqual(github.type === 'stdio' && github.env, { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' });
      const remote = byName(parsed.servers, 'remote');
      assert.strictEqual(remote.type === 'http' && remote.url, '${env:API_BASE:-https://api.example.com}/mcp');
    });

    it('reads Cline\'s "streamableHttp" as http, in both formats (walk14: it was an invalid config)', () => {
      const cline = '{ "mcpServers": { "cline": { "type": "streamableHttp", "url": "https://cline.example/mcp" } } }';
      for (const [config, format, origin] of [[cline, 'claude', claudeOrigin], [cline.replace('mcpServers', 'servers'), 'vscode', vscodeOrigin]] as const) {
        const read = parseConfigText(config, origin, format);
        assert.deepStrictEqual(read.problems, []);
        assert.deepStrictEqual(read.servers.map(s => [s.name, s.type, s.type !== 'stdio' && s.url]), [['cline', 'http', 'https://cline.example/mcp']]);
      }
    });

    it('warns about missing inputs and the other format\'s key; a ${VAR:-default} is no problem', () => {
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.message, p.range!.start.line]),
        [
          ['warning', 'Unknown property "servers" is ignored; this file lists servers under "mcpServers"', 10],
          ['warning', 'mcpServers.docs.headers.Authorization: input "docs" is not declared (this format has no "inputs")', 8],
        ],
      );
    });
  });

  describe('parseConfigValue (user setting)', () => {
    it('parses an object without ranges', () => {
      const value = {
        servers: { mem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] }, bad: { command: ['x'] } },
        inputs: [],
      };
      const parsed = parseConfigValue(value, userOrigin, 'vscode');
      assert.deepStrictEqual(
        parsed.servers.map(s => [s.name, s.range]),
        [['mem', undefined]],
      );
      assert.deepStrictEqual(parsed.problems, [{ severity: 'error', message: 'servers.bad.command: must be a string', server: 'bad' }]);
      assert.strictEqual('range' in parsed.servers[0]!, false);
    });

    it('treats a missing setting as empty', () => {
      assert.deepStrictEqual(parseConfigValue(undefined, userOrigin, 'vscode'), { origin: userOrigin, servers: [], inputs: [], problems: [] });
    });
  });

  describe("VS Code's inputs: pick options as { label, value }, command inputs", () => {
    it('reads options written as { "label", "value" } (their value, their label to show), and says a command input is not supported', () => {
      const text = `{
  "inputs": [
    { "type": "pickString", "id": "env", "description": "Environment", "options": [{ "label": "Production", "value": "prod" }, "dev", { "value": "constructor" }] },
    { "type": "command", "id": "branch", "command": "git.branch" }
  ],
  "servers": {}
}`;
      const parsed = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(JSON.parse(JSON.stringify(parsed.inputs)), [{ type: 'pickString', id: 'env', description: 'Environment', options: ['prod', 'dev', 'constructor'], labels: { prod: 'Production' } }]);
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.message, span(p)]),
        [['error', 'inputs[1].type: "command" inputs (a VS Code command gives the value) are not supported by MCP Host, which does not run commands a config file names; use "promptString" or "pickString"', locate(text, '"command"')]],
      );
    });
  });

  describe("VS Code's own keys MCP Host does not support (VS Code 1.139's mcp.json schema)", () => {
    const text = `{
  "sandbox": { "network": { "allowedDomains": ["api.example.com"] } },
  "servers": {
    "boxed": { "command": "node", "args": ["server.js"], "sandboxEnabled": true },
    "unboxed": { "command": "node", "args": ["server.js"], "sandboxEnabled": false },
    "mine": { "command": "node", "args": ["build/index.js"], "dev": { "watch": "src/**/*.ts", "debug": { "type": "node" } } }
  }
}`;
    it('does not start a server that asks for a sandbox (it cannot give one), says dev mode and the sandbox rules are not supported; the rest run', () => {
      const parsed = parseConfigText(text, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(parsed.servers.map(s => s.name), ['unboxed', 'mine']);
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.server, p.message, span(p)]),
        [
          ['warning', undefined, '"sandbox" is VS Code\'s sandbox for servers with "sandboxEnabled": MCP Host does not sandbox servers and ignores it', locate(text, '"sandbox"')],
          [
            'error',
            'boxed',
            'servers.boxed.sandboxEnabled: MCP Host cannot run a server in a sandbox (VS Code\'s own MCP support can), so it does not start this one rather than run it with your full rights; remove "sandboxEnabled" to run it without a sandbox',
            locate(text, '"sandboxEnabled"'),
          ],
          ['warning', 'mine', "servers.mine.dev: VS Code's development mode (restart on file changes, a debugger) is not supported by MCP Host; the server runs as usual (use Restart after a change)", locate(text, '"dev"')],
        ],
      );
    });

    it('the same in the user setting', () => {
      const parsed = parseConfigValue({ servers: { boxed: { command: 'node', sandboxEnabled: true } } }, userOrigin, 'vscode');
      assert.deepStrictEqual(parsed.servers, []);
      assert.match(parsed.problems[0]!.message, /^servers\.boxed\.sandboxEnabled: MCP Host cannot run a server in a sandbox/);
    });
  });

  describe('a variable inside another (config14 left it an error only at start)', () => {
    it("is an error of its entry where it is written, in .mcp.json (${A:-${B}}) and .vscode/mcp.json; the other entries stay", () => {
      const claude = `{ "mcpServers": {
  "nested": { "command": "x", "args": ["--url", "\${API_URL:-\${FALLBACK_URL}}/mcp"] },
  "fine": { "command": "x", "args": ["\${A}\${B}", "\${PORT:-$HOME}", "\${HOST:-localhost}"] }
} }`;
      const parsed = parseConfigText(claude, claudeOrigin, 'claude');
      assert.deepStrictEqual(parsed.servers.map(s => s.name), ['fine']);
      assert.deepStrictEqual(
        parsed.problems.map(p => [p.severity, p.server, p.message, span(p)]),
        [['error', 'nested', 'mcpServers.nested.args[1]: a variable inside another variable is not supported, so the server cannot start; write the default as plain text, as in ${NAME:-text}', locate(claude, '${API_URL:-${FALLBACK_URL}}')]],
      );
      const vscode = `{ "servers": {
  "remote": { "url": "https://x.example/mcp", "headers": { "Authorization": "Bearer \${env:\${input:which}}" } },
  "env": { "command": "x", "env": { "A": "\${env:A:-\${env:B}}" }, "cwd": "\${workspaceFolder}" }
}, "inputs": [{ "id": "which", "type": "promptString", "description": "d" }] }`;
      const both = parseConfigText(vscode, vscodeOrigin, 'vscode');
      assert.deepStrictEqual(both.servers, []);
      assert.deepStrictEqual(
        both.problems.map(p => [p.server, p.message.replace(/:.*/, ''), span(p)]),
        [
          ['remote', 'servers.remote.headers.Authorization', locate(vscode, '${env:${input:which}}')],
          ['env', 'servers.env.env.A', locate(vscode, '${env:A:-${env:B}}')],
        ],
      );
    });

    it('is not looked for in what launch does not expand, and not repeated in the message (a default may be a credential)', () => {
      const parsed = parseConfigText('{ "servers": { "s": { "command": "x", "disabledTools": ["${a${b}}"], "env": { "TOKEN": "${env:T:-ghp_secret${X}}" } } } }', vscodeOrigin, 'vscode');
      assert.strictEqual(parsed.problems.length, 1);
      assert.match(parsed.problems[0]!.message, /^servers\.s\.env\.TOKEN: /);
      assert.doesNotMatch(parsed.problems[0]!.message, /ghp_secret/);
      const user = parseConfigValue({ servers: { u: { command: 'x', args: ['${env:A:-${env:B}}'] } } }, userOrigin, 'vscode');
      assert.deepStrictEqual(user.servers, []);
      assert.match(user.problems[0]!.message, /^servers\.u\.args\[0\]: a variable inside another variable is not supported/);
    });
  });

  it('formats JSON paths for messages', () => {
    assert.strictEqual(formatJsonPath(['servers', 'my-db', 'args', 2]), 'servers.my-db.args[2]');
    assert.strictEqual(formatJsonPath(['servers', 'my server', 'env']), 'servers["my server"].env');
  });
});
