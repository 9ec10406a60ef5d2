import * as vscode from 'vscode';
import type { CatalogTool } from '../../mcp/catalog';
import type { GatedCallResult, ToolCallConfirmer } from '../../consent/types';
import { runCancellable } from '../../common/abortPool';
import { forModel } from '../../common/untrustedText';
import { Commands } from '../../ids';
import { toolResultView, type ToolResultView } from '../results/resultHtml';
import type { AppRun } from '../apps/appPanels';
import { hasApp, plural, toolLabel } from '../tree/treeText';
import { acceptsImages, acceptsTools } from '../../workspace/languageModels';
import { buttonTitle, callLine, contentMarkdown, inline, leftOutList, name } from './chatText';
import { chatCallProgress } from './chatProgress';
import { confirmerFor, MODEL_TOOL_LIMIT, type ChatServices } from './chatServices';
import { historyMessages, turnMetadata, type RoundRecord, type TurnRecord } from './conversation';
import { modelFailed } from './chatNotices';
import { chatBudget, modelToolDescription, modelToolSchema, toolResultForModel, type ModelCut, type ModelPart } from './modelContent';
import { selectTools, type ToolSelection } from './toolSelection';

/** A model request that may call tools, answered into a chat response. */
export interface LoopRequest {
  readonly model: vscode.LanguageModelChat;
  /** The conversation so far (history included). */
  readonly history: readonly vscode.LanguageModelChatMessage[];
  /** This turn's messages: the user's request, or a prompt's messages. */
  readonly messages: TurnRecord['messages'];
  /** Extra parts for this turn's last user message (a prompt's images), not recorded for later turns. */
  readonly extraParts?: readonly vscode.LanguageModelDataPart[];
  /** The text tools are chosen by when there are more than the model accepts. */
  readonly selectionText: string;
  readonly stream: vscode.ChatResponseStream;
  readonly token: vscode.CancellationToken;
  /** The conversation (ChatApps) the tools' apps report back to. */
  readonly conversation: string;
}

const MAX_LEFT_OUT_LISTED = 20;

/** A tool as the model sees it: its qualified name, its server in the description, its input schema. */
function modelTool(t: CatalogTool, mask: (s: string) => string): vscode.LanguageModelChatTool {
  return {
    name: t.qualifiedName,
    description: modelToolDescription(t.server, mask(t.tool.description ?? t.tool.title ?? t.tool.name)),
    inputSchema: modelToolSchema(t.tool.inputSchema as object),
  };
}

/** Says which tools were not offered and how to get them offered. */
function reportLeftOut(stream: vscode.ChatResponseStream, selection: ToolSelection, limit: number, reason: 'limit' | 'noTools'): void {
  const left = selection.leftOut;
  const listed = leftOutList(left.map(t => ({ server: t.server, tool: t.tool.name })), MAX_LEFT_OUT_LISTED);
  const why =
    reason === 'noTools'
      ? `This model does not call tools, so none of the ${plural(left.length, 'tool')} of your MCP servers was offered.`
      : `Your MCP servers have ${selection.offered.length + left.length} tools and this request can offer at most ${limit}, so the ${selection.offered.length} most relevant to your request were offered and ${left.length === 1 ? '1 tool was' : `${left.length} tools were`} left out:`;
  const how = reason === 'noTools' ? 'Pick a model that supports tools.' : 'To include a tool, name it in your request, or turn off servers and tools you do not need with `/tools`.';
  stream.markdown(`> ${why}${reason === 'limit' ? `\n> ${listed}` : ''}\n>\n> ${how}\n\n`);
}

/** The user's view of one call: its outcome, images and resource links, and the full result a click away. */
function reportCall(stream: vscode.ChatResponseStream, view: ToolResultView, resultId: string, cut: ModelCut | undefined): void {
  stream.markdown(callLine(view, cut));
  for (const c of view.content) {
    const shown = contentMarkdown(view.label, c);
    if (shown) stream.markdown(shown);
    if (c.kind === 'link') {
      stream.button({ command: Commands.openResource, title: `Open ${buttonTitle(c.name, 40) || 'resource'}`, arguments: [{ server: view.server, uri: c.uri, name: c.name, ...(c.mimeType ? { mimeType: c.mimeType } : {}) }] });
    }
  }
  stream.button({ command: Commands.chatOpenResult, title: 'Open Result', arguments: [resultId] });
}

