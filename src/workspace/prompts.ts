import { inertBlock, inertLine, safe, type SafeText } from '../common/untrustedText';
import { describeDefinition } from '../mcp/launch';
import * as ui from '../ui/window';
import type { InputDefinition, ServerDefinition } from '../config/types';
import { showConsentDialog } from '../consent/consentDialog';
import type { ConsentAnswer, ToolConsentRequest } from '../consent/types';
import { showApprovalsPicker, type RevokeChoice } from '../consent/manageApprovals';
import type { StoredApproval } from '../consent/policy';
import { confirmClearHistory } from '../ui/history/historyCommands';
import { askArgument, type ArgumentAnswer, type ArgumentQuestion } from '../commands/argumentForm';
import { showCallProgress, type CallProgress } from '../commands/callProgress';
import { pickItem, type PickRequest } from '../commands/itemPicker';

/**
 * The questions MCP Host asks the user. Kept apart from the logic that decides when to ask, so the
 * integration tests can answer them (in the extension's Test mode only).
 */
export interface Prompts {
  /** Asks for an `${input:…}` value; undefined when the user dismisses the question. */
  askInput(input: InputDefinition, server: string): Promise<string | undefined>;
  /** Asks whether workspace-defined servers may start; one dialog for all of them. */
  confirmServers(definitions: readonly ServerDefinition[]): Promise<boolean>;
  /** Asks whether a tool may be called; dismissing the dialog denies. */
  confirmToolCall(request: ToolConsentRequest): Promise<ConsentAnswer>;
  /** Picks stored tool approvals to revoke (or all of them); undefined when dismissed. */
  pickApprovalsToRevoke(approvals: readonly StoredApproval[]): Promise<RevokeChoice>;
  /** Asks before the tool call history is deleted. */
  confirmClearHistory(count: number): Promise<boolean>;
  /** Asks for one argument of a tool or prompt, checking it as it is typed; undefined when dismissed. */
  askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined>;
  /** A pick among items grouped by server (a tool, a prompt, a resource); undefined when dismissed. */
  pickItem<T>(request: PickRequest<T>): Promise<T | undefined>;
  /** Runs a call under a cancellable progress notification; cancelling aborts `signal`. */
  showCallProgress<T>(title: SafeText, task: (progress: CallProgress, signal: AbortSignal) => Promise<T>): PromiseLike<T>;
}

export const vscodePrompts: Prompts = {
  async askInput(input, server) {
    if (input.type === 'pickString') {
      const picked = await ui.showQuickPick(
        input.options.map(option => ({ label: inertLine(option), option })),
        { title: safe`MCP server '${server}'`, placeHolder: inertLine(input.description ?? ''), ignoreFocusOut: true },
      );
      return picked?.option;
    }
    return ui.showInputBox({
      title: safe`MCP server '${server}'`,
      prompt: inertLine(input.description ?? ''),
      password: input.password,
      ...(input.default !== undefined ? { value: input.default } : {}),
      ignoreFocusOut: true,
    });
  },

  async confirmServers(definitions) {
    const lines = definitions.map(d => `• ${d.name} — ${describeDefinition(d)}\n   defined in ${d.origin.file ?? d.origin.label}`);
    const single = definitions.length === 1;
    const message: SafeText = single ? safe`Start the MCP server '${definitions[0]!.name}' from this workspace?` : safe`Start ${definitions.length} MCP servers from this workspace?`;
    const start = single ? 'Start Server' : 'Start Servers';
    const answer = await ui.showWarningMessage(
      message,
      { modal: true, detail: inertBlock(`${lines.join('\n')}\n\nThey run with your permissions. Only start servers from sources you trust; you are asked again if a definition changes.`) },
      start,
    );
    return answer === start;
  },

  confirmToolCall: showConsentDialog,
  pickApprovalsToRevoke: showApprovalsPicker,
  confirmClearHistory,

  askArgument,
  pickItem,
  showCallProgress,
};
