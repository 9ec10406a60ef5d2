import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/client';
import { canonicalJson } from '../config/hash';
import { hasHiddenCharacters } from '../common/untrustedText';

/** One tool as the host exposes it: under a name unique across servers, with its definition's hash. */
export interface CatalogTool {
  /** `<server>_<tool>`, only `[A-Za-z0-9_-]`, at most 64 characters, unique and stable. */
  readonly qualifiedName: string;
  readonly server: string;
  readonly tool: Tool;
  /** Hash of what the user approves: name, title, description, schemas and annotations. */
  readonly definitionHash: string;
  /** Reasons to distrust the tool's metadata (hidden characters in its name, say). */
  readonly warnings: readonly string[];
}

export interface CatalogSource {
  readonly server: string;
  readonly tools: readonly Tool[];
  readonly disabledTools: readonly string[];
}

const MAX_NAME = 64;

/** Why a tool's name or title cannot be taken at face value: it holds characters that hide or reverse text. */
export function toolNameWarnings(tool: Tool): string[] {
  const warnings: string[] = [];
  if (hasHiddenCharacters(tool.name)) warnings.push('the tool name contains invisible, control or bidi characters (shown as ⟨U+…⟩)');
  const titles = [tool.title, tool.annotations?.title].filter((t): t is string => typeof t === 'string');
  if (titles.some(hasHiddenCharacters)) warnings.push('the tool title contains invisible, control or bidi characters (shown as ⟨U+…⟩)');
  return warnings;
}

export function toolDefinitionHash(tool: Tool): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return createHash('sha256').update(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations })).digest('hex');
}

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * All tools of all servers under collision-safe names. A name depends only on its own server and tool,
 * never on list order: when two tools would share a name (or one would exceed 64 characters), each
 * affected name gets a suffix from a hash of its own server and tool name.
 */
export function buildCatalog(sources: readonly CatalogSource[]): CatalogTool[] {
  const candidates: Array<{ base: string; server: string; tool: Tool; warnings: string[] }> = [];
  for (const { server, tools, disabledTools } of sources) {
    const disabled = new Set(disabledTools);
    for (const tool of tools) {
      if (disabled.has(tool.name)) continue;
      const warnings = toolNameWarnings(tool);
      candidates.push({ base: `${sanitize(server)}_${sanitize(tool.name)}`, server, tool, warnings });
    }
  }
  const counts = new Map<string, number>();
  for (const c of candidates) counts.set(c.base, (counts.get(c.base) ?? 0) + 1);
  return candidates.map(c => {
    const suffix = `_${shortHash(`${c.server}\u0000${c.tool.name}`)}`;
    const needsSuffix = (counts.get(c.base) ?? 0) > 1 || c.base.length > MAX_NAME;
    const qualifiedName = needsSuffix ? `${c.base.slice(0, MAX_NAME - suffix.length)}${suffix}` : c.base;
    return { qualifiedName, server: c.server, tool: c.tool, definitionHash: toolDefinitionHash(c.tool), warnings: c.warnings };
  });
}
