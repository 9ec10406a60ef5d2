import type { Resource } from '@modelcontextprotocol/client';
import { Disposable, DisposableStore } from '../../common/disposable';
import { Emitter } from '../../common/event';
import type { ServerEntry, ServerRegistry } from '../../mcp/registry';
import type { ServerConnection } from '../../mcp/serverConnection';
import type { Duplicate } from '../../mcp/duplicates';
import { CursorTrail, DEFAULT_PAGE_LIMITS } from '../../mcp/pagination';

/**
 * The data behind the servers tree, and when it changes: servers with their state, what each running server
 * offers, and resources paged on demand. No `vscode` here; the tree data provider renders it.
 */

export type GroupKind = 'tools' | 'resources' | 'templates' | 'prompts';

/** What changed: one server's state (its whole subtree), one group of one server, or the server list. */
export type ModelChange = { readonly server: string; readonly what: 'state' | GroupKind } | { readonly server: undefined };

/** The resources loaded so far for one server. */
export interface ResourcePages {
  /** Every resource loaded, each URI once, in the server's order. */
  readonly items: readonly Resource[];
  /** Where each page starts in `items` (a page's repeats of earlier URIs are left out, so pages may be short). */
  readonly pageStarts: readonly number[];
  /** Each URI in `items` → its index there. */
  readonly seen: ReadonlyMap<string, number>;
  /** URIs the server listed more than once (on one page or across pages): only the first of each is in `items`. */
  readonly duplicates: readonly Duplicate[];
  /** Set while the server has more pages. */
  readonly nextCursor: string | undefined;
  readonly pagesLoaded: number;
  readonly loading: boolean;
  /** Why the last page failed, when it did. */
  readonly error: string | undefined;
  /** When the newest page's list arrived from the server (`performance.now()`): where the tree's page measure starts. */
  readonly arrivedAt: number | undefined;
  /** How long the newest page took from its arrival until its change event was handled (this model and the tree's refresh). */
  readonly handledMs: number | undefined;
}

/**
 * How the Resources group shows the pages loaded, in a number of nodes that does not grow with the pages (a
 * "Load more…" refreshes the group, and VS Code asks for a tree item of every node in it): the newest page's
 * resources in the group itself, as the first page's are before any other is loaded, after a folder for the first
 * page and one for the pages between it and the newest (a folder per page inside), or a folder of its own while
 * there is only one. So a "Load more…" page reaches VS Code as the first page does: in the group's children, which
 * VS Code is already asking for (no folder to open, no second round trip to the window), about as many of them.
 * Pages are indexes into `pageStarts`; a page of repeats only (no new resource) gets no folder, and the group lists
 * the newest page that has resources.
 */
export interface ResourceLayout {
  /** The page whose resources the group lists itself: the newest with any (the first while it is the only one). */
  readonly page: number;
  /** Its resources are `items[start, end)`. */
  readonly start: number;
  readonly end: number;
  /** The pages shown as folders in the group, before `page`'s resources, oldest first: the first, and an only page between. */
  readonly folders: readonly number[];
  /** The pages between the first and `page` folded into one folder, `[from, to]`: two or more (after the first page's folder). */
  readonly earlier: { readonly from: number; readonly to: number } | undefined;
}

/** `pages`' layout in the Resources group: constant work whatever the number of pages loaded (a binary search when the newest page only repeated earlier ones). */
export function resourceLayout(pages: ResourcePages): ResourceLayout {
  const total = pages.items.length;
  // The newest page with a resource: the newest page, unless it only repeated earlier ones (then a binary search).
  const last = pages.pageStarts.length - 1;
  const page = total === 0 ? 0 : pages.pageStarts[last]! < total ? last : pageOf(pages, total - 1);
  const start = pages.pageStarts[page] ?? 0;
  const folders: number[] = [];
  let earlier: ResourceLayout['earlier'];
  if (page >= 1 && pageEnd(pages, 0) > 0) folders.push(0);
  if (page >= 3 && start > pages.pageStarts[1]!) earlier = { from: 1, to: page - 1 };
  else if (page === 2 && start > pages.pageStarts[1]!) folders.push(1);
  return { page, start, end: total, folders, earlier };
}

/** Where page `page` ends in `items` (where the next starts, or the end). */
export function pageEnd(pages: ResourcePages, page: number): number {
  return pages.pageStarts[page + 1] ?? pages.items.length;
}

/** The page `items[index]` is on: a binary search over `pageStarts`. */
export function pageOf(pages: ResourcePages, index: number): number {
  let [low, high] = [0, pages.pageStarts.length - 1];
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (pages.pageStarts[mid]! <= index) low = mid;
    else high = mid - 1;
  }
  return low;
}

const EMPTY_PAGES: ResourcePages = { items: [], pageStarts: [], seen: new Map(), duplicates: [], nextCursor: undefined, pagesLoaded: 0, loading: false, error: undefined, arrivedAt: undefined, handledMs: undefined };

/** How many resources "Load All" loads at most per run: enough for any list a tree is useful for. */
export const LOAD_ALL_CAP = 10_000;

