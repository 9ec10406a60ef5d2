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

/** `toolDefinitionHash` if this tool object was hashed already, without hashing it. */
export function knownToolDefinitionHash(tool: Tool): string | undefined {
  return hashes.get(tool);
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

/** A changed server's new part, and for each of its entries the previous entry it took over (same tool name), if any. */
interface Remade {
  readonly part: Part;
  readonly previous: readonly (Entry | undefined)[];
}

/**
 * The catalog, rebuilt per server (server names are unique, as the registry's are): after one server's list
 * changes, only that server's entries are made again (plus any other entry whose name gains or loses a collision
 * suffix through the change), so the cost of a change is the size of the list that changed, not of every list.
 * Within the changed list, a tool whose name the previous list had keeps that entry's base name and count: only
 * added, removed and renamed tools are named and counted again. The result is always what `buildCatalog` makes
 * of the same sources (test/unit/mcp/catalog.test.ts checks that over random changes).
 */
export class CatalogBuilder {
  private parts = new Map<string, Part>();
  /** How many entries have each base name, over every part: a base counted more than once gets suffixes. */
  private readonly counts = new Map<string, number>();
  private readonly byName = new Map<string, CatalogTool>();
  private current: Catalog = { tools: [], byName: this.byName };
  /** Work done so far, for the tests that pin what a change costs: base names made (sanitised and counted), and entries of unchanged servers checked for a collision change. */
  readonly work = { basesMade: 0, unchangedChecked: 0 };

  /** The catalog of `sources` (in their order); the same object as last time when no source changed. */
  update(sources: readonly CatalogSource[]): Catalog {
    const changed = this.changes(sources);
    if (!changed) return this.current;
    /** Bases whose count changed: only entries with these bases can gain or lose a collision suffix. */
    const touched = new Set<string>();
    /** Entries leaving the catalog whose name may still point at them in `byName`. */
    const stale: Entry[] = [];
    // In the sources' order, which the quick check in `changes` relies on.
    const parts = new Map<string, Part>();
    const fresh: Remade[] = [];
    for (const source of sources) {
      if (!changed.has(source.server)) {
        parts.set(source.server, this.parts.get(source.server)!);
        continue;
      }
      const remade = this.remake(source, this.parts.get(source.server), touched, stale);
      parts.set(source.server, remade.part);
      fresh.push(remade);
    }
    for (const [server, part] of this.parts) {
      if (parts.has(server)) continue;
      for (const entry of part.entries) this.count(entry.base, -1, touched);
      stale.push(...part.entries);
    }
    // An unchanged server's entry whose base gained or lost a collision through the change is named again
    // (a new entry: whoever holds the previous catalog keeps the old one).
    if (touched.size) {
      const remadeParts = new Set(fresh.map(r => r.part));
      for (const part of parts.values()) {
        if (remadeParts.has(part)) continue;
        part.entries.forEach((entry, i) => {
          this.work.unchangedChecked++;
          if (!touched.has(entry.base) || this.needsSuffix(entry.base) === (entry.qualifiedName !== entry.base)) return;
          if (this.byName.get(entry.qualifiedName) === entry) this.byName.delete(entry.qualifiedName);
          part.entries[i] = new Entry(this.nameOf(entry.base, entry.server, entry.tool), entry.base, entry.server, entry.tool);
          this.byName.set(part.entries[i]!.qualifiedName, part.entries[i]!);
        });
      }
    }
    // A changed server's entries are new (nobody holds them yet): they are named in place. An entry that took
    // over a previous one keeps its name unless its base's count changed.
    for (const { part, previous } of fresh) {
      for (let i = 0; i < part.entries.length; i++) {
        const entry = part.entries[i]!;
        const before = previous[i];
        if (!before || touched.has(entry.base)) entry.qualifiedName = this.nameOf(entry.base, entry.server, entry.tool);
        if (before && before.qualifiedName !== entry.qualifiedName) stale.push(before);
        this.byName.set(entry.qualifiedName, entry);
      }
    }
    // Last, so a name a changed server still has is overwritten above rather than deleted and added again.
    for (const entry of stale) if (this.byName.get(entry.qualifiedName) === entry) this.byName.delete(entry.qualifiedName);
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

  /**
   * A changed server's entries, with new base names counted; named once every count is known. A tool whose
   * name the server's previous entries had takes over that entry's base name and count; the previous entries
   * nobody took over are uncounted and stale. Previous entries are matched in order (a tool added or removed
   * shifts the rest without a lookup), and by a map of their names only when the order changed.
   */
  private remake(source: CatalogSource, old: Part | undefined, touched: Set<string>, stale: Entry[]): Remade {
    const disabled = source.disabledTools.length ? new Set(source.disabledTools) : undefined;
    const prefix = sanitize(source.server);
    const before = old?.entries ?? [];
    const n = before.length;
    const taken = new Uint8Array(n);
    let byToolName: Map<string, number> | undefined;
    let j = 0;
    const entries: Entry[] = [];
    const previous: (Entry | undefined)[] = [];
    const tools = source.tools;
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[k]!;
      if (disabled?.has(tool.name)) continue;
      while (j < n && taken[j]) j++;
      let at = -1;
      if (j < n && before[j]!.tool.name === tool.name) at = j++;
      else if (j + 1 < n && !taken[j + 1] && before[j + 1]!.tool.name === tool.name) {
        at = j + 1; // the tool before it was removed
        j += 2;
      } else if (n && !(j < n && tools[k + 1]?.name === before[j]!.tool.name)) {
        // Not an insertion before the next previous entry: the order changed.
        byToolName ??= new Map(before.map((entry, i) => [entry.tool.name, i]));
        at = byToolName.get(tool.name) ?? -1;
        if (at >= 0 && taken[at]) at = -1;
      }
      const prev = at >= 0 ? before[at] : undefined;
      if (prev) {
        taken[at] = 1;
        entries.push(new Entry(prev.qualifiedName, prev.base, source.server, tool));
      } else {
        const base = `${prefix}_${sanitize(tool.name)}`;
        this.work.basesMade++;
        this.count(base, 1, touched);
        entries.push(new Entry(base, base, source.server, tool));
      }
      previous.push(prev);
    }
    before.forEach((entry, i) => {
      if (taken[i]) return;
      this.count(entry.base, -1, touched);
      stale.push(entry);
    });
    return { part: { source, entries }, previous };
  }

  private count(base: string, delta: number, touched: Set<string>): void {
    const n = (this.counts.get(base) ?? 0) + delta;
    if (n) this.counts.set(base, n);
    else this.counts.delete(base);
    touched.add(base);
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
 * a few milliseconds after a change, and a call pays only for the one tool it calls. Its fields are assigned,
 * not declared as class fields: a class field is defined on every new object, which made making 5,000
 * entries 2–5× slower (Node 20).
 */
class Entry implements CatalogTool {
  declare qualifiedName: string;
  /** The name before any collision suffix. */
  declare readonly base: string;
  declare readonly server: string;
  declare readonly tool: Tool;
  declare private _warnings: readonly string[] | undefined;

  constructor(qualifiedName: string, base: string, server: string, tool: Tool) {
    this.qualifiedName = qualifiedName;
    this.base = base;
    this.server = server;
    this.tool = tool;
    this._warnings = undefined;
  }

  get definitionHash(): string {
    return toolDefinitionHash(this.tool);
  }

  get warnings(): readonly string[] {
    return (this._warnings ??= toolNameWarnings(this.tool));
  }
}
