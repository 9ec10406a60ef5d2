import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ErrorCode,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  LoggingLevel,
  Progress,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Disposable, DisposableStore, IDisposable, toDisposable } from '../common/disposable';
import { Emitter } from '../common/event';
import type { ServerTimeouts } from '../config/types';
import type { ConsentToken } from '../consent/toolCallGate';
import type { AskingServer, ClientRequestHandlers } from './clientRequests';
import { ConnectionState } from './connectionState';
import { classifyRequestError, diagnose, RequestTimeoutError } from './diagnosis';
import { TracingTransport } from './transports/tracingTransport';
import { maskSecrets } from '../config/variables';
import { childEnvironment, describeLaunch, LaunchPlan } from './launch';
import { levelEnabled, LogLevel, maskingLog, ServerLog } from './log';
import { AuthorizableTransport, HostOAuthProvider, SignInTransport } from './transports/signInTransport';
import { collectPages, DEFAULT_PAGE_LIMITS, Page, PageLimits } from './pagination';
import { RestartPolicy, DEFAULT_RESTART_POLICY, restartDelay } from './restartPolicy';
import { SchemaValidator } from './schemaValidator';
import type { ProcessWatch } from './reaper';
import { DEFAULT_SHUTDOWN_GRACE, ShutdownGrace, StdioProcessTransport } from './transports/stdioTransport';

export interface ConnectionOptions {
  readonly name: string;
  /** Resolves variables and inputs; called on every (re)start so edited secrets apply. */
  readonly plan: () => Promise<LaunchPlan>;
  readonly log: ServerLog;
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** Answers what the server asks of the host (roots, sampling, elicitation); absent handlers are capabilities not declared. */
  readonly handlers?: ClientRequestHandlers;
  /** Signs in to remote servers that require OAuth; a request refused for want of sign-in waits for it and is sent again. */
  readonly authProvider?: HostOAuthProvider;
  readonly grace?: ShutdownGrace;
  /** Stops stdio servers if the host dies without stopping them. */
  readonly reaper?: ProcessWatch;
  readonly restart?: RestartPolicy;
  readonly pageLimits?: PageLimits;
}

export interface ToolCallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** A tool call's result, with the host's verdict on its structured output. */
export interface ToolCallOutcome {
  readonly result: CallToolResult;
  /** Set when `structuredContent` is missing or does not match the tool's `outputSchema`. */
  readonly outputError?: string;
}

const STDERR_TAIL_LINES = 20;
const LOG_LEVEL_TO_MCP: Record<LogLevel, LoggingLevel> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

/**
 * One MCP server: its process or remote connection, its state, and what it offers. It owns one SDK
 * `Client` per launch; everything a launch creates is registered in `launchStore`, cleared on every stop.
 */
export class ServerConnection extends Disposable {
  private _state: ConnectionState = { kind: 'stopped' };
  private readonly _onDidChangeState = this._register(new Emitter<ConnectionState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeTools = this._register(new Emitter<readonly Tool[]>());
  readonly onDidChangeTools = this._onDidChangeTools.event;
  private readonly _onDidChangePrompts = this._register(new Emitter<readonly Prompt[]>());
  readonly onDidChangePrompts = this._onDidChangePrompts.event;
  private readonly _onDidChangeResources = this._register(new Emitter<void>());
  /** The resource or template lists changed; page them again. */
  readonly onDidChangeResources = this._onDidChangeResources.event;
  private readonly _onDidUpdateResource = this._register(new Emitter<string>());
  readonly onDidUpdateResource = this._onDidUpdateResource.event;

  private readonly launchStore = this._register(new DisposableStore());
  private client: Client | undefined;
  private transport: Transport | undefined;
  private protocolVersion: string | undefined;
  private generation = 0;
  private attempt = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping: Promise<void> | undefined;
  private secrets: readonly string[] = [];
  private timeouts: ServerTimeouts = { startupMs: 30_000, requestMs: 60_000 };
  private stderrTail: string[] = [];
  private _tools: readonly Tool[] = [];
  private _prompts: readonly Prompt[] = [];
  private _templates: readonly ResourceTemplate[] = [];
  private readonly subscriptions = new Map<string, number>();
  readonly log: ServerLog;
  private readonly validator: SchemaValidator;

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.log = maskingLog(options.log, text => maskSecrets(text, this.secrets));
    // One per server: a server's schemas and their cache are its own, and go with it.
    this.validator = new SchemaValidator();
    this._register(toDisposable(() => this.clearRestartTimer()));
    const levelChanges = options.log.onDidChangeLevel?.(level => {
      if (this._state.kind === 'running') this.setLogLevel(level).catch(err => this.log.warn(`logging/setLevel failed: ${err.message}`));
    });
    if (levelChanges) this._register(levelChanges);
  }

