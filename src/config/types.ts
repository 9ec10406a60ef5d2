/** Where a server definition came from; shown as the server's origin in the tree, dialogs and logs. */
export type ConfigSourceKind = 'workspaceVscode' | 'workspaceClaude' | 'userSettings';

export interface ConfigOrigin {
  readonly kind: ConfigSourceKind;
  /** Absolute path of the file, for file sources. */
  readonly file?: string;
  /** Absolute path of the workspace folder the file belongs to, for workspace sources. */
  readonly folder?: string;
  /** Short human label, e.g. `.vscode/mcp.json (api)` or `User Settings`. */
  readonly label: string;
}

/** A zero-based position, as in `vscode.Position`. */
export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}

/** A range in a config file, zero-based like `vscode.Range`, with the offsets it came from. */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
  readonly offset: number;
  readonly length: number;
}

export interface ServerTimeouts {
  /** Milliseconds to spawn/connect and finish `initialize`. */
  readonly startupMs: number;
  /** Milliseconds one request may take with no progress from the server. */
  readonly requestMs: number;
  /**
   * Milliseconds one call may take in all, however often its server reports progress (0: no limit); absent when
   * the entry does not say, and then the user setting (`DEFAULT_MAX_CALL_MS` by default) applies.
   */
  readonly totalMs?: number;
}

interface ServerDefinitionCommon {
  /** The key under `servers` / `mcpServers`. Unique after precedence is applied. */
  readonly name: string;
  readonly origin: ConfigOrigin;
  /** Where the entry's value sits in its file (absent for settings). */
  readonly range?: SourceRange;
  readonly disabled: boolean;
  readonly timeouts: ServerTimeouts;
  /** Tool names this host hides from every consumer. */
  readonly disabledTools: readonly string[];
  /**
   * The protocol era or version to speak, when the server misbehaves under the era probe: `legacy`
   * (2025-11-25 and older, `initialize`), `modern` (2026-07-28, `server/discover`) or a version such as
   * `2025-06-18`. Absent means `auto`: probe, and remember the verdict.
   */
  readonly protocol?: ProtocolSetting;
}

/** How a definition pins the protocol (`protocol` in its entry). */
export type ProtocolSetting = 'auto' | 'legacy' | 'modern' | (string & {});

/** A definition as written: strings may still hold `${…}` variables, resolved only at launch. */
export interface StdioServerDefinition extends ServerDefinitionCommon {
  readonly type: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  /** `null` removes an inherited variable. */
  readonly env: Readonly<Record<string, string | null>>;
  readonly envFile?: string;
  readonly cwd?: string;
}

export interface RemoteServerDefinition extends ServerDefinitionCommon {
  readonly type: 'http' | 'sse';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A client registered out of band with the server's authorization server. */
  readonly oauth?: OAuthClientConfig;
}

/** `oauth` of a remote server entry: a pre-registered OAuth client (the secret usually an `${input:…}`). */
export interface OAuthClientConfig {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scopes?: readonly string[];
}

export type ServerDefinition = StdioServerDefinition | RemoteServerDefinition;

/** An `inputs` entry of the VS Code format. */
export type InputDefinition =
  | {
      readonly type: 'promptString';
      readonly id: string;
      readonly description: string;
      readonly password: boolean;
      readonly default?: string;
    }
  | {
      readonly type: 'pickString';
      readonly id: string;
      readonly description: string;
      readonly options: readonly string[];
      /** What the pick shows for an option written as `{ "label", "value" }`, by value. */
      readonly labels?: Readonly<Record<string, string>>;
      readonly default?: string;
    };

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** Something wrong with config, reported as a Problems-panel diagnostic and on the server in the tree. */
export interface ConfigProblem {
  readonly severity: ProblemSeverity;
  readonly message: string;
  /** Absolute path of the file, when the problem is in a file. */
  readonly file?: string;
  readonly range?: SourceRange;
  /** The server the problem belongs to, when it belongs to one. */
  readonly server?: string;
}

/** One source after parsing: its servers (only the valid ones), inputs, and problems. */
export interface ParsedSource {
  readonly origin: ConfigOrigin;
  readonly servers: readonly ServerDefinition[];
  readonly inputs: readonly InputDefinition[];
  readonly problems: readonly ConfigProblem[];
  /** Entries a syntax error runs through, by name (left out of `servers`): the last definition read may stand in (`keepLastRead`). */
  readonly unreadable?: ReadonlyArray<{ readonly name: string; readonly range?: SourceRange }>;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { startupMs: 30_000, requestMs: 60_000 };

/**
 * The most one call may take in all by default: 30 minutes. Progress resets the request timeout, so without a
 * total a server that reports progress forever holds the call (its notification, a chat turn) for good. 30 min,
 * not 10× the request timeout (10 min by default): builds, test runs and indexing that report progress take
 * that long, and the user can Cancel sooner; longer work belongs in a task (2025-11-25), which this does not bound.
 */
export const DEFAULT_MAX_CALL_MS = 30 * 60_000;

/** Which of the two file formats a source is written in: `servers` + `inputs`, or Claude Code's `mcpServers`. */
export type ConfigFormat = 'vscode' | 'claude';

/** `timeout` as written: one number for both, or each separately (milliseconds). */
export type TimeoutSetting = number | { readonly startup?: number; readonly request?: number; readonly total?: number };

interface ServerEntryCommon {
  readonly disabled?: boolean;
  readonly timeout?: TimeoutSetting;
  readonly disabledTools?: readonly string[];
  readonly protocol?: ProtocolSetting;
}

/** A server entry as written in a config file (the JSON shape `mcp-config.schema.json` describes). */
export interface StdioServerEntry extends ServerEntryCommon {
  readonly type?: 'stdio';
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string | null>>;
  readonly envFile?: string;
  readonly cwd?: string;
}

export interface RemoteServerEntry extends ServerEntryCommon {
  /** Omitted means `http`; `streamable-http` and `streamableHttp` (Cline's) are other hosts' names for `http`. */
  readonly type?: 'http' | 'sse' | 'streamable-http' | 'streamableHttp';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly oauth?: OAuthClientConfig;
}

export type ServerEntry = StdioServerEntry | RemoteServerEntry;
