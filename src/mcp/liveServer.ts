import {
  type Client,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type Progress,
  type ProtocolEra,
  type ReadResourceResult,
  type Resource,
  type ServerCapabilities,
  type Transport,
} from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { ChangeSubscriptions } from './changeSubscriptions';
import type { NegotiationPlan } from './eraNegotiation';
import type { LogLevel, ServerLog } from './log';
import { cutServerMessage, MAX_SERVER_ERROR_CHARS } from './diagnosis';
import { wellFormedItems } from './listItems';
import type { Page, PageLimits } from './pagination';
import { timedRequest } from './requests';
import type { ResultFiles } from './resultFiles';
import type { SchemaValidator } from './schemaValidator';
import { type ListKind, ServerLists } from './serverLists';
import type { ToolCallContext } from './toolCall';
import type { TracingTransport } from './transports/tracingTransport';

export type Wire = 'stdio' | 'http' | 'sse';

/** A launch once connected: the SDK client, the transport it runs on, and how its era was decided. */
export interface Connected {
  readonly client: Client;
  readonly traced: TracingTransport;
  /** The transport under the tracing layer (the stdio process, or the HTTP client). */
  readonly raw: Transport;
  readonly wire: Wire;
  readonly decidedBy: NegotiationPlan['decidedBy'];
}

export interface LiveServerContext {
  readonly log: ServerLog;
  readonly requestMs: number;
  /** The most a tool call whose progress is followed may take in all (0: no limit); read per call. */
  readonly totalMs: () => number;
  readonly pageLimits?: PageLimits | undefined;
  readonly validator: SchemaValidator;
  readonly resultFiles?: ResultFiles | undefined;
  readonly onListChanged: (kind: ListKind) => void;
  readonly onResourceUpdated: (uri: string) => void;
}

const LOG_LEVEL_TO_MCP: Record<LogLevel, LoggingLevel> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

/**
 * One launch of a server, connected, in whichever era it speaks: its lists, its change subscriptions and
 * the requests the host sends it. Nothing here outlives the launch; a restart builds a new one.
 */
export class LiveServer {
  readonly lists: ServerLists;
  readonly changes: ChangeSubscriptions;
  readonly capabilities: ServerCapabilities;
  readonly era: ProtocolEra;
  /** What `sendToolCall` needs to call one of this server's tools: made once, not per call. */
  readonly toolCalls: ToolCallContext;
  private closed = false;

  constructor(
    readonly connected: Connected,
    private readonly ctx: LiveServerContext,
  ) {
    const client = connected.client;
    this.capabilities = client.getServerCapabilities() ?? {};
    this.era = client.getProtocolEra() ?? 'legacy';
    const modern = this.era === 'modern';
    this.changes = new ChangeSubscriptions({
      client,
      capabilities: this.capabilities,
      modern,
      log: ctx.log,
      // Read per request, as for calls: a lower mcpHost.calls.maxMinutes cuts a workspace server's request timeout (callLimits).
      get requestMs() {
        return ctx.requestMs;
      },
      onResumed: () => {
        for (const kind of this.advertisedLists()) void this.lists.refresh(kind);
      },
    });
    // requestMs read per call: the call limit can cut a workspace server's request timeout while it runs (callLimits).
    this.toolCalls = {
      client,
      log: ctx.log,
      get requestMs() {
        return ctx.requestMs;
      },
      totalMs: ctx.totalMs,
      validator: ctx.validator,
      resultFiles: ctx.resultFiles,
      meta: () => this.meta(),
    };
    this.lists = new ServerLists({
      client,
      log: ctx.log,
      get requestMs() {
        return ctx.requestMs;
      },
      pageLimits: ctx.pageLimits,
      modern,
      meta: () => this.meta(),
      announcesChanges: kind => this.changes.announces(kind),
      onChanged: ctx.onListChanged,
    });
    client.setNotificationHandler('notifications/message', n => onServerLog(ctx.log, n.params.level, n.params.logger, n.params.data));
    client.setNotificationHandler('notifications/tools/list_changed', () => void this.lists.refresh('tools'));
    client.setNotificationHandler('notifications/prompts/list_changed', () => void this.lists.refresh('prompts'));
    client.setNotificationHandler('notifications/resources/list_changed', () => void this.lists.refresh('resources'));
    client.setNotificationHandler('notifications/resources/updated', n => ctx.onResourceUpdated(n.params.uri));
  }

  get client(): Client {
    return this.connected.client;
  }

  get protocolVersion(): string | undefined {
    return this.client.getNegotiatedProtocolVersion();
  }

  /** Sets the log level, loads the lists and opens the change subscriptions; then the server counts as running. */
  async initialize(logLevel: LogLevel, watched: ReadonlySet<string>): Promise<void> {
    // Sent before the lists but not awaited before them: a server answers in order anyway, and a start costs
    // one round trip less (each is a wake-up of both processes, which adds up when many servers start at once).
    const levelSet = this.setLogLevel(logLevel).catch(err => this.ctx.log.warn(`logging/setLevel failed: ${err.message}`));
    await Promise.all([levelSet, this.lists.load(this.advertisedLists()), this.changes.start(watched)]);
  }

