import * as assert from 'assert';
import { mergeSources } from '../../../src/config/merge';
import { parseConfigText, parseConfigValue } from '../../../src/config/parse';
import type { ConfigOrigin, ServerDefinition } from '../../../src/config/types';

const origin = (kind: ConfigOrigin['kind'], folder: string): ConfigOrigin => {
  const file = kind === 'workspaceVscode' ? `${folder}/.vscode/mcp.json` : `${folder}/.mcp.json`;
  const label = `${kind === 'workspaceVscode' ? '.vscode/mcp.json' : '.mcp.json'} (${folder.split('/').pop()})`;
  return { kind, file, folder, label };
};
const command = (s: ServerDefinition) => (s.type === 'stdio' ? s.command : s.url);

const user = parseConfigValue(
  { servers: { db: { command: 'user-db' }, notes: { command: 'user-notes' }, search: { command: 'user-search' } } },
  { kind: 'userSettings', label: 'User Settings' },
  'vscode',
);
const apiClaude = parseConfigText(
  `{
  "mcpServers": {
    "db": { "command": "api-claude-db" },
    "lint": { "command": "api-claude-lint" }
  }
}`,
  origin('workspaceClaude', '/work/api'),
  'claude',
);
const apiVscode = parseConfigText('{ "servers": { "db": { "command": "api-vscode-db" } } }', origin('workspaceVscode', '/work/api'), 'vscode');
const webVscode = parseConfigText(
  `{
  "servers": {
    "lint": { "command": "web-vscode-lint" },
    "search": { "command": "web-vscode-search" }
  }
}`,
  origin('workspaceVscode', '/work/web'),
  'vscode',
);

describe('config/merge', () => {
  it('picks .vscode/mcp.json over .mcp.json over user settings, and the earlier folder over later ones', () => {
    // Deliberately shuffled: only folder order (api first) and kind decide, not list order.
    const merged = mergeSources([user, apiClaude, webVscode, apiVscode]);
    assert.deepStrictEqual(
      merged.servers.map(s => [s.name, command(s)]),
      [
        ['db', 'api-vscode-db'],
        ['lint', 'api-claude-lint'],
        ['search', 'web-vscode-search'],
        ['notes', 'user-notes'],
      ],
    );
  });

  it('reports each ignored definition at its own range, as info for user settings and a warning between files', () => {
    const merged = mergeSources([user, apiClaude, webVscode, apiVscode]);
    assert.deepStrictEqual(
      merged.problems.map(p => [p.severity, p.server, p.file, p.range?.start.line, p.message]),
      [
        ['warning', 'db', '/work/api/.mcp.json', 2, "Server 'db' is also defined in .vscode/mcp.json (api); this definition is ignored"],
        ['warning', 'lint', '/work/web/.vscode/mcp.json', 2, "Server 'lint' is also defined in .mcp.json (api); this definition is ignored"],
        ['info', 'db', undefined, undefined, "Server 'db' is also defined in .vscode/mcp.json (api); this definition is ignored"],
        ['info', 'search', undefined, undefined, "Server 'search' is also defined in .vscode/mcp.json (web); this definition is ignored"],
      ],
    );
    const lintLoser = merged.problems[1]!;
    assert.deepStrictEqual(lintLoser.range, webVscode.servers.find(s => s.name === 'lint')!.range);
  });

  it('keeps every source\'s own problems', () => {
    const broken = parseConfigText('{ "servers": { "x": { "command": 1 } } }', origin('workspaceVscode', '/work/api'), 'vscode');
    const merged = mergeSources([broken, user]);
    assert.deepStrictEqual(
      merged.problems.map(p => p.message),
      ['servers.x.command: must be a string'],
    );
    assert.deepStrictEqual(
      merged.servers.map(s => s.name),
      ['db', 'notes', 'search'],
    );
  });

  it('merges nothing into nothing', () => {
    assert.deepStrictEqual(mergeSources([]), { servers: [], problems: [] });
  });
});
