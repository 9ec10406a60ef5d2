import { type Client, type CompleteRequest, ProtocolError, type CompleteResult, type GetPromptResult, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplateType, type Tool, type Transport } from '@modelcontextprotocol/client';
import { Disposable, DisposableStore, IDisposable, toDisposable } from '../common/disposable';
import { Emitter } from '../common/event';
import { DEFAULT_MAX_CALL_MS, type ServerTimeouts } from '../config/types';
import { secretMasker } from '../config/variables';
import type { AskingServer, ClientRequestHandlers } from './clientRequests';
import { connectLaunch } from './connect';
import { ConnectionState, describeResumption, type StreamResumption } from './connectionState';
import type { ConsentPermit } from './consentPermit';
import { diagnose, RequestCancelledError, SilentAfterHandshakeError } from './diagnosis';
import { describeEra, type EraMemory, type NegotiationPlan } from './eraNegotiation';
import { describeLaunch, LaunchPlan } from './launch';
import { LiveServer, type Wire } from './liveServer';
import { levelEnabled, LogLevel, maskingLog, ServerLog } from './log';
import { collectPages, DEFAULT_PAGE_LIMITS, Page, PageLimits } from './pagination';
import { RestartPolicy, DEFAULT_RESTART_POLICY, restartDelay } from './restartPolicy';
import { callLimitMs } from './requests';
import { SchemaValidator } from './schemaValidator';
import type { ProcessWatch } from './reaper';
import type { ListKind } from './serverLists';
import { sendToolCall, type ToolCallOptions, type ToolCallOutcome } from './toolCall';
import { isSessionLost, isSseStreamLost, isStreamGivenUp, remoteTransport, STREAM_RESUMPTION, terminateSession } from './transports/remoteTransport';
import type { HostOAuthProvider } from './transports/signInTransport';
import type { StreamResumptionEvents } from './transports/streamResumption';
import { plainLabel } from '../common/untrustedText';
import { launchStdio, ProcessReport } from './transports/stdioLaunch';
import type { ResultFiles } from './resultFiles';
import { ambiguousToolMessage, type Duplicate } from './duplicates';
import { ShutdownGrace, StdioProcessTransport } from './transports/stdioTransport';
import { checkTransportSecurity } from './auth/remotePolicy';
import { ConnectionSignIn } from './auth/connectionSignIn';
import { findSignInError, type SignInRequiredError, type SignInServices } from './auth/serverOAuth';
import { hostClient } from './hostClient';

export type { ToolCallOptions, ToolCallOutcome } from './toolCall';

export interface ConnectionOptions {
  readonly name: string;
  /** Resolves variables and inputs; called on every (re)start so edited secrets apply. */
  readonly plan: () => Promise<LaunchPlan>;
  readonly log: ServerLog;
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** Answers what the server asks of the host (roots, sampling, elicitation), in either era; absent handlers are capabilities not declared. */
  readonly handlers?: ClientRequestHandlers;
  /** Signs in to remote servers that require OAuth; a request refused for want of sign-in waits for it and is sent again. */
  readonly authProvider?: HostOAuthProvider;
  /** Signs in to OAuth-protected remote servers when the user asks; without it a server answering 401 fails to start. */
  readonly signIn?: SignInServices;
  /** Hosts the user allows plain http to (loopback always is). */
  readonly allowedPlainHttpHosts?: () => readonly string[];
  /** What earlier starts of this server definition found out about its protocol era. */
  readonly eraMemory?: EraMemory;
  readonly grace?: ShutdownGrace;
  /** Stops stdio servers if the host dies without stopping them. */
  readonly reaper?: ProcessWatch;
  readonly restart?: RestartPolicy;
  readonly pageLimits?: PageLimits;
  /** Where very large messages from a stdio server are kept while only their cut copy is parsed. */
  readonly resultFiles?: ResultFiles;
  /**
   * The most one call may take in all (ms, 0: no limit) when the server's entry does not say (`timeout.total`):
   * the user setting, read per call. Absent: `DEFAULT_MAX_CALL_MS`.
   */
  readonly maxCallMs?: () => number;
}

