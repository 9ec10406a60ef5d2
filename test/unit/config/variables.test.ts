import * as assert from 'assert';
import * as path from 'path';
import { parseConfigText, parseConfigValue } from '../../../src/config/parse';
import type { ServerDefinition } from '../../../src/config/types';
import {
  collectInputIds,
  InputCancelledError,
  looksSecretName,
  maskSecrets,
  parseEnvFile,
  resolveDefinition,
  translateClaudeVariables,
  VariableError,
  type VariableContext,
} from '../../../src/config/variables';

const folder = path.join(path.sep, 'work', 'api');

/** Definitions come from real config text, as they do in the extension. */
function servers(serversJson: string): ServerDefinition[] {
  const origin = { kind: 'workspaceVscode' as const, file: path.join(folder, '.vscode', 'mcp.json'), folder, label: '.vscode/mcp.json (api)' };
  const parsed = parseConfigText(`{ "servers": ${serversJson} }`, origin, 'vscode');
  assert.deepStrictEqual(parsed.problems.filter(p => p.severity === 'error'), []);
  return [...parsed.servers];
}

function context(overrides: Partial<VariableContext> = {}, answers: Record<string, string | undefined> = {}) {
  const asked: string[] = [];
  const read: string[] = [];
  const ctx: VariableContext = {
    workspaceFolder: folder,
    userHome: '/home/dev',
    pathSeparator: '/',
    env: { HOME: '/home/dev', GITHUB_TOKEN: 'ghp_envtoken', REGION: 'eu-west-1' },
    resolveInput: async id => {
      asked.push(id);
      return answers[id];
    },
    readFile: async file => {
      read.push(file);
      return 'FROM_FILE=1\nDB_PASSWORD=hunter2\nSHARED=file\n';
    },
    ...overrides,
  };
  return { ctx, asked, read };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('config/variables', () => {
  describe('resolveDefinition', () => {
    it('substitutes variables in every field of a stdio definition and merges envFile under env', async () => {
      const [def] = servers(`{ "s": {
        "command": "\${workspaceFolder}\${/}bin\${pathSeparator}server",
        "args": ["--home=\${userHome}", "--name=\${workspaceFolderBasename}", "--region=\${env:REGION}", "--key=\${input:key}"],
        "env": { "SHARED": "env", "API_KEY": "\${input:key}", "UNSET": null, "MISSING": "[\${env:NOT_SET}]" },
        "envFile": ".env.\${env:REGION}",
        "cwd": "\${workspaceFolder}/srv"
      } }`);
      const { ctx, asked, read } = context({}, { key: 'k-123' });
      const resolved = await resolveDefinition(def!, ctx);
      assert.ok(resolved.type === 'stdio');
      assert.strictEqual(resolved.command, `${folder}/bin/server`);
      assert.deepStrictEqual(resolved.args, ['--home=/home/dev', '--name=api', '--region=eu-west-1', '--key=k-123']);
      assert.deepStrictEqual(read, [path.join(folder, '.env.eu-west-1')]);
      assert.strictEqual(resolved.envFile, path.join(folder, '.env.eu-west-1'));
      assert.deepStrictEqual(resolved.env, {
        FROM_FILE: '1',
        DB_PASSWORD: 'hunter2',
        SHARED: 'env',
        API_KEY: 'k-123',
        UNSET: null,
        MISSING: '[]',
      });
      assert.strictEqual(resolved.cwd, `${folder}/srv`);
      assert.deepStrictEqual(asked, ['key']);
      assert.deepStrictEqual([...resolved.secrets].sort(), ['hunter2', 'k-123']);
    });

    it('substitutes url and headers of a remote definition; auth headers are secrets with and without their scheme', async () => {
      const [def] = servers(`{ "r": {
        "url": "https://\${env:REGION}.example.com/mcp",
        "headers": { "Authorization": "Bearer \${env:GITHUB_TOKEN}", "X-Team": "\${input:team}", "Accept-Language": "en" }
      } }`);
      const { ctx } = context({}, { team: 'platform' });
      const resolved = await resolveDefinition(def!, ctx);
      assert.ok(resolved.type === 'http');
      assert.strictEqual(resolved.url, 'https://eu-west-1.example.com/mcp');
      assert.deepStrictEqual(resolved.headers, { Authorization: 'Bearer ghp_envtoken', 'X-Team': 'platform', 'Accept-Language': 'en' });
      assert.deepStrictEqual([...resolved.secrets].sort(), ['Bearer ghp_envtoken', 'ghp_envtoken', 'platform']);
    });

    it('resolves a pre-registered OAuth client (oauth): the secret from an input, or literal, is a secret either way', async () => {
      const [fromInput, literal] = servers(`{
        "a": { "type": "http", "url": "https://mcp.example.com/mcp", "oauth": { "clientId": "\${env:REGION}-client", "clientSecret": "\${input:client-secret}", "scopes": ["read", "write"] } },
        "b": { "type": "http", "url": "https://mcp.example.com/mcp", "oauth": { "clientId": "plain", "clientSecret": "written-in-config" } }
      }`);
      const { ctx, asked } = context({}, { 'client-secret': 's3cr3t-from-input' });
      const a = await resolveDefinition(fromInput!, ctx);
      assert.ok(a.type === 'http');
      assert.deepStrictEqual(a.oauth, { clientId: 'eu-west-1-client', clientSecret: 's3cr3t-from-input', scopes: ['read', 'write'] });
      assert.deepStrictEqual(asked, ['client-secret']);
      assert.ok(a.secrets.includes('s3cr3t-from-input'));
      const b = await resolveDefinition(literal!, ctx);
      assert.ok(b.type === 'http' && b.oauth?.clientSecret === 'written-in-config');
      assert.ok(b.secrets.includes('written-in-config'), 'a literal client secret is masked too');
      assert.strictEqual(maskSecrets('sent written-in-config', b.secrets), 'sent ***');
    });

    it('asks each input once, in order of appearance', async () => {
      const [def] = servers('{ "s": { "command": "${input:b}", "args": ["${input:a}", "${input:b}"], "env": { "X": "${input:c}" } } }');
      const { ctx, asked } = context({}, { a: '1', b: '2', c: '3' });
      assert.deepStrictEqual(collectInputIds(def!), ['b', 'a', 'c']);
      await resolveDefinition(def!, ctx);
      assert.deepStrictEqual(asked, ['b', 'a', 'c']);
    });

    it('stops at a cancelled input without asking the rest', async () => {
      const [def] = servers('{ "s": { "command": "x", "args": ["${input:a}", "${input:b}"] } }');
      const { ctx, asked } = context({}, { b: 'never asked' });
      const err = await rejection(resolveDefinition(def!, ctx));
      assert.ok(err instanceof InputCancelledError);
      assert.strictEqual(err.inputId, 'a');
      assert.deepStrictEqual(asked, ['a']);
    });

    it('never expands a substituted value again', async () => {
      const [def] = servers('{ "s": { "command": "x", "args": ["${input:a}"] } }');
      const { ctx } = context({}, { a: '${env:GITHUB_TOKEN}' });
      const resolved = await resolveDefinition(def!, ctx);
      assert.deepStrictEqual(resolved.type === 'stdio' && resolved.args, ['${env:GITHUB_TOKEN}']);
    });

    it('reports unknown, nested and folder-less variables together instead of substituting empty strings', async () => {
      const [parsed] = servers(`{ "s": {
        "command": "\${workspaceFolder}/run",
        "args": ["\${config:editor.fontSize}", "\${env:\${input:name}}", "\${env:}", "ok"],
        "cwd": "\${workspaceFolderBasename}"
      } }`.replace('"\${env:\${input:name}}"', '"\${input:name}"'));
      // A nested variable is an error of the entry when the file is read (parse.test.ts); launch refuses one all the same.
      const def = { ...parsed!, args: parsed!.type === 'stdio' ? parsed!.args.map(a => (a === '${input:name}' ? '${env:${input:name}}' : a)) : [] } as ServerDefinition;
      const { ctx } = context({ workspaceFolder: undefined }, { name: 'HOME' });
      const err = await rejection(resolveDefinition(def, ctx));
      assert.ok(err instanceof VariableError);
      assert.strictEqual(err.server, 's');
      assert.deepStrictEqual(err.problems, [
        'command: ${workspaceFolder} needs an open workspace folder',
        'args[0]: unknown variable ${config:editor.fontSize}',
        'args[1]: nested variables are not supported',
        'args[2]: ${env:} needs a variable name',
        'cwd: ${workspaceFolderBasename} needs an open workspace folder',
      ]);
    });

    it('treats env values with secret-looking names as secrets, whatever their source', async () => {
      const [def] = servers('{ "s": { "command": "x", "env": { "OPENAI_API_KEY": "sk-live", "PATH_EXTRA": "/opt/bin" }, "args": ["--t=${env:GITHUB_TOKEN}", "${env:REGION}"] } }');
      const resolved = await resolveDefinition(def!, context().ctx);
      assert.deepStrictEqual([...resolved.secrets].sort(), ['ghp_envtoken', 'sk-live']);
    });

    it('reports an envFile that cannot be read', async () => {
      const [def] = servers('{ "s": { "command": "x", "envFile": "/etc/missing.env" } }');
      const { ctx } = context({
        readFile: async () => {
          throw new Error('ENOENT: no such file or directory');
        },
      });
      const err = await rejection(resolveDefinition(def!, ctx));
      assert.ok(err instanceof VariableError);
      assert.deepStrictEqual(err.problems, ['envFile: cannot read /etc/missing.env: ENOENT: no such file or directory']);
    });
  });

  describe('${workspaceFolder} with several folders open (config16 walk)', () => {
    const api = { name: 'api', path: folder };
    const web = { name: 'web', path: path.join(path.sep, 'work', 'web') };
    const userServer = (json: string): ServerDefinition => {
      const parsed = parseConfigValue({ servers: { s: JSON.parse(json) } }, { kind: 'userSettings', label: 'User Settings' }, 'vscode');
      return parsed.servers[0]!;
    };
    const argsOf = async (def: ServerDefinition, overrides: Partial<VariableContext>) => {
      const resolved = await resolveDefinition(def, context(overrides).ctx);
      return resolved.type === 'stdio' ? resolved.args : [];
    };

    it("reads a user server's ${workspaceFolder} as the one open folder, as VS Code does (before: always 'needs an open workspace folder')", async () => {
      const def = userServer('{ "command": "npx", "args": ["server-filesystem", "${workspaceFolder}", "${workspaceFolderBasename}"] }');
      assert.deepStrictEqual(await argsOf(def, { workspaceFolder: undefined, workspaceFolders: [api] }), ['server-filesystem', folder, 'api']);
    });

    it('asks for a folder name when several are open, and reads ${workspaceFolder:name}', async () => {
      const def = userServer('{ "command": "npx", "args": ["${workspaceFolder}"] }');
      const err = await rejection(resolveDefinition(def, context({ workspaceFolder: undefined, workspaceFolders: [api, web] }).ctx));
      assert.ok(err instanceof VariableError);
      assert.deepStrictEqual(err.problems, ["args[0]: ${workspaceFolder} is ambiguous with 2 workspace folders open ('api', 'web'): name one, as in ${workspaceFolder:api}"]);
      const named = userServer('{ "command": "npx", "args": ["${workspaceFolder:web}", "${workspaceFolderBasename:web}"] }');
      assert.deepStrictEqual(await argsOf(named, { workspaceFolder: undefined, workspaceFolders: [api, web] }), [web.path, 'web']);
      const missing = await rejection(resolveDefinition(userServer('{ "command": "npx", "args": ["${workspaceFolder:docs}"] }'), context({ workspaceFolder: undefined, workspaceFolders: [api, web] }).ctx));
      assert.deepStrictEqual((missing as VariableError).problems, ["args[0]: ${workspaceFolder:docs}: no open workspace folder is named 'docs' (open: 'api', 'web')"]);
    });

    it("keeps a workspace file's server to its own folder: ${workspaceFolder:own} is it, another folder's name is an error", async () => {
      const [def] = servers('{ "s": { "command": "x", "args": ["${workspaceFolder}", "${workspaceFolder:api}", "${workspaceFolder:web}"] } }');
      const err = await rejection(resolveDefinition(def!, context({ workspaceFolders: [api, web] }).ctx));
      assert.deepStrictEqual((err as VariableError).problems, [
        "args[2]: ${workspaceFolder:web} names another workspace folder than this config file's ('api'); a workspace's server uses its own folder: write ${workspaceFolder}",
      ]);
      const [own] = servers('{ "s": { "command": "x", "args": ["${workspaceFolder}", "${workspaceFolder:api}"] } }');
      assert.deepStrictEqual(await argsOf(own!, { workspaceFolders: [api, web] }), [folder, folder]);
    });
  });

  describe('parseEnvFile', () => {
    it('reads dotenv syntax: export, quotes, escapes, comments and multi-line values', () => {
      const text = [
        '# database',
        'DB_HOST=localhost',
        'export DB_PORT = 5432',
        'EMPTY=',
        "SINGLE='a \\n b # not a comment'",
        'DOUBLE="line1\\nline2 \\"quoted\\""',
        'INLINE=value # trailing comment',
        'HASH=a#b',
        'MULTI="first',
        'second"',
        'not an assignment',
        '  INDENTED=yes',
        'DUP=1',
        'DUP=2',
      ].join('\r\n');
      assert.deepStrictEqual(parseEnvFile(text), {
        DB_HOST: 'localhost',
        DB_PORT: '5432',
        EMPTY: '',
        SINGLE: 'a \\n b # not a comment',
        DOUBLE: 'line1\nline2 "quoted"',
        INLINE: 'value',
        HASH: 'a#b',
        MULTI: 'first\nsecond',
        INDENTED: 'yes',
        DUP: '2',
      });
    });

    it('reads the first variable of a file that starts with a byte order mark (config16: before, it was lost)', () => {
      assert.deepStrictEqual(parseEnvFile('\uFEFFAPI_KEY=first\r\nOTHER=2\r\n'), { API_KEY: 'first', OTHER: '2' });
    });
  });

  describe('secret names and masking', () => {
    it('recognises credential names by word, not by substring', () => {
      const secret = ['GITHUB_TOKEN', 'OPENAI_API_KEY', 'apiKey', 'APIKEY', 'DB_PASSWORD', 'GH_PAT', 'Authorization', 'X-API-Key', 'Cookie', 'client_secret', 'ACCESSTOKEN', 'AWS_SECRET_ACCESS_KEY', 'Proxy-Authorization', 'SESSION_ID', 'credentials'];
      const plain = ['PATH', 'AUTHOR', 'HOME', 'KEYBOARD_LAYOUT', 'MONKEY', 'NODE_ENV', 'Accept', 'Content-Type', 'X-Request-Id', 'REGION'];
      assert.deepStrictEqual(secret.filter(n => !looksSecretName(n)), []);
      assert.deepStrictEqual(plain.filter(looksSecretName), []);
    });

    it('masks every occurrence, longest secret first', () => {
      const text = 'GET /?token=abc123 Authorization: Bearer abc123xyz (abc123)';
      assert.strictEqual(maskSecrets(text, ['abc123', 'abc123xyz', '']), 'GET /?token=*** Authorization: Bearer *** (***)');
      assert.strictEqual(maskSecrets('nothing to hide', []), 'nothing to hide');
    });
  });

  describe('translateClaudeVariables', () => {
    it('reads ${VAR} as an environment variable and keeps VS Code variables', () => {
      assert.deepStrictEqual(translateClaudeVariables('${HOME}/x ${workspaceFolder} ${env:A} ${input:b} ${/}'), {
        value: '${env:HOME}/x ${workspaceFolder} ${env:A} ${input:b} ${/}',
        defaults: [],
      });
    });

    it('keeps a ${VAR:-default}\'s default (walk14 finding C: it was dropped)', () => {
      assert.deepStrictEqual(translateClaudeVariables('${URL:-http://localhost:3000}/mcp'), {
        value: '${env:URL:-http://localhost:3000}/mcp',
        defaults: ['${URL:-http://localhost:3000}'],
      });
    });
  });

  describe('Claude Code\'s ${VAR:-default} (.mcp.json, parsed as the extension parses it)', () => {
    function claudeServers(mcpServersJson: string): ServerDefinition[] {
      const origin = { kind: 'workspaceClaude' as const, file: path.join(folder, '.mcp.json'), folder, label: '.mcp.json (api)' };
      const parsed = parseConfigText(`{ "mcpServers": ${mcpServersJson} }`, origin, 'claude');
      assert.deepStrictEqual(parsed.problems, []);
      return [...parsed.servers];
    }
    const defs = () => claudeServers(`{
      "remote": { "type": "http", "url": "\${API_BASE:-https://api.example.com}/mcp", "headers": { "Authorization": "Bearer \${API_TOKEN:-}" } },
      "local": { "command": "npx", "args": ["-y", "server-everything", "--port=\${PORT:-3001}", "\${MODE:-a:-b $x}"],
                 "env": { "DEBUG": "\${DEBUG:-0}", "GITHUB_TOKEN": "\${GITHUB_TOKEN:-none}" } }
    }`);

    it('uses the default when the variable is not set', async () => {
      const [remote, local] = defs();
      const resolved = await resolveDefinition(remote!, context({ env: {} }).ctx);
      assert.ok(resolved.type === 'http');
      assert.strictEqual(resolved.url, 'https://api.example.com/mcp');
      assert.deepStrictEqual(resolved.headers, { Authorization: 'Bearer ' });
      const stdio = await resolveDefinition(local!, context({ env: {} }).ctx);
      assert.ok(stdio.type === 'stdio');
      // Only the first ":-" separates the default (as Claude Code splits it); a "$" in a default is text.
      assert.deepStrictEqual(stdio.args, ['-y', 'server-everything', '--port=3001', 'a:-b $x']);
      assert.deepStrictEqual(stdio.env, { DEBUG: '0', GITHUB_TOKEN: 'none' });
    });

    it('uses the variable when it is set, also when set empty (Claude Code: "VAR if set, otherwise default"); its value stays a secret', async () => {
      const [remote, local] = defs();
      const env = { API_BASE: 'https://staging.example.com', API_TOKEN: 'tok-123', PORT: '', DEBUG: '1', GITHUB_TOKEN: 'ghp_envtoken' };
      const resolved = await resolveDefinition(remote!, context({ env }).ctx);
      assert.ok(resolved.type === 'http');
      assert.strictEqual(resolved.url, 'https://staging.example.com/mcp');
      assert.deepStrictEqual([...resolved.secrets].sort(), ['Bearer tok-123', 'tok-123']);
      const stdio = await resolveDefinition(local!, context({ env }).ctx);
      assert.ok(stdio.type === 'stdio');
      assert.strictEqual(stdio.args[2], '--port=');
      assert.deepStrictEqual(stdio.env, { DEBUG: '1', GITHUB_TOKEN: 'ghp_envtoken' });
      assert.ok(stdio.secrets.includes('ghp_envtoken'));
    });

    it('a default is the config\'s own text, not a secret: a short one does not mask every log line', async () => {
      const [, local] = defs();
      const stdio = await resolveDefinition(local!, context({ env: {} }).ctx);
      assert.ok(!stdio.secrets.includes('0'));
    });

    it('is also read as ${env:VAR:-default} in .vscode/mcp.json', async () => {
      const [def] = servers('{ "s": { "url": "${env:API_BASE:-https://api.example.com}/mcp" } }');
      const resolved = await resolveDefinition(def!, context({ env: {} }).ctx);
      assert.strictEqual(resolved.type !== 'stdio' && resolved.url, 'https://api.example.com/mcp');
    });
  });
});
