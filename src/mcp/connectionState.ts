import type { Implementation, ProtocolEra, ServerCapabilities } from '@modelcontextprotocol/client';
import type { NegotiationPlan } from './eraNegotiation';

/**
 * The one connection state every consumer (tree, status bar, commands, chat) reads.
 * `error` keeps what the user needs to act: the message, the exit code, the tail of stderr,
 * and when (if ever) an automatic restart is due.
 */
export type ConnectionState =
  | { readonly kind: 'stopped' }
  /** Blocked before launch: workspace not trusted, server not yet approved, or disabled in config. */
  | { readonly kind: 'blocked'; readonly reason: 'workspaceUntrusted' | 'notApproved' | 'disabled' | 'invalidConfig'; readonly message: string }
  | {
      readonly kind: 'starting';
      readonly attempt: number;
      /** Set when a running server is being reconnected: its server forgot the session (restarted, or ended it). */
      readonly reconnect?: 'sessionLost';
      /**
       * Set while a sign-in the user started runs (the browser may be open): the authorization server's host, as
       * "needs sign-in" named it ('' when it named none). Server-derived: untrusted text.
       */
      readonly signingIn?: string;
    }
  /**
   * A remote server that wants an OAuth sign-in the host cannot do silently (no tokens yet, the refresh
   * failed, or the server asks for more scopes). Nothing opens a browser until the user chooses Sign In.
   */
  | {
      readonly kind: 'needsSignIn';
      /** The authorization server's host, shown before the user signs in (server-derived: untrusted text). */
      readonly host: string;
      /** The scopes the sign-in asks for (server-derived). */
      readonly scopes: readonly string[];
      readonly reason: SignInReason;
    }
  | {
      readonly kind: 'running';
      readonly serverInfo: Implementation;
      readonly capabilities: ServerCapabilities;
      readonly protocolVersion: string | undefined;
      /** `modern` (2026-07-28: discover, listen, input_required) or `legacy` (the 2025 initialize handshake). */
      readonly era: ProtocolEra;
      /** Whether this start probed, reused an earlier start's verdict, or followed the definition's `protocol`. */
      readonly eraDecidedBy: NegotiationPlan['decidedBy'];
      readonly instructions: string | undefined;
      readonly transport: 'stdio' | 'http' | 'sse';
      /**
       * Set while the SDK resumes a Streamable HTTP stream that dropped (the notification stream, or a call's
       * response stream): the server may be unreachable, and a call waiting on that stream waits. Calls are still
       * sent meanwhile. Cleared when the stream is back; when the SDK gives up, the server goes to `error`.
       */
      readonly resuming?: StreamResumption;
    }
  | {
      readonly kind: 'error';
      readonly message: string;
      /** What the user can do about it, when we know. */
      readonly hint?: string;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly stderrTail: readonly string[];
      /** Epoch ms of the scheduled automatic restart, absent when none is scheduled. */
      readonly restartAt?: number;
      readonly attempt: number;
    };

/** A dropped stream being resumed: the attempt under way or due next. */
export interface StreamResumption {
  /** From 1 to `maxAttempts`. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Epoch ms at which the attempt is due; absent once it is under way. */
  readonly dueAt?: number;
  /** Why the previous attempt failed, one line, masked (server-derived: untrusted text, shown through untrustedText helpers). */
  readonly lastError?: string;
}

/** "in 0.4 s, attempt 2 of 5" (due), "attempt 2 of 5" (under way): the words of the log's resumption lines. */
export function describeResumption(resuming: StreamResumption, now = Date.now()): string {
  const attempt = `attempt ${resuming.attempt} of ${resuming.maxAttempts}`;
  if (resuming.dueAt === undefined) return attempt;
  return `in ${Math.max(0, Math.round((resuming.dueAt - now) / 100) / 10)} s, ${attempt}`;
}

/** Why a sign-in is needed: never signed in, a refresh the authorization server refused, or more scopes wanted. */
export type SignInReason = 'signIn' | 'expired' | 'stepUp';

export function canBeStarted(state: ConnectionState): boolean {
  return state.kind === 'stopped' || state.kind === 'error' || state.kind === 'needsSignIn' || (state.kind === 'blocked' && state.reason !== 'invalidConfig');
}

/** A one-line summary for descriptions and the status bar. */
export function describeState(state: ConnectionState): string {
  switch (state.kind) {
    case 'stopped':
      return 'stopped';
    case 'blocked':
      return state.message;
    case 'starting':
      if (state.reconnect === 'sessionLost') return 'reconnecting · the server lost the session';
      if (state.signingIn !== undefined) return state.signingIn ? `signing in · ${state.signingIn}` : 'signing in';
      return state.attempt > 1 ? `starting (attempt ${state.attempt})` : 'starting';
    case 'running':
      return state.resuming ? `reconnecting · the stream dropped (${describeResumption(state.resuming)})` : 'running';
    case 'needsSignIn':
      return `needs sign-in · ${state.host}`;
    case 'error':
      return state.restartAt ? `error · restarting` : 'error';
  }
}