/** How long a stop waits for a remote server to acknowledge the end of its session. */
const SESSION_END_MS = 2_000;

/**
 * One MCP server as a small state machine: stopped → starting → running, or error (with automatic
 * restarts and backoff after a crash), or blocked before launch. Each launch is a `LiveServer` (the SDK
 * client in the era the server speaks, its lists and subscriptions); everything a launch creates is
 * registered in `launchStore`, cleared on every stop. What outlives launches lives here: the state, the
 * events consumers listen to, and the resources documents watch.
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
  private live: LiveServer | undefined;
  /** The launch's own transport (the stdio process, for its pid and exit status), set as soon as it is opened. */
  private transport: Transport | undefined;
  private generation = 0;
  private attempt = 0;
  private _launched = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping: Promise<void> | undefined;
  private secrets: readonly string[] = [];
  /** Masks `secrets`: made when they change, not per text. */
  private masker = secretMasker([]);
  private timeouts: ServerTimeouts = { startupMs: 30_000, requestMs: 60_000 };
  /** Whether the definition being started comes from a workspace file (`LaunchPlan.workspaceDefined`; see `callLimits`). */
  private workspaceDefined = false;
  /** Those waiting in `started()`: a connection disposed while starting lets them go (it changes no state then). */
  private readonly startWaiters = new Set<() => void>();
  /** What the current start's process said besides MCP and how it ended. */
  private report = new ProcessReport();
  /** Resources watched by open documents, reference-counted; kept across restarts. */
  private readonly watched = new Map<string, number>();
  readonly log: ServerLog;
  private readonly validator: SchemaValidator;
  /** The sign-in of this remote server, kept across launches (tokens are cached in it). */
  private readonly auth: ConnectionSignIn;
  /** The new session being opened after the server lost ours; a call refused for that waits for it. */
  private reconnecting: Promise<void> | undefined;
  /** The launch (its generation) whose stream the SDK gave up resuming. */
  private streamGivenUp: number | undefined;
  /** Why the last attempt to resume a dropped stream failed (masked, one line): the hint when the SDK gives up. */
  private resumeFailure: string | undefined;
  /** Tool calls and prompt gets the user made: what a question from the server may follow (ClientContext.requestsSent). */
  private requestsSent = 0;

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.log = maskingLog(options.log, text => this.masker(text));
    // One per server: a server's schemas and their cache are its own, and go with it.
    this.validator = new SchemaValidator();
    this.auth = new ConnectionSignIn({
      server: options.name,
      log: this.log,
      services: options.signIn,
      running: () => this._state.kind === 'running',
      started: () => this.started(),
      onSignInRequired: error => this.onSignInRequiredWhileRunning(error),
      waitsForSignIn: () => this._state.kind === 'needsSignIn' && this._state.reason !== 'stepUp',
      onSignedInElsewhere: () => {
        if (this._state.kind === 'needsSignIn') void this.start();
      },
    });
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

  /** A stop (or the stop of a restart) is under way: the state still says what it was, but nothing can be sent. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** The stdio server's process id while it runs. */
  get pid(): number | undefined {
    return this.transport instanceof StdioProcessTransport ? this.transport.pid : undefined;
  }

  get tools(): readonly Tool[] {
    return this.live?.lists.tools ?? [];
  }

  /** The running server's tool of this name, in O(1). */
  tool(name: string): Tool | undefined {
    return this.live?.lists.tool(name);
  }

  get prompts(): readonly Prompt[] {
    return this.live?.lists.prompts ?? [];
  }

  get resourceTemplates(): readonly ResourceTemplateType[] {
    return this.live?.lists.templates ?? [];
  }

  /** How many list refreshes this launch sent, per list (coalescing keeps this small under a storm of announcements). */
  get listRefreshes(): Readonly<Record<ListKind, number>> {
    return this.live?.lists.refreshCounts ?? { tools: 0, prompts: 0, resources: 0 };
  }

  /** Tools, prompts and resource templates the server listed more than once; only the first of each is kept. */
  get duplicates(): readonly Duplicate[] {
    return this.live?.lists.duplicates ?? [];
  }

  /** A tool name the server gave to different tools: a call by that name could run either, so none is made. */
  isAmbiguousTool(name: string): boolean {
    return this.live?.lists.isAmbiguousTool(name) ?? false;
  }

  /** Masks this server's secrets in text bound for the UI. */
  mask(text: string): string {
    return this.masker(text);
  }

  /** This server as the client-request handlers see it. */
  private get asking(): AskingServer {
    return { name: this.name, mask: text => this.mask(text), log: line => this.log.info(line), requestsSent: () => this.requestsSent };
  }

  private setState(state: ConnectionState): void {
    this._state = state;
    this._onDidChangeState.fire(state);
  }

  /**
   * Starts the server; resolves once it is running or has failed (the state says which). A start that
   * is not one of the automatic restarts begins the backoff count anew.
   */
  async start(options: { automatic?: boolean; reconnect?: 'sessionLost' } = {}): Promise<void> {
    if (this.isDisposed) return;
    this.clearRestartTimer();
    // A reconnect replaces the launch whose session was lost, which still shows as running or reconnecting.
    const busy = (state: ConnectionState) => !options.reconnect && (state.kind === 'running' || state.kind === 'starting');
    if (busy(this._state)) return;
    await this.stopping;
    // Another start may have begun while a stop finished.
    if (this.isDisposed || busy(this._state)) return;
    const generation = ++this.generation;
    this._launched = true;
    if (!options.automatic) this.attempt = 0;
    this.attempt++;
    const signingIn = this.auth.signingIn;
    this.setState({
      kind: 'starting',
      attempt: this.attempt,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      ...(signingIn !== undefined ? { signingIn } : {}),
    });
    const report = (this.report = new ProcessReport());
    let plan: LaunchPlan | undefined;
    try {
      plan = await this.options.plan();
      this.secrets = plan.secrets;
      this.masker = secretMasker(plan.secrets);
      this.timeouts = plan.timeouts;
      this.workspaceDefined = plan.workspaceDefined === true;
      if (generation !== this.generation) return;
      this.log.info(`Starting: ${describeLaunch(plan.launch)}`);
      const { launch } = plan;
      if (launch.type !== 'stdio') checkTransportSecurity(launch.url, this.options.allowedPlainHttpHosts?.() ?? []);
      const authProvider = this.options.authProvider ?? (launch.type === 'stdio' ? undefined : this.auth.providerFor(launch));
      const stepUp = this.auth.stepUpFor(authProvider);
      const streamRefused = this.auth.streamRefusedFor(authProvider);
      const connected = await connectLaunch({
        launchType: launch.type,
        choice: plan.protocol ?? 'auto',
        memory: this.options.eraMemory,
        startupMs: plan.timeouts.startupMs,
        log: this.log,
        trace: { enabled: () => levelEnabled(this.log, 'trace'), write: (direction, text) => this.log.trace(`${direction === 'send' ? '→' : '←'} ${text}`) },
        newClient: negotiation => this.newClient(negotiation),
        current: () => generation === this.generation,
        exited: transport => transport instanceof StdioProcessTransport && transport.exitStatus !== undefined,
        open: wire => {
          const transport: Transport =
            launch.type === 'stdio'
              ? launchStdio(launch, report, this.launchStore, { log: this.log, grace: this.options.grace, reaper: this.options.reaper, resultFiles: this.options.resultFiles, secrets: this.secrets })
              : remoteTransport(launch, wire === 'sse' ? 'sse' : 'http', {
                  authProvider,
                  onSignedIn: () => this.live?.lists.refreshPrivate(),
                  ...(stepUp ? { stepUp } : {}),
                  ...(streamRefused ? { streamRefused } : {}),
                  resumption: this.streamResumption(generation),
                });
          this.transport = transport;
          this.launchStore.add(toDisposable(() => void transport.close().catch(() => {})));
          return transport;
        },
      });
      if (generation !== this.generation) {
        void connected.client.close().catch(() => {});
        return;
      }
      const limits = callLimits(plan.timeouts, this.options.maxCallMs, this.workspaceDefined);
      const live = new LiveServer(connected, {
        log: this.log,
        // Read per request: a lower mcpHost.calls.maxMinutes cuts a workspace server's request timeout without a restart.
        get requestMs() {
          return limits.requestMs();
        },
        totalMs: limits.totalMs,
        pageLimits: this.options.pageLimits,
        validator: this.validator,
        resultFiles: this.options.resultFiles,
        onListChanged: kind => this.onListChanged(kind),
        onResourceUpdated: uri => this._onDidUpdateResource.fire(uri),
      });
      this.live = live;
      this.launchStore.add(toDisposable(() => void live.close()));
      // Any later close is a crash or a remote hang-up unless we asked for it.
      connected.client.onclose = () => this.onUnexpectedClose(generation);
      await withinStartup(live.initialize(this.log.level, new Set(this.watched.keys())), plan.timeouts.startupMs);
      if (generation !== this.generation) return;
      this.onRunning(generation, live, connected.wire, connected.decidedBy);
      this.launchStore.add(this.auth.keepTokensFresh(authProvider, () => generation === this.generation));
    } catch (error) {
      if (generation !== this.generation) return;
      const signIn = findSignInError(error);
      if (signIn) {
        await this.teardown();
        if (generation !== this.generation) return;
        this.setState(this.auth.needsSignIn(signIn));
        return;
      }
      const diagnosis = diagnose(error, {
        launch: plan?.launch ?? { type: 'stdio', command: '', args: [], env: {} },
        pathUsed: report.pathUsed,
        exit: report.exit,
        nonProtocolOutput: report.nonProtocolOutput,
        stderrTail: report.stderrTail,
        startupMs: this.timeouts.startupMs,
        phase: 'start',
      });
      this.log.error(`Failed to start: ${diagnosis.message}${diagnosis.hint ? ` ${diagnosis.hint}` : ''}`);
      await this.teardown();
      // A stop or block during the teardown wins over this failure.
      if (generation !== this.generation) return;
      // A server that crashed once and then fails to come back keeps its backoff going; a first start does not retry.
      const delay = options.automatic ? this.scheduleRestart() : undefined;
      this.setState(this.failure(diagnosis.message, diagnosis.hint, report.exit, delay, options.automatic === true));
    }
  }

  /** Resolves once the state is no longer `starting`, or the connection is disposed. */
  private started(): Promise<void> {
    if (this._state.kind !== 'starting' || this.isDisposed) return Promise.resolve();
    return new Promise(resolve => {
      const done = (): void => {
        listener.dispose();
        this.startWaiters.delete(done);
        resolve();
      };
      const listener = this.onDidChangeState(state => {
        if (state.kind !== 'starting') done();
      });
      this.startWaiters.add(done);
    });
  }

  /** A refused refresh or a step-up mid-session: the server stops and waits for the user, no error loop. */
  private onSignInRequiredWhileRunning(error: SignInRequiredError): void {
    if (this._state.kind !== 'running') return;
    this.generation++;
    void this.teardown();
    this.setState(this.auth.needsSignIn(error));
  }

  /**
   * Signs in (the user chose Sign In): the browser may open, after the user sees the host, and the server
   * starts with the new tokens. Resolves once it runs, or is back at "needs sign-in" (declined, cancelled).
   */
  async signIn(): Promise<void> {
    // Only a server that asked for a sign-in has one; starting others is Start's job (with its trust check).
    if (this._state.kind === 'running') return;
    await this.auth.signIn(this._state.kind === 'needsSignIn' ? this._state.reason : 'signIn', () => this.restart());
  }

  /**
   * Stops the server and forgets its tokens and registrations; it is then started without them, which ends
   * at "needs sign-in" (the server is asked once, no browser opens).
   */
  async signOut(): Promise<void> {
    if (!this.auth.signsIn) return;
    await this.stop();
    await this.auth.signOut();
    await this.start();
  }

  /** Whether a start was made (so its log has something to show), stopped or failed since or not. */
  get launched(): boolean {
    return this._launched;
  }

  /** Whether this server has signed in with OAuth (it holds tokens, or did since it was last signed out): Sign Out is offered then. */
  get signsIn(): boolean {
    return this.auth.signsIn;
  }

  private onRunning(generation: number, live: LiveServer, transport: Wire, decidedBy: NegotiationPlan['decidedBy']): void {
    const client = live.client;
    const info = client.getServerVersion() ?? { name: this.name, version: '?' };
    const protocol = describeEra(live.era, live.protocolVersion, decidedBy);
    this.log.info(`Running: ${info.name} ${info.version}, ${protocol}, ${live.lists.tools.length} tools`);
    this.setState({
      kind: 'running',
      serverInfo: info,
      capabilities: live.capabilities,
      protocolVersion: live.protocolVersion,
      era: live.era,
      eraDecidedBy: decidedBy,
      instructions: client.getInstructions(),
      transport,
    });
    this.scheduleAttemptReset(generation);
  }

  private onListChanged(kind: ListKind): void {
    if (kind === 'tools') this._onDidChangeTools.fire(this.tools);
    else if (kind === 'prompts') this._onDidChangePrompts.fire(this.prompts);
    else this._onDidChangeResources.fire();
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
      stderrTail: this.report.stderrTail.map(l => this.mask(l)),
      ...(delay !== undefined ? { restartAt: Date.now() + delay } : {}),
      attempt: this.attempt,
    };
  }

  /** A client for one connect attempt (see hostClient); a 404 to our session on it opens a new session. */
  private newClient(negotiation: NegotiationPlan['client']): Client {
    const { totalMs: total, requestMs } = callLimits(this.timeouts, this.options.maxCallMs, this.workspaceDefined);
    const client = hostClient(negotiation, {
      clientInfo: this.options.clientInfo,
      handlers: this.options.handlers,
      asking: this.asking,
      validator: this.validator,
      callLimitMs: () => callLimitMs(total(), requestMs()),
    });
    const generation = this.generation;
    client.onerror = err => {
      this.log.debug(`Protocol: ${err.message}`);
      if (isSessionLost(err, this.transport)) this.onSessionLost(generation);
      else if (isStreamGivenUp(err)) {
        // Left alone, the server would show as running with its notifications gone until a call failed.
        const last = this.resumeFailure;
        if (generation === this.generation) this.streamGivenUp = generation;
        this.onUnexpectedClose(generation, `The server's stream could not be resumed after ${STREAM_RESUMPTION.maxRetries} attempts (the server may be down or unreachable).`, last ? `The last attempt failed: ${last}.` : undefined);
      } else if (isSseStreamLost(err) && generation === this.generation && this._state.kind === 'running' && this._state.transport === 'sse') {
        // Left alone, it showed as running while the server was down, and calls failed with a bare "fetch failed" (walk14).
        this.log.warn(`The server's SSE stream failed: ${err.message}`);
        this.onUnexpectedClose(generation, "The server's SSE stream closed (the server stopped, restarted or dropped it).");
      }
    };
    return client;
  }

  /**
   * The SDK resuming a dropped stream of this launch, shown: the running state carries the attempt (due, then
   * under way, then why it failed) until the stream is back. A stream the server ended itself so that the client
   * comes back (SEP-1699 polling) is routine and shown only in the log, unless coming back fails.
   */
  private streamResumption(generation: number): StreamResumptionEvents {
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    return {
      onScheduled: ({ attempt, maxAttempts, delayMs, cause }) => {
        if (attempt === 1) this.resumeFailure = undefined;
        const when = `in ${seconds(delayMs)} s (attempt ${attempt} of ${maxAttempts})`;
        if (cause === 'ended') {
          this.log.info(`The server ended its stream; resuming it after the last event received, ${when}.`);
          return;
        }
        const failed = this.resumeFailure ? ` The last attempt failed: ${this.resumeFailure}.` : '';
        this.log.warn(`The server's stream dropped; resuming it after the last event received, ${when}.${failed}`);
        this.setResuming(generation, { attempt, maxAttempts, dueAt: Date.now() + delayMs, ...(this.resumeFailure ? { lastError: this.resumeFailure } : {}) });
      },
      onAttempt: attempt => {
        const shown = this.resumingShown(generation);
        if (shown?.attempt === attempt && shown.dueAt !== undefined) this.setResuming(generation, { attempt, maxAttempts: shown.maxAttempts, ...(shown.lastError ? { lastError: shown.lastError } : {}) });
      },
      onAttemptFailed: (attempt, reason) => {
        // Server-derived (a status text, a network error's words): one line, hidden characters shown, cut.
        this.resumeFailure = plainLabel(this.mask(reason), 200);
        this.log.debug(`Resuming the stream, attempt ${attempt}: ${this.resumeFailure}`);
      },
      onSettled: (attempt, outcome) => {
        this.resumeFailure = undefined;
        const shown = this.resumingShown(generation);
        if (outcome === 'noStream') this.log.warn(`The server no longer offers its stream (HTTP 405 to attempt ${attempt}): its notifications will not arrive until Restart.`);
        else if (shown) this.log.info(`The server's stream is back (attempt ${attempt} of ${shown.maxAttempts}).`);
        if (shown) this.setResuming(generation, undefined);
      },
    };
  }

  /** The resumption the running state shows for this launch, if any. */
  private resumingShown(generation: number): StreamResumption | undefined {
    return generation === this.generation && this._state.kind === 'running' ? this._state.resuming : undefined;
  }

  /** The running state with `resuming` set or cleared; only while this launch runs (not while it starts or stops). */
  private setResuming(generation: number, resuming: StreamResumption | undefined): void {
    const state = this._state;
    if (generation !== this.generation || state.kind !== 'running' || this.stopping) return;
    if (!resuming && !state.resuming) return;
    const { resuming: _previous, ...running } = state;
    this.setState(resuming ? { ...running, resuming } : running);
  }

  /** Asks the server to send log notifications at (roughly) the level the log channel shows. */
  async setLogLevel(level: LogLevel): Promise<void> {
    await this.live?.setLogLevel(level);
  }

  /** Re-fetches a list if the server's `ttlMs` says it is stale (call before showing it to the user). */
  async ensureFresh(kind: ListKind): Promise<void> {
    await this.live?.lists.ensureFresh(kind);
  }

  /** One page of resources (a server may have tens of thousands; the tree pages on demand). */
  listResourcesPage(cursor?: string): Promise<Page<Resource>> {
    return this.requireLive().listResourcesPage(cursor);
  }

  /** Every resource, following cursors within the page limits. */
  async listAllResources(): Promise<Resource[]> {
    const { items, stoppedEarly } = await collectPages(c => this.listResourcesPage(c), this.options.pageLimits ?? DEFAULT_PAGE_LIMITS);
    if (stoppedEarly) this.log.warn(`resources/list: ${stoppedEarly}; the list may be incomplete.`);
    return items;
  }

  readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    return this.requireLive().readResource(uri, signal);
  }

  getPrompt(name: string, args: Record<string, string>, signal?: AbortSignal): Promise<GetPromptResult> {
    const live = this.requireLive();
    this.requestsSent++;
    return live.getPrompt(name, args, signal);
  }

  async complete(params: CompleteRequest['params'], signal?: AbortSignal): Promise<CompleteResult> {
    return this.requireLive().complete(params, signal);
  }

  /**
   * Watches a resource for changes while the returned disposable lives: `resources/subscribe` on a
   * 2025-11-25 server, the `subscriptions/listen` filter on a 2026-07-28 one. Reference-counted, so two
   * open documents of one resource share a subscription; kept across restarts.
   */
  subscribe(uri: string): IDisposable {
    const count = this.watched.get(uri) ?? 0;
    this.watched.set(uri, count + 1);
    if (count === 0) this.live?.changes.watch(new Set(this.watched.keys()));
    return toDisposable(() => {
      const left = (this.watched.get(uri) ?? 1) - 1;
      if (left > 0) {
        this.watched.set(uri, left);
        return;
      }
      this.watched.delete(uri);
      if (this._state.kind === 'running') this.live?.changes.watch(new Set(this.watched.keys()));
    });
  }

  /**
   * Calls a tool. Callers reach this through the consent gate, the only code that can mint the permit it
   * requires; the permit is redeemed (bound to this connection and tool, good once) before anything is sent.
   * Structured output is checked against the tool's `outputSchema` (JSON Schema 2020-12).
   */
  callTool(name: string, args: Record<string, unknown>, consent: ConsentPermit, options: ToolCallOptions = {}): Promise<ToolCallOutcome> {
    let live: LiveServer;
    let generation: number;
    let resumingAtStart: StreamResumption | undefined;
    let sent: Promise<ToolCallOutcome>;
    try {
      consent.redeem(this, name);
      if (this.isAmbiguousTool(name)) throw new Error(ambiguousToolMessage(this.name, name));
      live = this.requireLive();
      generation = this.generation;
      resumingAtStart = this.resumingShown(generation);
      if (!options.byApp) this.requestsSent++;
      sent = sendToolCall(live.toolCalls, live.lists.tool(name), name, args, options);
    } catch (error) {
      return Promise.reject(error);
    }
    // A reaction, not an async function: its suspended frame would be kept by every call in flight.
    return sent.then(undefined, error => this.callFailed(error, live, generation, resumingAtStart, name, args, options));
  }

  /**
   * The server refused the call for an unknown session: it never ran it, so once a new session is open it is sent
   * again (once). Any other failure, a drop mid-call included, is the caller's to see.
   */
  private async callFailed(error: unknown, live: LiveServer, generation: number, resumingAtStart: StreamResumption | undefined, name: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<ToolCallOutcome> {
    if (!isSessionLost(error, live.connected.raw) || !this.reconnecting) throw this.explainCallFailure(error, generation, resumingAtStart);
    await this.reconnecting;
    const again = this.requireLive();
    this.log.info(`tools/call ${name}: sent again in the new session.`);
    return sendToolCall(again.toolCalls, again.lists.tool(name), name, args, options);
  }

  /**
   * A call that failed while a dropped stream was being resumed, or because the SDK gave up resuming it, says so:
   * the SDK sends calls meanwhile (each its own POST), and one that cannot reach the server fails with the network's
   * bare words ("fetch failed"), or, for a call whose answer was on the stream given up, "Connection closed".
   */
  private explainCallFailure(error: unknown, generation: number, resumingAtStart: StreamResumption | undefined): unknown {
    // A JSON-RPC error is the server's own answer: it was reached.
    if (!(error instanceof Error) || error instanceof RequestCancelledError || error instanceof ProtocolError) return error;
    // Masked before it is cut: a secret across the cut would escape the masking of exact values done after.
    const detail = plainLabel(this.mask(error.message), 300);
    const state = this._state;
    if (state.kind === 'needsSignIn' && generation !== this.generation) {
      // The sign-in ran out under the call (a refused refresh stops the server): not "the server exited" (walk16).
      const why = state.reason === 'expired' ? `expired and ${plainLabel(state.host, 100)} refused to renew it` : `is needed at ${plainLabel(state.host, 100)}`;
      return new Error(`No answer: the sign-in ${why}, so the server was stopped. Sign in again (Sign In on the server) and run the call again.`, { cause: error });
    }
    if (this.streamGivenUp === generation) {
      return new Error(`No answer: the server's stream could not be resumed after ${STREAM_RESUMPTION.maxRetries} attempts (the server may be down or unreachable; it may have run the call). ${detail}`, { cause: error });
    }
    const resuming = this.resumingShown(generation) ?? resumingAtStart;
    if (!resuming || generation !== this.generation) return error;
    return new Error(`The server's stream dropped and is being resumed (${describeResumption(resuming)}): the server may be unreachable. ${detail}`, { cause: error });
  }

  private requireLive(): LiveServer {
    if (!this.live || this._state.kind !== 'running') throw new Error(`Server '${this.name}' is not running (${this._state.kind}).`);
    return this.live;
  }

  /** Tells the server the workspace folders changed. */
  async notifyRootsChanged(): Promise<void> {
    if (this._state.kind === 'running') await this.live?.notifyRootsChanged();
  }

  /**
   * The server answered 404 to our session id (2025-11-25: it restarted, or ended the session): the spec's
   * answer is a new session, so the server reconnects at once, visibly ("reconnecting"), without the
   * crash backoff. Lists are loaded again by the new launch.
   */
  private onSessionLost(generation: number): void {
    if (generation !== this.generation || this._state.kind !== 'running' || this.stopping) return;
    this.log.warn('The server no longer knows this session (HTTP 404: it restarted or ended the session); opening a new session.');
    const current = ++this.generation;
    this.setState({ kind: 'starting', attempt: this.attempt, reconnect: 'sessionLost' });
    this.reconnecting = (async () => {
      // After the request that met the 404 has failed with it (closing the client now would fail it with "Connection closed").
      await new Promise(resolve => setTimeout(resolve, 0));
      await this.teardown();
      if (current !== this.generation) return;
      await this.start({ automatic: true, reconnect: 'sessionLost' });
    })().finally(() => (this.reconnecting = undefined));
  }

  private onUnexpectedClose(generation: number, reason?: string, hint?: string): void {
    if (generation !== this.generation || this.stopping) return;
    const stdio = this.transport instanceof StdioProcessTransport ? this.transport : undefined;
    const exit = stdio?.exitStatus;
    const launch = { type: 'stdio' as const, command: '', args: [], env: {} };
    const diagnosis = diagnose(new Error('The connection closed.'), { launch, exit, nonProtocolOutput: [], startupMs: 0, phase: 'running' });
    this.generation++;
    void this.teardown();
    const message = stdio?.problem ?? (exit ? diagnosis.message : (reason ?? 'The connection to the server closed.'));
    this.log.warn(message);
    const delay = this.scheduleRestart();
    this.setState(this.failure(message, hint, exit, delay, true));
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
      await this.teardown({ endSession: true });
      this.setState({ kind: 'stopped' });
    })().finally(() => (this.stopping = undefined));
    await this.stopping;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Closes the launch; `endSession` first tells a Streamable HTTP server the session is over (a stop does). */
  private async teardown(options: { endSession?: boolean } = {}): Promise<void> {
    const live = this.live;
    const transport = this.transport;
    if (options.endSession && transport && (await terminateSession(transport, SESSION_END_MS))) this.log.info('Ended the session (HTTP DELETE).');
    this.live = undefined;
    this.transport = undefined;
    this.launchStore.clear();
    // Closing the client closes its transport; for stdio that is the stdin/SIGTERM/kill sequence.
    await live?.close();
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
    for (const done of [...this.startWaiters]) done();
    this.auth.dispose();
    this.clearRestartTimer();
    void this.teardown();
    super.dispose();
  }
}

