import { type Client, type Prompt, ProtocolError, ProtocolErrorCode, type ResourceTemplateType as ResourceTemplate, type Tool } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { wellFormedItems, type ListField } from './listItems';
import { collectPages, DEFAULT_PAGE_LIMITS, type Page, type PageLimits } from './pagination';
import { dedupe, describeDuplicate, type Duplicate } from './duplicates';
import type { ServerLog } from './log';

/** The lists a server announces changes of. `resources` covers the resource list (paged by the tree) and the templates. */
export type ListKind = 'tools' | 'prompts' | 'resources';

/** A cached list's freshness, from the server's `ttlMs` and `cacheScope` (2026-07-28) on the list's first page. */
interface Freshness {
  /** Epoch ms after which the list is stale; `Infinity` for a server that sends no hint and announces changes instead (2025-11-25). */
  readonly expiresAt: number;
  /** `private`: tied to who is signed in (a different sign-in must not see it); a missing scope counts as private. */
  readonly scope: 'public' | 'private';
}

interface Slot {
  freshness: Freshness;
  /** The refresh under way, resolving once it and any trailing refresh are done. */
  running: Promise<void> | undefined;
  /** A change was announced while a refresh was under way: one more refresh follows it. */
  trailing: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface ServerListsContext {
  readonly client: Client;
  readonly log: ServerLog;
  readonly requestMs: number;
  readonly pageLimits?: PageLimits | undefined;
  /** Whether the server speaks 2026-07-28 (lists carry freshness hints; no hint means stale at once). */
  readonly modern: boolean;
  /** Extra request params (the per-request log level on a modern connection). */
  readonly meta: () => Record<string, unknown>;
  /** Whether the server pushes changes of this list (so its `ttlMs` need not be polled). */
  readonly announcesChanges: (kind: ListKind) => boolean;
  /** A list changed (fired only when its content did, and for every `resources` refresh). */
  readonly onChanged: (kind: ListKind) => void;
}

/** At most this often is a list re-fetched because its `ttlMs` ran out, however short the server says. */
const MIN_TTL_REFRESH_MS = 1000;
/** The SDK's cap on a server's `ttlMs`: a server cannot pin a list forever. */
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The tools, prompts and resource templates of one running server, kept fresh:
 * - a refresh per announced change, coalesced: at most one refresh of a list is in flight, and changes
 *   announced meanwhile cause exactly one trailing refresh, so a storm of `list_changed` notifications costs
 *   two requests per burst and the list ends as the server last announced it;
 * - the server's `ttlMs` decides when a list is stale: it is re-fetched on expiry when the server does not
 *   announce its changes, and before use (`ensureFresh`) when it is stale; `cacheScope: private` lists are
 *   re-fetched when the user signs in again;
 * - consumers hear of a list only when it changed.
 */
export class ServerLists {
  private _tools: readonly Tool[] = [];
  private _prompts: readonly Prompt[] = [];
  private _templates: readonly ResourceTemplate[] = [];
  private readonly slots: Record<ListKind, Slot> = { tools: newSlot(), prompts: newSlot(), resources: newSlot() };
  private disposed = false;
  /** Refreshes started (not coalesced away), per list: the figure the storm test reads. */
  readonly refreshCounts: Record<ListKind, number> = { tools: 0, prompts: 0, resources: 0 };

  /** What each list repeated (see duplicates.ts). */
  private readonly _duplicates: Record<'tools' | 'prompts' | 'templates', readonly Duplicate[]> = { tools: [], prompts: [], templates: [] };

  constructor(private readonly ctx: ServerListsContext) {}

  /** Tools, prompts and resource templates the server listed more than once; only the first of each is kept. */
  get duplicates(): readonly Duplicate[] {
    return [...this._duplicates.tools, ...this._duplicates.prompts, ...this._duplicates.templates];
  }

  /** A tool name the server gave to different tools. */
  isAmbiguousTool(name: string): boolean {
    return this._duplicates.tools.some(d => d.key === name && d.differ);
  }

  private keepFirst<T>(list: 'tools' | 'prompts' | 'templates', { items, duplicates }: { items: T[]; duplicates: Duplicate[] }): T[] {
    this._duplicates[list] = duplicates;
    for (const d of duplicates) this.ctx.log.warn(`${list}/list: ${describeDuplicate(d)}.`);
    return items;
  }

  get tools(): readonly Tool[] {
    return this._tools;
  }

  private _toolsByName: Map<string, Tool> | undefined;

  /** A tool by name in O(1) (the first of duplicates, as `tools` keeps only the first). */
  tool(name: string): Tool | undefined {
    this._toolsByName ??= new Map(this._tools.map(t => [t.name, t]));
    return this._toolsByName.get(name);
  }

  get prompts(): readonly Prompt[] {
    return this._prompts;
  }

  get templates(): readonly ResourceTemplate[] {
    return this._templates;
  }

  /** Loads the lists the server advertises, without telling anyone (the connection reports running afterwards). */
  async load(kinds: readonly ListKind[]): Promise<void> {
    await Promise.all(kinds.map(kind => this.refresh(kind, false)));
  }

