import * as vscode from 'vscode';
import type { Resource } from '@modelcontextprotocol/client';
import { DisposableStore } from '../../common/disposable';
import { safe } from '../../common/untrustedText';
import { expandTemplate, templateVariables } from '../../mcp/resourceTemplate';
import { formatBytes, parseResourcePath, RESOURCE_SCHEME } from '../../mcp/resourceContent';
import { Commands } from '../../ids';
import { fillCompletedValues, serverCompleter, type FormDialog } from '../../forms/formFlow';
import type { ReadResourceOutcome } from '../../commands/readResource';
import type { McpHost } from '../../workspace/mcpHost';
import { ResourceNode, TemplateNode } from '../tree/nodes';
import * as ui from '../window';
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
 * `mcpHost.openResource` ({ server, uri } or a tree node), `mcpHost.openResourceTemplate` ({ server,
 * uriTemplate } or a tree node) and `mcpHost.saveResource`. Without a target, the first two are
 * "Read Resource…", which picks one and comes back here.
 */
export function registerResourceDocuments(store: DisposableStore, host: McpHost, dialog: () => FormDialog): ResourceDocuments {
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
      void ui
        .showInformationMessage(safe`${masked(arg.server, arg.uri)} is binary (${view.binary.mimeType}, ${formatBytes(view.binary.bytes.length)}); it is summarised, not shown.`, save)
        .then(answer => answer === save && vscode.commands.executeCommand(Commands.saveResource, uri));
    }
    return uri;
  };

  /** A server's error (or text), with that server's secrets masked. */
  const masked = (server: string | undefined, err: unknown) => {
    const connection = server === undefined ? undefined : host.registry.get(server)?.connection;
    return connection ? connection.mask(message(err)) : message(err);
  };

  store.add(
    vscode.commands.registerCommand(Commands.openResource, async (arg?: ResourceArg | ResourceNode) => {
      const target = arg instanceof ResourceNode ? resourceArg(arg.server.name, arg.resource) : arg?.server && arg.uri ? arg : undefined;
      if (!target) return readResource();
      try {
        return await open(target);
      } catch (err) {
        void ui.showErrorMessage(safe`Could not read ${masked(target.server, target.uri)} from '${target.server}': ${masked(target.server, err)}`);
        return undefined;
      }
    }),
  );

  store.add(
    vscode.commands.registerCommand(Commands.openResourceTemplate, async (arg?: TemplateArg | TemplateNode) => {
      const target = arg instanceof TemplateNode ? { server: arg.server.name, uriTemplate: arg.template.uriTemplate } : arg?.server && arg.uriTemplate ? arg : undefined;
      if (!target) return readResource();
      const uri = await fillTemplate(host, dialog(), target);
      if (uri === undefined) return undefined;
      const template = host.registry.get(target.server)?.connection.resourceTemplates.find(t => t.uriTemplate === target.uriTemplate);
      try {
        return await open({ server: target.server, uri, ...(template?.name ? { name: template.name } : {}), ...(template?.mimeType ? { mimeType: template.mimeType } : {}) });
      } catch (err) {
        void ui.showErrorMessage(safe`Could not read ${masked(target.server, uri)} from '${target.server}': ${masked(target.server, err)}`);
        return undefined;
      }
    }),
  );

  store.add(
    vscode.commands.registerCommand(Commands.saveResource, async (docUri?: vscode.Uri, target?: vscode.Uri) => {
      const uri = docUri instanceof vscode.Uri ? docUri : activeResourceUri();
      if (!uri || uri.scheme !== RESOURCE_SCHEME) {
        void ui.showInformationMessage(safe`Open an MCP resource first: this saves the resource shown in the editor.`);
        return undefined;
      }
      const content = await fileSystem.contentBytes(uri).catch(err => {
        void ui.showErrorMessage(safe`Could not read the resource: ${masked(parseResourcePath(uri.path, uri.query)?.server, err)}`);
        return undefined;
      });
      if (!content) {
        if (parseResourcePath(uri.path, uri.query)) void ui.showInformationMessage(safe`This resource has several parts: open one part (the links in this document) and save that.`);
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

/** "Read Resource…" picks the server and the resource (or template), then opens it through the commands above. */
async function readResource(): Promise<vscode.Uri | undefined> {
  const outcome = await vscode.commands.executeCommand<ReadResourceOutcome>(Commands.readResource);
  return outcome.kind === 'opened' || outcome.kind === 'template' ? outcome.document : undefined;
}

/** Asks for each variable of a template, with the server's completions, and expands it; undefined if dismissed. */
async function fillTemplate(host: McpHost, dialog: FormDialog, target: TemplateArg): Promise<string | undefined> {
  const connection = host.registry.get(target.server)?.connection;
  if (!connection) throw new Error(`No MCP server named '${target.server}'.`);
  const fields = templateVariables(target.uriTemplate).map(variable => ({ name: variable, label: `{${variable}}`, prompt: 'a value for this part of the resource URI', required: true }));
  const values = await fillCompletedValues(dialog, `${target.uriTemplate} on '${target.server}'`, fields, serverCompleter(connection, { type: 'ref/resource', uri: target.uriTemplate }));
  return values && expandTemplate(target.uriTemplate, values);
}
