import * as vscode from 'vscode';
import type { ReadResourceResult } from '@modelcontextprotocol/client';
import { BurstGate } from '../../common/burstGate';
import type { ServerRegistry } from '../../mcp/registry';
import type { ServerConnection } from '../../mcp/serverConnection';
import { fileNameFor, formatResourcePath, formatResourceQuery, parseResourcePath, partBytes, RESOURCE_SCHEME, ResourceAddress, ResourceView, viewOfPart, viewOfRead } from '../../mcp/resourceContent';

export { RESOURCE_SCHEME } from '../../mcp/resourceContent';

export function resourceDocumentUri(address: ResourceAddress): vscode.Uri {
  return vscode.Uri.from({ scheme: RESOURCE_SCHEME, path: formatResourcePath(address), query: formatResourceQuery(address) });
}

/** How long a read made to choose a document's name answers the editor's first read of it. */
const PREFETCH_TTL_MS = 10_000;
/** How long a document may wait for its server to come up (a window reload restores editors before servers run). */
const SERVER_WAIT_MS = 30_000;
/** Documents whose last content is remembered for `stat` and for update events. */
const MAX_SERVED = 200;
/** How long an update's change event waits for the re-read it causes before the next one may go (a closed document is not re-read). */
const REREAD_WAIT_MS = 2_000;
/** How long after an update an open editor that has not read the resource again is told once more. */
const REANNOUNCE_MS = 2_500;

interface Served {
  readonly bytes: Uint8Array;
  /** When the server last said the resource changed (stat's mtime), so VS Code sees a new version. */
  mtime: number;
}

/**
 * Read-only documents for MCP resources under `mcp-host-resource:`. Reading calls `resources/read` on the
 * server; the file name in the URI (chosen from the MIME type) decides the language or the image preview.
 * `changed` tells VS Code that a resource was updated, and open editors read it again.
 */
