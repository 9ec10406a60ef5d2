import type { Tool } from '@modelcontextprotocol/client';
import { canonicalJson } from '../config/hash';
import type { ConfigSourceKind } from '../config/types';
import type { DefinitionChange } from './types';

/**
 * Settings that let calls through without a dialog. They loosen consent, so the host reads them only
 * from the user's own settings (`inspect(key).globalValue`): a cloned repository cannot pre-approve anything.
 */
export interface ConsentSettings {
  /**
   * Tools that declare `readOnlyHint: true` skip the dialog. Annotations are hints from the server,
   * which may lie; trusting them is the user's explicit choice, off by default.
   */
  readonly autoApproveReadOnly: boolean;
  /** Servers whose tools never ask. Only servers defined in the user's own settings qualify. */
  readonly trustedServers: readonly string[];
}

export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = { autoApproveReadOnly: false, trustedServers: [] };

export type ApprovalScope = 'session' | 'always';

/** The parts of a tool's definition an approval covers, kept so a changed tool can say what changed. */
export interface ApprovedDefinition {
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: unknown;
}

/**
 * "Allow for this session" or "Always allow in this workspace", pinned to one definition of one tool of one
 * server: the server as identified by `serverIdentity` (name, defining file and folder, what runs).
 */
export interface StoredApproval {
  readonly server: string;
  readonly tool: string;
  /** `serverIdentity(definition)` when approved; only a server with the same identity is covered. */
  readonly serverIdentity: string;
  /** Where the server was defined when approved (kind and label, e.g. `.vscode/mcp.json (api)`), for display. */
  readonly serverOrigin: ConfigSourceKind;
  readonly serverOriginLabel: string;
  readonly scope: ApprovalScope;
  readonly definitionHash: string;
  readonly definition: ApprovedDefinition;
  /** Epoch milliseconds. */
  readonly approvedAt: number;
}

/**
 * Stored approvals found by what a call asks about, so deciding a call costs the same with 10 or 10,000 of
 * them. Both answers are the stored objects themselves, never copies.
 */
export interface ApprovalLookup {
  /** Every approval (any scope, any definition) of the tool `tool` of the server with this identity. */
  ofTool(serverIdentity: string, tool: string): readonly StoredApproval[];
  /** Every approval of the tool `tool` of the config entry (name, defining file), whatever its identity then. */
  ofEntry(server: string, serverOrigin: ConfigSourceKind, serverOriginLabel: string, tool: string): readonly StoredApproval[];
}

const NONE: readonly StoredApproval[] = [];

/** Approvals bucketed by (server identity, tool) and by (server, defining file, tool), built once. */
export class ApprovalIndex implements ApprovalLookup {
  private readonly byTool = new Map<string, Map<string, StoredApproval[]>>();
  private readonly byEntry = new Map<string, Map<string, StoredApproval[]>>();

  constructor(approvals: Iterable<StoredApproval>) {
    for (const a of approvals) {
      bucket(this.byTool, a.serverIdentity, a.tool).push(a);
      bucket(this.byEntry, entryKey(a.server, a.serverOrigin, a.serverOriginLabel), a.tool).push(a);
    }
  }

  ofTool(serverIdentity: string, tool: string): readonly StoredApproval[] {
    return this.byTool.get(serverIdentity)?.get(tool) ?? NONE;
  }

  ofEntry(server: string, serverOrigin: ConfigSourceKind, serverOriginLabel: string, tool: string): readonly StoredApproval[] {
    return this.byEntry.get(entryKey(server, serverOrigin, serverOriginLabel))?.get(tool) ?? NONE;
  }
}

function bucket(map: Map<string, Map<string, StoredApproval[]>>, outer: string, tool: string): StoredApproval[] {
  let tools = map.get(outer);
  if (!tools) map.set(outer, (tools = new Map()));
  let list = tools.get(tool);
  if (!list) tools.set(tool, (list = []));
  return list;
}

/** Asked only when a call has no approval of its server's identity, i.e. before a dialog. */
function entryKey(server: string, serverOrigin: ConfigSourceKind, serverOriginLabel: string): string {
  return JSON.stringify([server, serverOrigin, serverOriginLabel]);
}

/** Why a call went ahead without a dialog. */
export type AllowReason = 'trustedServer' | 'readOnly' | 'approvedForSession' | 'approvedInWorkspace';

