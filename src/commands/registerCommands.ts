import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { Commands } from '../ids';
import { safe } from '../common/untrustedText';
import * as ui from '../ui/window';

export function registerCommands(store: DisposableStore): void {
  store.add(vscode.commands.registerCommand(Commands.openConfig, openWorkspaceConfig));
}

/** Opens the first workspace folder's `.vscode/mcp.json`, offering to create it when missing. */
async function openWorkspaceConfig(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void ui.showInformationMessage(safe`Open a folder first: MCP Host reads .vscode/mcp.json from the workspace.`);
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{\n  "servers": {}\n}\n'));
  }
  await vscode.window.showTextDocument(uri);
}
