import * as vscode from 'vscode';
import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { DisposableStore } from '../../common/disposable';
import { expandTemplate, templateVariables } from '../../mcp/resourceTemplate';
import { formatBytes, parseResourcePath, RESOURCE_SCHEME } from '../../mcp/resourceContent';
import type { ServerEntry } from '../../mcp/registry';
import { Commands } from '../../ids';
import type { McpHost } from '../../workspace/mcpHost';
import { ResourceNode, TemplateNode } from '../tree/nodes';
import type { ResourceArg, TemplateArg } from '../tree/serversView';
import { ResourceFileSystem } from './resourceFileSystem';
import { ResourceSubscriptions } from './resourceSubscriptions';

/** The resource side of the extension, for tests and for other commands that open resources. */
export interface ResourceDocuments {
  readonly fileSystem: ResourceFileSystem;
  readonly subscriptions: ResourceSubscriptions;
  /** Reads a resource and opens it in the editor that fits; resolves with the document URI it opened. */
  open(arg: ResourceArg): Promise<vscode.Uri>;
}

/**
 * `mcpHost.openResource` ({ server, uri } or a tree node; nothing: pick a server, then a resource),
 * `mcpHost.openResourceTemplate` ({ server, uriTemplate } or a tree node) and `mcpHost.saveResource`.
 */
export function registerResourceDocuments(store: DisposableStore, host: McpHost): ResourceDocuments {
  const fileSystem = store.add(new ResourceFileSystem(host.registry));
  store.add(vscode.workspace.registerFileSystemProvider(RESOURCE_SCHEME, fileSystem, { isReadonly: true, isCaseSensitive: true }));
  const subscriptions = store.add(new ResourceSubscriptions(host.registry, fileSystem));

  const open = async (arg: ResourceArg): Promise<vscode.Uri> => {
    const result = await fileSystem.read(arg.server, arg.uri);
    const { uri, view } = fileSystem.view({ server: arg.server, uri: arg.uri, ...(arg.name ? { name: arg.name } : {}), ...(arg.mimeType ? { mimeType: arg.mimeType } : {}) }, result);
    if (view.kind === 'image') {
      await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
    } else {
      await vscode.window.showTextDocument(uri, { preview: true });
    }
    subscriptions.reconcile();
    if (view.kind === 'summary' && view.binary) {
      const save = 'Save to File…';
      void vscode.window
        .showInformationMessage(`${arg.uri} is binary (${view.binary.mimeType}, ${formatBytes(view.binary.bytes.length)}); it is summarised, not shown.`, save)
        .then(answer => answer === save && vscode.commands.executeCommand(Commands.saveResource, uri));
    }
    return uri;
  };

  store.add(
    vscode.commands.registerCommand(Commands.openResource, async (arg?: ResourceArg | ResourceNode) => {
      const target = arg instanceof ResourceNode ? resourceArg(arg.server.name, arg.resource) : arg?.server && arg.uri ? arg : await pickResource(host);
      if (!target) return undefined;
      try {
        return await open(target);
      } catch (err) {
        void vscode.window.showErrorMessage(`Could not read ${target.uri} from '${target.server}': ${host.registry.get(target.server)?.connection.mask(message(err)) ?? message(err)}`);
        return undefined;
      }
    }),
  );

  store.add(
    vscode.commands.registerCommand(Commands.openResourceTemplate, async (arg?: TemplateArg | TemplateNode) => {
      const target = arg instanceof TemplateNode ? { server: arg.server.name, uriTemplate: arg.template.uriTemplate } : arg?.server && arg.uriTemplate ? arg : await pickTemplate(host);
      if (!target) return undefined;
      const uri = await fillTemplate(host, target);
      if (uri === undefined) return undefined;
      const template = host.registry.get(target.server)?.connection.resourceTemplates.find(t => t.uriTemplate === target.uriTemplate);
      try {
        return await open({ server: target.server, uri, ...(template?.name ? { name: template.name } : {}), ...(template?.mimeType ? { mimeType: template.mimeType } : {}) });
      } catch (err) {
        void vscode.window.showErrorMessage(`Could not read ${uri} from '${target.server}': ${message(err)}`);
        return undefined;
      }
    }),
  );

  store.add(
    vscode.commands.registerCommand(Commands.saveResource, async (docUri?: vscode.Uri, target?: vscode.Uri) => {
      const uri = docUri instanceof vscode.Uri ? docUri : activeResourceUri();
      if (!uri || uri.scheme !== RESOURCE_SCHEME) {
        void vscode.window.showInformationMessage('Open an MCP resource first: this saves the resource shown in the editor.');
        return undefined;
      }
      const content = await fileSystem.contentBytes(uri).catch(err => {
        void vscode.window.showErrorMessage(`Could not read the resource: ${message(err)}`);
        return undefined;
      });
      if (!content) {
        if (parseResourcePath(uri.path)) void vscode.window.showInformationMessage('This resource has several parts: open one part (the links in this document) and save that.');
        return undefined;
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const destination =
        target ??
        (await vscode.window.showSaveDialog({ title: 'Save MCP Resource', ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, content.fileName) } : {}) }));
      if (!destination) return undefined;
      await vscode.workspace.fs.writeFile(destination, content.bytes);
      return destination;
    }),
  );

  return { fileSystem, subscriptions, open };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function resourceArg(server: string, r: Resource): ResourceArg {
  return { server, uri: r.uri, name: r.name, ...(r.mimeType ? { mimeType: r.mimeType } : {}) };
}

function activeResourceUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/** Asks for each variable of a template (with the server's completions) and expands it; undefined if dismissed. */
export async function fillTemplate(host: McpHost, target: TemplateArg): Promise<string | undefined> {
  const connection = host.registry.get(target.server)?.connection;
  if (!connection) throw new Error(`No MCP server named '${target.server}'.`);
  const variables = templateVariables(target.uriTemplate);
  const values: Record<string, string> = {};
  for (const [index, variable] of variables.entries()) {
    const previous = { ...values };
    const value = await host.prompts.askTemplateVariable({
      server: target.server,
      template: target.uriTemplate,
      variable,
      index,
      count: variables.length,
      previous,
      complete: async typed => {
        try {
          const result = await connection.complete({
            ref: { type: 'ref/resource', uri: target.uriTemplate },
            argument: { name: variable, value: typed },
            context: { arguments: previous },
          });
          return result.completion.values;
        } catch (err) {
          connection.log.debug(`completion/complete for {${variable}} of ${target.uriTemplate}: ${message(err)}`);
          return [];
        }
      },
    });
    if (value === undefined) return undefined;
    values[variable] = value;
  }
  return expandTemplate(target.uriTemplate, values);
}

function runningWith(host: McpHost, has: (e: ServerEntry) => boolean): ServerEntry[] {
  return host.registry.servers.filter(e => e.connection.state.kind === 'running' && has(e));
}

async function pickServerFor(entries: ServerEntry[], what: string): Promise<ServerEntry | undefined> {
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(`No running MCP server offers ${what}.`);
    return undefined;
  }
  if (entries.length === 1) return entries[0];
  const picked = await vscode.window.showQuickPick(
    entries.map(e => ({ label: e.name, description: e.definition?.origin.label ?? '', entry: e })),
    { title: `Open an MCP resource`, placeHolder: `Which server's ${what}?` },
  );
  return picked?.entry;
}

/** A server, then one of its resources, paged: the list grows by a page when "Load more…" is chosen. */
async function pickResource(host: McpHost): Promise<ResourceArg | undefined> {
  const entry = await pickServerFor(runningWith(host, e => e.connection.state.kind === 'running' && !!e.connection.state.capabilities.resources), 'resources');
  if (!entry) return undefined;
  const resources: Resource[] = [];
  let cursor: string | undefined;
  let first = true;
  type Item = vscode.QuickPickItem & { resource?: Resource; more?: true };
  for (;;) {
    if (first || cursor !== undefined) {
      const page = await entry.connection.listResourcesPage(cursor);
      resources.push(...page.items);
      cursor = page.nextCursor && page.nextCursor !== cursor ? page.nextCursor : undefined;
      first = false;
    }
    const items: Item[] = resources.map(r => ({ label: r.title ?? r.name, description: r.uri, ...(r.description ? { detail: r.description } : {}), resource: r }));
    if (cursor !== undefined) items.push({ label: '$(fold-down) Load more…', description: `${resources.length} loaded`, more: true, alwaysShow: true });
    const picked = await vscode.window.showQuickPick(items, { title: `Resources of '${entry.name}'`, placeHolder: 'Open which resource?', matchOnDescription: true });
    if (!picked) return undefined;
    if (picked.resource) return resourceArg(entry.name, picked.resource);
  }
}

async function pickTemplate(host: McpHost): Promise<TemplateArg | undefined> {
  const entry = await pickServerFor(runningWith(host, e => e.connection.resourceTemplates.length > 0), 'resource templates');
  if (!entry) return undefined;
  const picked = await vscode.window.showQuickPick(
    entry.connection.resourceTemplates.map((t: ResourceTemplate) => ({ label: t.title ?? t.name, description: t.uriTemplate, ...(t.description ? { detail: t.description } : {}), template: t })),
    { title: `Resource templates of '${entry.name}'`, placeHolder: 'Open which template?' },
  );
  return picked ? { server: entry.name, uriTemplate: picked.template.uriTemplate } : undefined;
}