/** Where the call's app is, or why it is not shown. */
export function reportApp(stream: vscode.ChatResponseStream, app: Awaited<ReturnType<AppRun['finish']>>): void {
  stream.markdown('failed' in app ? `_Its app could not be shown: ${inline(app.failed)}_\n\n` : '_Its app is open beside the chat._\n\n');
}

function toLmParts(parts: readonly ModelPart[]): Array<vscode.LanguageModelTextPart | vscode.LanguageModelDataPart> {
  return parts.map(p => (p.kind === 'text' ? new vscode.LanguageModelTextPart(p.text) : vscode.LanguageModelDataPart.image(Buffer.from(p.data, 'base64'), p.mimeType)));
}

/** Calls one tool the model asked for, through the gate; the result for the model, and the user's view. */
async function callTool(services: ChatServices, offered: Map<string, CatalogTool>, call: vscode.LanguageModelToolCallPart, request: LoopRequest, confirm: ToolCallConfirmer | undefined, images: boolean): Promise<{ parts: ModelPart[]; text: string }> {
  const target = offered.get(call.name);
  if (!target) {
    const text = `Error: there is no tool named '${call.name}' in this request. Use one of the tools offered.`;
    return { parts: [{ kind: 'text', text }], text };
  }
  const { host } = services;
  const connection = host.registry.get(target.server)?.connection;
  const mask = connection ? (s: string) => connection.mask(s) : (s: string) => s;
  const label = toolLabel(target.tool);
  const args = (call.input ?? {}) as Record<string, unknown>;
  // A tool with an app: the app opens beside the chat once the call is allowed, and gets its end.
  let app: AppRun | undefined;
  const onStart = hasApp(target.tool) ? () => void (app = services.apps.begin(request.conversation, { server: target.server, tool: target.tool, args })) : undefined;
  // Stopping the response cancels the call: a pooled signal per call, as from the palette (abortPool.ts).
  const result: GatedCallResult = await runCancellable(request.token, signal =>
    host.gate.call({
      server: target.server,
      tool: target.tool.name,
      args,
      origin: 'chat',
      signal,
      ...(confirm ? { confirm } : {}),
      ...chatCallProgress(request.stream, label, target.server, mask),
      ...(onStart ? { onStart } : {}),
    }),
  );
  const shown = app ? await (app as AppRun).finish(result) : undefined;
  // Built within the model's budget, never from the whole result: the full one opens from the response.
  const maxChars = services.settings().maxToolOutput;
  const view = toolResultView(result, { server: target.server, tool: target.tool.name, title: label }, args, mask, { budget: chatBudget(maxChars) });
  const content = toolResultForModel(view, { images, maxChars });
  const id = services.results.add({ server: target.server, tool: target.tool.name, result, args, title: label });
  reportCall(request.stream, view, id, content.cut);
  if (shown) reportApp(request.stream, shown);
  const text = content.parts.flatMap(p => (p.kind === 'text' ? [p.text] : [])).join('\n');
  return { parts: [...content.parts], text };
}

/**
 * The tool-calling loop: the tools of running servers (those chat may use) go to the user's model; each
 * call it makes goes through the consent gate (origin "chat"), its result back to the model, until the
 * model answers without calling a tool, the round limit is reached, or the user stops the response (which
 * cancels the model request and the call in flight: the server gets `notifications/cancelled`).
 */
