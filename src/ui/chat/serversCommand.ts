import * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import { commandLink, inertLine, safe } from '../../common/untrustedText';
import * as ui from '../window';
import { commandLinksMarkdown } from '../markdown';
import { Commands, ViewContainers } from '../../ids';
import { entryActions, oneLine, plural, serverDescription, toolLabel, type ServerAction } from '../tree/treeText';
import { buttonTitle, inline, name } from './chatText';
import type { ChatServices, ChatToolsDialog } from './chatServices';
import { resolveTarget, splitFirstWord } from './commandLine';

const MAX_SERVER_LINKS = 50;
const MAX_SERVER_BUTTONS = 10;
const MAX_TOOLS_LISTED = 30;

/** The commands /servers' links may run: MCP Host's own, on one server named in their arguments. */
export const SERVER_LINK_COMMANDS: readonly string[] = [Commands.signIn, Commands.startServer, Commands.restartServer, Commands.showLog];

/**
 * `/servers`: a line per server (its state, where it is defined, why it failed) with its actions as links at the end
 * of the line: a sign in, start or restart, and its log. (A button per action stacked 8 full-width buttons for 4
 * servers, and VS Code shows each button on a line of its own.) The markdown is trusted with exactly those
 * commands; every server or config string in it is escaped, so no link but ours can form.
 */
export async function serversCommand(services: ChatServices, _request: vscode.ChatRequest, _context: vscode.ChatContext, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
  const servers = services.host.registry.servers;
  if (servers.length === 0) {
    stream.markdown('No MCP server is configured for this workspace.');
    stream.button({ command: Commands.addServer, title: 'Add Server…' });
    stream.button({ command: Commands.importServers, title: 'Import MCP Servers…' });
    return { metadata: { servers: 0 } };
  }
  const running = servers.filter(s => s.connection.state.kind === 'running').length;
  const lines = servers.map((s, i) => {
    const state = s.connection.state;
    const about = `- ${name(s.name)} — ${inline(serverDescription(s))} · ${inline(s.definition?.origin.label ?? 'invalid entry')}`;
    const links = i < MAX_SERVER_LINKS ? serverLinks(s.name, entryActions(s)) : [];
    // The state says only "error": why, as the tree's first line under the server says it.
    const why = state.kind === 'error' ? [`  ${inline(oneLine(s.connection.mask(state.message), 300))}`] : [];
    return [`${about}${links.length ? ` — ${links.join(' · ')}` : ''}`, ...why].join('  \n');
  });
  stream.markdown(commandLinksMarkdown(`${running} of ${plural(servers.length, 'MCP server')} running.\n\n${lines.join('\n')}\n\n`, SERVER_LINK_COMMANDS));
  stream.button({ command: `workbench.view.extension.${ViewContainers.main}`, title: 'Open MCP Host' });
  return { metadata: { servers: servers.length, running } };
}

/** A server's actions in /servers, those the tree and status bar offer for its state: the one that gets it running (sign in, start or restart), then its log once it was launched. */
function serverLinks(server: string, actions: readonly ServerAction[]): string[] {
  const first = actions.includes('signIn')
    ? commandLink('Sign In', Commands.signIn, [server])
    : actions.includes('start')
      ? commandLink('Start', Commands.startServer, [server])
      : actions.includes('restart')
        ? commandLink('Restart', Commands.restartServer, [server])
        : undefined;
  return [...(first ? [first] : []), ...(actions.includes('showLog') ? [commandLink('Show Log', Commands.showLog, [server])] : [])];
}

/**
 * `/tools`: the tools of running servers by server, and which of them chat offers. `/tools off <server>`,
 * `/tools on <server>.<tool>` and the buttons turn servers or tools off or on for chat in this workspace.
 */