export class ResourceFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this._onDidChangeFile.event;
  /** What each document URI last showed. */
  private readonly served = new Map<string, Served>();
  /** Reads made just before opening, keyed by the resource, used once. */
  private readonly prefetched = new Map<string, Prefetched>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /**
   * Updates per resource: a change event, then none until a document of it is read again; what came meanwhile is
   * one more event after that read. A server sending thousands of `resources/updated` caused as many events
   * (VS Code re-reads an open text document at most once at a time itself, but each event crossed to the window
   * and walked every document served); now a burst is two or three, and the last update is still read.
   */
  private readonly updates = new BurstGate<string>(k => this.fireChanged(k), REREAD_WAIT_MS);
  /** How often each resource was read from its server (not from a prefetch), to tell whether an update's re-read came. */
  private readonly reads = new Map<string, number>();
  private disposed = false;

  constructor(private readonly registry: ServerRegistry) {}

  /** Reads a resource and decides how it is shown; the read answers the editor's first `readFile`. */
  async read(server: string, uri: string): Promise<ReadResourceResult> {
    const result = await (await this.connection(server, false)).readResource(uri);
    this.prefetched.set(key(server, uri), { result, at: Date.now() });
    return result;
  }

  /** The document URI and view for a read: the whole read, or one part of it. */
  view(address: Omit<ResourceAddress, 'fileName'> & { name?: string; mimeType?: string }, result: ReadResourceResult): { uri: vscode.Uri; view: ResourceView } {
    const context = { uri: address.uri, ...(address.name ? { name: address.name } : {}), ...(address.mimeType ? { mimeType: address.mimeType } : {}) };
    let view: ResourceView;
    if (address.part !== undefined) {
      const part = result.contents[address.part];
      if (!part) throw vscode.FileSystemError.FileNotFound(`The resource ${address.uri} has no part ${address.part + 1} any more.`);
      view = viewOfPart(part, context);
    } else {
      view = viewOfRead(result.contents, {
        ...context,
        linkToPart: (part, fileName) => resourceDocumentUri({ server: address.server, uri: address.uri, part, fileName }).toString(),
      });
    }
    return { uri: resourceDocumentUri({ server: address.server, uri: address.uri, ...(address.part !== undefined ? { part: address.part } : {}), fileName: view.fileName }), view };
  }

  /** Tells VS Code that every open document of this resource changed: at once, or after the re-read under way. */
  changed(server: string, uri: string): void {
    this.prefetched.delete(key(server, uri));
    this.updates.signal(key(server, uri));
  }

  private fireChanged(k: string, again = false): void {
    const [server, uri] = k.split('\u0000') as [string, string];
    const events: vscode.FileChangeEvent[] = [];
    const now = Date.now();
    for (const [docUri, served] of this.served) {
      const parsed = vscode.Uri.parse(docUri);
      const address = parseResourcePath(parsed.path, parsed.query);
      if (address?.server !== server || address.uri !== uri) continue;
      served.mtime = Math.max(now, served.mtime + 1);
      events.push({ type: vscode.FileChangeType.Changed, uri: vscode.Uri.parse(docUri) });
    }
    if (!events.length) return again ? undefined : this.updates.done(k);
    this._onDidChangeFile.fire(events);
    if (!again) this.expectReread(k, events.map(e => e.uri.toString()));
  }

  /**
   * An editor open on the resource that has not read it again `REANNOUNCE_MS` after an update missed it: it is told once
   * more. VS Code's image preview, for one, missed an update that came as it opened (ci-run59: the open image kept the
   * old picture). A document with no open tab is left alone (VS Code keeps closed ones and never reads them again).
   */
  private expectReread(k: string, docUris: readonly string[]): void {
    const before = this.reads.get(k) ?? 0;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.disposed || (this.reads.get(k) ?? 0) !== before) return;
      const open = new Set(vscode.window.tabGroups.all.flatMap(g => g.tabs.map(t => tabUri(t.input))));
      if (docUris.some(u => open.has(u))) this.fireChanged(k, true);
    }, REANNOUNCE_MS);
    this.timers.add(timer);
  }

  /** The raw bytes of a document's content (the whole single part, or the part it shows), for saving. */
  async contentBytes(docUri: vscode.Uri): Promise<{ bytes: Uint8Array; fileName: string; mimeType: string | undefined } | undefined> {
    const address = parseResourcePath(docUri.path, docUri.query);
    if (!address) return undefined;
    const result = await (await this.connection(address.server, false)).readResource(address.uri);
    const index = address.part ?? (result.contents.length === 1 ? 0 : undefined);
    const part = index === undefined ? undefined : result.contents[index];
    if (!part) return undefined;
    return { bytes: partBytes(part), fileName: fileNameFor(part.uri || address.uri, part.mimeType), mimeType: part.mimeType };
  }

  /** The server's connection once it runs; `wait` gives a server that is still loading or starting some time. */
  private async connection(server: string, wait = true): Promise<ServerConnection> {
    const deadline = Date.now() + (wait ? SERVER_WAIT_MS : 0);
    for (;;) {
      const connection = this.registry.get(server)?.connection;
      const state = connection?.state.kind;
      if (connection && state === 'running') return connection;
      // Not configured yet (config still loading) or starting: wait a while; anything else is final.
      const waiting = !connection || state === 'starting';
      if (!waiting || Date.now() > deadline || this.disposed) {
        throw vscode.FileSystemError.Unavailable(connection ? `MCP server '${server}' is not running (${state}).` : `No MCP server named '${server}' is configured.`);
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const address = parseResourcePath(uri.path, uri.query);
    if (!address) throw vscode.FileSystemError.FileNotFound(uri);
    const k = key(address.server, address.uri);
    const pre = this.prefetched.get(k);
    let result: ReadResourceResult;
    if (pre && Date.now() - pre.at < PREFETCH_TTL_MS) {
      result = pre.result;
      // The whole read and its parts may all open from one prefetch; a later refresh reads again.
      if (address.part === undefined) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.prefetched.get(k) === pre) this.prefetched.delete(k);
        }, 2_000);
        this.timers.add(timer);
      }
    } else {
      try {
        result = await (await this.connection(address.server)).readResource(address.uri);
      } catch (err) {
        if (err instanceof vscode.FileSystemError) throw err;
        throw vscode.FileSystemError.Unavailable(`${address.server}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        // The re-read an update caused is over: updates that came meanwhile may now cause the next.
        this.reads.set(k, (this.reads.get(k) ?? 0) + 1);
        this.updates.done(k);
      }
    }
    const view = pre && result === pre.result ? prefetchedView(pre, uri.toString(), () => this.view(address, result).view) : this.view(address, result).view;
    const bytes = view.kind === 'image' ? view.bytes : new TextEncoder().encode(view.text);
    const previous = this.served.get(uri.toString());
    this.served.delete(uri.toString());
    this.served.set(uri.toString(), { bytes, mtime: previous?.mtime ?? Date.now() });
    // Most recently read last; the oldest are forgotten (a forgotten document is simply read again).
    for (const old of this.served.keys()) {
      if (this.served.size <= MAX_SERVED) break;
      this.served.delete(old);
    }
    return bytes;
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const address = parseResourcePath(uri.path, uri.query);
    if (!address) {
      // Folders on the way to a document (`/server/…`), so that path walks do not fail.
      return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    }
    const served = this.served.get(uri.toString());
    return { type: vscode.FileType.File, ctime: 0, mtime: served?.mtime ?? 0, size: served?.bytes.length ?? this.prefetchedImageSize(address, uri.toString()), permissions: vscode.FilePermission.Readonly };
  }

  /**
   * An image's size before its first read, from the read that opened it: the image preview asks for the size when it
   * opens, before it reads the image, and showed "0B" in the status bar. (Text shows no size; it is not encoded twice.)
   * The image is decoded once per document, and its first read uses the same bytes (each stat decoded it again).
   */
  private prefetchedImageSize(address: ResourceAddress, docUri: string): number {
    const pre = this.prefetched.get(key(address.server, address.uri));
    if (!pre || Date.now() - pre.at >= PREFETCH_TTL_MS) return 0;
    try {
      const view = prefetchedView(pre, docUri, () => this.view(address, pre.result).view);
      return view.kind === 'image' ? view.bytes.length : 0;
    } catch {
      return 0;
    }
  }

  watch(): vscode.Disposable {
    // Changes come from the server's `resources/updated` notifications, not from polling.
    return new vscode.Disposable(() => {});
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('MCP resources are read-only.');
  }

  writeFile(): void {
    throw vscode.FileSystemError.NoPermissions('MCP resources are read-only.');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('MCP resources are read-only.');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('MCP resources are read-only.');
  }

  dispose(): void {
    this.disposed = true;
    this.updates.dispose();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this._onDidChangeFile.dispose();
    this.served.clear();
    this.prefetched.clear();
  }
}

/** A read made to open a resource, and the views of it made so far, by document URI (each decoded once). */
interface Prefetched {
  readonly result: ReadResourceResult;
  readonly at: number;
  views?: Map<string, ResourceView>;
}

function prefetchedView(pre: Prefetched, docUri: string, make: () => ResourceView): ResourceView {
  let view = pre.views?.get(docUri);
  if (!view) (pre.views ??= new Map()).set(docUri, (view = make()));
  return view;
}

/** The document a tab shows, as a string (custom editors such as the image preview included). */
function tabUri(input: unknown): string | undefined {
  return input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri.toString() : undefined;
}

function key(server: string, uri: string): string {
  return `${server}\u0000${uri}`;
}
