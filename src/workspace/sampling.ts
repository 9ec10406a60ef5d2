import * as vscode from 'vscode';
import type { CreateMessageResult, CreateMessageResultWithTools, SamplingMessageContentBlock } from '@modelcontextprotocol/client';
import { trustHash } from '../config/hash';
import type { DisposableStore } from '../common/disposable';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import * as ui from '../ui/window';
import { Commands, Settings } from '../ids';
import type { ServerEntry } from '../mcp/registry';
import { SamplingHandler, type SamplingAnswer, type SamplingModel, type SamplingParams, type SamplingQuestion } from '../serverRequests/sampling';
import { acceptsImages } from './languageModels';
import { userSetting, userStrings } from '../userSettings';

/** Asks whether a server may run a sampling request on the user's model. */
export interface SamplingDialog {
  confirmSampling(question: SamplingQuestion): Promise<SamplingAnswer>;
}

const ALWAYS_KEY = 'mcpHost.samplingAllowed';

const CHOICES = { once: 'Allow Once', always: 'Always Allow for This Server' } as const;

export const samplingDialog: SamplingDialog = {
  async confirmSampling(q) {
    const lines = [
      `It asks ${q.model} to answer this conversation, in at most ${q.maxTokens} tokens:`,
      '',
      ...(q.systemPrompt ? [`system: ${q.systemPrompt}`] : []),
      ...q.messages,
      ...(q.tools.length ? ['', `The model may ask for these tools, which the server runs: ${q.tools.join(', ')}`] : []),
      '',
      `Server: ${q.server}, from ${q.originLabel}`,
      'The answer goes back to the server, and the request counts against your model quota. "Always" is remembered for this exact server definition.',
    ];
    const answer = await ui.showWarningMessage(safe`The MCP server '${q.server}' wants to use your language model.`, { modal: true, detail: inertBlock(lines.join('\n')) }, CHOICES.once, CHOICES.always);
    return answer === CHOICES.once ? 'once' : answer === CHOICES.always ? 'always' : 'deny';
  },
};

/** The user's sampling settings, from their own settings only: a workspace cannot pre-allow a server. */
function readSamplingSettings(): { allowedServers: string[]; model: string } {
  const model = userSetting(Settings.samplingModel);
  return {
    allowedServers: userStrings(Settings.samplingAllowedServers),
    model: typeof model === 'string' ? model : '',
  };
}

/** The sampling handler with VS Code's models, the user's settings, and answers remembered in global state. */
export function createSamplingHandler(registry: { get(name: string): ServerEntry | undefined }, state: vscode.Memento, dialog: () => SamplingDialog): SamplingHandler {
  const chats = new Map<string, vscode.LanguageModelChat>();
  return new SamplingHandler({
    identify: name => {
      const def = registry.get(name)?.definition;
      if (!def) return undefined;
      const user = def.origin.kind === 'userSettings';
      return { key: user ? `user:${name}` : `workspace:${trustHash(def)}`, fromUserSettings: user, originLabel: def.origin.label };
    },
    settings: readSamplingSettings,
    remembered: {
      has: key => state.get<string[]>(ALWAYS_KEY, []).includes(key),
      add: async key => state.update(ALWAYS_KEY, [...new Set([...state.get<string[]>(ALWAYS_KEY, []), key])]),
    },
    confirm: q => dialog().confirmSampling(q),
    models: async () => {
      const models = await vscode.lm.selectChatModels();
      chats.clear();
      for (const m of models) chats.set(`${m.vendor}/${m.id}`, m);
      return models.map((m): SamplingModel => ({ id: m.id, vendor: m.vendor, family: m.family, name: m.name }));
    },
    run: (model, params, signal) => {
      const chat = chats.get(`${model.vendor}/${model.id}`);
      if (!chat) throw new Error(`The model ${model.name} is no longer available.`);
      return Promise.resolve(ui.withProgress({ location: vscode.ProgressLocation.Window, title: safe`MCP sampling on ${model.name}…` }, () => runSampling(chat, params, signal)));
    },
  });
}

/** Forgets every "Always Allow" sampling answer. */
export async function forgetSamplingAnswers(state: vscode.Memento): Promise<void> {
  await state.update(ALWAYS_KEY, undefined);
}

