import type { Tool } from '@modelcontextprotocol/client';
import { Disposable, IDisposable } from '../common/disposable';
import { Emitter } from '../common/event';
import { definitionHash, trustHash } from '../config/hash';
import type { ConfigProblem, ServerDefinition } from '../config/types';
import { type Catalog, CatalogBuilder, type CatalogSource, type CatalogTool } from './catalog';
import type { ClientRequestHandlers } from './clientRequests';
import type { ConnectionState } from './connectionState';
import { eraMemory, type EraVerdictStore } from './eraNegotiation';
import type { LaunchPlan } from './launch';
import type { ServerLog } from './log';
import type { RestartPolicy } from './restartPolicy';
import { ConnectionOptions, ServerConnection } from './serverConnection';
import type { ShutdownGrace } from './transports/stdioTransport';

/** Whether a server may start, decided by the host (workspace trust, the user's approval). */
export type StartDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: 'workspaceUntrusted' | 'notApproved'; readonly message: string };

/** What the registry needs from its host (VS Code in the extension, plain objects in tests). */
export interface RegistryHost {
  /** One log per server, created with the server and disposed with it. */
  createLog(server: string): ServerLog & IDisposable;
  /** Resolves a definition's variables and inputs into a launch plan. */
  plan(definition: ServerDefinition): Promise<LaunchPlan>;
  /** Decides, for every server about to start, whether it may; a host can merge the questions into one dialog. */
  mayStart(definitions: readonly ServerDefinition[], userInitiated: boolean): Promise<ReadonlyMap<string, StartDecision>>;
  /** Answers what servers ask of the host (roots, sampling, elicitation). */
  readonly handlers: ClientRequestHandlers;
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** Where each definition's protocol era, found by probing, is remembered (absent: probe at every start). */
  readonly eraVerdicts?: EraVerdictStore;
  readonly connectionDefaults?: Pick<ConnectionOptions, 'authProvider' | 'signIn' | 'allowedPlainHttpHosts' | 'pageLimits' | 'reaper' | 'resultFiles' | 'maxCallMs'> & { grace?: ShutdownGrace; restart?: RestartPolicy };
}

/** A configured server: its definition (absent when its entry is invalid), problems, and connection. */
export interface ServerEntry {
  readonly name: string;
  readonly definition: ServerDefinition | undefined;
  readonly hash: string | undefined;
  readonly problems: readonly ConfigProblem[];
  readonly connection: ServerConnection;
}

