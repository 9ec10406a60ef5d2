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

/**
 * Hashes, by tool object. A server's tool list is replaced, never edited in place, whenever it changes
 * (serverLists.ts), so a tool object's definition never changes and its hash is computed once: a call or
 * a catalog never pays for canonical JSON again (~45 µs a tool).
 */
const hashes = new WeakMap<Tool, string>();
let hashesComputed = 0;

export function toolDefinitionHash(tool: Tool): string {
  let hash = hashes.get(tool);
  if (hash === undefined) {
    const { name, title, description, inputSchema, outputSchema, annotations } = tool;
    hash = createHash('sha256').update(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations })).digest('hex');
    hashes.set(tool, hash);
    hashesComputed++;
  }
  return hash;
}

/** How many definition hashes were computed (not served from the cache) in this process: what the tests of the cache read. */
export function toolDefinitionHashesComputed(): number {
  return hashesComputed;
}

/** A name that is already what `sanitize` would make of it (most are): tested once, not rewritten twice. */
const CLEAN = /^[A-Za-z0-9-](?:[A-Za-z0-9_-]*[A-Za-z0-9-])?$/;

function sanitize(part: string): string {
  if (CLEAN.test(part)) return part;
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
  const candidates: Array<{ base: string; server: string; tool: Tool }> = [];
  for (const { server, tools, disabledTools } of sources) {
    const disabled = new Set(disabledTools);
    const prefix = sanitize(server);
    for (const tool of tools) {
      if (disabled.has(tool.name)) continue;
      candidates.push({ base: `${prefix}_${sanitize(tool.name)}`, server, tool });
    }
  }
  const counts = new Map<string, number>();
  for (const c of candidates) counts.set(c.base, (counts.get(c.base) ?? 0) + 1);
  return candidates.map(c => {
    const needsSuffix = (counts.get(c.base) ?? 0) > 1 || c.base.length > MAX_NAME;
    let qualifiedName = c.base;
    if (needsSuffix) {
      const suffix = `_${shortHash(`${c.server}\u0000${c.tool.name}`)}`;
      qualifiedName = `${c.base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
    }
    return new Entry(qualifiedName, c.server, c.tool);
  });
}

/**
 * A catalog entry computes its hash and warnings when first asked: a catalog of 5,000 tools is built in
 * a few milliseconds after a change, and a call pays only for the one tool it calls.
 */
class Entry implements CatalogTool {
  private _warnings: readonly string[] | undefined;

  constructor(
    readonly qualifiedName: string,
    readonly server: string,
    readonly tool: Tool,
  ) {}

  get definitionHash(): string {
    return toolDefinitionHash(this.tool);
  }

  get warnings(): readonly string[] {
    return (this._warnings ??= toolNameWarnings(this.tool));
  }
}
