import * as vscode from 'vscode';
import { registerServersView } from './ui/tree/serversView';
import { registerCommands } from './commands/registerCommands';
import { DisposableStore } from './common/disposable';

/** What `activate` returns: used by the integration tests and open to other extensions. */
export interface McpHostApi {
  readonly version: string;
}

export function activate(context: vscode.ExtensionContext): McpHostApi {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  try {
    registerServersView(store);
    registerCommands(store);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`MCP Host could not start: ${message}. Reload the window; if it persists, see the extension host log (Developer: Show Logs…).`);
    throw err;
  }
  return { version: String(context.extension.packageJSON.version) };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
