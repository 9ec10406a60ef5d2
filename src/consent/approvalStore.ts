import { Emitter } from '../common/event';
import { ApprovalIndex, type ApprovalLookup, type StoredApproval } from './policy';

/** The slice of `vscode.Memento` the store uses, so it runs in plain Node too. */
export interface ApprovalMemento {
  get<T>(key: string, defaultValue: T): T;
  update(key: string, value: unknown): PromiseLike<void>;
}

const STORAGE_KEY = 'mcpHost.toolApprovals';

/**
 * The user's standing approvals: "for this session" in memory (gone with the window), "always" in
 * workspace state (this workspace only). One approval per server identity, tool and scope; a new one
 * replaces the old, so a re-approved changed tool does not leave its stale definition behind.
 * Approvals stored before they carried a server identity (0.1.x) are not read, and are dropped at the next write:
 * nothing says which definition of their server earned them.
 *
 * Every tool call looks its approvals up here, so the lookup is a bucket in an index, rebuilt only when the
 * approvals change: `workspaceState.get` hands back the same object until the key is written, so a new object
 * (from this store or another on the same memento) is what says the stored list changed.
 */
export class ApprovalStore implements ApprovalLookup {
  /** Replaced, never changed in place: its identity says whether `indexed` is current. */
  private session: StoredApproval[] = [];
  private indexed: { readonly stored: unknown; readonly session: StoredApproval[]; readonly index: ApprovalIndex } | undefined;
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;

  constructor(readonly workspaceState: ApprovalMemento) {}

  /** Session approvals first, then those stored in the workspace. */
  all(): StoredApproval[] {
    return [...this.session, ...this.persisted()];
  }

  ofTool(serverIdentity: string, tool: string): readonly StoredApproval[] {
    return this.index().ofTool(serverIdentity, tool);
  }

  ofEntry(...entry: Parameters<ApprovalLookup['ofEntry']>): readonly StoredApproval[] {
    return this.index().ofEntry(...entry);
  }

  private index(): ApprovalIndex {
    const stored = this.workspaceState.get<unknown>(STORAGE_KEY, undefined);
    if (!this.indexed || this.indexed.stored !== stored || this.indexed.session !== this.session) {
      this.indexed = { stored, session: this.session, index: new ApprovalIndex([...this.session, ...valid(stored)]) };
    }
    return this.indexed.index;
  }

  async add(approval: StoredApproval): Promise<void> {
    const same = (a: StoredApproval) => a.serverIdentity === approval.serverIdentity && a.tool === approval.tool;
    if (approval.scope === 'session') {
      this.session = [...this.session.filter(a => !same(a)), approval];
    } else {
      // An "always" supersedes this window's "session" approval of the same tool.
      this.session = this.session.filter(a => !same(a));
      await this.workspaceState.update(STORAGE_KEY, [...this.persisted().filter(a => !same(a)), approval]);
    }
    this._onDidChange.fire();
  }

  /** Removes the given approvals (matched by server identity, tool and scope). */
  async revoke(approvals: readonly StoredApproval[]): Promise<void> {
    const gone = (a: StoredApproval) => approvals.some(r => r.serverIdentity === a.serverIdentity && r.tool === a.tool && r.scope === a.scope);
    this.session = this.session.filter(a => !gone(a));
    if (approvals.some(a => a.scope === 'always')) await this.workspaceState.update(STORAGE_KEY, this.persisted().filter(a => !gone(a)));
    this._onDidChange.fire();
  }

  async revokeAll(): Promise<void> {
    this.session = [];
    await this.workspaceState.update(STORAGE_KEY, undefined);
    this._onDidChange.fire();
  }

  private persisted(): StoredApproval[] {
    return valid(this.workspaceState.get<unknown>(STORAGE_KEY, undefined));
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}

function valid(stored: unknown): StoredApproval[] {
  return Array.isArray(stored) ? stored.filter(isApproval) : [];
}

function isApproval(value: unknown): value is StoredApproval {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return (
    typeof a.server === 'string' &&
    typeof a.tool === 'string' &&
    typeof a.serverIdentity === 'string' &&
    typeof a.definitionHash === 'string' &&
    a.scope === 'always' &&
    typeof a.serverOrigin === 'string' &&
    typeof a.serverOriginLabel === 'string'
  );
}