  private logLevel: LogLevel = 'info';

  /** Asks the server to send log notifications at (roughly) this level: `logging/setLevel` on 2025-11-25, a per-request hint on 2026-07-28. */
  async setLogLevel(level: LogLevel): Promise<void> {
    this.logLevel = level;
    if (this.era !== 'legacy' || !this.capabilities.logging) return;
    await this.client.setLoggingLevel(LOG_LEVEL_TO_MCP[level], { timeout: this.ctx.requestMs });
  }

  /** Params every request carries: on 2026-07-28, the log level the server may send notifications at. */
  meta(): Record<string, unknown> {
    return this.era === 'modern' ? { _meta: { [LOG_LEVEL_META_KEY]: LOG_LEVEL_TO_MCP[this.logLevel] } } : {};
  }

  private advertisedLists(): ListKind[] {
    const caps = this.capabilities;
    return [...(caps.tools ? ['tools' as const] : []), ...(caps.prompts ? ['prompts' as const] : []), ...(caps.resources ? ['resources' as const] : [])];
  }

  /** One page of resources (a server may have tens of thousands; the tree pages on demand). */
  async listResourcesPage(cursor?: string): Promise<Page<Resource>> {
    // Any result object: the items are checked one by one, the cursor by `nextCursor` (a `null` one is the end, not a malformed page).
    const r = (await this.request('resources/list', opts => this.client.request({ method: 'resources/list', params: { ...this.meta(), ...(cursor ? { cursor } : {}) } }, ResultSchema, opts))) as Record<string, unknown>;
    return { items: wellFormedItems('resources/list', 'resources', r.resources, this.ctx.log) as Resource[], nextCursor: r.nextCursor };
  }

  /**
   * Reads a resource; a body the server marked fresh (`ttlMs`) is served from the SDK's cache until it changes.
   * Values too large to show whole were kept on disk as they arrived (stdio); the log says where.
   */
  async readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    const result = await this.request('resources/read', opts => this.client.readResource({ uri, ...this.meta() }, opts), signal);
    const files = this.ctx.resultFiles;
    if (!files) return result;
    for (const v of files.claim(result)) {
      this.ctx.log.warn(`resources/read ${uri}: ${v.path.join('.')} is ${v.bytes} bytes, too large to show whole; the document shows its beginning; the full value is in ${files.file(v.id, v.part)}`);
    }
    return result;
  }

  getPrompt(name: string, args: Record<string, string>, signal?: AbortSignal): Promise<GetPromptResult> {
    return this.request('prompts/get', opts => this.client.getPrompt({ name, arguments: args, ...this.meta() }, opts), signal);
  }

  async complete(params: CompleteRequest['params'], signal?: AbortSignal): Promise<CompleteResult> {
    if (!this.capabilities.completions) return { completion: { values: [] } };
    return this.request('completion/complete', opts => this.client.complete({ ...params, ...this.meta() }, opts), signal);
  }

  /** Tells the server the workspace folders changed (2025-11-25; a modern server asks for roots when it needs them). */
  async notifyRootsChanged(): Promise<void> {
    if (this.era === 'legacy') await this.client.sendRootsListChanged().catch(() => {});
  }

  private request<T>(method: string, send: (opts: { timeout: number; signal?: AbortSignal; resetTimeoutOnProgress?: boolean; onprogress?: (p: Progress) => void }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return timedRequest({ requestMs: this.ctx.requestMs, log: this.ctx.log }, method, send, signal);
  }

  /** Ends the launch: the subscriptions, then the client and its transport (for stdio: stdin EOF, SIGTERM, kill of the tree). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lists.dispose();
    this.changes.dispose();
    this.client.onclose = () => {};
    await this.client.close().catch(() => {});
    await this.connected.raw.close().catch(() => {});
  }
}

function onServerLog(log: ServerLog, level: LoggingLevel, logger: string | undefined, data: unknown): void {
  let shown: string;
  try {
    shown = typeof data === 'string' ? data : JSON.stringify(data);
  } catch {
    // Nested a few thousand deep: JSON.stringify overflows the stack, and the message was lost with only a debug line.
    shown = '(data nested too deeply to show)';
  }
  const whole = `[server${logger ? ` ${logger}` : ''}] ${shown}`;
  // Kept to 16 K characters, as a stderr line or an error message is: a 1 MB message made a 1 MB line in the log channel.
  const text = whole.length > MAX_SERVER_ERROR_CHARS ? cutServerMessage(whole) : whole;
  if (level === 'debug') log.debug(text);
  else if (level === 'info' || level === 'notice') log.info(text);
  else if (level === 'warning') log.warn(text);
  else log.error(text);
}
