import * as vscode from 'vscode';
import { trustHash } from '../config/hash';
import type { ServerDefinition } from '../config/types';
import type { StartDecision } from '../mcp/registry';
import { describeDefinition } from '../mcp/launch';
import { inertBlock, safe } from '../common/untrustedText';
import * as ui from '../ui/window';

/** Asks whether workspace-defined servers may start; one dialog for all of them. */
export interface ServerTrustDialog {
  confirmServers(definitions: readonly ServerDefinition[]): Promise<boolean>;
}

export const serverTrustDialog: ServerTrustDialog = {
  async confirmServers(definitions) {
    const lines = definitions.map(d => `• ${d.name} — ${describeDefinition(d)}\n   defined in ${d.origin.file ?? d.origin.label}`);
    const single = definitions.length === 1;
    const message = single ? safe`Start the MCP server '${definitions[0]!.name}' from this workspace?` : safe`Start ${definitions.length} MCP servers from this workspace?`;
    const start = single ? 'Start Server' : 'Start Servers';
    const answer = await ui.showWarningMessage(
      message,
      { modal: true, detail: inertBlock(`${lines.join('\n')}\n\nThey run with your permissions. Only start servers from sources you trust; you are asked again if a definition changes.`) },
      start,
    );
    return answer === start;
  },
};

const STORAGE_KEY = 'mcpHost.trustedServers';

/**
 * Decides whether servers may start. Servers from the user's own settings always may. Servers from
 * workspace files never start in Restricted Mode, and otherwise only once the user has approved that
 * exact definition: approvals are pinned to a hash of what runs and where it is defined, so an edited
 * definition (or the same text in another repository) asks again.
 */
export class ServerTrust {
  /** Refused in this window; asked again after a reload or when the user starts the server. */
  private readonly refused = new Set<string>();
  /** Decisions are made one at a time, so two dialogs never race to write the approvals. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: vscode.Memento,
    private readonly dialog: () => ServerTrustDialog,
  ) {}

  mayStart(definitions: readonly ServerDefinition[], userInitiated = false): Promise<Map<string, StartDecision>> {
    const decided = this.queue.then(() => this.decide(definitions, userInitiated));
    this.queue = decided.catch(() => undefined);
    return decided;
  }

  private async decide(definitions: readonly ServerDefinition[], userInitiated: boolean): Promise<Map<string, StartDecision>> {
    const decisions = new Map<string, StartDecision>();
    const approved = new Set(this.state.get<string[]>(STORAGE_KEY, []));
    const pending: ServerDefinition[] = [];
    for (const def of definitions) {
      const key = trustHash(def);
      if (def.origin.kind === 'userSettings') {
        decisions.set(def.name, { allowed: true });
      } else if (!vscode.workspace.isTrusted) {
        // Even a server approved before: Restricted Mode means nothing from the workspace runs.
        decisions.set(def.name, { allowed: false, reason: 'workspaceUntrusted', message: 'Restricted Mode: trust this workspace to start servers from its config' });
      } else if (approved.has(key)) {
        decisions.set(def.name, { allowed: true });
      } else if (this.refused.has(key) && !userInitiated) {
        decisions.set(def.name, { allowed: false, reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' });
      } else {
        pending.push(def);
      }
    }
    if (pending.length) {
      const yes = await this.dialog().confirmServers(pending);
      for (const def of pending) {
        const key = trustHash(def);
        if (yes) {
          approved.add(key);
          this.refused.delete(key);
          decisions.set(def.name, { allowed: true });
        } else {
          this.refused.add(key);
          decisions.set(def.name, { allowed: false, reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' });
        }
      }
      if (yes) await this.state.update(STORAGE_KEY, [...approved]);
    }
    return decisions;
  }

  /** Forgets every approval: each workspace server asks again before its next start. */
  async reset(): Promise<void> {
    this.refused.clear();
    await this.state.update(STORAGE_KEY, undefined);
  }
}
