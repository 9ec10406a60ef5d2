import * as os from 'os';
import { SavedCallStore } from '../forms/savedCalls';
import * as path from 'path';
import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { Commands, Settings } from '../ids';
import { Disposable } from '../common/disposable';
import { safe } from '../common/untrustedText';
import * as ui from '../ui/window';
import { resolveDefinition, InputCancelledError } from '../config/variables';
import { inputDestination } from '../config/inputBinding';
import { DEFAULT_MAX_CALL_MS, type ServerDefinition } from '../config/types';
import { CachedUserSettings, userSetting } from '../userSettings';
import type { LaunchPlan } from '../mcp/launch';
import { ProcessReaper } from '../mcp/reaper';
import { ServerRegistry } from '../mcp/registry';
import { ResultFiles } from '../mcp/resultFiles';
import { ApprovalStore } from '../consent/approvalStore';
import { CallHistory } from '../consent/callHistory';
import { ConsentSettingsCache } from '../consent/consentSettings';
import { ConsentGate } from '../consent/toolCallGate';
import type { ConsentDialog, ToolCallGate } from '../consent/types';
import { MementoEraVerdicts } from './eraVerdicts';
import { OrderedMemento } from '../common/orderedMemento';
import { createServerLog, ServerLogChannel } from './serverLogs';
import type { ServerLog } from '../mcp/log';
import { InputStore, type InputDialog } from './inputStore';
import { ServerTrust, type ServerTrustDialog } from './serverTrust';
import { createSamplingHandler, forgetSamplingAnswers, type SamplingDialog } from './sampling';
import { ElicitationHandler, type ElicitationDialog } from '../serverRequests/elicitation';
import type { FormEditorDialog } from '../forms/formEditor';
import { readEditorPreference } from '../ui/forms/editorPreference';
import type { FormDialog } from '../forms/formFlow';
import { WorkspaceConfig } from './workspaceConfig';
import { allowedPlainHttpHosts, clientMetadataUrl, secretStore, type SignInDialog, WindowRedirects } from './signIn';

/**
 * What the host itself asks: `${input:…}` values, permission to start workspace servers, consent for tool
 * calls, and what servers ask of the user (sampling, elicitation and its forms).
 */
export type HostDialogs = InputDialog & ServerTrustDialog & ConsentDialog & SamplingDialog & ElicitationDialog & FormDialog & FormEditorDialog & SignInDialog;

/**
 * The extension's MCP side in one place: config sources feed the registry; the registry asks this
 * host for logs, launch plans (variables, inputs, secrets) and start approvals.
 */
export class McpHost extends Disposable {
  readonly config: WorkspaceConfig;
  readonly registry: ServerRegistry;
  readonly trust: ServerTrust;
  readonly inputs: InputStore;
  /** Every tool call goes through here: consent, the call, the history. */
  readonly gate: ToolCallGate;
  readonly approvals: ApprovalStore;
  readonly history: CallHistory;
  readonly version: string;
  /** Very large tool results, kept in full on disk while the host works with their beginning. */
  readonly resultFiles: ResultFiles;
  /** Calls saved under a name, for this workspace or for the user. */
  readonly savedCalls: SavedCallStore;
  private readonly logs = new Map<string, ServerLogChannel>();
  /** Forgets every "Always Allow" answer to a server's sampling request. */
  readonly forgetSamplingAnswers: () => Promise<void>;

