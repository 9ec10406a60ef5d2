import * as vscode from 'vscode';
import type { ServerEntry } from '../mcp/registry';
import { serverDescription, STATE_ICON } from './tree/treeText';

/** A pick among servers, each with its state icon, what it is doing and where it is defined; undefined when dismissed. */
export async function pickServer(entries: readonly ServerEntry[], options: { readonly title?: string; readonly placeHolder: string }): Promise<ServerEntry | undefined> {
  const picked = await vscode.window.showQuickPick(
    entries.map(e => ({ label: `$(${STATE_ICON[e.connection.state.kind].id}) ${e.name}`, description: serverDescription(e), detail: e.definition?.origin.label ?? 'invalid entry', entry: e })),
    { ...(options.title ? { title: options.title } : {}), placeHolder: options.placeHolder },
  );
  return picked?.entry;
}