export interface ConfigSnapshot {
  readonly servers: readonly ServerDefinition[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * All configured servers. `apply` takes a new config snapshot and changes only what changed:
 * a server whose definition hash is the same keeps running; an edited one is restarted; a removed one
 * is stopped (its process tree with it) and forgotten.
 */
export class ServerRegistry extends Disposable {
  private readonly entries = new Map<string, ServerEntry & { listeners: IDisposable[]; log: IDisposable }>();
  private readonly _onDidChangeServers = this._register(new Emitter<void>());
  /** Servers were added, removed or replaced. */
  readonly onDidChangeServers = this._onDidChangeServers.event;
  private readonly _onDidChangeState = this._register(new Emitter<ServerEntry>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeTools = this._register(new Emitter<void>());
  /** Some server's tool list changed (or a server started or stopped). */
  readonly onDidChangeTools = this._onDidChangeTools.event;
  private applying: Promise<void> = Promise.resolve();
  private shuttingDown = false;

  constructor(private readonly host: RegistryHost) {
    super();
  }

  get servers(): readonly ServerEntry[] {
    return [...this.entries.values()];
  }

  get(name: string): ServerEntry | undefined {
    return this.entries.get(name);
  }

  /** Applies a config snapshot; calls are serialised so rapid edits settle in order. */
  apply(snapshot: ConfigSnapshot): Promise<void> {
    this.applying = this.applying.then(() => this.doApply(snapshot)).catch(err => console.error('MCP Host: applying config failed', err));
    return this.applying;
  }

  private async doApply(snapshot: ConfigSnapshot): Promise<void> {
    if (this.isDisposed || this.shuttingDown) return;
    const next = new Map(snapshot.servers.map(d => [d.name, d] as const));
    // Servers whose entry is invalid still appear, blocked, so the tree can show what is wrong.
    const invalid = new Set(snapshot.problems.filter(p => p.severity === 'error' && p.server && !next.has(p.server)).map(p => p.server!));
    const problemsOf = (name: string) => snapshot.problems.filter(p => p.server === name);

    const toStop: Array<Promise<void>> = [];
    const toStart: ServerDefinition[] = [];
    let changed = false;
    for (const [name, entry] of this.entries) {
      const def = next.get(name);
      const keep = def ? entry.hash === definitionHash(def) : invalid.has(name) && entry.definition === undefined;
      if (keep) continue;
      toStop.push(this.remove(name));
      changed = true;
    }
    await Promise.all(toStop);
    // A shutdown that began while old servers stopped must not see new ones appear.
    if (this.isDisposed || this.shuttingDown) return;

    for (const name of new Set([...next.keys(), ...invalid])) {
      const existing = this.entries.get(name);
      if (existing) {
        // Unchanged server: only its problems may differ.
        this.entries.set(name, { ...existing, problems: problemsOf(name) });
        const message = invalidMessage(problemsOf(name));
        const state = existing.connection.state;
        if (!existing.definition && !(state.kind === 'blocked' && state.message === message)) existing.connection.block('invalidConfig', message);
        continue;
      }
      const def = next.get(name);
      this.add(name, def, problemsOf(name));
      changed = true;
      if (def && !def.disabled) toStart.push(def);
    }
    if (changed) this._onDidChangeServers.fire();
    await this.startAll(toStart);
  }

  private add(name: string, definition: ServerDefinition | undefined, problems: readonly ConfigProblem[]): void {
    const log = this.host.createLog(name);
    const defaults = this.host.connectionDefaults ?? {};
    const connection = new ServerConnection({
      name,
      log,
      clientInfo: this.host.clientInfo,
      handlers: this.host.handlers,
      plan: () => (definition ? this.host.plan(definition) : Promise.reject(new Error('The server definition is invalid.'))),
      // Keyed by what runs and where it is defined: another command or URL is another server to probe.
      ...(definition && this.host.eraVerdicts
        ? { eraMemory: eraMemory(this.host.eraVerdicts, trustHash(definition), error => log.warn(`Could not remember the protocol era: ${error}`)) }
        : {}),
      ...defaults,
    });
    const entry = { name, definition, hash: definition ? definitionHash(definition) : undefined, problems, connection, log, listeners: [] as IDisposable[] };
    let kind = connection.state.kind;
    entry.listeners.push(
      connection.onDidChangeState(state => {
        const was = kind;
        kind = state.kind;
        this._onDidChangeState.fire(this.entries.get(name) ?? entry);
        // Not for a change within running (a dropped stream being resumed, then back): the tools are the same.
        if (state.kind !== was && (state.kind === 'running' || state.kind === 'stopped' || state.kind === 'error')) this._onDidChangeTools.fire();
      }),
      connection.onDidChangeTools(() => this._onDidChangeTools.fire()),
    );
    this.entries.set(name, entry);
    if (!definition) {
      connection.block('invalidConfig', invalidMessage(problems));
    } else if (definition.disabled) {
      connection.block('disabled', 'Disabled in config');
    }
  }

  private async remove(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    for (const l of entry.listeners) l.dispose();
    await entry.connection.shutdown();
    entry.log.dispose();
  }

  private async startAll(definitions: readonly ServerDefinition[], userInitiated = false): Promise<void> {
    if (definitions.length === 0 || this.shuttingDown) return;
    const decisions = await this.host.mayStart(definitions, userInitiated);
    if (this.shuttingDown) return;
    await Promise.all(
      definitions.map(def => {
        const entry = this.entries.get(def.name);
        if (!entry || entry.definition !== def) return undefined;
        const decision = decisions.get(def.name) ?? { allowed: false, reason: 'notApproved', message: 'Not approved' };
        if (!decision.allowed) {
          entry.connection.block(decision.reason, decision.message);
          return undefined;
        }
        return entry.connection.start();
      }),
    );
  }

  /** Starts one server (asking for approval first if it needs it; `userInitiated` asks even if declined before). */
  async start(name: string, userInitiated = false): Promise<void> {
    await this.startMany([name], userInitiated);
  }

  /** Starts several servers; those needing approval are asked about together. */
  async startMany(names: readonly string[], userInitiated = false): Promise<void> {
    const defs = names.map(n => this.entries.get(n)?.definition).filter((d): d is ServerDefinition => d !== undefined);
    await this.startAll(defs, userInitiated);
  }

  async stop(name: string): Promise<void> {
    await this.entries.get(name)?.connection.stop();
  }

  async restart(name: string, userInitiated = false): Promise<void> {
    await this.stop(name);
    await this.start(name, userInitiated);
  }

  /**
   * The tools of every running server, under collision-safe qualified names. Built once per change: a
   * server's tool list is a new array exactly when its content changed (serverLists.ts), so the catalog is
   * reused while every running server still has the same list and definition, and a call or a chat turn
   * over 5,000 unchanged tools costs a comparison per server. After a change only the changed server's
   * part is made again (CatalogBuilder).
   */
  catalog(): readonly CatalogTool[] {
    return this.currentCatalog().tools;
  }

  /**
   * A running server's tool by name, in O(1) (its list keeps a map by name): how every call finds the tool it
   * was asked for (the palette, the tree, saved calls, the result panel, an app). A search of the list was
   * O(tools) per call: 5,000 string comparisons for the last of 5,000 tools.
   */
  runningTool(server: string, name: string): Tool | undefined {
    const connection = this.entries.get(server)?.connection;
    return connection?.state.kind === 'running' ? connection.tool(name) : undefined;
  }

  /** A catalog entry by its qualified name, in O(1). */
  catalogTool(qualifiedName: string): CatalogTool | undefined {
    return this.currentCatalog().byName.get(qualifiedName);
  }

  private readonly catalogBuilder = new CatalogBuilder();
  private lastCatalog: Catalog | undefined;
  /** How many times the catalog changed (was rebuilt, in part): what the tests of its cache read. */
  catalogBuilds = 0;

  private currentCatalog(): Catalog {
    const sources: CatalogSource[] = [];
    for (const e of this.entries.values()) {
      if (e.connection.state.kind === 'running' && e.definition) sources.push({ server: e.name, tools: e.connection.tools, disabledTools: e.definition.disabledTools });
    }
    const catalog = this.catalogBuilder.update(sources);
    if (catalog !== this.lastCatalog) this.catalogBuilds++;
    this.lastCatalog = catalog;
    return catalog;
  }

  /** Tells every running server that the workspace folders changed. */
  notifyRootsChanged(): void {
    for (const e of this.entries.values()) void e.connection.notifyRootsChanged();
  }

  stateOf(name: string): ConnectionState | undefined {
    return this.entries.get(name)?.connection.state;
  }

  /**
   * Stops every server and waits for their processes to exit. It does not wait for a pending apply: that
   * may be stuck on a dialog or a slow start; stopping bumps each connection's generation, which makes
   * any start still in flight give up.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.entries.keys()].map(name => this.remove(name)));
    this.dispose();
  }

  override dispose(): void {
    for (const entry of this.entries.values()) {
      for (const l of entry.listeners) l.dispose();
      entry.connection.dispose();
      entry.log.dispose();
    }
    this.entries.clear();
    super.dispose();
  }
}

function invalidMessage(problems: readonly ConfigProblem[]): string {
  const first = problems.find(p => p.severity === 'error');
  return first ? `Invalid config: ${first.message}` : 'Invalid config';
}