  get name(): string {
    return this.options.name;
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The stdio server's process id while it runs. */
  get pid(): number | undefined {
    return this.transport instanceof StdioProcessTransport ? this.transport.pid : undefined;
  }

  get tools(): readonly Tool[] {
    return this._tools;
  }

  get prompts(): readonly Prompt[] {
    return this._prompts;
  }

  get resourceTemplates(): readonly ResourceTemplate[] {
    return this._templates;
  }

  /** Masks this server's secrets in text bound for the UI. */
  mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /** This server as the client-request handlers see it. */
  private get asking(): AskingServer {
    return { name: this.name, mask: text => this.mask(text), log: line => this.log.info(line) };
  }

  private setState(state: ConnectionState): void {
    this._state = state;
    this._onDidChangeState.fire(state);
  }

  /**
   * Starts the server; resolves once it is running or has failed (the state says which). A start that
   * is not one of the automatic restarts begins the backoff count anew.
   */
  async start(options: { automatic?: boolean } = {}): Promise<void> {
    if (this.isDisposed) return;
    this.clearRestartTimer();
    if (this._state.kind === 'running' || this._state.kind === 'starting') return;
    await this.stopping;
    // Another start may have begun while a stop finished (TypeScript cannot see the await changed it).
    const now = this._state as ConnectionState;
    if (this.isDisposed || now.kind === 'running' || now.kind === 'starting') return;
    const generation = ++this.generation;
    if (!options.automatic) this.attempt = 0;
    this.attempt++;
    this.setState({ kind: 'starting', attempt: this.attempt });
    const nonProtocolOutput: string[] = [];
    this.stderrTail = [];
    let plan: LaunchPlan | undefined;
    let exit: { code: number | null; signal: string | null } | undefined;
    let pathUsed: string | undefined;
    try {
      plan = await this.options.plan();
      this.secrets = plan.secrets;
      this.timeouts = plan.timeouts;
      if (generation !== this.generation) return;
      this.log.info(`Starting: ${describeLaunch(plan.launch)}`);
      const { launch } = plan;
      let transport: Transport;
      if (launch.type === 'stdio') {
        const env = childEnvironment(process.env, launch.env);
        pathUsed = env.PATH ?? env.Path;
        const stdio = new StdioProcessTransport(
          { command: launch.command, args: launch.args, env, ...(launch.cwd ? { cwd: launch.cwd } : {}) },
          { grace: this.options.grace ?? DEFAULT_SHUTDOWN_GRACE, ...(this.options.reaper ? { reaper: this.options.reaper } : {}) },
        );
        this.launchStore.add(stdio.onStderr(line => this.onStderr(line)));
        this.launchStore.add(
          stdio.onNonProtocolOutput(line => {
            nonProtocolOutput.push(line);
            this.log.warn(`Not MCP on stdout (stdio servers must log to stderr): ${line}`);
          }),
        );
        this.launchStore.add(
          stdio.onExit(e => {
            exit = e;
            this.log.info(`Process exited (${e.signal ? `signal ${e.signal}` : `code ${e.code}`})`);
          }),
        );
        transport = stdio;
        await this.connect(generation, stdio, plan);
      } else {
        transport = await this.connectRemote(generation, plan);
      }
      if (generation !== this.generation) return;
      this.transport = transport;
      await this.onConnected(generation, transport instanceof SSEClientTransport ? 'sse' : launch.type);
    } catch (error) {
      if (generation !== this.generation) return;
      const diagnosis = diagnose(error, {
        launch: plan?.launch ?? { type: 'stdio', command: '', args: [], env: {} },
        pathUsed,
        exit,
        nonProtocolOutput,
        startupMs: this.timeouts.startupMs,
        phase: 'start',
      });
      this.log.error(`Failed to start: ${diagnosis.message}${diagnosis.hint ? ` ${diagnosis.hint}` : ''}`);
      await this.teardown();
      // A stop or block during the teardown wins over this failure.
      if (generation !== this.generation) return;
      // A server that crashed once and then fails to come back keeps its backoff going; a first start does not retry.
      const delay = options.automatic ? this.scheduleRestart() : undefined;
      this.setState(this.failure(diagnosis.message, diagnosis.hint, exit, delay, options.automatic === true));
    }
  }

  /** Schedules the next automatic restart by the backoff policy; undefined when the policy gives up. */
  private scheduleRestart(): number | undefined {
    const policy = this.options.restart ?? DEFAULT_RESTART_POLICY;
    const delay = restartDelay(policy, this.attempt);
    if (delay === undefined) {
      this.log.error(`Not restarting: ${this.attempt} attempts failed. Use Restart when it is fixed.`);
      return undefined;
    }
    this.log.warn(`Restarting in ${Math.round(delay / 100) / 10} s (attempt ${this.attempt + 1} of ${policy.maxAttempts}).`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start({ automatic: true });
    }, delay);
    return delay;
  }

