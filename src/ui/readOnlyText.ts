import * as vscode from 'vscode';
import type { DisposableStore } from '../common/disposable';

const SCHEME = 'mcp-host-text';
/** The latest texts opened, by id; older ones are dropped (their tabs then show that they are gone). */
const texts = new Map<string, string>();
const KEPT = 20;
let next = 0;

export function registerReadOnlyTexts(store: DisposableStore): void {
  store.add(vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: uri => texts.get(uri.query) ?? '(This text is no longer kept.)' }));
}

/**
 * A read-only virtual document holding `text` (no file, nothing to save, nothing rendered or run), named
 * `file`: its extension picks the language. For `vscode.diff` and `openTextDocument`.
 */
export function readOnlyTextUri(file: string, text: string): vscode.Uri {
  const id = String(++next);
  texts.set(id, text);
  for (const old of texts.keys()) if (texts.size > KEPT) texts.delete(old);
  return vscode.Uri.from({ scheme: SCHEME, path: `/${file}`, query: id });
}

/**
 * Opens `text` in a read-only plain-text editor. `name` is cut to safe file-name characters, since it may
 * carry a server's text.
 */
export async function showReadOnlyText(name: string, text: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(readOnlyTextUri(`${name.replace(/[^\w. -]+/g, '_').slice(0, 80)}.txt`, text));
  await vscode.window.showTextDocument(document, { preview: true });
  return document;
}
