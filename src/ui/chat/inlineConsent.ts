import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { CHOICES, consentMessage } from '../../consent/consentDialog';
import type { ConsentAnswer, ToolCallConfirmer } from '../../consent/types';
import { Commands } from '../../ids';
import { safe, type SafeText } from '../../common/untrustedText';
import { block, inline } from './chatText';

/**
 * What the response says under the buttons once they are answered. VS Code 1.139 cannot disable or change a button
 * once it is in a response (only a restored chat shows them disabled), so the answer is said in so many words,
 * and that the buttons are spent.
 */
const ANSWERED: Record<ConsentAnswer, string> = {
  once: '✓ **Allowed once.**',
  session: '✓ **Allowed for this session.**',
  always: '✓ **Always allowed in this workspace.**',
  deny: '✗ **Denied.**',
};
const SPENT = 'The buttons above are answered; clicking them again does nothing.';

/** What a button of a question that is no longer open says. */
export type LateAnswer = { readonly kind: 'answered'; readonly answer: ConsentAnswer; readonly tool: string; readonly server: string } | { readonly kind: 'withdrawn'; readonly tool: string; readonly server: string } | { readonly kind: 'unknown' };

/** How many settled questions a late click can still be told about. */
const KEPT_SETTLED = 200;

/**
 * Consent questions asked inside a chat response: the question, then MCP Host's own buttons (Allow Once,
 * Allow for This Session, Always Allow in This Workspace, Deny), which the tool loop awaits. The gate
 * decides and remembers as it does for the modal dialog; this only asks. Stopping the response withdraws
 * the question.
 */
export class InlineConsents {
  private readonly pending = new Map<string, (answer: ConsentAnswer) => void>();
  /** Questions no longer open, for a click on their buttons after the fact. */
  private readonly settled = new Map<string, Exclude<LateAnswer, { kind: 'unknown' }>>();

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
        const tool = request.title ?? request.tool;
        const settle = (answer: ConsentAnswer, show = true) => {
          if (!this.pending.delete(id)) return;
          withdrawn.dispose();
          this.remember(id, show ? { kind: 'answered', answer, tool, server: request.server } : { kind: 'withdrawn', tool, server: request.server });
          if (show) stream.markdown(`\n\n${ANSWERED[answer]} ${SPENT}\n\n`);
          resolve(answer);
        };
        this.pending.set(id, settle);
        if (token.isCancellationRequested) settle('deny', false);
      });
  }

  /** A button was pressed. `undefined` when it answered its question; else what became of the question before. */
  answer(id: unknown, answer: unknown): LateAnswer | undefined {
    const settle = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!settle || !isAnswer(answer)) return (typeof id === 'string' && this.settled.get(id)) || { kind: 'unknown' };
    settle(answer);
    return undefined;
  }

  private remember(id: string, late: Exclude<LateAnswer, { kind: 'unknown' }>): void {
    this.settled.set(id, late);
    for (const old of this.settled.keys()) {
      if (this.settled.size <= KEPT_SETTLED) break;
      this.settled.delete(old);
    }
  }
}

/** What a click on a button of a question that is no longer open says: which answer it had, or that it was withdrawn. */
export function lateAnswerMessage(late: LateAnswer): SafeText {
  switch (late.kind) {
    case 'answered':
      return safe`You already answered this question about '${late.tool}' on '${late.server}': ${CHOICE_TITLE[late.answer]}. Its buttons stay in the response but no longer do anything.`;
    case 'withdrawn':
      return safe`This question about '${late.tool}' on '${late.server}' was withdrawn when its response was stopped; the tool was not called. Ask again to run it.`;
    case 'unknown':
      return safe`This question is no longer open (it was answered, or its response was stopped or is from an earlier window).`;
  }
}

const CHOICE_TITLE: Record<ConsentAnswer, string> = { once: CHOICES.once, session: CHOICES.session, always: CHOICES.always, deny: 'Deny' };

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