  /** `dialogs` is read at each question: the extension's Test mode replaces it. */
  constructor(context: vscode.ExtensionContext, dialogs: () => HostDialogs) {
    super();
    this.version = String(context.extension.packageJSON.version);
    // Every part that keeps something in the global state writes through one queue (see OrderedMemento).
    const globalState = new OrderedMemento(context.globalState);
    this.trust = new ServerTrust(globalState, dialogs);
    this.savedCalls = new SavedCallStore({ workspace: context.workspaceState, user: globalState });
    this.inputs = new InputStore(context.secrets, globalState, dialogs);
    this.config = this._register(new WorkspaceConfig(err => reportLoadError(err)));
    this.resultFiles = new ResultFiles(path.join(context.globalStorageUri.fsPath, 'results'));
    // What earlier windows kept beyond the limits goes now, not at the next large result.
    void this.resultFiles.prune();
    // The registry's servers are known only once it exists; the handlers look them up per request.
    let registry: ServerRegistry | undefined;
    this.forgetSamplingAnswers = () => forgetSamplingAnswers(globalState);
    const sampling = createSamplingHandler({ get: name => registry?.get(name) }, globalState, dialogs);
    const elicitation = new ElicitationHandler({ dialogs, editorPreference: readEditorPreference });
    // Disposed last (registered first): by then a clean shutdown has stopped every server it watches.
    const reaper = this._register(new ProcessReaper(context.asAbsolutePath(path.join('dist', 'reaper.js')), message => console.error(`MCP Host: ${message}`)));
    this.registry = registry = this._register(
      new ServerRegistry({
        clientInfo: { name: 'mcp-host', version: String(context.extension.packageJSON.version) },
        connectionDefaults: {
          reaper,
          resultFiles: this.resultFiles,
          signIn: {
            secrets: secretStore(context.secrets),
            browser: { authorize: (request, redirect) => dialogs().authorizeSignIn(request, redirect) },
            clientName: 'MCP Host for VS Code',
            clientMetadataUrl,
            redirects: this._register(new WindowRedirects(context)),
          },
          allowedPlainHttpHosts,
          maxCallMs: this._register(new CachedUserSettings([Settings.callsMaxMinutes], () => maxCallMs(userSetting(Settings.callsMaxMinutes)))).read,
        },
        eraVerdicts: new MementoEraVerdicts(globalState),
        createLog: name => {
          // Returned as is: a copy would freeze the channel's `level` getter at its value right now.
          const log = createServerLog(name, () => this.logs.get(name) === log && this.logs.delete(name));
          this.logs.set(name, log);
          return log;
        },
        plan: def => this.plan(def),
        mayStart: (defs, userInitiated) => this.trust.mayStart(defs, userInitiated),
        handlers: {
          roots: () => (vscode.workspace.workspaceFolders ?? []).map(f => ({ uri: f.uri.toString(), name: f.name })),
          sampling: (server, params, signal) => sampling.handle(server, params, signal),
          elicitation: (server, params, signal) => elicitation.handle(server, params, signal),
        },
      }),
    );
    this.approvals = this._register(new ApprovalStore(context.workspaceState));
    this.history = this._register(new CallHistory(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'tool-calls.jsonl')));
    this.gate = new ConsentGate({
      servers: this.registry,
      approvals: this.approvals,
      settings: this._register(new ConsentSettingsCache()).read,
      confirm: request => dialogs().confirmToolCall(request),
      history: this.history,
    });
    this._register(this.config.onDidChange(snapshot => void this.registry.apply(snapshot)));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.registry.notifyRootsChanged()));
    this._register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        const waiting = this.registry.servers.filter(s => s.connection.state.kind === 'blocked' && s.connection.state.reason === 'workspaceUntrusted');
        // One question for all of them, as at load.
        void this.registry.startMany(waiting.map(s => s.name));
      }),
    );
  }

  /** Loads config and starts what it defines; a failure is shown, not thrown. */
  async load(): Promise<void> {
    try {
      await this.registry.apply(await this.config.load());
    } catch (err) {
      reportLoadError(err);
    }
  }

  /** The server's log channel, while it exists. */
  serverLog(name: string): ServerLog | undefined {
    return this.logs.get(name);
  }

  showLog(name: string): void {
    this.logs.get(name)?.show();
  }

  private async plan(def: ServerDefinition): Promise<LaunchPlan> {
    const inputs = this.config.inputsFor(def);
    let envFileText: string | undefined;
    // An input asked for (or read) between the decision to start and this launch: the folders are looked at again.
    let resolvedInput = false;
    const resolved = await resolveDefinition(def, {
      workspaceFolder: def.origin.folder,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map(f => ({ name: f.name, path: f.uri.fsPath })),
      userHome: os.homedir(),
      pathSeparator: path.sep,
      env: process.env,
      readFile: async file => (envFileText = await fs.readFile(file, 'utf8')),
      resolveInput: async id => {
        resolvedInput = true;
        const input = inputs.find(i => i.id === id);
        if (!input) throw new Error(`\${input:${id}} is not declared in "inputs" of ${def.origin.label}`);
        return this.inputs.resolve(input, def.origin.file ?? 'user', def.name, inputDestination(def));
      },
    }).catch(err => {
      if (err instanceof InputCancelledError) throw new Error(`Not started: the value for \${input:${err.inputId}} was not given.`);
      throw err;
    });
    // The env file is read again here; what it sets must still be what the user approved in the trust dialog.
    const refusal = this.trust.launchRefusal(def, envFileText, !resolvedInput);
    if (refusal) throw new Error(refusal);
    const launch =
      resolved.type === 'stdio'
        ? (() => {
            // Like a task, a workspace server runs in its folder unless it says otherwise.
            const cwd = resolved.cwd ?? def.origin.folder;
            return { type: 'stdio' as const, command: resolved.command, args: resolved.args, env: resolved.env, ...(cwd ? { cwd } : {}) };
          })()
        : { type: resolved.type, url: resolved.url, headers: resolved.headers, ...(resolved.oauth ? { oauth: resolved.oauth } : {}) };
    return {
      launch,
      timeouts: resolved.timeouts,
      secrets: resolved.secrets,
      ...(def.protocol ? { protocol: def.protocol } : {}),
      ...(def.origin.kind !== 'userSettings' ? { workspaceDefined: true } : {}),
    };
  }

  async shutdown(): Promise<void> {
    await this.registry.shutdown();
    // History writes are queued off the calls' path: every call made, including those the shutdown cancelled, is written before the window goes.
    await this.history.flush();
    this.dispose();
  }
}

function reportLoadError(err: unknown): void {
  void ui.showErrorMessage(safe`MCP Host could not read the MCP configuration: ${err}`, 'Open Config').then(choice => {
    if (choice) void vscode.commands.executeCommand(Commands.openConfig);
  });
}

/** `mcpHost.calls.maxMinutes` in milliseconds (0: no limit); the default for anything but a number ≥ 0. */
function maxCallMs(minutes: unknown): number {
  return typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 0 ? minutes * 60_000 : DEFAULT_MAX_CALL_MS;
}