export type ConsentDecision =
  | { readonly kind: 'allow'; readonly reason: AllowReason }
  | {
      readonly kind: 'ask';
      /**
       * Set when an approval exists for an earlier definition of this tool, or for this tool of an earlier
       * definition of the server (`serverRedefined`: same name in the same file, but another command, env or URL).
       */
      readonly changedSince?: {
        readonly previousHash: string;
        readonly approvedAt: number;
        readonly changes: readonly DefinitionChange[];
        readonly serverRedefined?: true;
      };
    };

/** An allowing decision per reason, made once (the gate asks for one on every call). */
const ALLOW: { readonly [R in AllowReason]: ConsentDecision } = {
  trustedServer: Object.freeze({ kind: 'allow', reason: 'trustedServer' }),
  readOnly: Object.freeze({ kind: 'allow', reason: 'readOnly' }),
  approvedForSession: Object.freeze({ kind: 'allow', reason: 'approvedForSession' }),
  approvedInWorkspace: Object.freeze({ kind: 'allow', reason: 'approvedInWorkspace' }),
};

export interface ConsentQuestion {
  readonly server: string;
  readonly serverOrigin: ConfigSourceKind;
  /** `serverIdentity(definition)` of the server the call goes to. */
  readonly serverIdentity: string;
  readonly serverOriginLabel: string;
  readonly tool: Tool;
  /** `toolDefinitionHash(tool)` from the catalog. */
  readonly definitionHash: string;
}

/**
 * Whether a call may go ahead without asking. A pure function of the user's consent settings, the
 * stored approvals, and the tool's current definition: an approval counts only for the server identity
 * and the tool definition it was given for, so a same-named server defined elsewhere, a server whose
 * command was rewritten, and a server that changes a tool after approval are all asked about again.
 */
export function decideConsent(question: ConsentQuestion, settings: ConsentSettings, approvals: ApprovalLookup): ConsentDecision {
  const { server, serverOrigin, serverOriginLabel, serverIdentity, tool, definitionHash } = question;
  if (serverOrigin === 'userSettings' && settings.trustedServers.includes(server)) return ALLOW.trustedServer;
  // A tool that claims to be read-only and destructive at once is not read-only.
  if (settings.autoApproveReadOnly && tool.annotations?.readOnlyHint === true && tool.annotations.destructiveHint !== true) return ALLOW.readOnly;
  const mine = approvals.ofTool(serverIdentity, tool.name);
  // Asked on every call: a loop, not a filtered copy and a search with a closure each.
  let current = false;
  for (const approval of mine) {
    if (approval.definitionHash !== definitionHash) continue;
    if (approval.scope === 'always') return ALLOW.approvedInWorkspace;
    current = true;
  }
  if (current) return ALLOW.approvedForSession;
  // Only to say what changed: an approval of the same entry (name, file) before its server was redefined.
  const redefined = mine.length ? NONE : approvals.ofEntry(server, serverOrigin, serverOriginLabel, tool.name);
  const previous = [...mine, ...redefined].sort((a, b) => b.approvedAt - a.approvedAt)[0];
  if (!previous) return { kind: 'ask' };
  return {
    kind: 'ask',
    changedSince: {
      previousHash: previous.definitionHash,
      approvedAt: previous.approvedAt,
      changes: describeChanges(previous.definition, approvedDefinition(tool)),
      ...(mine.length ? {} : { serverRedefined: true as const }),
    },
  };
}

/** What an approval of `tool` stores about it. */
export function approvedDefinition(tool: Tool): ApprovedDefinition {
  const { title, description, inputSchema, outputSchema, annotations } = tool;
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(inputSchema !== undefined ? { inputSchema } : {}),
    ...(outputSchema !== undefined ? { outputSchema } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

const DIFF_TEXT_LIMIT = 300;
const FIELDS: ReadonlyArray<DefinitionChange['field']> = ['title', 'description', 'inputSchema', 'outputSchema', 'annotations'];

/** The fields that differ between two definitions, each with short before/after text. */
export function describeChanges(before: ApprovedDefinition, after: ApprovedDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  for (const field of FIELDS) {
    const a = before[field];
    const b = after[field];
    if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) continue;
    changes.push({ field, ...(a !== undefined ? { before: render(a) } : {}), ...(b !== undefined ? { after: render(b) } : {}) });
  }
  return changes;
}

function render(value: unknown): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return text.length > DIFF_TEXT_LIMIT ? `${text.slice(0, DIFF_TEXT_LIMIT)}… (${text.length - DIFF_TEXT_LIMIT} more characters)` : text;
}