export async function runToolLoop(services: ChatServices, request: LoopRequest): Promise<TurnRecord> {
  const { model, stream, token } = request;
  const settings = services.settings();
  const catalog = services.filter.enabled(services.host.registry.catalog());
  const toolsAccepted = acceptsTools(model);
  const limit = Math.min(MODEL_TOOL_LIMIT, settings.maxTools);
  const selection: ToolSelection = toolsAccepted ? selectTools(catalog, request.selectionText, limit) : { offered: [], leftOut: catalog };
  if (selection.leftOut.length) reportLeftOut(stream, selection, limit, toolsAccepted ? 'limit' : 'noTools');
  const offered = new Map(selection.offered.map(t => [t.qualifiedName, t]));
  const tools = selection.offered.map(t => {
    const connection = services.host.registry.get(t.server)?.connection;
    return modelTool(t, s => (connection ? connection.mask(s) : s));
  });
  const images = acceptsImages(model);
  const confirm = confirmerFor(services, stream, token);

  const messages = [...request.history];
  request.messages.forEach((m, i) => {
    const last = i === request.messages.length - 1;
    const parts = last && request.extraParts?.length ? [new vscode.LanguageModelTextPart(m.text), ...request.extraParts] : m.text;
    messages.push(m.role === 'user' ? vscode.LanguageModelChatMessage.User(parts) : vscode.LanguageModelChatMessage.Assistant(m.text));
  });
  const rounds: RoundRecord[] = [];
  let answer = '';
  for (let round = 1; !token.isCancellationRequested; round++) {
    const response = await model.sendRequest(messages, { justification: 'MCP Host sends your request, and the tools of your MCP servers, to this model.', ...(tools.length ? { tools } : {}) }, token);
    let text = '';
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) {
        text += part.value;
        stream.markdown(part.value);
      } else if (part instanceof vscode.LanguageModelToolCallPart) {
        calls.push(part);
      }
    }
    if (calls.length === 0) {
      answer = text;
      break;
    }
    if (round > settings.maxRounds) {
      stream.markdown(`\n\n> Stopped after ${plural(settings.maxRounds, 'round')} of tool calls (the \`mcpHost.chat.maxRounds\` setting): the model kept asking for more. Ask again to continue.\n`);
      answer = text;
      break;
    }
    messages.push(vscode.LanguageModelChatMessage.Assistant([...(text ? [new vscode.LanguageModelTextPart(text)] : []), ...calls]));
    const results: vscode.LanguageModelToolResultPart[] = [];
    const recorded: Array<{ callId: string; text: string }> = [];
    for (const call of calls) {
      const { parts, text: resultText } = token.isCancellationRequested
        ? { parts: [{ kind: 'text' as const, text: 'Error: The user stopped the response before this tool ran.' }], text: 'Error: The user stopped the response before this tool ran.' }
        : await callTool(services, offered, call, request, confirm, images);
      results.push(new vscode.LanguageModelToolResultPart(call.callId, toLmParts(parts)));
      recorded.push({ callId: call.callId, text: resultText });
    }
    messages.push(vscode.LanguageModelChatMessage.User(results));
    rounds.push({ text, calls: calls.map(c => ({ callId: c.callId, name: c.name, input: c.input })), results: recorded });
  }
  return { v: 1, messages: request.messages, rounds, answer };
}

/**
 * Answers this turn with the model (tools offered) over the conversation so far, recording the turn in the
 * result's metadata for later turns; a model failure is explained in the response, not thrown.
 */
export async function answerTurn(
  services: ChatServices,
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
  turn: Pick<LoopRequest, 'messages' | 'selectionText' | 'extraParts'>,
  metadata: Record<string, unknown> = {},
): Promise<vscode.ChatResult> {
  try {
    const conversation = services.apps.conversation(request, context);
    // What this conversation's apps set for the model since the last turn comes before the request.
    const appContext = services.apps.takeContext(conversation, services.settings().maxToolOutput);
    for (const c of appContext) stream.markdown(`_Includes what the app of ${name(c.tool)} on ${name(c.server)} set for the model._\n\n`);
    // A prompt's messages, a resource's text and what an app set come from servers: hidden tag characters removed (forModel).
    const messages = [...appContext.map(c => ({ role: 'user' as const, text: c.text })), ...turn.messages].map(m => ({ ...m, text: forModel(m.text) }));
    const record = await runToolLoop(services, { model: request.model, history: historyMessages(context.history), ...turn, messages, stream, token, conversation });
    return { metadata: { ...turnMetadata(record), ...metadata } };
  } catch (err) {
    if (token.isCancellationRequested) return {};
    return modelFailed(stream, request.model, err);
  }
}
