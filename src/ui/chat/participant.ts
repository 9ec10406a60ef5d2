import * as vscode from 'vscode';
import { showToolResult } from '../../commands/runTool';
import type { DisposableStore } from '../../common/disposable';
import { safe } from '../../common/untrustedText';
import * as ui from '../window';
import { ChatCommands, ChatParticipants, Commands, MANAGE_TRUST_COMMAND } from '../../ids';
import { builtinCopiesNote, missingServers } from './chatNotices';
import { lateAnswerMessage } from './inlineConsent';
import type { ChatServices } from './chatServices';
import { answerTurn } from './toolLoop';
import { serversCommand, toolsCommand } from './serversCommand';
import { promptCommand } from './promptCommand';
import { resourceCommand } from './resourceCommand';
import { callCommand } from './callCommand';

export type CommandHandler = (services: ChatServices, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken) => Promise<vscode.ChatResult>;

const COMMANDS: Record<(typeof ChatCommands)[number], CommandHandler> = {
  servers: serversCommand,
  tools: toolsCommand,
  prompt: promptCommand,
  resource: resourceCommand,
  call: callCommand,
};

/** A free-form request: the tool-calling loop over the conversation so far. */
async function freeForm(services: ChatServices, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
  const missing = missingServers(services, stream);
  if (missing) return missing;
  return answerTurn(services, request, context, stream, token, { messages: [{ role: 'user', text: request.prompt }], selectionText: request.prompt });
}

/** `@mcp`: its slash commands, and the tool loop for everything else. */
export function registerChatParticipant(store: DisposableStore, services: ChatServices, extensionUri: vscode.Uri): vscode.ChatParticipant {
  const handler: vscode.ChatRequestHandler = async (request, context, responseStream, token) => {
    const { stream, finish } = services.transcripts.record(request, responseStream);
    let result: vscode.ChatResult | undefined;
    try {
      if (!vscode.workspace.isTrusted && request.command !== 'servers') {
        stream.markdown('MCP Host runs workspace servers and chat only in a trusted workspace. Trust this workspace to use its MCP servers here.');
        stream.button({ command: MANAGE_TRUST_COMMAND, title: 'Manage Workspace Trust' });
        return (result = { metadata: { missing: 'trust' } });
      }
      const command = ChatCommands.find(c => c === request.command);
      const run = command ? COMMANDS[command] : freeForm;
      const answered = await run(services, request, context, stream, token);
      // VS Code started its copies before this handler ran; the note goes under the answer.
      const note = token.isCancellationRequested ? undefined : services.builtinMcp.chatNote();
      if (note) builtinCopiesNote(stream, note);
      // Every response names its conversation, so the next request finds the apps this one opened.
      result = { ...answered, metadata: { ...answered.metadata, ...services.apps.metadata(request, context) } };
      return result;
    } finally {
      finish(result);
    }
  };
  const participant = vscode.chat.createChatParticipant(ChatParticipants.mcp, handler);
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mcp-host.svg');
  store.add(participant);
  store.add(vscode.commands.registerCommand(Commands.chatAnswerConsent, (id: unknown, answer: unknown) => {
    // A response's buttons stay clickable after the answer (VS Code cannot disable them): a late click says what happened.
    const late = services.consents.answer(id, answer);
    if (late) void ui.showInformationMessage(lateAnswerMessage(late));
    return late;
  }));
  store.add(vscode.commands.registerCommand(Commands.chatOpenResult, (id: unknown) => {
    const result = services.results.get(id);
    if (!result) {
      void ui.showInformationMessage(safe`This result is no longer kept (MCP Host keeps the latest 50 results of this window). The call is in the Tool Call History.`);
      return undefined;
    }
    return showToolResult(result);
  }));
  return participant;
}
