import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import type { McpUiUpdateModelContextRequest } from '@modelcontextprotocol/ext-apps/app-bridge';
import { appRefusal, type AppConversation } from '../../apps/appSession';
import { plainBlock } from '../../common/untrustedText';
import type { McpHost } from '../../workspace/mcpHost';
import type { AppLaunch, AppPanels, AppRun } from '../apps/appPanels';

/** The metadata key under which every `@mcp` response names its conversation. */
const CONVERSATION = 'mcpHostConversation';
/** The longest chat message an app may propose. */
const MAX_MESSAGE_CHARS = 4_000;

/** What an app set for the model with `ui/update-model-context`, waiting for the conversation's next turn. */
export interface AppModelContext {
  readonly server: string;
  readonly tool: string;
  /** The text the model gets, MCP Host's note first. */
  readonly text: string;
}

/**
 * MCP Apps opened from chat and the conversation each came from. VS Code gives a participant no id for a
 * conversation, so MCP Host makes one and keeps it in every response's metadata, which VS Code hands back
 * in the history of the next request of the same conversation (and only of that one).
 */
export class ChatApps {
  private readonly ids = new WeakMap<vscode.ChatRequest, string>();
  /** Per conversation, the latest context each app (server and tool) set for the model. */
  private readonly contexts = new Map<string, Map<string, AppModelContext>>();

  constructor(
    private readonly panels: AppPanels,
    private readonly host: McpHost,
  ) {}

  /** The conversation this request belongs to: the one its history names, or a new one. */
  conversation(request: vscode.ChatRequest, context: vscode.ChatContext): string {
    let id = this.ids.get(request);
    if (!id) {
      id = [...context.history].reverse().flatMap(turn => {
        const named = turn instanceof vscode.ChatResponseTurn ? (turn.result.metadata as Record<string, unknown> | undefined)?.[CONVERSATION] : undefined;
        return typeof named === 'string' ? [named] : [];
      })[0] ?? randomUUID();
      this.ids.set(request, id);
    }
    return id;
  }

  /** The metadata that names the conversation in a response. */
  metadata(request: vscode.ChatRequest, context: vscode.ChatContext): Record<string, unknown> {
    return { [CONVERSATION]: this.conversation(request, context) };
  }

  /**
   * Opens a tool's app for a call chat makes (the gate's `onStart`), bound to the conversation: its
   * `ui/message` becomes a follow-up in the chat input, its `ui/update-model-context` goes to the next turn.
   * Its own tool calls ask in the modal dialog: the app outlives the response a confirmer would write into.
   */
  begin(conversation: string, launch: Pick<AppLaunch, 'server' | 'tool' | 'args'>): AppRun {
    return this.panels.begin({ ...launch, conversation: this.appConversation(conversation, launch.server, launch.tool.name) });
  }

  /**
   * The context apps set for this conversation since its last turn, for the model, as user messages each
   * cut to `maxChars`; taken once (the turn's record keeps it for later turns).
   */
  takeContext(conversation: string, maxChars: number): AppModelContext[] {
    const pending = this.contexts.get(conversation);
    this.contexts.delete(conversation);
    return [...(pending?.values() ?? [])].map(c => (c.text.length > maxChars ? { ...c, text: `${c.text.slice(0, maxChars)}\n[MCP Host: cut at ${maxChars} characters]` } : c));
  }

  private appConversation(conversation: string, server: string, tool: string): AppConversation {
    const mask = (text: string) => this.host.registry.get(server)?.connection.mask(text) ?? text;
    return {
      message: async params => {
        const text = params.content
          .flatMap(c => (c.type === 'text' ? [c.text] : []))
          .join('\n\n')
          .trim();
        if (!text) throw appRefusal('Only text messages can be sent to chat.');
        if (text.length > MAX_MESSAGE_CHARS) throw appRefusal(`The message is longer than ${MAX_MESSAGE_CHARS} characters.`);
        // Into the chat input, not sent: the user reads it, and sends, edits or discards it. Hidden and bidi
        // characters are shown (the input would hide them from the reader), secrets masked as in its context.
        await vscode.commands.executeCommand('workbench.action.chat.open', { query: `@mcp ${plainBlock(mask(text))}`, isPartialQuery: true });
      },
      updateModelContext: async params => {
        const key = `${server}\u0000${tool}`;
        const text = contextText(params, server, tool, mask);
        const contexts = this.contexts.get(conversation) ?? new Map<string, AppModelContext>();
        // Each update replaces the app's earlier one; an empty one withdraws it.
        if (text) contexts.set(key, { server, tool, text });
        else contexts.delete(key);
        if (contexts.size) this.contexts.set(conversation, contexts);
        else this.contexts.delete(conversation);
      },
    };
  }
}

/** The model's view of an app's context: whose it is, then its text and structured content; other content is named, not sent. */
function contextText(params: McpUiUpdateModelContextRequest['params'], server: string, tool: string, mask: (text: string) => string): string | undefined {
  const parts: string[] = [];
  for (const c of params.content ?? []) parts.push(c.type === 'text' ? c.text : `[MCP Host: the app's ${c.type} content was left out]`);
  if (params.structuredContent !== undefined) parts.push(JSON.stringify(params.structuredContent, null, 2));
  if (!parts.length) return undefined;
  return mask(`[MCP Host: context set by the app of the tool '${tool}' on the MCP server '${server}' (written by the app, not by the user)]\n${parts.join('\n')}`);
}
