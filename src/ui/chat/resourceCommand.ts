import * as vscode from 'vscode';
import { inertLine, safe } from '../../common/untrustedText';
import type { Resource, ResourceTemplateType as ResourceTemplate } from '@modelcontextprotocol/client';
import { fillCompletedValues, serverCompleter } from '../../forms/formFlow';
import { formatBytes } from '../../mcp/resourceContent';
import type { ServerEntry } from '../../mcp/registry';
import { expandTemplate, templateVariables } from '../../mcp/resourceTemplate';
import { inline, line, name } from './chatText';
import type { ChatServices } from './chatServices';
import { splitFirstWord } from './commandLine';
import { turnMetadata, type TurnRecord } from './conversation';
import { budgetText } from './modelContent';
import { missingServers } from './chatNotices';
import { answerTurn } from './toolLoop';

type Target = { readonly kind: 'resource'; readonly entry: ServerEntry; readonly uri: string; readonly resource?: Resource } | { readonly kind: 'template'; readonly entry: ServerEntry; readonly template: ResourceTemplate };

const withResources = (services: ChatServices) => services.host.registry.servers.filter(e => e.connection.state.kind === 'running' && e.connection.state.capabilities.resources);

/** Every listed resource and template of running servers. */
async function catalog(services: ChatServices): Promise<{ resources: Array<{ entry: ServerEntry; resource: Resource }>; templates: Array<{ entry: ServerEntry; template: ResourceTemplate }> }> {
  const servers = withResources(services);
  const lists = await Promise.all(servers.map(async entry => ({ entry, resources: await entry.connection.listAllResources().catch(() => [] as Resource[]) })));
  return {
    resources: lists.flatMap(l => l.resources.map(resource => ({ entry: l.entry, resource }))),
    templates: servers.flatMap(entry => entry.connection.resourceTemplates.map(template => ({ entry, template }))),
  };
}

/**
 * What `text` names: a listed resource (by URI, name or title), a template (by its URI template or name),
 * or a URI no server lists, read on the server whose templates it fits (or the only server with resources).
 */
