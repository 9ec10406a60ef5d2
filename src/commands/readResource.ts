import * as vscode from 'vscode';
import type { Resource } from '@modelcontextprotocol/client';
import { DisposableStore } from '../common/disposable';
import { inertLine, safe } from '../common/untrustedText';
import { Commands } from '../ids';
import type { ServerEntry } from '../mcp/registry';
import { CursorTrail } from '../mcp/pagination';
import type { McpHost } from '../workspace/mcpHost';
import * as ui from '../ui/window';
import type { PickDialog, PickItem } from './itemPicker';

type Choice = { readonly kind: 'resource'; readonly uri: string; readonly name?: string; readonly mimeType?: string } | { readonly kind: 'template'; readonly uriTemplate: string };

export type ReadResourceOutcome =
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'unavailable'; readonly message: string }
  /** `document` is what `mcpHost.openResource` opened (undefined when it could not read the resource). */
  | { readonly kind: 'opened'; readonly server: string; readonly uri: string; readonly document: vscode.Uri | undefined }
  | { readonly kind: 'template'; readonly server: string; readonly uriTemplate: string; readonly document: vscode.Uri | undefined };

/**
 * "Read Resource…": a server, then one of its resources (paged, "Load more…"), one of its templates, or a
 * URI typed in. Opening is left to `mcpHost.openResource` / `mcpHost.openResourceTemplate`, the one
 * resource viewer.
 */
export function registerReadResource(store: DisposableStore, host: McpHost, dialog: () => PickDialog): void {
  store.add(vscode.commands.registerCommand(Commands.readResource, (server?: unknown) => readResource(host, dialog(), typeof server === 'string' ? server : undefined)));
}

/** A resource as a pick item, its server's secrets masked. */
function resourceItem(r: Resource, mask: (text: string) => string): PickItem<Choice> {
  const title = r.title?.trim() || r.name;
  return {
    label: inertLine(mask(title)),
    description: inertLine(mask(r.uri)),
    ...(r.description ? { detail: inertLine(mask(r.description)) } : {}),
    value: { kind: 'resource', uri: r.uri, name: r.name, ...(r.mimeType ? { mimeType: r.mimeType } : {}) },
  };
}

async function readResource(host: McpHost, dialog: PickDialog, serverName: string | undefined): Promise<ReadResourceOutcome> {
  const offering = host.registry.servers.filter(e => e.connection.state.kind === 'running' && !!e.connection.state.capabilities.resources);
  let entry: ServerEntry | undefined;
  if (serverName) {
    entry = offering.find(e => e.name === serverName);
  } else if (offering.length === 1) {
    entry = offering[0];
  } else if (offering.length > 1) {
    const name = await dialog.pickItem({
      title: safe`MCP Host: Read Resource`,
      placeholder: safe`Read a resource of which server?`,
      groups: [{ label: safe``, items: offering.map(e => ({ label: inertLine(e.name), description: inertLine(e.definition?.origin.label ?? ''), value: e.name })) }],
    });
    if (!name) return { kind: 'dismissed' };
    entry = host.registry.get(name);
  }
  if (!entry) {
    const message = serverName ? `Server '${serverName}' is not running or offers no resources.` : 'No running MCP server offers resources.';
    void ui.showInformationMessage(inertLine(message));
    return { kind: 'unavailable', message };
  }
  const connection = entry.connection;
  const mask = (text: string) => connection.mask(text);
  const first = await connection.listResourcesPage().catch(err => {
    void ui.showErrorMessage(safe`Could not list the resources of '${entry.name}': ${mask(err instanceof Error ? err.message : String(err))}`);
    return { items: [] as Resource[], nextCursor: undefined };
  });
  // The cursors paged with: one given again is a loop (A → B → A too), not more pages.
  const trail = new CursorTrail();
  let cursor = follow(first.nextCursor);
  function follow(next: unknown): string | undefined {
    const { cursor: followed, stop } = trail.next(next);
    if (stop) connection.log.warn(`resources/list: ${stop}; the list may be incomplete.`);
    return followed;
  }
  const templates = connection.resourceTemplates.map(t => ({
    label: inertLine(mask(t.title?.trim() || t.name)),
    description: inertLine(mask(t.uriTemplate)),
    detail: t.description ? inertLine(mask(t.description)) : safe`Fill in the template`,
    value: { kind: 'template', uriTemplate: t.uriTemplate } as Choice,
  }));
  const choice = await dialog.pickItem<Choice>({
    title: safe`Resources of '${entry.name}'`,
    placeholder: safe`Read which resource? Or type a URI`,
    // Resources last: "Load more…" adds to the last group.
    groups: [...(templates.length ? [{ label: safe`Templates`, items: templates }] : []), { label: safe`Resources`, items: first.items.map(r => resourceItem(r, mask)) }],
    hasMore: cursor !== undefined,
    loadMore: async () => {
      const page = await connection.listResourcesPage(cursor).catch(err => {
        throw new Error(mask(err instanceof Error ? err.message : String(err)));
      });
      cursor = follow(page.nextCursor);
      return { items: page.items.map(r => resourceItem(r, mask)), more: cursor !== undefined };
    },
    typed: {
      describe: text => safe`$(go-to-file) Read ${text}`,
      value: text => (/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(text) ? { kind: 'resource', uri: text } : undefined),
    },
  });
  if (!choice) return { kind: 'dismissed' };
  if (choice.kind === 'template') {
    const document = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.openResourceTemplate, { server: entry.name, uriTemplate: choice.uriTemplate });
    return { kind: 'template', server: entry.name, uriTemplate: choice.uriTemplate, document };
  }
  const document = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.openResource, {
    server: entry.name,
    uri: choice.uri,
    ...(choice.name ? { name: choice.name } : {}),
    ...(choice.mimeType ? { mimeType: choice.mimeType } : {}),
  });
  return { kind: 'opened', server: entry.name, uri: choice.uri, document };
}
