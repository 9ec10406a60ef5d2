import * as assert from 'assert';
import { knownImportLocations, parseForeignConfig, planImport } from '../../../src/config/importers';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin } from '../../../src/config/types';

const mcpJson: ConfigOrigin = { kind: 'workspaceVscode', file: '/work/api/.vscode/mcp.json', folder: '/work/api', label: '.vscode/mcp.json (api)' };

const CLAUDE_DESKTOP = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    },
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_desktop" }
    }
  },
  "globalShortcut": "Ctrl+Space"
}`;

const CLAUDE_CODE_USER = `{
  "numStartups": 12,
  "mcpServers": {
    "memory": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {} },
    "shared": { "command": "user-shared" }
  },
  "projects": {
    "/work/api": {
      "allowedTools": [],
      "mcpServers": {
        "sentry": { "type": "http", "url": "https://mcp.sentry.dev/mcp" },
        "shared": { "command": "project-shared" }
      }
    },
    "/work/other": { "mcpServers": { "not-mine": { "command": "x" } } }
  }
}`;

const CLAUDE_CODE_PROJECT = `{
  "mcpServers": {
    "api": {
      "type": "sse",
      "url": "\${API_BASE_URL:-https://api.example.com}/sse",
      "headers": { "Authorization": "Bearer \${API_KEY}" }
    },
    "db": { "command": "\${HOME}/bin/db-mcp", "args": ["--dsn", "\${DB_DSN}"] }
  }
}`;

const CURSOR = `{
  // Cursor allows comments too
  "mcpServers": {
    "context7": { "url": "https://mcp.context7.com/mcp", "headers": { "CONTEXT7_API_KEY": "c7-secret" } },
    "local": { "command": "node", "args": ["server.js"], "env": { "PORT": 3000, "DEBUG": true }, "envFile": "\${workspaceFolder}/.env" }
  }
}`;

const WINDSURF = `{
  "mcpServers": {
    "remote": { "serverUrl": "https://example.com/sse", "disabled": true },
    "git": { "command": "uvx", "args": ["mcp-server-git"], "disabledTools": ["git_push"], "alwaysAllow": ["git_status"] },
    "broken": { "args": ["x"] },
    "bad-args": { "command": "x", "args": "--flag" }
  }
}`;

describe('config/importers', () => {
  describe('knownImportLocations', () => {
    it('lists macOS paths', () => {
      assert.deepStrictEqual(knownImportLocations('darwin', '/Users/me', undefined, ['/work/api']), [
        { host: 'Claude Desktop', path: '/Users/me/Library/Application Support/Claude/claude_desktop_config.json', format: 'claudeDesktop', scope: 'user' },
        { host: 'Claude Code', path: '/Users/me/.claude.json', format: 'claudeCodeUser', scope: 'user' },
        { host: 'Cursor', path: '/Users/me/.cursor/mcp.json', format: 'cursor', scope: 'user' },
        { host: 'Cursor', path: '/work/api/.cursor/mcp.json', format: 'cursor', scope: 'workspace' },
        { host: 'Windsurf', path: '/Users/me/.codeium/windsurf/mcp_config.json', format: 'windsurf', scope: 'user' },
        { host: 'Zed', path: '/Users/me/.config/zed/settings.json', format: 'zed', scope: 'user' },
        { host: 'Zed', path: '/work/api/.zed/settings.json', format: 'zed', scope: 'workspace' },
        { host: 'Continue', path: '/work/api/.continue/mcpServers', jsonFilesIn: true, format: 'cursor', scope: 'workspace' },
      ]);
    });

    it('uses %APPDATA% and backslashes on Windows, whatever platform runs the code', () => {
      const locations = knownImportLocations('win32', 'C:\\Users\\me', 'C:\\Users\\me\\AppData\\Roaming', []);
      assert.deepStrictEqual(
        locations.map(l => l.path),
        [
          'C:\\Users\\me\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
          'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
          'C:\\Users\\me\\.claude.json',
          'C:\\Users\\me\\.cursor\\mcp.json',
          'C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json',
          'C:\\Users\\me\\AppData\\Roaming\\Zed\\settings.json',
        ],
      );
    });

    it('uses ~/.config on Linux', () => {
      assert.strictEqual(knownImportLocations('linux', '/home/me', undefined, [])[0]!.path, '/home/me/.config/Claude/claude_desktop_config.json');
    });

    it("finds Claude Desktop's MSIX install on Windows (the default since February 2026), before the old %APPDATA% file (config16)", () => {
      const locations = knownImportLocations('win32', 'C:\\Users\\me', 'C:\\Users\\me\\AppData\\Roaming', [], { localAppData: 'D:\\Local' });
      assert.deepStrictEqual(
        locations.filter(l => l.host === 'Claude Desktop').map(l => l.path),
        ['D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json', 'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json'],
      );
      // Without %LOCALAPPDATA%: its default under the home folder.
      assert.strictEqual(knownImportLocations('win32', 'C:\\Users\\me', undefined, [])[0]!.path, 'C:\\Users\\me\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json');
    });

    it('follows an absolute $XDG_CONFIG_HOME on Linux for Zed and Claude Desktop, and looks at a Flatpak Zed (config16)', () => {
      const zedAndClaude = (xdgConfigHome: string | undefined) =>
        knownImportLocations('linux', '/home/me', undefined, [], { xdgConfigHome })
          .filter(l => l.host === 'Zed' || l.host === 'Claude Desktop')
          .map(l => l.path);
      assert.deepStrictEqual(zedAndClaude('/data/cfg'), ['/data/cfg/Claude/claude_desktop_config.json', '/data/cfg/zed/settings.json', '/home/me/.var/app/dev.zed.Zed/config/zed/settings.json']);
      // A relative value is ignored, as the XDG spec says.
      assert.deepStrictEqual(zedAndClaude('cfg'), ['/home/me/.config/Claude/claude_desktop_config.json', '/home/me/.config/zed/settings.json', '/home/me/.var/app/dev.zed.Zed/config/zed/settings.json']);
      // macOS Zed stays in ~/.config whatever the variable says.
      assert.ok(knownImportLocations('darwin', '/Users/me', undefined, [], { xdgConfigHome: '/data/cfg' }).some(l => l.path === '/Users/me/.config/zed/settings.json'));
    });

    it("lists each open folder's .continue/mcpServers, whose JSON files are read in Cursor's shape (config16)", () => {
      assert.deepStrictEqual(
        knownImportLocations('linux', '/home/me', undefined, ['/work/api']).filter(l => l.host === 'Continue'),
        [{ host: 'Continue', path: '/work/api/.continue/mcpServers', jsonFilesIn: true, format: 'cursor', scope: 'workspace' }],
      );
    });
  });

  describe('parseForeignConfig', () => {
    it("reads Zed's context_servers from its settings (comments and all other settings around them): commands, remote servers, the older command object; skips extension servers, saying why", () => {
      const zed = `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    "fs": { "source": "custom", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"], "env": {} },
    "old": { "command": { "path": "uvx", "args": ["mcp-server-git"], "env": { "GIT_DIR": "/r" } }, "settings": {} },
    "remote": { "url": "https://mcp.example.com/mcp", "headers": { "X-Team": "a" }, "enabled": false },
    "from-extension": { "source": "extension", "settings": { "api_key": "k" } },
    "also-extension": { "settings": {} },
  },
  "vim_mode": true,
}`;
      const { servers, problems } = parseForeignConfig(zed, 'zed');
      assert.deepStrictEqual(
        servers.map(s => [s.name, s.entry]),
        [
          ['fs', { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'] }],
          ['old', { type: 'stdio', command: 'uvx', args: ['mcp-server-git'], env: { GIT_DIR: '/r' } }],
          ['remote', { type: 'http', url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'a' }, disabled: true }],
        ],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message]),
        [
          ['info', "context_servers.from-extension: is provided by a Zed extension, which MCP Host cannot run; not imported (add the server's own command or URL with Add Server…)"],
          ['info', "context_servers.also-extension: is provided by a Zed extension, which MCP Host cannot run; not imported (add the server's own command or URL with Add Server…)"],
        ],
      );
    });

    it('reads Claude Desktop servers and drops nothing but non-server settings', () => {
      const { servers, problems } = parseForeignConfig(CLAUDE_DESKTOP, 'claudeDesktop');
      assert.deepStrictEqual(servers, [
        { name: 'filesystem', entry: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'] } },
        {
          name: 'github',
          entry: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_desktop' } },
        },
      ]);
      assert.deepStrictEqual(problems, []);
    });

    it('reads ~/.claude.json user servers plus those of the open folders, project ones winning', () => {
      const { servers } = parseForeignConfig(CLAUDE_CODE_USER, 'claudeCodeUser', ['/work/api/']);
      assert.deepStrictEqual(servers, [
        { name: 'memory', entry: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] } },
        { name: 'shared', entry: { type: 'stdio', command: 'project-shared' }, projectLevel: true },
        { name: 'sentry', entry: { type: 'http', url: 'https://mcp.sentry.dev/mcp' }, projectLevel: true },
      ]);
      assert.deepStrictEqual(
        parseForeignConfig(CLAUDE_CODE_USER, 'claudeCodeUser').servers.map(s => s.name),
        ['memory', 'shared'],
      );
    });

    it('reads a Claude Code .mcp.json and converts ${VAR} to ${env:VAR}, keeping a ${VAR:-default}\'s default', () => {
      const { servers, problems } = parseForeignConfig(CLAUDE_CODE_PROJECT, 'claudeCode');
      assert.deepStrictEqual(servers, [
        { name: 'api', entry: { type: 'sse', url: '${env:API_BASE_URL:-https://api.example.com}/sse', headers: { Authorization: 'Bearer ${env:API_KEY}' } } },
        { name: 'db', entry: { type: 'stdio', command: '${env:HOME}/bin/db-mcp', args: ['--dsn', '${env:DB_DSN}'] } },
      ]);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.server, p.message, p.range?.start.line]),
        [['info', 'api', "mcpServers.api: ${API_BASE_URL:-https://api.example.com} keeps its default (MCP Host uses it when the variable is not set; VS Code's own MCP support reads the variable without it)", 2]],
      );
    });

    it('reads Cursor remote and local servers, stringifying scalar env values', () => {
      const { servers, problems } = parseForeignConfig(CURSOR, 'cursor');
      assert.deepStrictEqual(servers, [
        { name: 'context7', entry: { type: 'http', url: 'https://mcp.context7.com/mcp', headers: { CONTEXT7_API_KEY: 'c7-secret' } } },
        {
          name: 'local',
          entry: { type: 'stdio', command: 'node', args: ['server.js'], env: { PORT: '3000', DEBUG: 'true' }, envFile: '${workspaceFolder}/.env' },
        },
      ]);
      assert.deepStrictEqual(problems, []);
    });

    it("reads Cursor's static OAuth client (auth.CLIENT_ID, CLIENT_SECRET, scopes) as oauth, and moves its secret to an input (config16)", () => {
      const text = `{ "mcpServers": {
        "pipes": { "url": "https://pipes.example/mcp", "auth": { "CLIENT_ID": "abc", "CLIENT_SECRET": "\${env:PIPES_SECRET}", "scopes": ["openid", "kb:read"] } },
        "plain": { "url": "https://p.example/mcp", "auth": { "CLIENT_ID": "id-only" } },
        "odd": { "url": "https://o.example/mcp", "auth": { "clientId": "x" } }
      } }`;
      const { servers, problems } = parseForeignConfig(text, 'cursor');
      assert.deepStrictEqual(servers, [
        { name: 'pipes', entry: { type: 'http', url: 'https://pipes.example/mcp', oauth: { clientId: 'abc', clientSecret: '${env:PIPES_SECRET}', scopes: ['openid', 'kb:read'] } } },
        { name: 'plain', entry: { type: 'http', url: 'https://p.example/mcp', oauth: { clientId: 'id-only' } } },
        { name: 'odd', entry: { type: 'http', url: 'https://o.example/mcp' } },
      ]);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message]),
        [['info', 'mcpServers.odd.auth: not a client (CLIENT_ID, CLIENT_SECRET, scopes) MCP Host can use; not imported']],
      );
      // A literal secret moves to secret storage; the file gets the input and still parses as a valid entry.
      const literal = parseForeignConfig('{ "mcpServers": { "pipes": { "url": "https://pipes.example/mcp", "auth": { "CLIENT_ID": "abc", "CLIENT_SECRET": "s3cr3t-value" } } } }', 'cursor').servers;
      const plan = planImport(undefined, literal);
      assert.deepStrictEqual(
        plan.movedSecrets.map(m => [m.inputId, m.where, m.value]),
        [['pipes-clientSecret', 'OAuth client secret', 's3cr3t-value']],
      );
      assert.ok(!plan.newText.includes('s3cr3t-value'));
      const parsed = parseConfigText(plan.newText, mcpJson, 'vscode');
      assert.deepStrictEqual(parsed.problems, []);
      assert.deepStrictEqual(parsed.servers[0]!.type !== 'stdio' && parsed.servers[0]!.oauth, { clientId: 'abc', clientSecret: '${input:pipes-clientSecret}' });
    });

    it('reads Windsurf serverUrl, disabled and disabledTools, and explains what it skips', () => {
      const { servers, problems } = parseForeignConfig(WINDSURF, 'windsurf');
      assert.deepStrictEqual(servers, [
        { name: 'remote', entry: { type: 'http', url: 'https://example.com/sse', disabled: true } },
        { name: 'git', entry: { type: 'stdio', command: 'uvx', args: ['mcp-server-git'], disabledTools: ['git_push'] } },
      ]);
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.server, p.message, p.range?.start.line]),
        [
          ['info', 'git', 'mcpServers.git.alwaysAllow: has no equivalent in MCP Host and is not imported', 3],
          ['error', 'broken', 'mcpServers.broken: has neither a "command" nor a "url"; skipped', 4],
          ['error', 'bad-args', 'mcpServers.bad-args: "args" must be a list of strings; skipped', 5],
        ],
      );
    });

    it("skips an entry nested too deep and reads the others, and planImport refuses such a file (a repository's .zed/settings.json overflowed the stack; config16)", () => {
      const deep = '['.repeat(50_000) + ']'.repeat(50_000);
      const text = `{ "context_servers": { "ok": { "command": "node" }, "deep": { "command": "node", "args": ${deep} } } }`;
      const { servers, problems } = parseForeignConfig(text, 'zed');
      assert.deepStrictEqual(
        servers.map(s => s.name),
        ['ok'],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.severity, p.message]),
        [
          ['error', 'Nested more than 100 levels deep: not read'],
          ['error', 'context_servers.deep: a value nested more than 100 levels deep; skipped'],
        ],
      );
      assert.throws(() => planImport(`{ "servers": { "x": ${deep} } }`, servers), /nests a value more than 100 levels deep; fix it before importing/);
    });

    it('reports syntax errors with their position', () => {
      const { servers, problems } = parseForeignConfig('{\n  "mcpServers": { "a": { "command": "x" }, }\n  oops\n}', 'claudeDesktop');
      assert.deepStrictEqual(
        servers.map(s => s.name),
        ['a'],
      );
      assert.deepStrictEqual(
        problems.map(p => [p.message, p.range!.start]),
        [['Syntax error: invalid symbol', { line: 2, character: 2 }]],
      );
    });
  });

  describe('planImport', () => {
    const EXISTING = `{
  // Team servers: keep this comment
  "servers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"] // pinned by ops
    },
    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem"] },
  },
  "inputs": [
    /* shared token */
    { "type": "promptString", "id": "linear-Authorization", "description": "Taken id", "password": true }
  ],
}
`;

    it('adds, renames and skips, editing the text so comments survive', () => {
      const incoming = [
        // Same command as the existing github, spelled differently: identical.
        { name: 'github', entry: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] } },
        { name: 'fs', entry: { type: 'stdio' as const, command: 'deno', args: ['run', 'fs.ts'] } },
        { name: 'linear', entry: { type: 'sse' as const, url: 'https://mcp.linear.app/sse', headers: { Authorization: 'Bearer lin_api_123' } } },
        { name: 'db', entry: { type: 'stdio' as const, command: 'db-mcp', env: { DB_PASSWORD: 'hunter2', DB_HOST: 'localhost', DB_TOKEN: '${env:DB_TOKEN}' } } },
      ];
      const plan = planImport(EXISTING, incoming);
      assert.deepStrictEqual(plan.added, ['fs-2', 'linear', 'db']);
      assert.deepStrictEqual(plan.renamed, [{ from: 'fs', to: 'fs-2' }]);
      assert.deepStrictEqual(plan.skippedIdentical, ['github']);
      assert.deepStrictEqual(plan.movedSecrets, [
        { server: 'linear', where: 'header Authorization', inputId: 'linear-Authorization-2', value: 'lin_api_123', destination: 'https://mcp.linear.app' },
        { server: 'db', where: 'env DB_PASSWORD', inputId: 'db-DB_PASSWORD', value: 'hunter2', destination: 'db-mcp' },
      ]);
      for (const comment of ['// Team servers: keep this comment', '// pinned by ops', '/* shared token */']) {
        assert.ok(plan.newText.includes(comment), `lost ${comment}`);
      }
      assert.ok(!plan.newText.includes('hunter2') && !plan.newText.includes('lin_api_123'), 'a plaintext secret was written');
      // The untouched entries keep their exact text.
      assert.ok(plan.newText.includes('    "github": {\n      "command": "npx",\n      "args": ["-y", "@modelcontextprotocol/server-github"] // pinned by ops\n    },'));

      const parsed = parseConfigText(plan.newText, mcpJson, 'vscode');
      assert.deepStrictEqual(parsed.problems, []);
      assert.deepStrictEqual(
        parsed.servers.map(s => s.name),
        ['github', 'fs', 'fs-2', 'linear', 'db'],
      );
      const linear = parsed.servers.find(s => s.name === 'linear')!;
      assert.deepStrictEqual(linear.type === 'sse' && linear.headers, { Authorization: 'Bearer ${input:linear-Authorization-2}' });
      const db = parsed.servers.find(s => s.name === 'db')!;
      assert.deepStrictEqual(db.type === 'stdio' && db.env, { DB_PASSWORD: '${input:db-DB_PASSWORD}', DB_HOST: 'localhost', DB_TOKEN: '${env:DB_TOKEN}' });
      assert.deepStrictEqual(parsed.inputs.slice(1), [
        { type: 'promptString', id: 'linear-Authorization-2', description: "header Authorization of MCP server 'linear' (imported)", password: true },
        { type: 'promptString', id: 'db-DB_PASSWORD', description: "env DB_PASSWORD of MCP server 'db' (imported)", password: true },
      ]);
    });

    it('skips everything on a second import of the same servers, including those whose secrets were moved', () => {
      const incoming = parseForeignConfig(CLAUDE_DESKTOP, 'claudeDesktop').servers;
      const first = planImport(undefined, incoming);
      assert.deepStrictEqual(first.added, ['filesystem', 'github']);
      assert.deepStrictEqual(
        first.movedSecrets.map(s => s.inputId),
        ['github-GITHUB_PERSONAL_ACCESS_TOKEN'],
      );
      const second = planImport(first.newText, incoming);
      assert.deepStrictEqual([second.added, second.skippedIdentical, second.newText], [[], ['filesystem', 'github'], first.newText]);
    });

    it('creates a file when there is none', () => {
      const plan = planImport(undefined, [{ name: 'fs', entry: { type: 'stdio', command: 'npx', args: ['x'] } }]);
      assert.strictEqual(plan.newText, '{\n  "servers": {\n    "fs": {\n      "type": "stdio",\n      "command": "npx",\n      "args": [\n        "x"\n      ]\n    }\n  }\n}\n');
    });

    it('indents with tabs when the file does', () => {
      const plan = planImport('{\n\t"servers": {}\n}\n', [{ name: 'r', entry: { type: 'http', url: 'https://x.example/mcp' } }]);
      assert.strictEqual(plan.newText, '{\n\t"servers": {\n\t\t"r": {\n\t\t\t"type": "http",\n\t\t\t"url": "https://x.example/mcp"\n\t\t}\n\t}\n}\n');
    });

    it('refuses a file with two "servers" objects: the edit would go to the first, which is not read (config16)', () => {
      const text = '{ "servers": { "a": { "command": "x" } }, "servers": { "b": { "command": "y" } } }';
      assert.throws(() => planImport(text, [{ name: 'c', entry: { command: 'z' } }]), /has "servers" twice and only the last is read; merge them before adding servers/);
    });

    it('refuses to edit a file it cannot parse', () => {
      assert.throws(() => planImport('{ "servers": { ', []), /not a valid JSON object/);
      assert.throws(() => planImport('{ "servers": [] }', []), /"servers" in mcp.json is not an object/);
    });
  });
});