  /** The error state after a failed start or a crash; `restarting` says whether automatic restarts were under way. */
  private failure(message: string, hint: string | undefined, exit: { code: number | null; signal: string | null } | undefined, delay: number | undefined, restarting: boolean): ConnectionState {
    const gaveUp = restarting && delay === undefined ? `Gave up after ${this.attempt} attempts; fix the server and use Restart.` : undefined;
    const shownHint = gaveUp ?? hint;
    return {
      kind: 'error',
      message: this.mask(message),
      ...(shownHint ? { hint: this.mask(shownHint) } : {}),
      exitCode: exit?.code ?? null,
      signal: exit?.signal ?? null,
      stderrTail: this.stderrTail.map(l => this.mask(l)),
      ...(delay !== undefined ? { restartAt: Date.now() + delay } : {}),
      attempt: this.attempt,
    };
  }

  private newClient(): Client {
    const client = new Client(
      { name: this.options.clientInfo.name, version: this.options.clientInfo.version },
      {
        capabilities: {
          roots: { listChanged: true },
          ...(this.options.handlers?.sampling ? { sampling: {} } : {}),
          ...(this.options.handlers?.elicitation ? { elicitation: { form: { applyDefaults: true }, url: {} } } : {}),
        },
        jsonSchemaValidator: this.validator,
      },
    );
    client.onerror = err => this.log.debug(`Protocol: ${err.message}`);
    return client;
  }

  /** Connects `client` over `transport` (wrapped for tracing and progress order), bounded by the start-up timeout. */
  private async connect(generation: number, transport: Transport, plan: LaunchPlan): Promise<Client> {
    const client = this.newClient();
    this.client = client;
    const host = new TracingTransport(transport, {
      enabled: () => levelEnabled(this.log, 'trace'),
      write: (direction, text) => this.log.trace(`${direction === 'send' ? '→' : '←'} ${text}`),
    });
    this.launchStore.add(toDisposable(() => void client.close().catch(() => {})));
    // A server that exits or hangs up during initialize rejects this too (the SDK fails pending requests on close).
    await client.connect(host, { timeout: plan.timeouts.startupMs });
    if (generation === this.generation) {
      this.protocolVersion = host.protocolVersion;
      // Any later close is a crash or a remote hang-up unless we asked for it.
      client.onclose = () => this.onUnexpectedClose(generation);
    }
    return client;
  }

