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
 * Opens `text` in a read-only plain-text editor (a virtual document: no file, nothing to save, nothing
 * rendered or run). `name` is cut to safe file-name characters, since it may carry a server's text.
 */
export async function showReadOnlyText(name: string, text: string): Promise<vscode.TextDocument> {
  const id = String(++next);
  texts.set(id, text);
  for (const old of texts.keys()) if (texts.size > KEPT) texts.delete(old);
  const file = `${name.replace(/[^\w. -]+/g, '_').slice(0, 80)}.txt`;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `/${file}`, query: id }));
  await vscode.window.showTextDocument(document, { preview: true });
  return document;
}
