import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallOutcome } from '../mcp/serverConnection';

/** What started a tool call; shown in the consent dialog and recorded in the history. */
export type CallOrigin = 'palette' | 'tree' | 'chat' | 'languageModel' | 'history';

export interface ToolCallRequest {
  readonly server: string;
  /** The tool's own name on its server (not the qualified catalog name). */
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly origin: CallOrigin;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
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