  /**
   * Re-fetches a list; while one refresh of it is in flight, further calls coalesce into one trailing
   * refresh. Resolves when the list is as fresh as the last call asked for.
   */
  refresh(kind: ListKind, notify = true): Promise<void> {
    const slot = this.slots[kind];
    if (slot.running) {
      slot.trailing = true;
      return slot.running;
    }
    slot.running = (async () => {
      try {
        do {
          slot.trailing = false;
          await this.fetch(kind, notify);
        } while (slot.trailing && !this.disposed);
      } finally {
        slot.running = undefined;
      }
    })();
    return slot.running;
  }

  /** Re-fetches a list if the server's freshness hint says it is stale; otherwise resolves at once. */
  ensureFresh(kind: ListKind): Promise<void> {
    const slot = this.slots[kind];
    if (slot.running) return slot.running;
    return Date.now() >= slot.freshness.expiresAt ? this.refresh(kind) : Promise.resolve();
  }

  /** The user signed in again: lists the server scoped to the signed-in user are fetched anew. */
  refreshPrivate(): void {
    for (const kind of Object.keys(this.slots) as ListKind[]) {
      if (this.slots[kind].freshness.scope === 'private' && this.slots[kind].freshness.expiresAt !== Infinity) void this.refresh(kind);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const slot of Object.values(this.slots)) if (slot.timer) clearTimeout(slot.timer);
  }

  private async fetch(kind: ListKind, notify: boolean): Promise<void> {
    this.refreshCounts[kind]++;
    switch (kind) {
      case 'tools': {
        const tools = await this.collect(kind, 'tools/list', 'tools');
        if (!tools) return;
        const next = this.keepFirst('tools', dedupe('tool', tools as Tool[], t => t.name));
        // An unchanged list keeps its array and tool objects: what is cached for them (definition hashes, the catalog) stays valid.
        if (sameItems(this._tools, next)) return;
        this._tools = next;
        this._toolsByName = undefined;
        if (notify) this.ctx.onChanged(kind);
        return;
      }
      case 'prompts': {
        const prompts = await this.collect(kind, 'prompts/list', 'prompts');
        if (!prompts) return;
        const next = this.keepFirst('prompts', dedupe('prompt', prompts as Prompt[], p => p.name));
        const changed = !sameItems(this._prompts, next);
        this._prompts = next;
        if (changed && notify) this.ctx.onChanged(kind);
        return;
      }
      case 'resources': {
        const templates = await this.collect(kind, 'resources/templates/list', 'resourceTemplates');
        if (templates) this._templates = this.keepFirst('templates', dedupe('template', templates as ResourceTemplate[], t => t.uriTemplate));
        // The resource list itself is paged by whoever shows it: it is told to page again.
        if (notify && !this.disposed) this.ctx.onChanged(kind);
        return;
      }
    }
  }

  /** Every page of one list, within the page limits; `undefined` when the request failed (the list is kept). */
  private async collect(kind: ListKind, method: 'tools/list' | 'prompts/list' | 'resources/templates/list', field: ListField): Promise<unknown[] | undefined> {
    let first: Record<string, unknown> | undefined;
    try {
      const { items, stoppedEarly } = await collectPages(async cursor => {
        // Any result object: its items are checked one by one, so one malformed item does not cost the list, and its cursor by `nextCursor`.
        const page = (await this.ctx.client.request({ method, params: { ...this.ctx.meta(), ...(cursor ? { cursor } : {}) } }, ResultSchema, { timeout: this.ctx.requestMs })) as Record<string, unknown>;
        first ??= page;
        return { items: wellFormedItems(method, field, page[field], this.ctx.log), nextCursor: page.nextCursor } satisfies Page<unknown>;
      }, this.ctx.pageLimits ?? DEFAULT_PAGE_LIMITS);
      if (this.disposed) return undefined;
      if (stoppedEarly) this.ctx.log.warn(`${method}: ${stoppedEarly}; the list may be incomplete.`);
      this.setFreshness(kind, first);
      return items;
    } catch (err) {
      if (this.disposed) return undefined;
      // A server with resources need not serve templates (or may leave out a list it advertised): no list, not an error.
      if (err instanceof ProtocolError && err.code === ProtocolErrorCode.MethodNotFound) {
        this.ctx.log.info(`${method}: the server does not implement it; treated as an empty list.`);
        return [];
      }
      this.ctx.log.error(`${method} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  private setFreshness(kind: ListKind, firstPage: Record<string, unknown> | undefined): void {
    const slot = this.slots[kind];
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    const ttl = typeof firstPage?.ttlMs === 'number' ? Math.min(Math.max(firstPage.ttlMs, 0), MAX_TTL_MS) : undefined;
    const scope = firstPage?.cacheScope === 'public' ? 'public' : 'private';
    if (!this.ctx.modern) {
      slot.freshness = { expiresAt: ttl !== undefined ? Date.now() + ttl : Infinity, scope };
      return;
    }
    // On 2026-07-28 a list without a hint is stale at once.
    slot.freshness = { expiresAt: Date.now() + (ttl ?? 0), scope };
    if (ttl !== undefined && ttl > 0 && !this.ctx.announcesChanges(kind)) {
      slot.timer = setTimeout(() => void this.refresh(kind), Math.max(ttl, MIN_TTL_REFRESH_MS));
      slot.timer.unref?.();
    }
  }
}

function newSlot(): Slot {
  return { freshness: { expiresAt: Infinity, scope: 'private' }, running: undefined, trailing: false, timer: undefined };
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

