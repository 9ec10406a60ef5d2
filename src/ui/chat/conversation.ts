import * as vscode from 'vscode';

/**
 * What a chat turn sent to the model and got back, kept in the response's `metadata` so a later turn can
 * replay it: VS Code's history holds only the rendered response, not the tool calls and their results.
 */
export interface TurnRecord {
  readonly v: 1;
  /** The messages this turn added before the model answered: the user's request, a prompt's messages, a resource. */
  readonly messages: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly text: string }>;
  /** Each round of tool calls: what the model said and asked for, and the (budgeted) results it got. */
  readonly rounds: readonly RoundRecord[];
  /** The model's final text, if it answered. */
  readonly answer: string;
}

export interface RoundRecord {
  readonly text: string;
  readonly calls: ReadonlyArray<{ readonly callId: string; readonly name: string; readonly input: object }>;
  readonly results: ReadonlyArray<{ readonly callId: string; readonly text: string }>;
}

/** The metadata key of a turn record. */
const RECORD = 'mcpHostTurn';

export function turnMetadata(record: TurnRecord): Record<string, unknown> {
  return { [RECORD]: record };
}

function readRecord(metadata: unknown): TurnRecord | undefined {
  const r = (metadata as Record<string, unknown> | undefined)?.[RECORD] as TurnRecord | undefined;
  return r && r.v === 1 && Array.isArray(r.messages) && Array.isArray(r.rounds) && typeof r.answer === 'string' ? r : undefined;
}

/** The messages of a recorded turn, tool calls and results included. */
export function replay(record: TurnRecord): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = record.messages.map(m => (m.role === 'user' ? vscode.LanguageModelChatMessage.User(m.text) : vscode.LanguageModelChatMessage.Assistant(m.text)));
  for (const round of record.rounds) {
    out.push(
      vscode.LanguageModelChatMessage.Assistant([
        ...(round.text ? [new vscode.LanguageModelTextPart(round.text)] : []),
        ...round.calls.map(c => new vscode.LanguageModelToolCallPart(c.callId, c.name, c.input)),
      ]),
    );
    out.push(vscode.LanguageModelChatMessage.User(round.results.map(r => new vscode.LanguageModelToolResultPart(r.callId, [new vscode.LanguageModelTextPart(r.text)]))));
  }
  if (record.answer) out.push(vscode.LanguageModelChatMessage.Assistant(record.answer));
  return out;
}

function responseText(turn: vscode.ChatResponseTurn): string {
  return turn.response
    .map(p => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : ''))
    .join('')
    .trim();
}

/**
 * The conversation so far, as model messages. A turn MCP Host recorded is replayed exactly (with its tool
 * calls and results); any other turn becomes the user's words and the response's text.
 */
export function historyMessages(history: vscode.ChatContext['history']): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  for (let i = 0; i < history.length; i++) {
    const turn = history[i];
    if (turn instanceof vscode.ChatRequestTurn) {
      const next = history[i + 1];
      const record = next instanceof vscode.ChatResponseTurn ? readRecord(next.result.metadata) : undefined;
      if (record) {
        out.push(...replay(record));
        i++;
        continue;
      }
      if (turn.prompt.trim()) out.push(vscode.LanguageModelChatMessage.User(turn.prompt));
    } else if (turn instanceof vscode.ChatResponseTurn) {
      const text = responseText(turn);
      if (text) out.push(vscode.LanguageModelChatMessage.Assistant(text));
    }
  }
  return out;
}
