import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/client';
import { canonicalJson, canonicalJsonHash } from '../config/hash';
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
    hash = createHash('sha256').update(canonicalJson(approvedPart(tool))).digest('hex');
    hashes.set(tool, hash);
    hashesComputed++;
  }
  return hash;
}

const pending = new WeakMap<Tool, Promise<string>>();

/**
 * `toolDefinitionHash`, computed in slices that yield to the event loop: what the consent gate awaits, so a
 * tool with a huge definition (hundreds of KB of schemas) does not freeze the extension host on its first call.
 * The same cache: a tool is hashed once, however it is asked.
 */
export function toolDefinitionHashAsync(tool: Tool): Promise<string> {
  const known = hashes.get(tool);
  if (known !== undefined) return Promise.resolve(known);
  let hash = pending.get(tool);
  if (hash === undefined) {
    hash = canonicalJsonHash(approvedPart(tool)).then(h => {
      if (!hashes.has(tool)) {
        hashes.set(tool, h);
        hashesComputed++;
      }
      pending.delete(tool);
      return h;
    });
    pending.set(tool, hash);
  }
  return hash;
}

/** What a user approves of a tool. */
function approvedPart({ name, title, description, inputSchema, outputSchema, annotations }: Tool): object {
  return { name, title, description, inputSchema, outputSchema, annotations };
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
  return [...new CatalogBuilder().update(sources).tools];
}

export interface Catalog {
  readonly tools: readonly CatalogTool[];
  readonly byName: ReadonlyMap<string, CatalogTool>;
}

/** One server's part of the catalog, kept while its tool list and disabled tools are the very same objects. */
interface Part {
  readonly source: CatalogSource;
  readonly entries: Entry[];
}

/**
 * The catalog, rebuilt per server (server names are unique, as the registry's are): after one server's list changes, only that server's entries are made
 * again (plus any other entry whose name gains or loses a collision suffix through the change), so the cost
 * of a change is the size of the list that changed, not of every list. The result is always what
 * `buildCatalog` makes of the same sources (test/unit/mcp/catalog.test.ts checks that over random changes).
 */
export class CatalogBuilder {
  private parts = new Map<string, Part>();
  /** How many entries have each base name, over every part: a base counted more than once gets suffixes. */
  private readonly counts = new Map<string, number>();
  private readonly byName = new Map<string, CatalogTool>();
  private current: Catalog = { tools: [], byName: this.byName };

  /** The catalog of `sources` (in their order); the same object as last time when no source changed. */
  update(sources: readonly CatalogSource[]): Catalog {
    const changed = this.changes(sources);
    if (!changed) return this.current;
    const gone: Part[] = [];
    for (const [server, part] of this.parts) if (changed.has(server)) gone.push(this.forget(part));
    // In the sources' order, which the quick check in `changes` relies on.
    const parts = new Map<string, Part>();
    const fresh: Part[] = [];
    for (const source of sources) {
      if (!changed.has(source.server)) {
        parts.set(source.server, this.parts.get(source.server)!);
        continue;
      }
      const part = this.candidates(source);
      parts.set(source.server, part);
      fresh.push(part);
    }
    // An unchanged server's entry whose base gained or lost a collision through the change is named again
    // (a new entry: whoever holds the previous catalog keeps the old one).
    for (const part of parts.values()) {
      if (fresh.includes(part)) continue;
      part.entries.forEach((entry, i) => {
        if (this.needsSuffix(entry.base) === (entry.qualifiedName !== entry.base)) return;
        if (this.byName.get(entry.qualifiedName) === entry) this.byName.delete(entry.qualifiedName);
        part.entries[i] = new Entry(this.nameOf(entry.base, entry.server, entry.tool), entry.base, entry.server, entry.tool);
        this.byName.set(part.entries[i]!.qualifiedName, part.entries[i]!);
      });
    }
    // A changed server's entries are new (nobody holds them yet): they are named in place.
    for (const part of fresh) {
      for (const entry of part.entries) {
        entry.qualifiedName = this.nameOf(entry.base, entry.server, entry.tool);
        this.byName.set(entry.qualifiedName, entry);
      }
    }
    // Last, so a name a changed server still has is overwritten above rather than deleted and added again.
    for (const part of gone) for (const entry of part.entries) if (this.byName.get(entry.qualifiedName) === entry) this.byName.delete(entry.qualifiedName);
    const tools: CatalogTool[] = [];
    for (const source of sources) for (const entry of parts.get(source.server)!.entries) tools.push(entry);
    this.parts = parts;
    this.current = { tools, byName: this.byName };
    return this.current;
  }

  /** The servers whose part must be made again (new, changed or gone), or undefined when none. */
  private changes(sources: readonly CatalogSource[]): Set<string> | undefined {
    // What every call asks (through the registry): the same servers with the same lists. No allocation.
    if (this.parts.size === sources.length) {
      let i = 0;
      let same = true;
      for (const [server, { source }] of this.parts) {
        const now = sources[i++]!;
        if (now.server !== server || now.tools !== source.tools || now.disabledTools !== source.disabledTools) {
          same = false;
          break;
        }
      }
      if (same) return undefined;
    }
    const changed = new Set<string>();
    for (const source of sources) {
      const part = this.parts.get(source.server);
      if (!part || part.source.tools !== source.tools || part.source.disabledTools !== source.disabledTools) changed.add(source.server);
    }
    const servers = new Set(sources.map(s => s.server));
    for (const server of this.parts.keys()) if (!servers.has(server)) changed.add(server);
    // Same parts in another order: nothing is made again, only the list is put in the new order.
    return changed;
  }

  /** Uncounts a changed or gone server's entries (their names leave `byName` at the end of `update`). */
  private forget(part: Part): Part {
    for (const entry of part.entries) {
      const left = this.counts.get(entry.base)! - 1;
      if (left) this.counts.set(entry.base, left);
      else this.counts.delete(entry.base);
    }
    return part;
  }

  /** A changed server's entries with their base names counted; named once every count is known. */
  private candidates(source: CatalogSource): Part {
    const disabled = source.disabledTools.length ? new Set(source.disabledTools) : undefined;
    const prefix = sanitize(source.server);
    const entries: Entry[] = [];
    for (const tool of source.tools) {
      if (disabled?.has(tool.name)) continue;
      const base = `${prefix}_${sanitize(tool.name)}`;
      this.counts.set(base, (this.counts.get(base) ?? 0) + 1);
      entries.push(new Entry(base, base, source.server, tool));
    }
    return { source, entries };
  }

  private needsSuffix(base: string): boolean {
    return this.counts.get(base)! > 1 || base.length > MAX_NAME;
  }

  private nameOf(base: string, server: string, tool: Tool): string {
    if (!this.needsSuffix(base)) return base;
    const suffix = `_${shortHash(`${server}\u0000${tool.name}`)}`;
    return `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
  }
}

/**
 * A catalog entry computes its hash and warnings when first asked: a catalog of 5,000 tools is built in
 * a few milliseconds after a change, and a call pays only for the one tool it calls.
 */
class Entry implements CatalogTool {
  private _warnings: readonly string[] | undefined;

  constructor(
    public qualifiedName: string,
    /** The name before any collision suffix. */
    readonly base: string,
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