/**
 * The first requests after the handshake (log level, lists, subscriptions), bounded by the start-up time: a server that
 * answered `initialize` and then nothing showed "starting" for its request timeout (60 s) per list, then "running" with
 * no tools, as if it had none.
 */
function withinStartup<T>(work: Promise<T>, startupMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new SilentAfterHandshakeError(startupMs)), startupMs)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * The most one call may take: the server entry's `timeout.total` if it has one, else the user setting's (read per
 * call). An entry in a workspace file (`workspaceDefined`: a cloned repository may have written it) can only shorten
 * the user's limit, never lift or lengthen it: its `total` above the setting, or `0` (no limit), counts as the
 * setting, and its request timeout is cut to the setting (a request timeout longer than the total limit would lift it:
 * `timedRequest` never cuts a request its request timeout allows). Both are read per request, so a lower setting
 * applies to the next call of a running server, without a restart.
 */
export function callLimits(timeouts: ServerTimeouts, setting: () => number = () => DEFAULT_MAX_CALL_MS, workspaceDefined = false): { requestMs: () => number; totalMs: () => number } {
  const entry = timeouts.totalMs;
  const written = timeouts.requestMs;
  if (!workspaceDefined) return { requestMs: () => written, totalMs: entry !== undefined ? () => entry : setting };
  return {
    requestMs: () => {
      const now = setting();
      return now > 0 ? Math.min(written, now) : written;
    },
    totalMs: () => {
      const user = setting();
      if (!(user > 0)) return entry ?? user;
      return entry !== undefined && entry > 0 ? Math.min(entry, user) : user;
    },
  };
}
