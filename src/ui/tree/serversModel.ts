import type { Resource } from '@modelcontextprotocol/client';
import { Disposable, DisposableStore } from '../../common/disposable';
import { Emitter } from '../../common/event';
import type { ServerEntry, ServerRegistry } from '../../mcp/registry';
import type { ServerConnection } from '../../mcp/serverConnection';

/**
 * The data behind the servers tree, and when it changes: servers with their state, what each running server
 * offers, and resources paged on demand. No `vscode` here; the tree data provider renders it.
 */

export type GroupKind = 'tools' | 'resources' | 'templates' | 'prompts';

/** What changed: one server's state (its whole subtree), one group of one server, or the server list. */
export type ModelChange = { readonly server: string; readonly what: 'state' | GroupKind } | { readonly server: undefined };

/** The resources loaded so far for one server. */
export interface ResourcePages {
  readonly items: readonly Resource[];
  /** Set while the server has more pages. */
  readonly nextCursor: string | undefined;
  readonly pagesLoaded: number;
  readonly loading: boolean;
  /** Why the last page failed, when it did. */
  readonly error: string | undefined;
}

const EMPTY_PAGES: ResourcePages = { items: [], nextCursor: undefined, pagesLoaded: 0, loading: false, error: undefined };

interface Watched {
  readonly connection: ServerConnection;
  readonly listeners: DisposableStore;
}

export class ServersTreeModel extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<ModelChange>());
  readonly onDidChange = this._onDidChange.event;
  private readonly watched = new Map<string, Watched>();
  private readonly pages = new Map<string, ResourcePages & { seen: Set<string>; generation: number; pending?: Promise<void> }>();
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

  private loadPage(name: string, cursor: string | undefined): Promise<void> {
    const connection = this.registry.get(name)?.connection;
    if (!connection || connection.state.kind !== 'running') return Promise.resolve();
    const before = this.pages.get(name);
    const generation = before && cursor !== undefined ? before.generation : ++this.generation;
    const base = cursor !== undefined && before ? before : { ...EMPTY_PAGES, seen: new Set<string>(), generation };
    const pending = (async () => {
      let next: typeof base;
      try {
        const page = await connection.listResourcesPage(cursor);
        // A server may repeat an item on a later page; the tree needs each URI once.
        const fresh = page.items.filter(r => !base.seen.has(r.uri) && base.seen.add(r.uri));
        // A cursor the server already gave is a loop: stop offering more.
        const nextCursor = page.nextCursor && page.nextCursor !== cursor ? page.nextCursor : undefined;
        next = { ...base, items: [...base.items, ...fresh], nextCursor, pagesLoaded: base.pagesLoaded + 1, loading: false, error: undefined };
      } catch (err) {
        next = { ...base, loading: false, error: err instanceof Error ? err.message : String(err) };
      }
      // Dropped if the list changed or the server restarted while the page was on its way.
      if (this.pages.get(name)?.generation !== generation) return;
      this.pages.set(name, next);
      this._onDidChange.fire({ server: name, what: 'resources' });
    })();
    this.pages.set(name, { ...base, loading: true, pending, generation });
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
