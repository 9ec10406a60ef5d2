/**
 * Precedence when several sources define a server with the same name (exactly one definition is used):
 *
 * 1. Workspace folders, in workspace order: every source of the first folder beats every source of later folders.
 * 2. Within one folder, `.vscode/mcp.json` beats `.mcp.json`.
 * 3. The `mcpHost.servers` user setting comes last, so a workspace can override a personal server.
 *
 * Folder order is the order in which sources of each folder first appear in the list given to
 * `mergeSources`, so callers pass sources in workspace-folder order. Every ignored definition is reported
 * at its own range: as `info` when a workspace overrides the user setting (a normal thing to do), and as
 * a `warning` when two workspace files disagree.
 */
import type { ConfigProblem, ParsedSource, ServerDefinition } from './types';

export interface MergedConfig {
  /** One definition per name, in precedence order. */
  readonly servers: readonly ServerDefinition[];
  /** Every source's own problems, then one per ignored definition. */
  readonly problems: readonly ConfigProblem[];
}

export function mergeSources(sources: readonly ParsedSource[]): MergedConfig {
  const folders: (string | undefined)[] = [];
  for (const s of sources) {
    if (s.origin.kind !== 'userSettings' && !folders.includes(s.origin.folder)) folders.push(s.origin.folder);
  }
  const rank = (s: ParsedSource): number =>
    s.origin.kind === 'userSettings'
      ? Number.MAX_SAFE_INTEGER
      : folders.indexOf(s.origin.folder) * 2 + (s.origin.kind === 'workspaceVscode' ? 0 : 1);
  // Array.prototype.sort is stable, so equal ranks keep the caller's order.
  const ordered = [...sources].sort((a, b) => rank(a) - rank(b));

  const winners = new Map<string, ServerDefinition>();
  const problems: ConfigProblem[] = sources.flatMap(s => s.problems);
  for (const source of ordered) {
    for (const server of source.servers) {
      const winner = winners.get(server.name);
      if (!winner) {
        winners.set(server.name, server);
        continue;
      }
      problems.push({
        severity: server.origin.kind === 'userSettings' ? 'info' : 'warning',
        message: `Server '${server.name}' is also defined in ${winner.origin.label}; this definition is ignored`,
        server: server.name,
        ...(server.origin.file !== undefined ? { file: server.origin.file } : {}),
        ...(server.range ? { range: server.range } : {}),
      });
    }
  }
  return { servers: [...winners.values()], problems };
}
