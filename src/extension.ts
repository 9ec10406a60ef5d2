import * as vscode from 'vscode';
import { registerServersView, type ServersView } from './ui/tree/serversView';
import { registerCommands } from './commands/registerCommands';
import { registerServerCommands } from './commands/serverCommands';
import { registerImportCommand } from './commands/importServers';
import { registerHistoryView } from './ui/history/historyView';
import { registerHistoryCommands } from './ui/history/historyCommands';
import { registerApprovalCommands } from './consent/manageApprovals';
import { registerPaletteCommands } from './commands/palette';
import { registerAddServerCommand } from './commands/addServer';
import { registerStatusBar } from './ui/statusBar';
import { registerResourceDocuments, type ResourceDocuments } from './ui/resources/resourceCommands';
import { DisposableStore, toDisposable } from './common/disposable';
import { McpHost } from './workspace/mcpHost';
import { safe } from './common/untrustedText';
import * as ui from './ui/window';
import type { ShownText } from './ui/window';
import type { Prompts } from './workspace/prompts';

/** What `activate` returns. `host` and `setPrompts` exist only in the extension's Test mode. */
export interface McpHostApi {
  readonly version: string;
  readonly host?: McpHost;
  setPrompts?(prompts: Prompts): void;
  /** The servers tree (model, provider, view), for tests. */
  readonly serversView?: ServersView;
  readonly resources?: ResourceDocuments;
  readonly statusBar?: vscode.StatusBarItem;
  /** Every message, progress text and input prompt shown through ui/window.ts, in order. */
  readonly shownTexts?: readonly ShownText[];
}

let current: McpHost | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<McpHostApi> {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  try {
    const host = store.add(new McpHost(context));
    current = host;
    store.add(toDisposable(() => (current = undefined)));
    const serversView = registerServersView(store, host.registry);
    const statusBar = registerStatusBar(store, host.registry);
    const resources = registerResourceDocuments(store, host);
    registerCommands(store);
    registerServerCommands(store, host);
    registerImportCommand(store, host);
    registerHistoryView(store, host.history);
    registerHistoryCommands(store, host);
    registerApprovalCommands(store, host);
    registerPaletteCommands(store, host);
    registerAddServerCommand(store, host);
    // Servers start in the background; activation does not wait for them.
    void host.load();
    const version = String(context.extension.packageJSON.version);
    if (context.extensionMode === vscode.ExtensionMode.Test) {
      const shownTexts: ShownText[] = [];
      ui.observeShownText(shown => shownTexts.push(shown));
      store.add(toDisposable(() => ui.observeShownText(undefined)));
      return { version, host, setPrompts: p => (host.prompts = p), serversView, resources, statusBar, shownTexts };
    }
    return { version };
  } catch (err) {
    void ui.showErrorMessage(safe`MCP Host could not start: ${err}. Reload the window; if it persists, see the extension host log (Developer: Show Logs…).`);
    throw err;
  }
}

/** Stops every server and waits for their process trees to exit, so nothing outlives the extension. */
export async function deactivate(): Promise<void> {
  await current?.shutdown();
}