export async function toolsCommand(services: ChatServices, request: vscode.ChatRequest, _context: vscode.ChatContext, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
  const { filter, host } = services;
  const { first: verb, rest: target } = splitFirstWord(request.prompt);
  if (verb === 'on' || verb === 'off') {
    const enabled = verb === 'on';
    const servers = host.registry.servers.map(s => s.name);
    if (servers.includes(target)) {
      await filter.setServer(target, enabled);
      stream.markdown(`Chat ${enabled ? 'offers' : 'no longer offers'} the tools of ${name(target)} in this workspace.`);
      return { metadata: { changed: { server: target, enabled } } };
    }
    const tools = host.registry.servers.flatMap(s => s.connection.tools.map(t => ({ server: s.name, name: t.name })));
    const hit = resolveTarget(target, tools);
    if ('found' in hit) {
      await filter.setTool(hit.found.server, hit.found.name, enabled);
      stream.markdown(`Chat ${enabled ? 'offers' : 'no longer offers'} ${name(hit.found.name)} of ${name(hit.found.server)} in this workspace.`);
      return { metadata: { changed: { server: hit.found.server, tool: hit.found.name, enabled } } };
    }
    const why = 'ambiguous' in hit ? `${name(target)} is a tool of several servers: ${hit.ambiguous.map(t => name(t.server)).join(', ')}. Write it as server.tool.` : `No server or tool is named ${name(target)}.`;
    stream.markdown(`${why} Use \`/tools ${verb} <server>\` or \`/tools ${verb} <server>.<tool>\`.`);
    return { metadata: { changed: undefined } };
  }

  const running = host.registry.servers.filter(s => s.connection.state.kind === 'running');
  if (running.length === 0) {
    stream.markdown('No MCP server is running, so there are no tools to offer. See `/servers`.');
    return { metadata: { tools: 0 } };
  }
  const offered = new Set(filter.enabled(host.registry.catalog()).map(t => `${t.server}\u0000${t.tool.name}`));
  const lines: string[] = [];
  for (const s of running) {
    const serverOn = filter.isServerEnabled(s.name);
    const disabled = new Set(s.definition?.disabledTools ?? []);
    const tools = s.connection.tools;
    const listed = tools.slice(0, MAX_TOOLS_LISTED).map(t => {
      const state = disabled.has(t.name) ? ' _(disabled in config)_' : offered.has(`${s.name}\u0000${t.name}`) ? '' : ' _(off for chat)_';
      const label = toolLabel(t) !== t.name ? ` — ${inline(toolLabel(t))}` : '';
      return `  - ${inline(t.name)}${label}${state}`;
    });
    if (tools.length > MAX_TOOLS_LISTED) listed.push(`  - … and ${tools.length - MAX_TOOLS_LISTED} more`);
    lines.push(`- ${name(s.name)}: ${plural(tools.length, 'tool')}${serverOn ? '' : ' — **off for chat**'}`, ...listed);
  }
  stream.markdown(`Chat offers ${plural(offered.size, 'tool')} to the model (at most ${services.settings().maxTools} per request; the most relevant when there are more).\n\n${lines.join('\n')}\n\n`);
  for (const s of running.slice(0, MAX_SERVER_BUTTONS)) {
    const on = filter.isServerEnabled(s.name);
    stream.button({ command: Commands.chatSetEnabled, title: on ? `Turn Off ${buttonTitle(s.name)}` : `Turn On ${buttonTitle(s.name)}`, arguments: [{ server: s.name, enabled: !on }] });
  }
  stream.button({ command: Commands.chatChooseTools, title: 'Choose Tools…' });
  return { metadata: { tools: offered.size } };
}

/** The commands behind /tools' buttons. */
export function registerChatToolCommands(store: DisposableStore, services: ChatServices): void {
  store.add(
    vscode.commands.registerCommand(Commands.chatSetEnabled, async (arg: { server?: unknown; tool?: unknown; enabled?: unknown } | undefined) => {
      if (typeof arg?.server !== 'string' || typeof arg.enabled !== 'boolean') return;
      if (typeof arg.tool === 'string') await services.filter.setTool(arg.server, arg.tool, arg.enabled);
      else await services.filter.setServer(arg.server, arg.enabled);
      const verb = arg.enabled ? safe`offers` : safe`no longer offers`;
      void ui.showInformationMessage(typeof arg.tool === 'string' ? safe`Chat ${verb} '${arg.tool}' of '${arg.server}' in this workspace.` : safe`Chat ${verb} the tools of '${arg.server}' in this workspace.`);
    }),
  );
  store.add(
    vscode.commands.registerCommand(Commands.chatChooseTools, async () => {
      const running = services.host.registry.servers.filter(s => s.connection.state.kind === 'running');
      const servers = running.map(s => {
        const disabled = new Set(s.definition?.disabledTools ?? []);
        return {
          server: s.name,
          tools: s.connection.tools.filter(t => !disabled.has(t.name)).map(t => ({ name: t.name, label: toolLabel(t), enabled: services.filter.isToolEnabled(s.name, t.name) })),
        };
      });
      if (servers.length === 0) {
        void ui.showInformationMessage(safe`No MCP server is running.`);
        return undefined;
      }
      const chosen = await services.dialogs().chooseChatTools(servers);
      if (!chosen) return undefined;
      const on = new Set(chosen.map(([server, tool]) => JSON.stringify([server, tool])));
      const offTools = servers.flatMap(s => s.tools.filter(t => !on.has(JSON.stringify([s.server, t.name]))).map(t => [s.server, t.name] as const));
      await services.filter.set({ servers: [], tools: offTools });
      return chosen.length;
    }),
  );
}

export const chatToolsDialog: ChatToolsDialog = { chooseChatTools };

/** The multi-select list behind "Choose Tools…": tools grouped by server, checked when chat offers them. */
async function chooseChatTools(servers: Parameters<ChatToolsDialog['chooseChatTools']>[0]): Promise<ReadonlyArray<readonly [string, string]> | undefined> {
  type Item = ui.SafePickItem & { tool?: readonly [string, string] };
  const items: Item[] = [];
  for (const s of servers) {
    items.push({ label: inertLine(s.server), kind: vscode.QuickPickItemKind.Separator });
    for (const t of s.tools) items.push({ label: inertLine(t.name), ...(t.label !== t.name ? { description: inertLine(t.label) } : {}), picked: t.enabled, tool: [s.server, t.name] as const });
  }
  const picked = await ui.showQuickPick(items, { title: safe`Tools Chat Offers to the Model`, placeHolder: safe`Checked tools are offered to the model in @mcp requests in this workspace`, canPickMany: true, ignoreFocusOut: true, matchOnDescription: true });
  return picked?.flatMap(i => (i.tool ? [i.tool] : []));
}
