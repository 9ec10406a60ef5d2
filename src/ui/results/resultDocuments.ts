import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import { Commands } from '../../ids';
import type { ResultFiles } from '../../mcp/resultFiles';

export const RESULT_SCHEME = 'mcp-host-result';

/** What `mcpHost.openResultValue` takes: a value kept on disk (`part` 'message' is the whole message as received) and a name for its tab. */
export interface ResultValueArg {
  readonly id: string;
  readonly part: number | 'message';
  readonly name?: string;
}

/** `mcp-host-result:/<name>?<id>/<part>`: the name is the tab's title and breadcrumb, the query says which value. */
export function resultValueUri(arg: ResultValueArg): vscode.Uri {
  const name = (arg.name ?? (arg.part === 'message' ? 'result.json' : 'result.txt')).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 100);
  return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${name}`, query: `${arg.id}/${arg.part}` });
}

/**
 * Read-only documents for the values of large tool results that the host keeps on disk
 * (`resultValueUri`). Only files of the results folder can be named.
 */
class ResultDocumentsProvider implements vscode.FileSystemProvider {
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this._onDidChangeFile.event;

  constructor(private readonly files: ResultFiles) {}

  private fileOf(uri: vscode.Uri): string {
    const [id = '', part = ''] = uri.query.split('/');
    const file = this.files.file(id, part === 'message' ? 'message' : /^\d+$/.test(part) ? Number(part) : -1);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file;
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    try {
      const s = await fs.stat(this.fileOf(uri));
      return { type: vscode.FileType.File, ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size, permissions: vscode.FilePermission.Readonly };
    } catch (err) {
      throw this.gone(uri, err);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      return await fs.readFile(this.fileOf(uri));
    } catch (err) {
      throw this.gone(uri, err);
    }
  }

  private gone(uri: vscode.Uri, err: unknown): unknown {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
    return vscode.FileSystemError.FileNotFound(`${uri.path.split('/').pop()}: no longer kept (MCP Host keeps the ${this.files.limits.keepFolders} most recent large results).`);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Results are single documents.');
  }

  createDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Results are read-only.');
  }

  writeFile(): never {
    throw vscode.FileSystemError.NoPermissions('Results are read-only.');
  }

  delete(): never {
    throw vscode.FileSystemError.NoPermissions('Results are read-only.');
  }

  rename(): never {
    throw vscode.FileSystemError.NoPermissions('Results are read-only.');
  }

  dispose(): void {
    this._onDidChangeFile.dispose();
  }
}

/** The `mcp-host-result:` documents and `mcpHost.openResultValue`, which result panels link to. */
export function registerResultDocuments(store: DisposableStore, files: ResultFiles): void {
  const provider = store.add(new ResultDocumentsProvider(files));
  store.add(
    vscode.workspace.registerFileSystemProvider(RESULT_SCHEME, provider, {
      isReadonly: new vscode.MarkdownString('A tool result MCP Host keeps on disk because it is too large to show whole.'),
      isCaseSensitive: true,
    }),
  );
  store.add(
    vscode.commands.registerCommand(Commands.openResultValue, async (arg: ResultValueArg) => {
      const uri = resultValueUri(arg);
      try {
        // Opened by the workbench, not through an extension's TextDocument: those stop at 50 MB.
        await provider.stat(uri);
        await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
        return uri;
      } catch (err) {
        void vscode.window.showErrorMessage(`Cannot open the full result: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
}
