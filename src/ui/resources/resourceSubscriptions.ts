import * as vscode from 'vscode';
import { DisposableStore, IDisposable } from '../../common/disposable';
import { parseResourcePath, RESOURCE_SCHEME } from '../../mcp/resourceContent';
import type { ServerRegistry } from '../../mcp/registry';
import type { ServerConnection } from '../../mcp/serverConnection';
import type { ResourceFileSystem } from './resourceFileSystem';

interface Held {
  readonly connection: ServerConnection;
  readonly store: DisposableStore;
}

/**
 * Holds a `resources/subscribe` for every resource that has an open editor tab, and releases it when its
 * last tab closes. An update from the server refreshes the open documents. Tabs, not text documents, are
 * the measure: VS Code keeps a closed text document around for minutes, and images are not text documents.
 */
export class ResourceSubscriptions implements IDisposable {
  private readonly held = new Map<string, Held>();
  private readonly listeners = new DisposableStore();

  constructor(private readonly registry: ServerRegistry, private readonly fs: ResourceFileSystem) {
    this.listeners.add(vscode.window.tabGroups.onDidChangeTabs(() => this.reconcile()));
    this.listeners.add(registry.onDidChangeServers(() => this.reconcile()));
    this.reconcile();
  }

  /** The resources subscribed to now, as `server` and `uri` (for tests and diagnostics). */
  get subscribed(): Array<{ server: string; uri: string }> {
    return [...this.held.keys()].map(k => {
      const [server, uri] = k.split('\u0000') as [string, string];
      return { server, uri };
    });
  }

  /** Subscribes to what open tabs show and releases the rest. Call after opening a resource document. */
  reconcile(): void {
    const wanted = new Map<string, { server: string; uri: string }>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        for (const uri of tabUris(tab.input)) {
          if (uri.scheme !== RESOURCE_SCHEME) continue;
          const address = parseResourcePath(uri.path, uri.query);
          if (!address) continue;
          wanted.set(`${address.server}\u0000${address.uri}`, { server: address.server, uri: address.uri });
        }
      }
    }
    for (const [k, held] of this.held) {
      const want = wanted.get(k);
      if (want && this.registry.get(want.server)?.connection === held.connection) continue;
      held.store.dispose();
      this.held.delete(k);
    }
    for (const [k, { server, uri }] of wanted) {
      if (this.held.has(k)) continue;
      const connection = this.registry.get(server)?.connection;
      if (!connection) continue;
      const store = new DisposableStore();
      // The connection sends `resources/subscribe` only if the server supports it, and again after a restart.
      store.add(connection.subscribe(uri));
      store.add(connection.onDidUpdateResource(updated => updated === uri && this.fs.changed(server, uri)));
      this.held.set(k, { connection, store });
    }
  }

  dispose(): void {
    this.listeners.dispose();
    for (const held of this.held.values()) held.store.dispose();
    this.held.clear();
  }
}

function tabUris(input: unknown): vscode.Uri[] {
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) return [input.uri];
  if (input instanceof vscode.TabInputTextDiff || input instanceof vscode.TabInputNotebookDiff) return [input.original, input.modified];
  return [];
}
