import * as vscode from 'vscode';
import { Settings } from '../../ids';
import type { ToolCallConfirmer } from '../../consent/types';
import type { FormDialog } from '../../forms/formFlow';
import type { PickDialog } from '../../commands/itemPicker';
import type { McpHost } from '../../workspace/mcpHost';
import type { ResourceDocuments } from '../resources/resourceCommands';
import type { ChatApps } from './chatApps';
import type { ChatResults } from './chatResults';
import type { ChatToolFilter } from './chatTools';
import type { InlineConsents } from './inlineConsent';
import type { ChatTranscripts } from './transcript';
import { userSetting } from '../../userSettings';
import type { BuiltinCopiesNote } from '../../workspace/builtinMcp';

/** Which servers and tools chat offers, chosen by the user in a multi-select list; undefined when dismissed. */
export interface ChatToolsDialog {
  chooseChatTools(servers: ReadonlyArray<{ readonly server: string; readonly tools: ReadonlyArray<{ readonly name: string; readonly label: string; readonly enabled: boolean }> }>): Promise<ReadonlyArray<readonly [string, string]> | undefined>;
}

/** What chat asks outside the response: missing prompt arguments, a pick, which tools to offer. */
export type ChatDialogs = FormDialog & PickDialog & ChatToolsDialog;

/** How chat behaves; from the user's own settings. */
export interface ChatSettings {
  /** Where chat asks for tool consent: in the response, or in the modal dialog. */
  readonly confirmation: 'inline' | 'modal';
  /** At most this many tools per request (VS Code's models accept at most 128). */
  readonly maxTools: number;
  /** Characters of one tool result the model gets; the rest is cut with a marker. */
  readonly maxToolOutput: number;
  /** Rounds of tool calls before the loop stops. */
  readonly maxRounds: number;
}

/** The most tools VS Code's chat models accept in one request. */
export const MODEL_TOOL_LIMIT = 128;

export const CHAT_DEFAULTS: ChatSettings = { confirmation: 'inline', maxTools: MODEL_TOOL_LIMIT, maxToolOutput: 20_000, maxRounds: 10 };

function positive(value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.min(Math.floor(value), max) : fallback;
}

export function readChatSettings(): ChatSettings {
  return {
    confirmation: userSetting(Settings.chatConfirmation) === 'modal' ? 'modal' : 'inline',
    maxTools: positive(userSetting(Settings.chatMaxTools), CHAT_DEFAULTS.maxTools, MODEL_TOOL_LIMIT),
    maxToolOutput: positive(userSetting(Settings.chatMaxToolOutput), CHAT_DEFAULTS.maxToolOutput),
    maxRounds: positive(userSetting(Settings.chatMaxRounds), CHAT_DEFAULTS.maxRounds),
  };
}

/** Everything the participant and its commands work with. */
export interface ChatServices {
  readonly host: McpHost;
  readonly resources: ResourceDocuments;
  readonly filter: ChatToolFilter;
  readonly consents: InlineConsents;
  readonly results: ChatResults;
  readonly transcripts: ChatTranscripts;
  /** The MCP Apps chat opened, and what they send back to their conversation. */
  readonly apps: ChatApps;
  /** VS Code's own MCP support's copies of this workspace's servers, once per window while the user has not chosen. */
  readonly builtinMcp: { chatNote(): BuiltinCopiesNote | undefined };
  dialogs(): ChatDialogs;
  settings(): ChatSettings;
}

/**
 * Where calls made while answering in `stream` ask for consent: inline in the response, or (undefined)
 * the gate's modal dialog. Make one per response, so its questions come one at a time.
 */
export function confirmerFor(services: ChatServices, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): ToolCallConfirmer | undefined {
  return services.settings().confirmation === 'modal' ? undefined : services.consents.confirmer(stream, token);
}
