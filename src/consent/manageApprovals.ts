import * as vscode from 'vscode';
import type { DisposableStore } from '../common/disposable';
import { inertLine, safe } from '../common/untrustedText';
import * as ui from '../ui/window';
import { Commands } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import type { StoredApproval } from './policy';

/** What the user chose in "Manage Tool Approvals": some approvals, all of them, or nothing. */
export type RevokeChoice = readonly StoredApproval[] | 'all' | undefined;

/** Picks stored tool approvals to revoke (or all of them); undefined when dismissed. */
export interface ApprovalsDialog {
  pickApprovalsToRevoke(approvals: readonly StoredApproval[]): Promise<RevokeChoice>;
}

export function registerApprovalCommands(store: DisposableStore, host: McpHost, dialog: () => ApprovalsDialog): void {
  store.add(vscode.commands.registerCommand(Commands.manageToolApprovals, () => manageToolApprovals(host, dialog())));
}

/** Lists the stored approvals and revokes what the user picks. Returns how many were revoked. */
async function manageToolApprovals(host: McpHost, dialog: ApprovalsDialog): Promise<number> {
  const approvals = host.approvals.all();
  if (approvals.length === 0) {
    void ui.showInformationMessage(safe`No tool approvals are stored: every tool call asks, unless your user settings say otherwise.`);
    return 0;
  }
  const choice = await dialog.pickApprovalsToRevoke(approvals);
  if (choice === undefined || choice.length === 0) return 0;
  if (choice === 'all') {
    await host.approvals.revokeAll();
    return approvals.length;
  }
  await host.approvals.revoke(choice);
  return choice.length;
}

const SCOPE_LABEL: Record<StoredApproval['scope'], string> = { session: 'for this session', always: 'always, in this workspace' };

export const approvalsDialog: ApprovalsDialog = { pickApprovalsToRevoke: showApprovalsPicker };

/** A multi-select quick pick of approvals, with "Revoke all" on top. */
async function showApprovalsPicker(approvals: readonly StoredApproval[]): Promise<RevokeChoice> {
  type Item = ui.SafePickItem & { approval?: StoredApproval; all?: true };
  const items: Item[] = [
    { label: safe`$(trash) Revoke all`, description: safe`${approvals.length} approval${approvals.length === 1 ? '' : 's'}`, all: true },
    { label: safe``, kind: vscode.QuickPickItemKind.Separator },
    ...approvals.map(a => ({
      label: inertLine(a.tool),
      description: safe`${a.server} (${a.serverOriginLabel}) · ${SCOPE_LABEL[a.scope]}`,
      detail: safe`Approved ${new Date(a.approvedAt).toLocaleString()}; asks again if the tool or the server's definition changes.`,
      approval: a,
    })),
  ];
  const picked = await ui.showQuickPick(items, {
    title: safe`Manage Tool Approvals`,
    placeHolder: safe`Select the approvals to revoke; revoked tools ask again before their next call`,
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.some(i => i.all)) return 'all';
  return picked.flatMap(i => (i.approval ? [i.approval] : []));
}
