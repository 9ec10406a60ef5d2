import type { Progress } from '@modelcontextprotocol/client';
import type { ToolCallOutcome } from '../mcp/serverConnection';
import type { ToolTaskStatus } from '../mcp/taskStatus';

/** What started a tool call; shown in the consent dialog and recorded in the history. */
/** `app`: an MCP App asked, from its frame; it may only call tools of its own server. `result`: "Run Again" on a result panel. */
export type CallOrigin = 'palette' | 'tree' | 'chat' | 'languageModel' | 'history' | 'result' | 'app';

export interface ToolCallRequest {
  readonly server: string;
  /** The tool's own name on its server (not the qualified catalog name). */
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly origin: CallOrigin;
  /** The name of the saved call being run, when it is one: consent and history say so. */
  readonly savedCall?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Each status of the task the server turned the call into (2025-11-25 tasks), if it did. */
  readonly onTask?: (status: ToolTaskStatus) => void;
  /**
   * Where to ask, when the policy says to: the modal dialog unless the caller brings its own (chat asks
   * inline in its response). The decision, the remembered approvals and the record are the gate's either way.
   */
  readonly confirm?: ToolCallConfirmer;
  /** Called once the call is allowed, right before it is sent (never for a call that is refused or denied). */
  readonly onStart?: () => void;
}

/** How a gated call ended. Every path a caller can see is here, so none is forgotten in the UI. */
export type GatedCallResult =
  | { readonly kind: 'completed'; readonly outcome: ToolCallOutcome; readonly durationMs: number }
  | { readonly kind: 'denied'; readonly message: string }
  | { readonly kind: 'cancelled'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The one way a tool call reaches a server: every caller (palette, tree, chat, language-model tools,
 * history re-runs) goes through `call`, which asks for consent, sends, and records.
 */
export interface ToolCallGate {
  call(request: ToolCallRequest): Promise<GatedCallResult>;
}

/** The user's answer to a consent dialog. `deny` is also what dismissing the dialog means. */
export type ConsentAnswer = 'once' | 'session' | 'always' | 'deny';

/** Asks the user about one tool call. */
export type ToolCallConfirmer = (request: ToolConsentRequest) => Promise<ConsentAnswer>;

/** The modal consent dialog, the confirmer of every call that does not bring its own. */
export interface ConsentDialog {
  confirmToolCall: ToolCallConfirmer;
}

/** One part of a tool's definition that changed since the user approved it. */
export interface DefinitionChange {
  readonly field: 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations';
  /** Short, readable renderings of the old and new values (absent when the field was or is unset). */
  readonly before?: string;
  readonly after?: string;
}

/** Everything a consent dialog shows. Arguments arrive already formatted, truncated and masked. */
export interface ToolConsentRequest {
  readonly server: string;
  /** Where the server is defined, e.g. `.vscode/mcp.json` or `User Settings`. */
  readonly serverOrigin: string;
  readonly tool: string;
  readonly title?: string;
  readonly description?: string;
  readonly annotations: {
    readonly readOnlyHint?: boolean;
    readonly destructiveHint?: boolean;
    readonly idempotentHint?: boolean;
    readonly openWorldHint?: boolean;
  };
  /** Pretty JSON of the arguments, long values truncated and secrets masked. */
  readonly argumentsText: string;
  /** When `argumentsText` is cut: all of it (secrets still masked), for "Show Full Arguments". */
  readonly fullArgumentsText?: string;
  readonly origin: CallOrigin;
  readonly savedCall?: string;
  /**
   * Set when the user approved an earlier definition of this tool and the server has changed it, or approved
   * this tool when the server's own definition (command, args, env, URL, headers) was another (`serverRedefined`).
   */
  readonly changedSince?: { readonly approvedAt: number; readonly changes: readonly DefinitionChange[]; readonly serverRedefined?: true };
  /** Reasons to distrust the tool's metadata (invisible characters in its name, say). */
  readonly warnings: readonly string[];
}