function toParts(block: SamplingMessageContentBlock, images: boolean): Array<vscode.LanguageModelTextPart | vscode.LanguageModelDataPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart> {
  switch (block.type) {
    case 'text':
      return [new vscode.LanguageModelTextPart(block.text)];
    case 'image':
      return images ? [vscode.LanguageModelDataPart.image(Buffer.from(block.data, 'base64'), block.mimeType)] : [new vscode.LanguageModelTextPart(`[an image (${block.mimeType}) this model cannot see]`)];
    case 'audio':
      return [new vscode.LanguageModelTextPart(`[audio (${block.mimeType}) this model cannot hear]`)];
    case 'tool_use':
      return [new vscode.LanguageModelToolCallPart(block.id, block.name, block.input)];
    case 'tool_result': {
      const text = block.content.map(c => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
      return [new vscode.LanguageModelToolResultPart(block.toolUseId, [new vscode.LanguageModelTextPart(block.isError ? `Error: ${text}` : text)])];
    }
    default:
      return [];
  }
}

/**
 * Runs a sampling request on a VS Code chat model. The system prompt leads as a user message (the API has
 * no system role). `maxTokens` and `stopSequences` are passed to the model as options and also enforced
 * here, since providers may ignore them: the answer is cut at the first stop sequence, or once it counts
 * more tokens than allowed. Tools the server offers are offered to the model; its calls go back to the
 * server as `tool_use` content (the server runs them and samples again).
 */
export async function runSampling(model: vscode.LanguageModelChat, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult> {
  const images = acceptsImages(model);
  const messages: vscode.LanguageModelChatMessage[] = [];
  if (params.systemPrompt) messages.push(vscode.LanguageModelChatMessage.User(params.systemPrompt));
  for (const m of params.messages) {
    const blocks = Array.isArray(m.content) ? m.content : [m.content];
    const parts = blocks.flatMap(b => toParts(b, images));
    // A server's own turns may carry tool calls; its user turns, tool results.
    messages.push(
      m.role === 'user'
        ? vscode.LanguageModelChatMessage.User(parts.filter((p): p is Exclude<typeof p, vscode.LanguageModelToolCallPart> => !(p instanceof vscode.LanguageModelToolCallPart)))
        : vscode.LanguageModelChatMessage.Assistant(parts.filter((p): p is Exclude<typeof p, vscode.LanguageModelToolResultPart> => !(p instanceof vscode.LanguageModelToolResultPart))),
    );
  }
  const toolMode = params.toolChoice?.mode;
  const tools = toolMode === 'none' ? [] : (params.tools ?? []).map(t => ({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as object }));
  const stops = (params.stopSequences ?? []).filter(s => s.length > 0);
  const cancel = new vscode.CancellationTokenSource();
  const onAbort = () => cancel.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await model.sendRequest(
      messages,
      {
        justification: 'An MCP server asked to sample your language model.',
        modelOptions: { max_tokens: params.maxTokens, ...(params.temperature !== undefined ? { temperature: params.temperature } : {}), ...(stops.length ? { stop: stops } : {}) },
        ...(tools.length ? { tools, toolMode: toolMode === 'required' ? vscode.LanguageModelChatToolMode.Required : vscode.LanguageModelChatToolMode.Auto } : {}),
      },
      cancel.token,
    );
    let text = '';
    let stopReason: CreateMessageResult['stopReason'] = 'endTurn';
    const calls: Array<{ type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }> = [];
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) {
        text += part.value;
        const at = firstStop(text, stops);
        if (at !== undefined) {
          text = text.slice(0, at);
          stopReason = 'stopSequence';
          break;
        }
        // Characters are a cheap upper bound on tokens; the model's own count decides.
        if (text.length > params.maxTokens && (await model.countTokens(text)) > params.maxTokens) {
          text = await cutToTokens(model, text, params.maxTokens);
          stopReason = 'maxTokens';
          break;
        }
      } else if (part instanceof vscode.LanguageModelToolCallPart) {
        calls.push({ type: 'tool_use', id: part.callId, name: part.name, input: part.input as Record<string, unknown> });
      }
    }
    if (calls.length) {
      const withTools: CreateMessageResultWithTools = { role: 'assistant', model: model.id, stopReason: 'toolUse', content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls] };
      // The handler contract names the plain result type; the SDK checks a reply to a request with tools against the with-tools schema.
      return withTools as unknown as CreateMessageResult;
    }
    return { role: 'assistant', model: model.id, stopReason, content: { type: 'text', text } };
  } finally {
    signal.removeEventListener('abort', onAbort);
    cancel.cancel();
    cancel.dispose();
  }
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stops) {
    const at = text.indexOf(s);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}

/** The longest prefix of `text` within `max` tokens, by binary search over the model's own count. */
async function cutToTokens(model: vscode.LanguageModelChat, text: string, max: number): Promise<string> {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await model.countTokens(text.slice(0, mid))) <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

/** "Choose Sampling Model…": writes the user's choice to the `mcpHost.sampling.model` user setting. */
export function registerSamplingCommands(store: DisposableStore): void {
  store.add(
    vscode.commands.registerCommand(Commands.chooseSamplingModel, async () => {
      const models = await vscode.lm.selectChatModels();
      if (models.length === 0) {
        void ui.showInformationMessage(safe`No chat model is available. Install or sign in to a language-model provider first.`);
        return undefined;
      }
      const current = readSamplingSettings().model;
      const picked = await ui.showQuickPick(
        models.map(m => ({ label: inertLine(m.name), description: inertLine(`${m.vendor}/${m.id}`), picked: `${m.vendor}/${m.id}` === current, value: `${m.vendor}/${m.id}` })),
        { title: safe`MCP Host: Choose Sampling Model`, placeHolder: safe`The model for sampling requests whose hints match no model` },
      );
      if (!picked) return undefined;
      await vscode.workspace.getConfiguration(Settings.section).update(Settings.samplingModel, picked.value, vscode.ConfigurationTarget.Global);
      return picked.value;
    }),
  );
}
