import * as assert from 'assert';
import { describePreview, maskArgs, previewLaunch, type PreviewContext } from '../../../src/config/launchPreview';
import { describeLaunch } from '../../../src/mcp/launch';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin, ServerDefinition } from '../../../src/config/types';

const origin: ConfigOrigin = { kind: 'workspaceVscode', file: '/work/api/.vscode/mcp.json', folder: '/work/api', label: '.vscode/mcp.json' };
const ctx: PreviewContext = { workspaceFolder: '/work/api', userHome: '/home/u', pathSeparator: '/' };

function one(serverJson: string): ServerDefinition {
  const parsed = parseConfigText(`{ "servers": { "s": ${serverJson} } }`, origin, 'vscode');
  assert.deepStrictEqual(parsed.problems.filter(p => p.severity === 'error'), []);
  return parsed.servers[0]!;
}

describe('launch preview (what the trust dialog shows)', () => {
  it('expands workspace variables in command, args and cwd, and keeps ${env:} and ${input:} as references', () => {
    const preview = previewLaunch(
      one('{ "command": "${workspaceFolder}/bin/server", "args": ["--root", "${workspaceFolder}", "--home=${userHome}", "--token", "${input:tok}", "${env:HOME}"], "cwd": "${workspaceFolder}/sub" }'),
      ctx,
    );
    assert.ok(preview.type === 'stdio');
    assert.strictEqual(preview.command, '/work/api/bin/server');
    assert.deepStrictEqual(preview.args, ['--root', '/work/api', '--home=/home/u', '--token', '${input:tok}', '${env:HOME}']);
    assert.strictEqual(preview.cwd, '/work/api/sub');
    const text = describePreview(preview).join('\n');
    assert.match(text, /^runs: \/work\/api\/bin\/server --root \/work\/api --home=\/home\/u --token "\$\{input:tok\}" "\$\{env:HOME\}"$/m);
    assert.doesNotMatch(text, /workspaceFolder/);
  });

  it("reads a workspace file's ${workspaceFolder:name} as its own folder, as launch does (else the npx check would look elsewhere)", () => {
    const preview = previewLaunch(one('{ "command": "${workspaceFolder:api}/bin/server", "args": ["${workspaceFolderBasename:api}"], "cwd": "${workspaceFolder:api}/sub" }'), ctx);
    assert.ok(preview.type === 'stdio');
    assert.deepStrictEqual([preview.command, preview.args, preview.cwd], ['/work/api/bin/server', ['api'], '/work/api/sub']);
  });

  it('runs in the workspace folder when no cwd is given', () => {
    const preview = previewLaunch(one('{ "command": "npx", "args": ["x"] }'), ctx);
    assert.ok(preview.type === 'stdio');
    assert.strictEqual(preview.cwd, '/work/api');
    assert.deepStrictEqual(preview.warnings, []);
  });

  it('shows env values from the definition and the env file, masking secret ones, the definition winning', () => {
    const preview = previewLaunch(one('{ "command": "node", "args": ["s.js"], "env": { "MODE": "fast", "API_KEY": "sk-live-123", "FROM_USER": "${env:MY_TOKEN}", "GONE": null }, "envFile": ".env" }'), {
      ...ctx,
      envFileText: 'MODE=slow\nDB_PASSWORD=hunter2\nDATABASE_URL=postgres://u:pw@db/x\nLEVEL=debug\n',
    });
    assert.ok(preview.type === 'stdio');
    assert.deepStrictEqual(
      preview.env.map(v => `${v.name}=${v.value}:${v.from}`),
      ['MODE=fast:definition', 'API_KEY=***:definition', 'FROM_USER=${env:MY_TOKEN}:definition', 'GONE=null:definition', 'DB_PASSWORD=***:envFile', 'DATABASE_URL=***:envFile', 'LEVEL=debug:envFile'],
    );
    assert.deepStrictEqual(preview.envFile, { path: '/work/api/.env', read: true });
    const text = describePreview(preview).join('\n');
    for (const secret of ['sk-live-123', 'hunter2', ':pw@']) assert.ok(!text.includes(secret), secret);
    assert.match(text, /env LEVEL=debug \(from the env file\)/);
    assert.match(text, /env GONE=\(removed\)/);
  });

  it('says when the env file cannot be read, and shows only its path when it was not read', () => {
    const def = one('{ "command": "node", "envFile": "${workspaceFolder}/missing.env" }');
    const preview = previewLaunch(def, { ...ctx, envFileText: null });
    assert.ok(preview.type === 'stdio');
    assert.deepStrictEqual(preview.envFile, { path: '/work/api/missing.env', read: false });
    assert.match(describePreview(preview).join('\n'), /env file: \/work\/api\/missing\.env \(cannot be read/);
    // Not read at all (the tree's tooltip): the path only.
    assert.match(describePreview(previewLaunch(def, ctx)).join('\n'), /env file: \/work\/api\/missing\.env$/m);
  });

  it('flags overrides that change what runs or what code it loads, from the definition and from the env file', () => {
    const preview = previewLaunch(one('{ "command": "npx", "args": ["-y", "pkg"], "env": { "PATH": "./bin:${env:PATH}", "ld_preload": "/tmp/x.so", "HARMLESS": "1" }, "envFile": ".env" }'), {
      ...ctx,
      envFileText: 'NODE_OPTIONS=--require ./x.js\nPYTHONPATH=./py\nDYLD_INSERT_LIBRARIES=./l.dylib\nnpm_config_registry=https://evil.invalid\n',
    });
    assert.ok(preview.type === 'stdio');
    assert.deepStrictEqual(preview.env.filter(v => v.risk).map(v => v.name), ['PATH', 'ld_preload', 'NODE_OPTIONS', 'PYTHONPATH', 'DYLD_INSERT_LIBRARIES', 'npm_config_registry']);
    assert.strictEqual(preview.warnings.length, 6);
    assert.match(preview.warnings[0]!, /^PATH is set \(\.\/bin:\$\{env:PATH\}\): the command and everything it starts are looked up through it\.$/);
    assert.match(preview.warnings[2]!, /^NODE_OPTIONS is set by the env file \(--require \.\/x\.js\)/);
    const text = describePreview(preview).join('\n');
    assert.match(text, /^⚠ env PATH=/m);
    assert.match(text, /^env HARMLESS=1$/m);
  });

  it('flags overrides that send the traffic through a proxy, trust other certificates, or change what a toolchain fetches and runs', () => {
    const preview = previewLaunch(one('{ "command": "go", "args": ["run", "example.com/mcp@latest"], "env": { "https_proxy": "http://attacker.invalid:8080", "HTTP_PROXY": "x", "NO_PROXY": "*", "GOFLAGS": "-toolexec=./t" }, "envFile": ".env" }'), {
      ...ctx,
      envFileText: 'NODE_TLS_REJECT_UNAUTHORIZED=0\nNODE_EXTRA_CA_CERTS=./ca.pem\nRUSTC_WRAPPER=./w\nGOPROXY=https://evil.invalid\nLANG=C\n',
    });
    assert.ok(preview.type === 'stdio');
    assert.deepStrictEqual(preview.env.filter(v => v.risk).map(v => v.name), ['https_proxy', 'HTTP_PROXY', 'GOFLAGS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'RUSTC_WRAPPER', 'GOPROXY']);
    assert.match(preview.warnings[0]!, /^https_proxy is set \(http:\/\/attacker\.invalid:8080\): the server's network traffic, your keys in it included, goes through that proxy\.$/);
    assert.match(preview.warnings[3]!, /^NODE_TLS_REJECT_UNAUTHORIZED is set by the env file \(0\): it changes which https servers are trusted/);
    // Go's other ways past the checksum database and TLS (review15 NIT): flagged too.
    const go = previewLaunch(one('{ "command": "go", "args": ["run", "example.com/mcp@latest"], "env": { "GOPRIVATE": "*", "GONOPROXY": "*", "GOINSECURE": "example.com", "GOENV": "./go.env", "GOPATH": "/tmp/x" } }'), ctx);
    assert.ok(go.type === 'stdio');
    assert.deepStrictEqual(go.env.filter(v => v.risk).map(v => v.name), ['GOPRIVATE', 'GONOPROXY', 'GOINSECURE', 'GOENV']);
  });

  it('flags a command that is a relative path into the workspace', () => {
    const preview = previewLaunch(one('{ "command": "./bin/npx", "args": ["pkg"] }'), ctx);
    assert.match(preview.warnings.join('\n'), /relative path \(\.\/bin\/npx\)/);
  });

  it('quotes arguments that hold non-printing characters, so the dialog can show them', () => {
    const preview = previewLaunch(one('{ "command": "node", "args": ["plain", "a\\u200bb", "x\\u202ey"] }'), ctx);
    const line = describePreview(preview)[0]!;
    assert.strictEqual(line, 'runs: node plain "a\u200bb" "x\u202ey"');
  });

  it('masks the values of secret-looking flags in arguments, and URL secrets in the log line', () => {
    assert.deepStrictEqual(maskArgs(['--api-key', 'sk-1', '--token=sk-2', '--name', 'x', '--password', '${input:pw}', '-v', '--port=80']), [
      '--api-key', '***', '--token=***', '--name', 'x', '--password', '${input:pw}', '-v', '--port=80',
    ]);
    const preview = previewLaunch(one('{ "command": "server", "args": ["--api-key", "sk-live-9"] }'), ctx);
    assert.strictEqual(describePreview(preview)[0], 'runs: server --api-key ***');
    assert.strictEqual(describeLaunch({ type: 'stdio', command: 'server', args: ['--auth-token=abc'], env: {} }), 'server --auth-token=***');
    assert.strictEqual(describeLaunch({ type: 'http', url: 'https://h.example/mcp?apikey=abc&x=1', headers: {} }), 'HTTP https://h.example/mcp?apikey=***&x=1');
  });

  it('says for a remote server which host it connects to and what it sends there, never a header value', () => {
    const preview = previewLaunch(
      one('{ "type": "http", "url": "https://mcp.x.example/v1?api_key=abc123&team=${workspaceFolderBasename}", "headers": { "Authorization": "Bearer ${env:AWS_SECRET_ACCESS_KEY}", "X-Api-Key": "literal-key", "X-Session": "${input:session}", "X-Team": "blue" } }'),
      ctx,
    );
    assert.ok(preview.type === 'http');
    assert.strictEqual(preview.host, 'mcp.x.example');
    assert.strictEqual(preview.url, 'https://mcp.x.example/v1?api_key=***&team=api');
    assert.deepStrictEqual(
      preview.headers.map(h => `${h.name}: ${h.value}`),
      ['Authorization: Bearer ${env:AWS_SECRET_ACCESS_KEY}', 'X-Api-Key: ***', 'X-Session: ${input:session}', 'X-Team: blue'],
    );
    assert.deepStrictEqual(preview.sends, [
      'the value of your environment variable AWS_SECRET_ACCESS_KEY (header Authorization) to mcp.x.example',
      'a credential written in the config (header X-Api-Key) to mcp.x.example',
      "the value you enter for input 'session' (header X-Session) to mcp.x.example",
      'a credential written in the config (URL parameter api_key) to mcp.x.example',
    ]);
    assert.deepStrictEqual(preview.warnings, []);
    const text = describePreview(preview).join('\n');
    assert.ok(!text.includes('abc123') && !text.includes('literal-key'));
    assert.match(text, /^connects to: mcp\.x\.example — HTTP https:\/\/mcp\.x\.example/m);
  });

  it('warns about unencrypted remote connections, except to this machine, and masks a URL password', () => {
    const plain = previewLaunch(one('{ "type": "sse", "url": "http://u:pass@remote.example/sse" }'), ctx);
    assert.ok(plain.type === 'sse');
    assert.strictEqual(plain.url, 'http://u:***@remote.example/sse');
    assert.match(plain.warnings.join('\n'), /not encrypted/);
    assert.deepStrictEqual(previewLaunch(one('{ "type": "http", "url": "http://127.0.0.1:3000/mcp" }'), ctx).warnings, []);
    const unknown = previewLaunch(one('{ "type": "http", "url": "${input:url}" }'), ctx);
    assert.ok(unknown.type === 'http');
    assert.strictEqual(unknown.host, undefined);
    assert.match(unknown.warnings.join('\n'), /not a complete URL/);
    assert.deepStrictEqual(unknown.sends, [`the value you enter for input 'url' (in the URL) to the server`]);
  });

  describe("Claude Code's ${VAR:-default} (walk14 finding C)", () => {
    const claudeOrigin: ConfigOrigin = { kind: 'workspaceClaude', file: '/work/api/.mcp.json', folder: '/work/api', label: '.mcp.json' };
    function claude(serverJson: string): ServerDefinition {
      const parsed = parseConfigText(`{ "mcpServers": { "s": ${serverJson} } }`, claudeOrigin, 'claude');
      assert.deepStrictEqual(parsed.problems, []);
      return parsed.servers[0]!;
    }

    it('shows the host a remote server connects to by the config\'s default, and says the environment can change it', () => {
      const preview = previewLaunch(claude('{ "type": "http", "url": "${API_BASE:-https://api.example.com}/mcp", "headers": { "Authorization": "Bearer ${API_TOKEN:-dev-token-123}" } }'), ctx);
      assert.ok(preview.type === 'http');
      assert.strictEqual(preview.host, undefined);
      assert.strictEqual(preview.defaultHost, 'api.example.com');
      assert.deepStrictEqual(preview.warnings, ["Where it connects depends on your environment (API_BASE): when not set, the config's default URL https://api.example.com/mcp is used."]);
      const text = describePreview(preview);
      assert.strictEqual(text.find(l => l.startsWith('connects to: ')), "connects to: api.example.com (the config's default) — HTTP ${env:API_BASE:-https://api.example.com}/mcp");
      assert.ok(text.includes('default: URL uses https://api.example.com when API_BASE is not set'), text.join('\n'));
      // A default in a credential is a credential written in the config: masked, and said to be sent.
      assert.ok(text.includes('default: header Authorization uses *** when API_TOKEN is not set'), text.join('\n'));
      assert.ok(!text.join('\n').includes('dev-token-123'));
      assert.ok(preview.sends.includes('a credential written in the config (header Authorization) to the server'), preview.sends.join('\n'));
    });

    it('warns about an unencrypted default URL', () => {
      const preview = previewLaunch(claude('{ "type": "sse", "url": "${API_BASE:-http://remote.example}/sse" }'), ctx);
      assert.match(preview.warnings.join('\n'), /The connection to remote\.example is not encrypted/);
    });

    it('lists the defaults of a stdio server, each with where it is used', () => {
      const preview = previewLaunch(claude('{ "command": "npx", "args": ["-y", "server-everything", "--port=${PORT:-3001}"], "env": { "DEBUG": "${DEBUG:-0}" } }'), ctx);
      assert.ok(preview.type === 'stdio');
      assert.deepStrictEqual(preview.defaults, [
        { variable: 'PORT', value: '3001', where: 'args[2]' },
        { variable: 'DEBUG', value: '0', where: 'env DEBUG' },
      ]);
      const text = describePreview(preview);
      assert.ok(text.includes('env DEBUG="${env:DEBUG:-0}"'), text.join('\n'));
      assert.ok(text.includes('default: env DEBUG uses 0 when DEBUG is not set'), text.join('\n'));
    });
  });
});