  /** Streamable HTTP first; on a 4xx from the initialize POST, the older HTTP+SSE transport, per the spec. */
  private async connectRemote(generation: number, plan: LaunchPlan): Promise<Transport> {
    const launch = plan.launch;
    if (launch.type === 'stdio') throw new Error('not a remote server');
    const url = new URL(launch.url);
    const requestInit: RequestInit = { headers: { ...launch.headers } };
    const provider = this.options.authProvider;
    const auth = provider ? { authProvider: provider } : {};
    const signingIn = (transport: AuthorizableTransport): Transport => (provider ? new SignInTransport(transport, provider) : transport);
    if (launch.type === 'http') {
      const http = new StreamableHTTPClientTransport(url, { requestInit, ...auth });
      try {
        await this.connect(generation, signingIn(http), plan);
        return http;
      } catch (error) {
        const status = (error as { code?: unknown }).code;
        if (!(typeof status === 'number' && status >= 400 && status < 500) || status === 401 || status === 403) throw error;
        this.log.info(`Streamable HTTP answered ${status}; trying the HTTP+SSE transport`);
        this.launchStore.clear();
      }
    }
    const sse = new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...launch.headers, ...(init?.headers as Record<string, string>) } }) }, ...auth });
    await this.connect(generation, signingIn(sse), plan);
    return sse;
  }

  private async onConnected(generation: number, transport: 'stdio' | 'http' | 'sse'): Promise<void> {
    const client = this.client!;
    const caps = client.getServerCapabilities() ?? {};
    const handlers = this.options.handlers;
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [...(handlers?.roots() ?? [])] }));
    if (handlers?.sampling) {
      const sampling = handlers.sampling.bind(handlers);
      client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => sampling(this.asking, request.params, extra.signal));
    }
    if (handlers?.elicitation) {
      const elicitation = handlers.elicitation.bind(handlers);
      client.setRequestHandler(ElicitRequestSchema, (request, extra) => elicitation(this.asking, request.params, extra.signal));
    }
    client.setNotificationHandler(LoggingMessageNotificationSchema, n => this.onServerLog(n.params.level, n.params.logger, n.params.data));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refreshTools(generation));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => void this.refreshPrompts(generation));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void this.refreshTemplates(generation).then(() => this._onDidChangeResources.fire()));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => this._onDidUpdateResource.fire(n.params.uri));

    if (caps.logging) await this.setLogLevel(this.log.level).catch(err => this.log.warn(`logging/setLevel failed: ${err.message}`));
    await Promise.all([
      caps.tools ? this.refreshTools(generation, false) : undefined,
      caps.prompts ? this.refreshPrompts(generation, false) : undefined,
      caps.resources ? this.refreshTemplates(generation) : undefined,
    ]);
    if (generation !== this.generation) return;
    // Re-subscribe what documents were watching before a restart.
    if (caps.resources?.subscribe) {
      for (const uri of this.subscriptions.keys()) await client.subscribeResource({ uri }, { timeout: this.timeouts.requestMs }).catch(() => {});
    }
    const info = client.getServerVersion() ?? { name: this.name, version: '?' };
    this.log.info(`Running: ${info.name} ${info.version}, protocol ${this.protocolVersion ?? '?'}, ${this._tools.length} tools`);
    this.setState({
      kind: 'running',
      serverInfo: info,
      capabilities: caps,
      protocolVersion: this.protocolVersion,
      instructions: client.getInstructions(),
      transport,
    });
    this.scheduleAttemptReset(generation);
  }

  private onStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    this.log.info(`[stderr] ${line}`);
  }

  private onServerLog(level: LoggingLevel, logger: string | undefined, data: unknown): void {
    const text = `[server${logger ? ` ${logger}` : ''}] ${typeof data === 'string' ? data : JSON.stringify(data)}`;
    if (level === 'debug') this.log.debug(text);
    else if (level === 'info' || level === 'notice') this.log.info(text);
    else if (level === 'warning') this.log.warn(text);
    else this.log.error(text);
  }

  /** Asks the server to send log notifications at (roughly) the level the log channel shows. */
  async setLogLevel(level: LogLevel): Promise<void> {
    if (!this.client?.getServerCapabilities()?.logging) return;
    await this.client.setLoggingLevel(LOG_LEVEL_TO_MCP[level], { timeout: this.timeouts.requestMs });
  }

  private async refreshTools(generation: number, fire = true): Promise<void> {
    const tools = await this.collect(generation, 'tools/list', c => this.client!.listTools(c ? { cursor: c } : undefined, { timeout: this.timeouts.requestMs }).then(r => ({ items: r.tools, nextCursor: r.nextCursor })));
    if (!tools) return;
    this._tools = dedupeByName(tools, dup => this.log.warn(`The server lists tool '${dup}' more than once; the first is used.`));
    if (fire) this._onDidChangeTools.fire(this._tools);
  }

  private async refreshPrompts(generation: number, fire = true): Promise<void> {
    const prompts = await this.collect(generation, 'prompts/list', c => this.client!.listPrompts(c ? { cursor: c } : undefined, { timeout: this.timeouts.requestMs }).then(r => ({ items: r.prompts, nextCursor: r.nextCursor })));
    if (!prompts) return;
    this._prompts = dedupeByName(prompts, dup => this.log.warn(`The server lists prompt '${dup}' more than once; the first is used.`));
    if (fire) this._onDidChangePrompts.fire(this._prompts);
  }

  private async refreshTemplates(generation: number): Promise<void> {
    const templates = await this.collect(generation, 'resources/templates/list', c =>
      this.client!.listResourceTemplates(c ? { cursor: c } : undefined, { timeout: this.timeouts.requestMs }).then(r => ({ items: r.resourceTemplates, nextCursor: r.nextCursor })),
    );
    if (templates) this._templates = templates;
  }

  private async collect<T>(generation: number, method: string, fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[] | undefined> {
    try {
      const { items, stoppedEarly } = await collectPages(fetchPage, this.options.pageLimits ?? DEFAULT_PAGE_LIMITS);
      if (stoppedEarly) this.log.warn(`${method}: ${stoppedEarly}; the list may be incomplete.`);
      return generation === this.generation ? items : undefined;
    } catch (err) {
      if (generation !== this.generation) return undefined;
      // A server with resources need not serve templates (or may leave out a list it advertised): no list, not an error.
      if ((err as { code?: unknown }).code === ErrorCode.MethodNotFound) {
        this.log.info(`${method}: the server does not implement it; treated as an empty list.`);
        return [];
      }
      this.log.error(`${method} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** One page of resources (a server may have tens of thousands; the tree pages on demand). */
  async listResourcesPage(cursor?: string): Promise<Page<Resource>> {
    const r = await this.request('resources/list', opts => this.requireClient().listResources(cursor ? { cursor } : undefined, opts));
    return { items: r.resources, nextCursor: r.nextCursor };
  }

  /** Every resource, following cursors within the page limits. */
  async listAllResources(): Promise<Resource[]> {
    const { items, stoppedEarly } = await collectPages(c => this.listResourcesPage(c), this.options.pageLimits ?? DEFAULT_PAGE_LIMITS);
    if (stoppedEarly) this.log.warn(`resources/list: ${stoppedEarly}; the list may be incomplete.`);
    return items;
  }

  readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    return this.request('resources/read', opts => this.requireClient().readResource({ uri }, opts), signal);
  }

  getPrompt(name: string, args: Record<string, string>, signal?: AbortSignal): Promise<GetPromptResult> {
    return this.request('prompts/get', opts => this.requireClient().getPrompt({ name, arguments: args }, opts), signal);
  }

  async complete(params: CompleteRequest['params'], signal?: AbortSignal): Promise<CompleteResult> {
    if (!this.client?.getServerCapabilities()?.completions) return { completion: { values: [] } };
    return this.request('completion/complete', opts => this.requireClient().complete(params, opts), signal);
  }

  /**
   * Subscribes to `resources/updated` for `uri` while the returned disposable lives. Reference-counted,
   * so two open documents of one resource share a subscription; kept across restarts.
   */
  subscribe(uri: string): IDisposable {
    const count = this.subscriptions.get(uri) ?? 0;
    this.subscriptions.set(uri, count + 1);
    if (count === 0 && this.client?.getServerCapabilities()?.resources?.subscribe) {
      this.client.subscribeResource({ uri }).catch(err => this.log.warn(`resources/subscribe ${uri}: ${err.message}`));
    }
    return toDisposable(() => {
      const left = (this.subscriptions.get(uri) ?? 1) - 1;
      if (left > 0) {
        this.subscriptions.set(uri, left);
        return;
      }
      this.subscriptions.delete(uri);
      if (this._state.kind === 'running' && this.client?.getServerCapabilities()?.resources?.subscribe) {
        this.client.unsubscribeResource({ uri }).catch(() => {});
      }
    });
  }

  /**
   * Calls a tool. This is the only place a `tools/call` request leaves the host; callers reach it
   * through the consent gate, the only code that can make the `ConsentToken` it requires.
   * Structured output is checked against the tool's `outputSchema`
   * (JSON Schema 2020-12) for every tool, whichever page it was listed on.
   */
  async callTool(name: string, args: Record<string, unknown>, consent: ConsentToken, options: ToolCallOptions = {}): Promise<ToolCallOutcome> {
    consent.redeem(this.name, name);
    const result = await this.request(
      'tools/call',
      opts => this.requireClient().request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, opts),
      options.signal,
      options.onProgress,
    );
    const tool = this._tools.find(t => t.name === name);
    const outputError = tool?.outputSchema && !result.isError ? this.checkOutput(tool.outputSchema, result) : undefined;
    if (outputError) this.log.warn(`tools/call ${name}: ${outputError}`);
    return { result: result as CallToolResult, ...(outputError ? { outputError } : {}) };
  }

  private checkOutput(schema: unknown, result: CallToolResult): string | undefined {
    if (result.structuredContent === undefined) return 'the tool declares an output schema but returned no structured content';
    const problem = this.validator.compile(schema)(result.structuredContent);
    return problem ? `the structured content does not match the tool's output schema: ${problem}` : undefined;
  }

  private requireClient(): Client {
    if (!this.client || this._state.kind !== 'running') throw new Error(`Server '${this.name}' is not running (${this._state.kind}).`);
    return this.client;
  }

  /** Runs one request with the server's timeout (reset by progress) and tells cancellation from timeout. */
  private async request<T>(
    method: string,
    send: (opts: { signal?: AbortSignal; timeout: number; resetTimeoutOnProgress: boolean; onprogress?: (p: Progress) => void }) => Promise<T>,
    signal?: AbortSignal,
    onProgress?: (p: Progress) => void,
  ): Promise<T> {
    const timeout = this.timeouts.requestMs;
    try {
      return await send({ ...(signal ? { signal } : {}), timeout, resetTimeoutOnProgress: true, ...(onProgress ? { onprogress: onProgress } : {}) });
    } catch (error) {
      const classified = classifyRequestError(error, method, signal, timeout);
      if (classified instanceof RequestTimeoutError) this.log.warn(`${method}: ${classified.message}`);
      throw classified;
    }
  }

  /** Tells the server the workspace folders changed. */
  async notifyRootsChanged(): Promise<void> {
    if (this._state.kind === 'running') await this.client?.sendRootsListChanged().catch(() => {});
  }

  private onUnexpectedClose(generation: number): void {
    if (generation !== this.generation || this.stopping) return;
    const exit = this.transport instanceof StdioProcessTransport ? this.transport.exitStatus : undefined;
    const launch = { type: 'stdio' as const, command: '', args: [], env: {} };
    const diagnosis = diagnose(new Error('The connection closed.'), { launch, exit, nonProtocolOutput: [], startupMs: 0, phase: 'running' });
    this.generation++;
    void this.teardown();
    const message = exit ? diagnosis.message : 'The connection to the server closed.';
    this.log.warn(message);
    const delay = this.scheduleRestart();
    this.setState(this.failure(message, undefined, exit, delay, true));
  }

  /** After a stable run, a later crash starts the backoff from the beginning again. */
  private scheduleAttemptReset(generation: number): void {
    const stableMs = (this.options.restart ?? DEFAULT_RESTART_POLICY).stableAfterMs;
    const timer = setTimeout(() => {
      if (generation === this.generation) this.attempt = 0;
    }, stableMs);
    timer.unref?.();
    this.launchStore.add(toDisposable(() => clearTimeout(timer)));
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** Stops the server and everything it started. A stopped server stays stopped until started. */
  async stop(): Promise<void> {
    this.clearRestartTimer();
    this.generation++;
    this.attempt = 0;
    if (this._state.kind === 'stopped') return;
    this.stopping ??= (async () => {
      this.log.info('Stopping');
      await this.teardown();
      this.setState({ kind: 'stopped' });
    })().finally(() => (this.stopping = undefined));
    await this.stopping;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async teardown(): Promise<void> {
    const transport = this.transport;
    const client = this.client;
    this.transport = undefined;
    this.client = undefined;
    this._tools = [];
    this._prompts = [];
    this._templates = [];
    if (client) client.onclose = () => {};
    this.launchStore.clear();
    // Closing the client closes its transport; for stdio that is the stdin/SIGTERM/kill sequence.
    await client?.close().catch(() => {});
    await transport?.close().catch(() => {});
  }

  /** Puts the server in a state that explains why it is not running (untrusted, not approved, disabled). */
  block(reason: Extract<ConnectionState, { kind: 'blocked' }>['reason'], message: string): void {
    this.clearRestartTimer();
    this.generation++;
    void this.teardown();
    this.setState({ kind: 'blocked', reason, message });
  }

  /** Stops the server, waiting for its process tree to exit, then releases everything. */
  async shutdown(): Promise<void> {
    await this.stop();
    this.dispose();
  }

  override dispose(): void {
    this.generation++;
    this.clearRestartTimer();
    void this.teardown();
    super.dispose();
  }
}

function dedupeByName<T extends { name: string }>(items: readonly T[], onDuplicate: (name: string) => void): T[] {
  const seen = new Set<string>();
  return items.filter(item => {
    if (seen.has(item.name)) {
      onDuplicate(item.name);
      return false;
    }
    seen.add(item.name);
    return true;
  });
}
