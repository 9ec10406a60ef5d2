import * as vscode from 'vscode';
import { registerServersView, type ServersView } from './ui/tree/serversView';
import { registerCommands } from './commands/registerCommands';
import { registerServerCommands } from './commands/serverCommands';
import { registerReadOnlyTexts } from './ui/readOnlyText';
import { showToolResult } from './commands/runTool';
import { TestCommands } from './ids';
import { importDialog, registerImportCommand, type ImportDialog } from './commands/importServers';
import type { ImportLocation } from './config/importers';
import { npxFolderWalks } from './config/localPackage';
import { registerHistoryView } from './ui/history/historyView';
import { historyDialog, registerHistoryCommands, type HistoryDialog } from './ui/history/historyCommands';
import { approvalsDialog, registerApprovalCommands, type ApprovalsDialog } from './consent/manageApprovals';
import { registerPaletteCommands } from './commands/palette';
import { addServerDialog, registerAddServerCommand, type AddServerDialog } from './commands/addServer';
import { registerConfigLens } from './ui/configLens';
import { registerStatusBar } from './ui/statusBar';
import { registerResourceDocuments, type ResourceDocuments } from './ui/resources/resourceCommands';
import { DisposableStore, toDisposable } from './common/disposable';
import { disposeValidationWorker } from './mcp/validationClient';
import { McpHost, type HostDialogs } from './workspace/mcpHost';
import { inputDialog } from './workspace/inputStore';
import { signInDialog } from './workspace/signIn';
import { serverTrustDialog } from './workspace/serverTrust';
import { consentDialog } from './consent/consentDialog';
import { pickDialog, type PickDialog } from './commands/itemPicker';
import { progressDialog, type ProgressDialog } from './commands/callProgress';
import type { FormDialog } from './forms/formFlow';
import { quickInputForm } from './ui/forms/quickInputForm';
import { registerSamplingCommands, samplingDialog } from './workspace/sampling';
import { elicitationDialog } from './workspace/elicitation';
import { registerChat } from './ui/chat/registerChat';
import { chatToolsDialog } from './ui/chat/serversCommand';
import type { ChatDialogs, ChatServices } from './ui/chat/chatServices';
import type { FormEditorDialog } from './forms/formEditor';
import { FormEditorPanels } from './ui/forms/formEditorPanel';
import { savedCallDialog, type SavedCallDialog } from './commands/savedCalls';
import { builtinMcpDialog, registerBuiltinMcp, type BuiltinMcpDialog } from './workspace/builtinMcp';
import { safe } from './common/untrustedText';
import * as ui from './ui/window';
import type { ShownText } from './ui/window';
import { appDialog, type AppDialog, type AppPanels } from './ui/apps/appPanels';

/**
 * Every question MCP Host asks the user, each interface owned by the feature that asks it. Kept apart from
 * the logic that decides when to ask, so the integration tests can answer them (in Test mode only).
 */
export type Dialogs = HostDialogs & ApprovalsDialog & HistoryDialog & PickDialog & FormDialog & FormEditorDialog & SavedCallDialog & ProgressDialog & ChatDialogs & BuiltinMcpDialog & AppDialog & ImportDialog & AddServerDialog;

/** The webview form editor; its open sessions are what tests drive. */
const formEditor = new FormEditorPanels();

const vscodeDialogs: Dialogs = {
  ...inputDialog,
  ...serverTrustDialog,
  ...consentDialog,
  ...samplingDialog,
  ...elicitationDialog,
  ...approvalsDialog,
  ...historyDialog,
  ...pickDialog,
  ...quickInputForm,
  editForm: request => formEditor.editForm(request),
  ...savedCallDialog,
  ...progressDialog,
  ...chatToolsDialog,
  ...builtinMcpDialog,
  ...appDialog,
  ...signInDialog,
  ...importDialog,
  ...addServerDialog,
};

