import * as vscode from 'vscode';
import { canBeStarted } from '../../mcp/connectionState';
import { Commands, ViewContainers } from '../../ids';
import { buttonTitle, name } from './chatText';
import type { ChatServices } from './chatServices';
import type { BuiltinCopiesNote } from '../../workspace/builtinMcp';

/** Says what keeps chat from using MCP servers, with the button that fixes it; undefined when nothing does. */
export function missingServers(services: ChatServices, stream: vscode.ChatResponseStream): vscode.ChatResult | undefined {
  const servers = services.host.registry.servers;
  if (servers.some(s => s.connection.state.kind === 'running')) return undefined;
  if (servers.length === 0) {
    stream.markdown('No MCP server is configured for this workspace, so there are no tools, prompts or resources to use. Add one, or import the servers you use in other tools.');
    stream.button({ command: Commands.addServer, title: 'Add Server…' });
    stream.button({ command: Commands.importServers, title: 'Import MCP Servers…' });
    return { metadata: { missing: 'servers' } };
  }
  const startable = servers.filter(s => canBeStarted(s.connection.state));
  stream.markdown(`No MCP server is running. ${servers.map(s => `${name(s.name)}: ${s.connection.state.kind}`).join(', ')}.`);
  for (const s of startable.slice(0, 5)) stream.button({ command: Commands.startServer, title: `Start ${buttonTitle(s.name)}`, arguments: [s.name] });
  stream.button({ command: `workbench.view.extension.${ViewContainers.main}`, title: 'Open MCP Host' });
  return { metadata: { missing: 'running' } };
}

/** Says why the model could not answer, with the button that fixes it. */
export function modelFailed(stream: vscode.ChatResponseStream, model: vscode.LanguageModelChat, err: unknown): vscode.ChatResult {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof vscode.LanguageModelError ? err.code : '';
  stream.markdown(`\n\nThe model ${name(model.name)} could not answer: ${name(message)}${code ? ` (${code})` : ''}. Pick another model in the chat input, or try again.`);
  stream.button({ command: 'workbench.action.chat.openModelPicker', title: 'Pick a Model' });
  return { errorDetails: { message: `The model could not answer: ${message}` }, metadata: { failed: 'model' } };
}

/** Names in a sentence: 'a', 'b' and 'c' (each escaped). */
function names(list: readonly string[]): string {
  const shown = list.map(name);
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown.join('');
}

/**
 * VS Code's own MCP support started copies of this workspace's servers when this message was sent (it does so
 * before any participant answers, `chat.mcp.autostart`): said where the user is looking, with the choice.
 */
export function builtinCopiesNote(stream: vscode.ChatResponseStream, note: BuiltinCopiesNote): void {
  const one = note.copies.length === 1;
  const notHere = note.notRunHere.length === 0 ? '' : ` It starts ${names(note.notRunHere)} too, which MCP Host is not running now.`;
  stream.markdown(
    `\n\n---\n\nVS Code's own MCP support started its own ${one ? 'copy' : 'copies'} of ${names(note.copies)} when this message was sent ` +
      `(it starts the servers of .vscode/mcp.json and .mcp.json for every chat message, \`chat.mcp.autostart\`). ` +
      `${one ? 'That copy runs' : 'Those copies run'} outside MCP Host: without its trust question or its consent for tool calls, and ${one ? 'its' : 'their'} tools go to VS Code's other chat modes.${notHere} ` +
      'Turn VS Code\'s own MCP support off for this workspace? MCP Host keeps running your servers.',
  );
  stream.button({ command: Commands.answerBuiltinMcp, title: "Turn Off VS Code's MCP Here", arguments: ['turnOff'] });
  stream.button({ command: Commands.answerBuiltinMcp, title: 'Keep Both', arguments: ['keep'] });
}
