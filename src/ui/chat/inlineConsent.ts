import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { CHOICES, consentMessage } from '../../consent/consentDialog';
import type { ConsentAnswer, ToolCallConfirmer } from '../../consent/types';
import { Commands } from '../../ids';
import { block, inline } from './chatText';

const ANSWERED: Record<ConsentAnswer, string> = {
  once: 'Allowed once.',
  session: 'Allowed for this session.',
  always: 'Always allowed in this workspace.',
  deny: 'Denied.',
};

/**
 * Consent questions asked inside a chat response: the question, then MCP Host's own buttons (Allow Once,
 * Allow for This Session, Always Allow in This Workspace, Deny), which the tool loop awaits. The gate
 * decides and remembers as it does for the modal dialog; this only asks. Stopping the response withdraws
 * the question.
 */
export class InlineConsents {
  private readonly pending = new Map<string, (answer: ConsentAnswer) => void>();

  confirmer(stream: vscode.ChatResponseStream, token: vscode.CancellationToken): ToolCallConfirmer {
    return request =>
      new Promise<ConsentAnswer>(resolve => {
        const id = randomUUID();
        const { message, detail, readOnly } = consentMessage(request);
        stream.markdown(`\n\n${readOnly ? '' : '⚠ '}**${inline(message)}**\n\n${detailMarkdown(detail)}\n`);
        const buttons: Array<[ConsentAnswer, string]> = [
          ['once', CHOICES.once],
          ['session', CHOICES.session],
          ['always', CHOICES.always],
          ['deny', 'Deny'],
        ];
        for (const [answer, title] of buttons) stream.button({ command: Commands.chatAnswerConsent, title, arguments: [id, answer] });
        const withdrawn = token.onCancellationRequested(() => settle('deny', false));
        const settle = (answer: ConsentAnswer, show = true) => {
          if (!this.pending.delete(id)) return;
          withdrawn.dispose();
          if (show) stream.markdown(`\n\n_${ANSWERED[answer]}_\n\n`);
          resolve(answer);
        };
        this.pending.set(id, settle);
        if (token.isCancellationRequested) settle('deny', false);
      });
  }

  /** A button was pressed. False when its question was already answered or withdrawn. */
  answer(id: unknown, answer: unknown): boolean {
    const settle = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!settle || !isAnswer(answer)) return false;
    settle(answer);
    return true;
  }
}

function isAnswer(a: unknown): a is ConsentAnswer {
  return a === 'once' || a === 'session' || a === 'always' || a === 'deny';
}

/**
 * The consent detail in a response: what it says about the call as escaped lines that wrap with the
 * response (a code block would cut long lines at the edge), the arguments as a JSON block.
 */
function detailMarkdown(detail: string): string {
  // The arguments come last, as JSON (which has no line of its own reading "Arguments:").
  const at = detail.lastIndexOf('\nArguments:\n');
  const about = at < 0 ? detail : detail.slice(0, at);
  const args = at < 0 ? undefined : detail.slice(at + '\nArguments:\n'.length);
  const paragraphs = about
    .split(/\n\s*\n/)
    .map(p => p.split('\n').map(inline).filter(Boolean).join('  \n'))
    .filter(Boolean);
  return [...paragraphs, ...(args !== undefined ? ['Arguments:', block(args, 'json')] : [])].join('\n\n');
}
