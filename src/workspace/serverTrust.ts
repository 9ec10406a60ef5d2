import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { trustHash } from '../config/hash';
import { localPreviewContext, previewLaunch, npxLocalInfluence } from '../config/launchPreview';
import { trustQuestion, trustRow, type ServerToTrust } from '../config/trustText';
import type { ServerDefinition } from '../config/types';
import { namesWorkspaceFolder } from '../config/variables';
import type { StartDecision } from '../mcp/registry';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import * as ui from '../ui/window';

export { definedIn, trustDetail, trustQuestion, trustRow, type ServerToTrust, type ServerTrustRow } from '../config/trustText';

/**
 * Asks whether workspace-defined servers may start; one dialog for all of them. The answer is the servers the user
 * approved, each exactly as it was shown (none: declined; all: the one-click path), or `undefined` when the user
 * closed the question without answering it (Escape, Cancel, or Escape in Choose…): nothing starts, nothing is
 * declined.
 */
export interface ServerTrustDialog {
  confirmServers(servers: readonly ServerToTrust[]): Promise<readonly ServerToTrust[] | undefined>;
}

const CHOOSE = 'Choose…';

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
    const { detail, left } = trustQuestion(servers);
    // Servers the detail could not list are never started unseen: then only Choose… (a row each) starts any.
    const buttons = single ? [start] : left > 0 ? [CHOOSE] : [start, CHOOSE];
    const answer = await ui.showWarningMessage(message, { modal: true, detail: inertBlock(detail) }, ...buttons);
    if (answer === start) return servers;
    if (answer === CHOOSE) return chooseServers(servers);
    return undefined;
  },
};

/**
 * "Choose…": a pick with a row per server, none checked; the servers checked are the ones approved, the others
 * declined. Dismissed (Escape), it answers nothing, as a closed dialog does.
 */
