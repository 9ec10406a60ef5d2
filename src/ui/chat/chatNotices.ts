import * as vscode from 'vscode';
import { canBeStarted } from '../../mcp/connectionState';
import { Commands, ViewContainers } from '../../ids';
import { buttonTitle, name } from './chatText';
import type { ChatServices } from './chatServices';

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
