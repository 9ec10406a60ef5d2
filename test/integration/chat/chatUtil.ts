import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { until } from '../util';

/** The scripted language-model fixture (test/fixtures/extensions/scripted-model). */
export interface ScriptedModel {
  readonly vendor: string;
  readonly modelId: string;
  push(...steps: Array<{ text?: string; toolCalls?: Array<{ name: string; input?: object }>; hang?: boolean; error?: string }>): void;
  reset(): void;
  pending(): number;
  readonly requests: Array<{
    messages: Array<{ role: number; text: string; parts: Array<{ kind: string; text?: string; name?: string; callId?: string; input?: unknown; mimeType?: string }> }>;
    tools: string[];
    toolDefinitions: Array<{ name: string; description: string; inputSchema: unknown }>;
    toolResults: Array<{ callId: string; text: string }>;
    modelOptions: Record<string, unknown>;
    cancelled: boolean;
  }>;
}

export async function scriptedModel(): Promise<ScriptedModel> {
  const ext = vscode.extensions.getExtension<ScriptedModel>('mcp-host-test.scripted-model');
  assert.ok(ext, 'the scripted-model fixture extension is not installed');
  const api = await ext.activate();
  // Selecting once makes the model known to the chat view's picker.
  assert.ok((await vscode.lm.selectChatModels({ vendor: api.vendor })).length > 0, 'no scripted model');
  return api;
}

/**
 * Sends `query` to chat as a user would (the chat view's input, with the scripted model picked) and returns
 * the response as MCP Host recorded it. `whileRunning` runs once the response has started (to press its
 * buttons, or stop it); the returned transcript is complete.
 */
export async function ask(api: Required<McpHostApi>, model: ScriptedModel, query: string, whileRunning?: (t: Transcript) => Promise<void>): Promise<Transcript> {
  const transcripts = api.chat.transcripts.all;
  const before = transcripts.length;
  const sent = vscode.commands.executeCommand('workbench.action.chat.open', { query, modelSelector: { vendor: model.vendor, id: model.modelId }, blockOnResponse: true });
  const transcript = await until(() => transcripts[before], `a response to '${query}'`, 30_000);
  if (whileRunning) await whileRunning(transcript);
  await transcript.done;
  await sent;
  return transcript;
}

/** Starts a new chat session, so the next request has no history. */
export async function newChat(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.chat.newChat');
}

/** The buttons a response showed, by title. */
export function buttons(t: Transcript): Array<{ title: string; command: string; arguments: unknown[] }> {
  return t.parts.flatMap(p => (p.kind === 'button' ? [{ title: p.command.title, command: p.command.command, arguments: p.command.arguments ?? [] }] : []));
}

/** Waits for a button with this title (the n-th, counting from 0), then presses it as a click would. */
export async function press(t: Transcript, title: string, nth = 0): Promise<unknown> {
  const button = await until(() => buttons(t).filter(b => b.title === title)[nth], `the '${title}' button`, 30_000);
  return vscode.commands.executeCommand(button.command, ...button.arguments);
}

/** The text of a server's output channel ("MCP: <name>"), as VS Code wrote it to a log file in the extension's log folder ("MCP <name>.log"). */
export function serverLogText(api: Required<McpHostApi>, server: string): string {
  const dir = api.logUri.fsPath;
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter(f => f === `MCP ${server}.log` || f === `MCP: ${server}.log`)
    .map(f => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}
