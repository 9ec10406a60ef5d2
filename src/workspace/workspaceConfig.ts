import * as vscode from 'vscode';
import { Disposable, DisposableStore } from '../common/disposable';
import { Emitter } from '../common/event';
import { mergeSources } from '../config/merge';
import { keepLastRead, parseConfigText, parseConfigValue } from '../config/parse';
import type { ConfigFormat, ConfigOrigin, ConfigProblem, InputDefinition, ParsedSource, ProblemSeverity, ServerDefinition } from '../config/types';
import { ContextKeys, Settings } from '../ids';
import type { ConfigSnapshot } from '../mcp/registry';
import { userSetting } from '../userSettings';

/** The config files MCP Host reads in each workspace folder, in precedence order. */
export const WORKSPACE_FILES: ReadonlyArray<{ path: string; format: ConfigFormat; kind: ConfigOrigin['kind'] }> = [
  { path: '.vscode/mcp.json', format: 'vscode', kind: 'workspaceVscode' },
  { path: '.mcp.json', format: 'claude', kind: 'workspaceClaude' },
];

/** The origin of a definition in a folder's config file, as `load` gives it (and "Add Server…" binds its approval to). */
export function workspaceOrigin(folder: vscode.WorkspaceFolder, file: (typeof WORKSPACE_FILES)[number]): ConfigOrigin {
  return { kind: file.kind, file: vscode.Uri.joinPath(folder.uri, file.path).fsPath, folder: folder.uri.fsPath, label: `${file.path} (${folder.name})` };
}

const SEVERITY: Record<ProblemSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Reads every config source (each folder's `.vscode/mcp.json` and `.mcp.json`, and the user's
 * `mcpHost.servers` / `mcpHost.inputs` settings), merges them by the documented precedence, publishes
 * every problem as a diagnostic at its exact range, and fires `onDidChange` when any source changes.
 */
export class WorkspaceConfig extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('mcp-host'));
  private readonly _onDidChange = this._register(new Emitter<ConfigSnapshot>());
  readonly onDidChange = this._onDidChange.event;
  private sources: readonly ParsedSource[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<ConfigSnapshot> | undefined;
  /** Watchers for exactly the files `load` reads, renewed when workspace folders change. */
  private readonly watchers = this._register(new DisposableStore());

  constructor(private readonly onLoadError: (err: unknown) => void) {
    super();
    this.watchFolders();
    this._register(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(`${Settings.section}.${Settings.servers}`) || e.affectsConfiguration(`${Settings.section}.${Settings.inputs}`)) this.scheduleReload();
      }),
    );
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchFolders();
        this.scheduleReload();
      }),
    );
    this._register({ dispose: () => this.reloadTimer && clearTimeout(this.reloadTimer) });
  }

  private watchFolders(): void {
    this.watchers.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const file of WORKSPACE_FILES) {
        const watcher = this.watchers.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, file.path)));
        this.watchers.add(watcher.onDidCreate(() => this.scheduleReload()));
        this.watchers.add(watcher.onDidChange(() => this.scheduleReload()));
        this.watchers.add(watcher.onDidDelete(() => this.scheduleReload()));
      }
    }
  }

  /** The inputs declared next to a server's definition (inputs are per file, as in VS Code). */
  inputsFor(def: ServerDefinition): readonly InputDefinition[] {
    return this.sources.find(s => s.origin.kind === def.origin.kind && s.origin.file === def.origin.file)?.inputs ?? [];
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    // Saves often arrive as several file events; one reload covers them.
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this.load().then(snapshot => this._onDidChange.fire(snapshot), this.onLoadError);
    }, 150);
  }

  /** Reads and merges every source now. */
  load(): Promise<ConfigSnapshot> {
    const run = async () => {
      const sources: ParsedSource[] = [];
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        for (const file of WORKSPACE_FILES) {
          const uri = vscode.Uri.joinPath(folder.uri, file.path);
          const origin = workspaceOrigin(folder, file);
          let text: string | undefined;
          try {
            text = await readText(uri);
          } catch (err) {
            // One unreadable file (permissions, a folder by that name) must not hide the other sources.
            const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 }, offset: 0, length: 0 };
            sources.push({ origin, servers: [], inputs: [], problems: [{ severity: 'error', message: `Cannot read ${file.path}: ${(err as Error).message}`, file: uri.fsPath, range }] });
            continue;
          }
          if (text === undefined) continue;
          const previous = this.sources.find(s => s.origin.kind === origin.kind && s.origin.file === origin.file);
          sources.push(keepLastRead(parseConfigText(text, origin, file.format), previous));
        }
      }
      sources.push(parseConfigValue(userSettingsValue(), { kind: 'userSettings', label: 'User Settings' }, 'vscode'));
      const merged = mergeSources(sources);
      this.sources = sources;
      this.publish(merged.problems);
      return { servers: merged.servers, problems: merged.problems };
    };
    // Loads run one after another, so a slow read never overwrites a newer result.
    this.loading = (this.loading ?? Promise.resolve()).then(run, run);
    return this.loading;
  }

  private publish(problems: readonly ConfigProblem[]): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      if (!p.file) continue;
      const range = p.range ? new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character) : new vscode.Range(0, 0, 0, 0);
      const d = new vscode.Diagnostic(range, p.message, SEVERITY[p.severity]);
      d.source = 'MCP Host';
      const list = byFile.get(p.file) ?? [];
      list.push(d);
      byFile.set(p.file, list);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    const shown = [...byFile.values()].some(list => list.some(d => d.severity !== vscode.DiagnosticSeverity.Information));
    void vscode.commands.executeCommand('setContext', ContextKeys.configProblems, shown);
  }
}

/**
 * The user-level value only: servers in a workspace's settings.json would let a cloned repository run
 * commands through a setting, so the settings are declared `application`-scoped and read from the user.
 */
function userSettingsValue(): { servers?: unknown; inputs?: unknown } {
  const servers = userSetting(Settings.servers);
  const inputs = userSetting(Settings.inputs);
  return { ...(servers !== undefined ? { servers } : {}), ...(inputs !== undefined ? { inputs } : {}) };
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}