export interface LoadAllOptions {
  readonly cap?: number;
  /** Called after each page with the number of resources loaded in all. */
  readonly onProgress?: (loaded: number) => void;
  readonly isCancelled?: () => boolean;
}

/** How a "Load All" run ended: the list is complete, the cap was reached, or it was cancelled, failed or changed under it. */
export interface LoadAllResult {
  readonly loaded: number;
  readonly ended: 'complete' | 'cap' | 'cancelled' | 'error' | 'changed';
}

/** The live paging state of one server; `items` and `pageStarts` only grow, so a page costs the same however many came before. */
interface Paging {
  readonly items: Resource[];
  readonly pageStarts: number[];
  /** Each URI listed so far → its index in `items`. */
  readonly seen: Map<string, number>;
  readonly duplicates: Duplicate[];
  /** URI → its index in `duplicates`. */
  readonly duplicateAt: Map<string, number>;
  /** The cursors this list was paged with: one the server gives again is a loop, not more pages. */
  readonly cursors: CursorTrail;
  nextCursor: string | undefined;
  pagesLoaded: number;
  loading: boolean;
  error: string | undefined;
  arrivedAt: number | undefined;
  handledMs: number | undefined;
  readonly generation: number;
  pending?: Promise<void> | undefined;
}

interface Watched {
  readonly connection: ServerConnection;
  readonly listeners: DisposableStore;
}

