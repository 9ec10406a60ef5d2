import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { trustHash } from '../config/hash';
import { describePreview, localPreviewContext, previewLaunch, type LaunchPreview } from '../config/launchPreview';
import type { ServerDefinition } from '../config/types';
import type { StartDecision } from '../mcp/registry';
import { inertBlock, safe } from '../common/untrustedText';
import * as ui from '../ui/window';

/** A workspace server waiting for the user's approval, with what it would run as the dialog shows it. */
export interface ServerToTrust {
  readonly definition: ServerDefinition;
  readonly preview: LaunchPreview;
}

/** Asks whether workspace-defined servers may start; one dialog for all of them. */
export interface ServerTrustDialog {
  confirmServers(servers: readonly ServerToTrust[]): Promise<boolean>;
}

/** The dialog's detail: per server what runs (expanded, secrets masked), risky overrides first, and where it is defined. */
export function trustDetail(servers: readonly ServerToTrust[]): string {
  const blocks = servers.map(({ definition: d, preview }) =>
    [`• ${d.name} — defined in ${d.origin.file ?? d.origin.label}`, ...describePreview(preview).map(line => `   ${line}`)].join('\n'),
  );
  const runs = servers.length === 1 ? 'It runs' : 'They run';
  return `${blocks.join('\n\n')}\n\n${runs} with your permissions. Only start servers from sources you trust; you are asked again if a definition or its env file changes.`;
}

export const serverTrustDialog: ServerTrustDialog = {
  async confirmServers(servers) {
    const single = servers.length === 1;
    const risky = servers.some(s => s.preview.warnings.length > 0);
    const message = single
      ? risky
        ? safe`Start the MCP server '${servers[0]!.definition.name}' from this workspace? Its definition changes what runs — read the warnings.`
        : safe`Start the MCP server '${servers[0]!.definition.name}' from this workspace?`
      : risky
        ? safe`Start ${servers.length} MCP servers from this workspace? Some change what runs — read the warnings.`
        : safe`Start ${servers.length} MCP servers from this workspace?`;
    const start = single ? 'Start Server' : 'Start Servers';
    const answer = await ui.showWarningMessage(message, { modal: true, detail: inertBlock(trustDetail(servers)) }, start);
    return answer === start;
  },
};

/** The text of a definition's env file, or `undefined` when it has none or it cannot be read. */
export async function readEnvFile(def: ServerDefinition): Promise<string | undefined> {
  const preview = previewLaunch(def, localPreviewContext(def));
  if (preview.type !== 'stdio' || !preview.envFile) return undefined;
  return fs.readFile(preview.envFile.path, 'utf8').catch(() => undefined);
}

const STORAGE_KEY = 'mcpHost.trustedServers';

/**
 * Decides whether servers may start. Servers from the user's own settings always may. Servers from
 * workspace files never start in Restricted Mode, and otherwise only once the user has approved that
 * exact definition: approvals are pinned to a hash of what runs (the env file's variables included) and where
 * it is defined, so an edited definition or env file (or the same text in another repository) asks again.
 */
export class ServerTrust {
  /** Refused in this window; asked again after a reload or when the user starts the server. */
  private readonly refused = new Set<string>();
  /** Decisions are made one at a time, so two dialogs never race to write the approvals. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The approval each workspace server was last allowed to start with in this window: it says why a launch is refused. */
  private readonly allowedWith = new Map<string, string>();

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
    const pending: Array<ServerToTrust & { key: string }> = [];
    for (const def of definitions) {
      const envFileText = def.origin.kind === 'userSettings' ? undefined : await readEnvFile(def);
      const key = trustHash(def, envFileText);
      if (def.origin.kind === 'userSettings') {
        decisions.set(def.name, { allowed: true });
      } else if (!vscode.workspace.isTrusted) {
        // Even a server approved before: Restricted Mode means nothing from the workspace runs.
        decisions.set(def.name, { allowed: false, reason: 'workspaceUntrusted', message: 'Restricted Mode: trust this workspace to start servers from its config' });
      } else if (approved.has(key)) {
        this.allowedWith.set(def.name, key);
        decisions.set(def.name, { allowed: true });
      } else if (this.refused.has(key) && !userInitiated) {
        decisions.set(def.name, { allowed: false, reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' });
      } else {
        const hasEnvFile = def.type === 'stdio' && def.envFile !== undefined;
        pending.push({ definition: def, preview: previewLaunch(def, localPreviewContext(def, hasEnvFile ? (envFileText ?? null) : undefined)), key });
      }
    }
    if (pending.length) {
      const yes = await this.dialog().confirmServers(pending.map(({ definition, preview }) => ({ definition, preview })));
      for (const { definition: def, key } of pending) {
        if (yes) {
          this.refused.delete(key);
          this.allowedWith.set(def.name, key);
          decisions.set(def.name, { allowed: true });
        } else {
          this.refused.add(key);
          decisions.set(def.name, { allowed: false, reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' });
        }
      }
      // Only this answer's keys are added, to the list as it is stored now: the dialog may have been open for minutes, and
      // another window shares the list (a Reset Server Trust there, or its own approvals, made meanwhile must stay).
      if (yes) await this.state.update(STORAGE_KEY, [...new Set([...this.state.get<string[]>(STORAGE_KEY, []), ...pending.map(p => p.key)])]);
    }
    return decisions;
  }

  /**
   * Why what is about to start is not what the user approved, or undefined when it is: the env file is read again
   * at launch, and the definition, the env file or the approvals may have changed since the dialog. Servers from
   * the user's own settings need no approval.
   */
  launchRefusal(def: ServerDefinition, envFileText: string | undefined): string | undefined {
    if (def.origin.kind === 'userSettings') return undefined;
    const approved = this.state.get<string[]>(STORAGE_KEY, []);
    if (approved.includes(trustHash(def, envFileText))) return undefined;
    const allowedWith = this.allowedWith.get(def.name);
    if (allowedWith !== undefined && !approved.includes(allowedWith)) {
      return 'Not started: its approval was withdrawn (Reset Server Trust) while it was starting. Start it again to be asked.';
    }
    return `Not started: ${def.type === 'stdio' && def.envFile ? 'its env file' : 'its definition'} changed after you approved the server. Start it again to review the change.`;
  }

  /** Whether what is about to start is what the user approved (`launchRefusal` says why not). */
  isApproved(def: ServerDefinition, envFileText: string | undefined): boolean {
    return this.launchRefusal(def, envFileText) === undefined;
  }

  /** Forgets every approval: each workspace server asks again before its next start. */
  async reset(): Promise<void> {
    this.refused.clear();
    await this.state.update(STORAGE_KEY, undefined);
  }
}
