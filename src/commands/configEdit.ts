import * as vscode from 'vscode';

/**
 * Writes `newText` as the whole of a config file through a WorkspaceEdit: when the file is open, the edit goes
 * into its document (unsaved changes the user made there are kept, and Undo reverts ours); a new file is
 * created with the text. A document that had no unsaved changes is saved, so the config reloads at once;
 * one that had is left for the user to save. `document` is the one `newText` was computed from.
 */
export async function writeConfigText(file: vscode.Uri, newText: string, document: vscode.TextDocument | undefined): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  if (document) {
    const wasDirty = document.isDirty;
    edit.replace(file, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), newText);
    if (!(await vscode.workspace.applyEdit(edit))) return false;
    // A file that was saved must be on disk again: a failed save (no permission, disk full) is a failed write.
    return wasDirty || (await document.save());
  }
  edit.createFile(file, { ignoreIfExists: false, contents: new TextEncoder().encode(newText) });
  return vscode.workspace.applyEdit(edit);
}

/** The open document of `file`, or undefined when the file does not exist. */
export async function configDocument(file: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const exists = await vscode.workspace.fs.stat(file).then(() => true, () => false);
  return exists ? vscode.workspace.openTextDocument(file) : undefined;
}