export class ServersTreeModel extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<ModelChange>());
  readonly onDidChange = this._onDidChange.event;
  private readonly watched = new Map<string, Watched>();
  private readonly pages = new Map<string, Paging>();
  /** The "Load all" running for a server. */
  private readonly bulk = new Map<string, Promise<LoadAllResult>>();
  private generation = 0;

  constructor(private readonly registry: ServerRegistry) {
    super();
    this._register(
      registry.onDidChangeServers(() => {
        this.sync();
        this._onDidChange.fire({ server: undefined });
      }),
    );
    this._register(
      registry.onDidChangeState(entry => {
        if (entry.connection.state.kind !== 'running') this.pages.delete(entry.name);
        this.sync();
        this._onDidChange.fire({ server: entry.name, what: 'state' });
      }),
    );
    this._register({ dispose: () => this.unwatchAll() });
    this.sync();
  }

  /** Every configured server, by name. */
  get servers(): readonly ServerEntry[] {
    return [...this.registry.servers].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): ServerEntry | undefined {
    return this.registry.get(name);
  }

  /** The groups a running server shows, following its capabilities. */
  groupsOf(name: string): GroupKind[] {
    const entry = this.registry.get(name);
    const state = entry?.connection.state;
    if (!entry || state?.kind !== 'running') return [];
    const caps = state.capabilities;
    const groups: GroupKind[] = [];
    if (caps.tools) groups.push('tools');
    if (caps.resources) groups.push('resources');
    if (caps.resources && entry.connection.resourceTemplates.length > 0) groups.push('templates');
    if (caps.prompts) groups.push('prompts');
    return groups;
  }

  /** Resources loaded so far; nothing is listed until `loadResources` is called. */
  resources(name: string): ResourcePages {
    return this.pages.get(name) ?? EMPTY_PAGES;
  }

  /** The page on its way for `name`, if one is (a first page, a "Load more…" page or one of "Load all"). */
  pageOnItsWay(name: string): Promise<void> | undefined {
    return this.pages.get(name)?.pending;
  }

  /** Loads the first page unless it was loaded (or tried, or is loading) already. */
  loadResources(name: string): Promise<void> {
    const current = this.pages.get(name);
    if (current) return current.pending ?? Promise.resolve();
    return this.loadPage(name, undefined);
  }

  /** Loads the next page, if the server has one (or tries a failed page again). */
  loadMoreResources(name: string): Promise<void> {
    const current = this.pages.get(name);
    if (current?.pending) return current.pending;
    if (!current || current.pagesLoaded === 0) return this.loadPage(name, undefined);
    if (current.nextCursor === undefined) return Promise.resolve();
    return this.loadPage(name, current.nextCursor);
  }

  /**
   * Loads pages until the list ends, `cap` more resources are loaded, or the caller cancels: the tree's
   * "Load All". Each page is added like a "Load more…" page.
   */
  loadAllResources(name: string, options: LoadAllOptions = {}): Promise<LoadAllResult> {
    const running = this.bulk.get(name);
    if (running) return running;
    const run = this.loadAll(name, options.cap ?? LOAD_ALL_CAP, options).finally(() => {
      this.bulk.delete(name);
      this._onDidChange.fire({ server: name, what: 'resources' });
    });
    this.bulk.set(name, run);
    this._onDidChange.fire({ server: name, what: 'resources' });
    return run;
  }

  isLoadingAll(name: string): boolean {
    return this.bulk.has(name);
  }

  private async loadAll(name: string, cap: number, options: LoadAllOptions): Promise<LoadAllResult> {
    if (this.resources(name).pagesLoaded === 0) await this.loadResources(name);
    const paging = this.pages.get(name);
    if (!paging) return { loaded: 0, ended: 'changed' };
    const start = paging.items.length;
    const startPage = paging.pagesLoaded;
    for (;;) {
      options.onProgress?.(paging.items.length);
      if (this.pages.get(name) !== paging) return { loaded: paging.items.length, ended: 'changed' };
      if (paging.error) return { loaded: paging.items.length, ended: 'error' };
      if (paging.nextCursor === undefined) return { loaded: paging.items.length, ended: 'complete' };
      // Pages of repeats or of nothing add no items: the page limit ends a server that sends them forever.
      if (paging.items.length - start >= cap || paging.pagesLoaded - startPage >= DEFAULT_PAGE_LIMITS.maxPages) return { loaded: paging.items.length, ended: 'cap' };
      if (options.isCancelled?.()) return { loaded: paging.items.length, ended: 'cancelled' };
      await this.loadMoreResources(name);
    }
  }

  private loadPage(name: string, cursor: string | undefined): Promise<void> {
    const connection = this.registry.get(name)?.connection;
    if (!connection || connection.state.kind !== 'running') return Promise.resolve();
    const before = this.pages.get(name);
    const paging: Paging =
      cursor !== undefined && before
        ? before
        : { items: [], pageStarts: [], seen: new Map(), duplicates: [], duplicateAt: new Map(), cursors: new CursorTrail(), nextCursor: undefined, pagesLoaded: 0, loading: false, error: undefined, arrivedAt: undefined, handledMs: undefined, generation: ++this.generation };
    const pending = (async () => {
      let page: Awaited<ReturnType<ServerConnection['listResourcesPage']>> | undefined;
      let error: string | undefined;
      try {
        page = await connection.listResourcesPage(cursor);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const arrivedAt = performance.now();
      // Dropped if the list changed or the server restarted while the page was on its way.
      if (this.pages.get(name) !== paging) return;
      paging.loading = false;
      paging.pending = undefined;
      paging.error = error;
      if (page) {
        paging.arrivedAt = arrivedAt;
        paging.pageStarts.push(paging.items.length);
        // A server may repeat an item on a later page; the tree needs each URI once.
        for (const r of page.items) {
          const first = paging.seen.get(r.uri);
          if (first !== undefined) {
            noteDuplicate(paging, r.uri, JSON.stringify(r) !== JSON.stringify(paging.items[first]));
            continue;
          }
          paging.seen.set(r.uri, paging.items.length);
          paging.items.push(r);
        }
        // A cursor the server already gave is a loop, and one past the core's limit is not followed: no more pages.
        const { cursor: next, stop } = paging.cursors.next(page.nextCursor);
        paging.nextCursor = next;
        if (stop) connection.log.warn(`resources/list: ${stop}; the list may be incomplete.`);
        paging.pagesLoaded++;
      }
      this._onDidChange.fire({ server: name, what: 'resources' });
      if (page) paging.handledMs = performance.now() - arrivedAt;
    })();
    paging.loading = true;
    paging.pending = pending;
    this.pages.set(name, paging);
    // A further page keeps what is shown and marks "Load more…" as loading; the first page is awaited by the tree.
    if (cursor !== undefined) this._onDidChange.fire({ server: name, what: 'resources' });
    return pending;
  }

  /** Follows the registry's servers: listens to each connection's list changes. */
  private sync(): void {
    for (const [name, w] of this.watched) {
      if (this.registry.get(name)?.connection !== w.connection) {
        w.listeners.dispose();
        this.watched.delete(name);
        this.pages.delete(name);
      }
    }
    for (const entry of this.registry.servers) {
      if (this.watched.has(entry.name)) continue;
      const listeners = new DisposableStore();
      const name = entry.name;
      const c = entry.connection;
      listeners.add(c.onDidChangeTools(() => this._onDidChange.fire({ server: name, what: 'tools' })));
      listeners.add(c.onDidChangePrompts(() => this._onDidChange.fire({ server: name, what: 'prompts' })));
      listeners.add(
        c.onDidChangeResources(() => {
          // The list changed: what was paged is stale. The tree pages again when it asks.
          this.pages.delete(name);
          this._onDidChange.fire({ server: name, what: 'resources' });
          this._onDidChange.fire({ server: name, what: 'templates' });
        }),
      );
      this.watched.set(name, { connection: c, listeners });
    }
  }

  private unwatchAll(): void {
    for (const w of this.watched.values()) w.listeners.dispose();
    this.watched.clear();
  }
}

/** Counts one more listing of `uri`: a server may repeat an item on a later page, or list two resources under one URI. */
function noteDuplicate(paging: Paging, uri: string, differ: boolean): void {
  const i = paging.duplicateAt.get(uri);
  const d = i === undefined ? undefined : paging.duplicates[i];
  if (i !== undefined && d) paging.duplicates[i] = { ...d, count: d.count + 1, differ: d.differ || differ };
  else paging.duplicateAt.set(uri, paging.duplicates.push({ kind: 'resource', key: uri, count: 2, differ }) - 1);
}