/** What `activate` returns. `host` and `setDialogs` exist only in the extension's Test mode. */
export interface McpHostApi {
  readonly version: string;
  readonly host?: McpHost;
  setDialogs?(dialogs: Dialogs): void;
  /** The servers tree (model, provider, view), for tests. */
  readonly serversView?: ServersView;
  readonly resources?: ResourceDocuments;
  readonly statusBar?: vscode.StatusBarItem;
  /** Every message, progress text and input prompt shown through ui/window.ts, in order. */
  readonly shownTexts?: readonly ShownText[];
  /** The webview form editor (its real panels, whatever `setDialogs` set). */
  readonly formEditor?: FormEditorPanels;
  /** Chat's pieces; its transcripts record what every `@mcp` response showed. */
  readonly chat?: ChatServices;
  /** This extension's log folder; the servers' output channels are written next to it. */
  readonly logUri?: vscode.Uri;
  /** The open MCP Apps and their resource cache. */
  readonly apps?: AppPanels;
  /** VS Code's own dialogs, which `setDialogs` replaces (a test can hand one question back to them). */
  readonly defaultDialogs?: Dialogs;
  /** Answers modal messages in place of the user (undefined: VS Code shows them again). */
  answerModals?(answerer: ui.ModalAnswerer | undefined): void;
  /** Where "Import MCP Servers…" looks for other hosts' configs (undefined: the real places). */
  setImportLocations?(locations: readonly ImportLocation[] | undefined): void;
  /** How many times an npx server's folders were looked through (`npxFolderWalks`): the tests count them per start and render. */
  npxFolderWalks?(): number;
}

let current: McpHost | undefined;
let currentApps: AppPanels | undefined;

/** The performance measure of `activate()`; the integration tier reports it (`npm run bench` shows it). */
export const ACTIVATE_MEASURE = 'mcpHost.activate';
/** Evaluating dist/extension.js, first line to last (esbuild.js puts the marks there): activation pays it too. */
export const LOAD_MEASURE = 'mcpHost.load';

export async function activate(context: vscode.ExtensionContext): Promise<McpHostApi> {
  performance.mark(`${ACTIVATE_MEASURE}:start`);
  if (performance.getEntriesByName('mcpHost.bundle:end', 'mark').length) performance.measure(LOAD_MEASURE, 'mcpHost.bundle:start', 'mcpHost.bundle:end');
  const store = new DisposableStore();
  context.subscriptions.push(store);
  try {
    let dialogs = vscodeDialogs;
    const ask = () => dialogs;
    const host = store.add(new McpHost(context, ask));
    current = host;
    store.add(toDisposable(() => (current = undefined)));
    const serversView = registerServersView(store, host.registry, host.savedCalls);
    const statusBar = registerStatusBar(store, host.registry);
    registerConfigLens(store, host.registry);
    const resources = registerResourceDocuments(store, host, ask);
    registerCommands(store);
    registerReadOnlyTexts(store);
    registerServerCommands(store, host);
    // Test mode reads other hosts' configs from where the test says, not from the real home folder.
    let importLocations: readonly ImportLocation[] | undefined;
    registerImportCommand(store, host, ask, () => importLocations);
    registerHistoryView(store, host.history);
    registerHistoryCommands(store, host, ask);
    registerApprovalCommands(store, host, ask);
    const { apps } = registerPaletteCommands(store, host, ask);
    currentApps = apps;
    store.add(toDisposable(() => (currentApps = undefined)));
    registerAddServerCommand(store, host, ask);
    const testMode = context.extensionMode === vscode.ExtensionMode.Test;
    const builtinMcp = registerBuiltinMcp(store, host.registry, context.workspaceState, ask);
    const chat = registerChat(store, context, host, resources, ask, testMode, apps, builtinMcp);
    registerSamplingCommands(store);
    // Servers start in the background; activation does not wait for them.
    void host.load();
    performance.measure(ACTIVATE_MEASURE, `${ACTIVATE_MEASURE}:start`);
    const version = String(context.extension.packageJSON.version);
    if (testMode) {
      const shownTexts: ShownText[] = [];
      ui.observeShownText(shown => shownTexts.push(shown));
      // A test hook, never a public command: it shows whatever result it is given (see runTool.ts).
      store.add(vscode.commands.registerCommand(TestCommands.showToolResult, showToolResult));
      store.add(toDisposable(() => ui.observeShownText(undefined)));
      store.add(toDisposable(() => ui.answerModals(undefined)));
      return { version, host, setDialogs: d => (dialogs = d), serversView, resources, statusBar, shownTexts, formEditor, chat, logUri: context.logUri, apps, defaultDialogs: vscodeDialogs, answerModals: ui.answerModals, setImportLocations: l => (importLocations = l), npxFolderWalks };
    }
    return { version };
  } catch (err) {
    void ui.showErrorMessage(safe`MCP Host could not start: ${err}. Reload the window; if it persists, see the extension host log (Developer: Show Logs…).`);
    throw err;
  }
}

/** Closes the apps, stops every server and waits for their process trees to exit, so nothing outlives the extension. */
export async function deactivate(): Promise<void> {
  // Apps first: each is asked to tear down (briefly) while its server still runs.
  await currentApps?.closeAll();
  await current?.shutdown();
  disposeValidationWorker();
}
