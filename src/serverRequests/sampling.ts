import type { CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/client';
import type { AskingServer } from '../mcp/clientRequests';
import { AskGuard, ServerQuestions } from './askGuard';

/**
 * `sampling/createMessage`: a server asks the host to run a prompt on one of the user's language models.
 * The decision (ask, remembered answers, settings) and the bookkeeping (one question per server at a
 * time, the log) live here, free of `vscode`; running the model is the host's `run`.
 */

export type SamplingParams = CreateMessageRequest['params'];

/** A chat model the host can run a sampling request on. */
export interface SamplingModel {
  readonly id: string;
  readonly vendor: string;
  readonly family: string;
  readonly name: string;
}

/** Who is asking, as far as remembered answers are concerned. */
export interface SamplingIdentity {
  /** Stable for this exact server definition: the trust hash for a workspace server, the name for one of the user's own. */
  readonly key: string;
  /** Defined in the user's own settings, so `mcpHost.sampling.allowedServers` may name it. */
  readonly fromUserSettings: boolean;
  /** Where it is defined, for the question. */
  readonly originLabel: string;
}

/** "Always" is remembered for this server's exact definition; "once" is this request only. */
export type SamplingAnswer = 'once' | 'always' | 'deny';

/** Everything the question shows. Text from the server arrives masked and cut. */
export interface SamplingQuestion {
  readonly server: string;
  readonly originLabel: string;
  /** The model the request would run on. */
  readonly model: string;
  readonly systemPrompt?: string;
  /** The conversation the server sends, one line per message, cut. */
  readonly messages: readonly string[];
  readonly maxTokens: number;
  /** Names of the tools the server lets the model call (the server runs them, not the host). */
  readonly tools: readonly string[];
}

export interface SamplingSettings {
  /** Names of servers from the user's own settings that may sample without asking. */
  readonly allowedServers: readonly string[];
  /** The model for sampling when the server's hints match none: `vendor/id` or an id. */
  readonly model: string;
}

export interface SamplingHost {
  identify(server: string): SamplingIdentity | undefined;
  /** Read from user settings only. */
  settings(): SamplingSettings;
  readonly remembered: { has(key: string): boolean; add(key: string): Promise<void> };
  confirm(question: SamplingQuestion): Promise<SamplingAnswer>;
  models(): Promise<readonly SamplingModel[]>;
  /** Runs the request on `model`, applying `maxTokens`, stop sequences and tools. */
  run(model: SamplingModel, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult>;
}

/** A JSON-RPC error the server receives as is (the SDK sends an error's numeric `code`). */
export class SamplingError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The spec's code for a user who rejects a sampling request. */
export const USER_REJECTED = -1;
const INVALID_REQUEST = -32600;

/**
 * The model for a request: the first of the server's `modelPreferences.hints` that names a model (as a
 * substring of its id, family or name, as the spec describes hints), else the model the user chose for
 * sampling, else the first model there is.
 */
export function chooseModel(models: readonly SamplingModel[], params: SamplingParams, configured: string): SamplingModel | undefined {
  for (const hint of params.modelPreferences?.hints ?? []) {
    const name = hint.name?.trim().toLowerCase();
    if (!name) continue;
    const hit = models.find(m => [m.id, m.family, m.name].some(v => v.toLowerCase().includes(name)));
    if (hit) return hit;
  }
  const wanted = configured.trim();
  if (wanted) {
    const hit = models.find(m => `${m.vendor}/${m.id}` === wanted || m.id === wanted);
    if (hit) return hit;
  }
  return models[0];
}

const MESSAGE_PREVIEW = 300;
const MAX_PREVIEW_MESSAGES = 6;

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** One line per message: role and its content in words, images and audio named, not shown. */
export function previewMessages(params: SamplingParams, mask: (s: string) => string): string[] {
  const lines = params.messages.map(m => {
    const blocks = Array.isArray(m.content) ? m.content : [m.content];
    const parts = blocks.map(b => {
      switch (b.type) {
        case 'text':
          return mask(b.text);
        case 'image':
        case 'audio':
          return `[${b.type}, ${b.mimeType}]`;
        case 'tool_use':
          return `[calls tool ${b.name}]`;
        case 'tool_result':
          return '[tool result]';
        default:
          return `[${(b as { type: string }).type}]`;
      }
    });
    return `${m.role}: ${cut(parts.join(' '), MESSAGE_PREVIEW)}`;
  });
  return lines.length > MAX_PREVIEW_MESSAGES ? [...lines.slice(0, MAX_PREVIEW_MESSAGES - 1), `… and ${lines.length - MAX_PREVIEW_MESSAGES + 1} more messages`] : lines;
}

function resultText(result: CreateMessageResult): string {
  const blocks = Array.isArray(result.content) ? result.content : [result.content];
  return blocks.map(b => (b.type === 'text' ? b.text : b.type === 'tool_use' ? `[tool_use ${b.name} ${JSON.stringify(b.input)}]` : `[${b.type}]`)).join(' ');
}

/**
 * The sampling handler. The first request of a server asks the user, unless an "always" answer for this
 * exact definition is remembered or the user's settings allow the server (only servers from user
 * settings can be allowed there: a repository could otherwise define a server under an allowed name).
 * While a server's question is open, a second request from it is refused. Every request and reply goes
 * to the server's log, masked.
 */
export class SamplingHandler {
  private readonly questions: ServerQuestions;

  constructor(
    private readonly host: SamplingHost,
    options: { readonly guard?: AskGuard } = {},
  ) {
    this.questions = new ServerQuestions('Sampling', options.guard ?? new AskGuard(), (message, again) => new SamplingError(message, again ? USER_REJECTED : INVALID_REQUEST));
  }

  async handle(server: AskingServer, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult> {
    const { mask } = server;
    const identity = this.host.identify(server.name);
    if (!identity) throw new SamplingError(`MCP Host does not know the server '${server.name}'.`, INVALID_REQUEST);
    const models = await this.host.models();
    const settings = this.host.settings();
    const model = chooseModel(models, params, settings.model);
    const hints = (params.modelPreferences?.hints ?? []).map(h => h.name).filter(Boolean);
    server.log(
      mask(
        `Sampling request: ${params.messages.length} message(s), maxTokens ${params.maxTokens}` +
          (hints.length ? `, model hints ${hints.join(', ')}` : '') +
          (params.tools?.length ? `, tools ${params.tools.map(t => t.name).join(', ')}` : '') +
          (params.systemPrompt ? `\n  system: ${cut(params.systemPrompt, 2000)}` : '') +
          `\n  ${previewMessages(params, s => s).join('\n  ')}`,
      ),
    );
    if (!model) {
      server.log('Sampling refused: no language model is available.');
      throw new SamplingError('No language model is available in VS Code for sampling.', INVALID_REQUEST);
    }

    const allowed = this.host.remembered.has(identity.key) || (identity.fromUserSettings && settings.allowedServers.includes(server.name));
    if (!allowed) {
      const answer = await this.questions.ask(
        server,
        () =>
          this.host.confirm({
            server: server.name,
            originLabel: identity.originLabel,
            model: model.name,
            ...(params.systemPrompt ? { systemPrompt: cut(mask(params.systemPrompt), 500) } : {}),
            messages: previewMessages(params, mask),
            maxTokens: params.maxTokens,
            tools: (params.tools ?? []).map(t => mask(t.name)),
          }),
        (a: SamplingAnswer) => a !== 'deny',
      );
      if (answer === 'deny') {
        server.log('Sampling refused by the user.');
        throw new SamplingError('User rejected sampling request', USER_REJECTED);
      }
      if (answer === 'always') await this.host.remembered.add(identity.key);
    }
    if (signal.aborted) throw new SamplingError('The server cancelled the sampling request.', INVALID_REQUEST);

    const started = Date.now();
    try {
      const result = await this.host.run(model, params, signal);
      server.log(mask(`Sampling reply from ${model.name} in ${Date.now() - started} ms (${result.stopReason ?? 'no stop reason'}): ${cut(resultText(result), 2000)}`));
      return result;
    } catch (err) {
      server.log(mask(`Sampling failed on ${model.name}: ${err instanceof Error ? err.message : String(err)}`));
      throw err;
    }
  }
}
