import * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import { safe } from '../../common/untrustedText';
import { Commands } from '../../ids';
import type { ResultFiles } from '../../mcp/resultFiles';
import { showErrorMessage } from '../window';

/** What `mcpHost.openResultValue` takes: a value kept on disk (`part` 'message' is the whole message as received) and a name for its tab. */
export interface ResultValueArg {
  readonly id: string;
  readonly part: number | 'message';
  readonly name?: string;
}

/**
 * `mcpHost.openResultValue`, which result panels link to: opens a value of a large tool result that the host
 * keeps on disk, read-only. It opens the file itself, under the name given, so the workbench reads it from
 * disk as it reads any file, in chunks: served by the extension host, 50 MB blocked it while it was sent.
 */
export function registerResultDocuments(store: DisposableStore, files: ResultFiles): void {
  store.add(
    vscode.commands.registerCommand(Commands.openResultValue, async (arg: ResultValueArg) => {
      try {
        const file = await files.named(arg.id, arg.part, arg.name ?? (arg.part === 'message' ? 'result.json' : 'result.txt'));
        const uri = vscode.Uri.file(file);
        await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
        await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
        return uri;
      } catch (err) {
        const message = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `it is no longer kept (MCP Host keeps the ${files.limits.keepFolders} most recent large results)` : err instanceof Error ? err.message : String(err);
        void showErrorMessage(safe`Cannot open the full result: ${message}.`);
        return undefined;
      }
    }),
  );
}