async function chooseServers(servers: readonly ServerToTrust[]): Promise<readonly ServerToTrust[] | undefined> {
  const items = servers.map(server => {
    const row = trustRow(server);
    return {
      label: row.risky ? safe`$(warning) ${row.name}` : safe`$(server) ${row.name}`,
      description: inertLine(row.description),
      detail: inertLine(row.detail),
      picked: false,
      server,
    };
  });
  const picked = await ui.showQuickPick(items, {
    title: safe`Start which MCP servers from this workspace?`,
    placeHolder: safe`Check the servers to start; the others stay declined`,
    canPickMany: true,
    ignoreFocusOut: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.map(p => p.server);
}

/** The text of a definition's env file, or `undefined` when it has none or it cannot be read. */
export async function readEnvFile(def: ServerDefinition): Promise<string | undefined> {
  // Only the env file's path is needed: the workspace's folders are not looked through here.
  const preview = previewLaunch(def, localPreviewContext(def, undefined, false));
  if (preview.type !== 'stdio' || !preview.envFile) return undefined;
  return fs.readFile(preview.envFile.path, 'utf8').catch(() => undefined);
}

const STORAGE_KEY = 'mcpHost.trustedServers';

/**
 * How long after a decision made without asking anything its look at the npx server's folders still stands for the
 * launch (which follows within milliseconds, unless a restart waits for the stop): after that the launch looks again.
 * Short, because what is written in the folders meanwhile is not seen (review15: 10 s was a wide window).
 */
const DECIDED_LOOK_MS = 2_000;

/** Why a server whose trust question was closed unanswered did not start. */
const UNANSWERED = 'Not started: waiting for your approval (the question was closed). Use Start to be asked';

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
  /**
   * What a decision made without a question found in the folders of each npx server it allowed (`npxLocalInfluence`),
   * for the launch that follows to use once instead of looking again: nothing was shown to the user in between.
   */
  private readonly lookedAt = new WeakMap<ServerDefinition, { readonly influence: string | undefined; readonly at: number }>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly dialog: () => ServerTrustDialog,
  ) {}

  mayStart(definitions: readonly ServerDefinition[], userInitiated = false): Promise<Map<string, StartDecision>> {
    return this.serially(() => this.decide(definitions, userInitiated));
  }

  /** Runs `work` after every decision and approval asked for before it, so no two read and write the approvals at once. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.queue.then(work);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async decide(definitions: readonly ServerDefinition[], userInitiated: boolean): Promise<Map<string, StartDecision>> {
    const decisions = new Map<string, StartDecision>();
    const approved = new Set(this.state.get<string[]>(STORAGE_KEY, []));
    const pending: Array<ServerToTrust & { key: string }> = [];
    const looked: Array<[ServerDefinition, string | undefined]> = [];
    for (const def of definitions) {
      if (def.origin.kind === 'userSettings') {
        // The user's own server, unless it points into the open folder: then the folder's files decide what it runs.
        if (!vscode.workspace.isTrusted && namesWorkspaceFolder(def)) {
          decisions.set(def.name, { allowed: false, reason: 'workspaceUntrusted', message: 'Restricted Mode: this server uses ${workspaceFolder}; trust this workspace to start it' });
        } else {
          decisions.set(def.name, { allowed: true });
        }
        continue;
      }
      if (!vscode.workspace.isTrusted) {
        // Even a server approved before: Restricted Mode means nothing from the workspace runs.
        decisions.set(def.name, { allowed: false, reason: 'workspaceUntrusted', message: 'Restricted Mode: trust this workspace to start servers from its config' });
        continue;
      }
      const envFileText = await readEnvFile(def);
      const hasEnvFile = def.type === 'stdio' && def.envFile !== undefined;
      // One look at the folders that decide what an npx server runs: the approval's key and the question's preview share it.
      const preview = previewLaunch(def, localPreviewContext(def, hasEnvFile ? (envFileText ?? null) : undefined));
      const influence = preview.type === 'stdio' ? preview.localInfluence : undefined;
      const key = trustHash(def, envFileText, influence);
      if (approved.has(key)) {
        this.allowedWith.set(def.name, key);
        decisions.set(def.name, { allowed: true });
        looked.push([def, influence]);
      } else if (this.refused.has(key) && !userInitiated) {
        decisions.set(def.name, { allowed: false, reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' });
      } else {
        pending.push({ definition: def, preview, key });
      }
    }
    // Asked nothing: the launches that follow need not look at the folders again. After a question (open for as long as the
    // user likes, while a pull may change the folders), each launch looks again.
    if (!pending.length) for (const [def, influence] of looked) this.lookedAt.set(def, { influence, at: Date.now() });
    if (pending.length) {
      const asked = pending.map(({ definition, preview }) => ({ definition, preview }));
      // Only the servers the user approved, as shown: each answer is bound to the key of what the dialog showed.
      const answer = await this.dialog().confirmServers(asked);
      const chosen = new Set(answer ?? []);
      const approvedKeys: string[] = [];
      for (const [i, { definition: def, key }] of pending.entries()) {
        if (answer === undefined) {
          // Closed unanswered: not a decision. Nothing starts and nothing is declined: the next start asks again.
          decisions.set(def.name, { allowed: false, reason: 'notApproved', message: UNANSWERED });
        } else if (chosen.has(asked[i]!)) {
          approvedKeys.push(key);
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
      if (approvedKeys.length) await this.addApprovals(approvedKeys);
    }
    return decisions;
  }

  /**
   * Approves a definition that MCP Host itself has just written from the user's own answers ("Add Server…"), so the
   * user is not asked to trust what they typed a second ago. Bound like a dialog's answer to exactly that definition
   * where it is written (an edit asks again). Only for a definition without an env file: its variables are not what
   * the user typed. Returns a function that takes the approval back (the write failed), unless it was there before.
   */
  approveWritten(def: ServerDefinition): Promise<() => Promise<void>> {
    return this.serially(async () => {
      // Nor one whose npx runs what the workspace decides (its own copy of the package, its .npmrc): not what the user typed.
      if (def.origin.kind === 'userSettings' || (def.type === 'stdio' && def.envFile !== undefined) || npxLocalInfluence(def) !== undefined) return async () => {};
      const key = trustHash(def);
      const had = this.state.get<string[]>(STORAGE_KEY, []).includes(key);
      this.refused.delete(key);
      if (!had) await this.addApprovals([key]);
      return async () => {
        if (had) return;
        await this.serially(() => Promise.resolve(this.state.update(STORAGE_KEY, this.state.get<string[]>(STORAGE_KEY, []).filter(k => k !== key))));
      };
    });
  }

  /** Adds keys to the approvals as they are stored now (another window shares the list; what it did meanwhile stays). */
  private async addApprovals(keys: readonly string[]): Promise<void> {
    await this.state.update(STORAGE_KEY, [...new Set([...this.state.get<string[]>(STORAGE_KEY, []), ...keys])]);
  }

  /**
   * Why what is about to start is not what the user approved, or undefined when it is: the env file is read again
   * at launch, and the definition, the env file or the approvals may have changed since the dialog. Servers from
   * the user's own settings need no approval. `afterDecision`: the launch follows the decision to start it and asked
   * the user nothing (no input): what that decision found in the npx server's folders is used instead of looking again.
   */
  launchRefusal(def: ServerDefinition, envFileText: string | undefined, afterDecision = false): string | undefined {
    const looked = this.lookedAt.get(def);
    this.lookedAt.delete(def);
    if (def.origin.kind === 'userSettings') {
      return !vscode.workspace.isTrusted && namesWorkspaceFolder(def) ? 'Not started: it uses ${workspaceFolder}, and this workspace is in Restricted Mode. Trust the workspace to start it.' : undefined;
    }
    const approved = this.state.get<string[]>(STORAGE_KEY, []);
    const npxInfluence = afterDecision && looked !== undefined && Date.now() - looked.at < DECIDED_LOOK_MS ? looked.influence : npxLocalInfluence(def);
    if (approved.includes(trustHash(def, envFileText, npxInfluence))) return undefined;
    const allowedWith = this.allowedWith.get(def.name);
    if (allowedWith !== undefined && !approved.includes(allowedWith)) {
      return 'Not started: its approval was withdrawn (Reset Server Trust) while it was starting. Start it again to be asked.';
    }
    if (npxInfluence !== undefined) {
      return "Not started: the workspace's files that decide what its npx runs (a package.json bin, node_modules, an .npmrc, a yarn setting, a bunfig.toml) changed after you approved the server. Start it again to review them.";
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