async function findTarget(services: ChatServices, text: string): Promise<Target | { error: string }> {
  const { resources, templates } = await catalog(services);
  const byUri = resources.filter(r => r.resource.uri === text);
  if (byUri.length === 1) return { kind: 'resource', entry: byUri[0]!.entry, uri: text, resource: byUri[0]!.resource };
  const lower = text.toLowerCase();
  const byName = resources.filter(r => r.resource.name.toLowerCase() === lower || r.resource.title?.toLowerCase() === lower);
  const tByName = templates.filter(t => t.template.uriTemplate === text || t.template.name.toLowerCase() === lower || t.template.title?.toLowerCase() === lower);
  const named = [...byUri.map(r => ({ ...r, kind: 'resource' as const })), ...byName.map(r => ({ ...r, kind: 'resource' as const })), ...tByName.map(t => ({ ...t, kind: 'template' as const }))];
  if (named.length === 1) {
    const only = named[0]!;
    return only.kind === 'resource' ? { kind: 'resource', entry: only.entry, uri: only.resource.uri, resource: only.resource } : { kind: 'template', entry: only.entry, template: only.template };
  }
  if (named.length > 1) {
    return { error: `${name(text)} names more than one resource: ${named.map(n => `${name(n.entry.name)} ${n.kind === 'resource' ? inline(n.resource.uri) : inline(n.template.uriTemplate)}`).join('; ')}. Use its URI.` };
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return { error: `No resource or template is named ${name(text)}. Type \`/resource\` with no name to pick one.` };
  const fitting = templates.filter(t => text.startsWith(t.template.uriTemplate.split('{')[0]!) && t.template.uriTemplate.includes('{'));
  const servers = [...new Set((fitting.length ? fitting : withResources(services).map(entry => ({ entry }))).map(f => f.entry))];
  if (servers.length === 1) return { kind: 'resource', entry: servers[0]!, uri: text };
  return { error: `More than one server could serve ${name(text)}; use a URI or name one of them lists.` };
}

async function pickTarget(services: ChatServices): Promise<Target | undefined> {
  const { resources, templates } = await catalog(services);
  const servers = [...new Set([...resources.map(r => r.entry), ...templates.map(t => t.entry)])];
  return services.dialogs().pickItem<Target>({
    title: safe`MCP Host: Add a Resource to the Chat`,
    placeholder: safe`Which resource?`,
    groups: servers.map(entry => ({
      label: inertLine(entry.name),
      items: [
        ...resources.filter(r => r.entry === entry).map(r => ({ label: inertLine(r.resource.title ?? r.resource.name), description: inertLine(r.resource.uri), value: { kind: 'resource' as const, entry, uri: r.resource.uri, resource: r.resource } })),
        ...templates.filter(t => t.entry === entry).map(t => ({ label: inertLine(t.template.title ?? t.template.name), description: inertLine(t.template.uriTemplate), value: { kind: 'template' as const, entry, template: t.template } })),
      ],
    })),
  });
}

/**
 * `/resource <uri | name | template> [question]`: reads a resource into the conversation as context, shown
 * as a reference the user can open. A template's variables are asked for with the server's completions.
 * With a question after it, the model answers it with the resource in view; otherwise the resource stays
 * in the conversation for the next requests.
 */
export async function resourceCommand(services: ChatServices, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
  const missing = missingServers(services, stream);
  if (missing) return missing;
  const { first, rest } = splitFirstWord(request.prompt);
  const found = first ? await findTarget(services, first) : await pickTarget(services);
  if (!found) {
    stream.markdown('No resource was picked.');
    return { metadata: { failed: 'dismissed' } };
  }
  if ('error' in found) {
    stream.markdown(found.error);
    return { metadata: { failed: 'target' } };
  }
  const { entry } = found;
  const connection = entry.connection;
  const mask = (s: string) => connection.mask(s);
  let uri: string;
  if (found.kind === 'template') {
    const fields = templateVariables(found.template.uriTemplate).map(v => ({ name: v, label: `{${v}}`, prompt: 'a value for this part of the resource URI', required: true }));
    const values = await fillCompletedValues(services.dialogs(), `${found.template.uriTemplate} on '${entry.name}'`, fields, serverCompleter(connection, { type: 'ref/resource', uri: found.template.uriTemplate }));
    if (!values) {
      stream.markdown(`The template ${name(found.template.uriTemplate)} needs a value for each variable; nothing was read.`);
      return { metadata: { failed: 'dismissed' } };
    }
    uri = expandTemplate(found.template.uriTemplate, values);
  } else {
    uri = found.uri;
  }

  stream.progress(`Reading ${line(uri)} from ${line(entry.name)}…`);
  let result;
  try {
    result = await services.resources.fileSystem.read(entry.name, uri);
  } catch (err) {
    stream.markdown(`Could not read ${name(uri)} from ${name(entry.name)}: ${inline(mask(err instanceof Error ? err.message : String(err)))}`);
    return { metadata: { failed: 'read' } };
  }
  const resource = found.kind === 'resource' ? found.resource : undefined;
  const { uri: document } = services.resources.fileSystem.view({ server: entry.name, uri, ...(resource?.name ? { name: resource.name } : {}), ...(resource?.mimeType ? { mimeType: resource.mimeType } : {}) }, result);
  stream.reference(document);
  const texts = result.contents.map(c => ('text' in c && typeof c.text === 'string' ? mask(c.text) : `[binary ${c.mimeType ?? 'content'}, ${formatBytes(Buffer.from(String((c as { blob?: string }).blob ?? ''), 'base64').length)}]`));
  const { text, cut } = budgetText(texts.join('\n\n'), services.settings().maxToolOutput);
  const contextMessage = { role: 'user' as const, text: `Resource ${mask(uri)} from the MCP server ${entry.name}:\n${text}` };
  stream.markdown(`Added ${name(resource?.title ?? resource?.name ?? uri)} from ${name(entry.name)} to the conversation (${text.length.toLocaleString('en-US')} characters${cut ? `; ${cut.toLocaleString('en-US')} more were left out by \`mcpHost.chat.maxToolOutput\`` : ''}).`);
  stream.button({ command: 'vscode.open', title: 'Open Resource', arguments: [document] });

  if (!rest) {
    const record: TurnRecord = { v: 1, messages: [contextMessage, { role: 'assistant', text: 'I have read the resource and will use it to answer.' }], rounds: [], answer: '' };
    stream.markdown(' Ask about it in your next message.');
    return { metadata: turnMetadata(record) };
  }
  stream.markdown('\n\n');
  return answerTurn(services, request, context, stream, token, { messages: [contextMessage, { role: 'user', text: rest }], selectionText: rest });
}
