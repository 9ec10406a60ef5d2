import * as vscode from 'vscode';
import { Disposable } from '../common/disposable';
import { Emitter } from '../common/event';
import { mergeSources } from '../config/merge';
import { parseConfigText, parseConfigValue } from '../config/parse';
import type { ConfigFormat, ConfigOrigin, ConfigProblem, InputDefinition, ParsedSource, ProblemSeverity, ServerDefinition } from '../config/types';
import { Settings } from '../ids';
import type { ConfigSnapshot } from '../mcp/registry';

/** The config files MCP Host reads in each workspace folder, in precedence order. */
export const WORKSPACE_FILES: ReadonlyArray<{ path: string; format: ConfigFormat; kind: ConfigOrigin['kind'] }> = [
  { path: '.vscode/mcp.json', format: 'vscode', kind: 'workspaceVscode' },
  { path: '.mcp.json', format: 'claude', kind: 'workspaceClaude' },
];

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
  private _snapshot: ConfigSnapshot = { servers: [], problems: [] };
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<ConfigSnapshot> | undefined;

  constructor() {
    super();
    for (const file of WORKSPACE_FILES) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${file.path}`));
      this._register(watcher.onDidCreate(() => this.scheduleReload()));
      this._register(watcher.onDidChange(() => this.scheduleReload()));
      this._register(watcher.onDidDelete(() => this.scheduleReload()));
    }
    this._register(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(`${Settings.section}.${Settings.servers}`) || e.affectsConfiguration(`${Settings.section}.${Settings.inputs}`)) this.scheduleReload();
      }),
    );
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleReload()));
    this._register({ dispose: () => this.reloadTimer && clearTimeout(this.reloadTimer) });
  }

  get snapshot(): ConfigSnapshot {
    return this._snapshot;
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
      void this.load().then(snapshot => this._onDidChange.fire(snapshot));
    }, 150);
  }

  /** Reads and merges every source now. */
  load(): Promise<ConfigSnapshot> {
    const run = async () => {
      const sources: ParsedSource[] = [];
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        for (const file of WORKSPACE_FILES) {
          const uri = vscode.Uri.joinPath(folder.uri, file.path);
          const text = await readText(uri);
          if (text === undefined) continue;
          const origin: ConfigOrigin = { kind: file.kind, file: uri.fsPath, folder: folder.uri.fsPath, label: `${file.path} (${folder.name})` };
          sources.push(parseConfigText(text, origin, file.format));
        }
      }
      sources.push(parseConfigValue(userSettingsValue(), { kind: 'userSettings', label: 'User Settings' }, 'vscode'));
      const merged = mergeSources(sources);
      this.sources = sources;
      this._snapshot = { servers: merged.servers, problems: merged.problems };
      this.publish(merged.problems);
      return this._snapshot;
    };
    // Loads run one after another, so a slow read never overwrites a newer result.
    this.loading = (this.loading ?? Promise.resolve(this._snapshot)).then(run, run);
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
  }
}

/**
 * The user-level value only: servers in a workspace's settings.json would let a cloned repository run
 * commands through a setting, so the settings are declared `application`-scoped and read from the user.
 */
function userSettingsValue(): { servers?: unknown; inputs?: unknown } {
  const config = vscode.workspace.getConfiguration(Settings.section);
  const servers = config.inspect(Settings.servers)?.globalValue;
  const inputs = config.inspect(Settings.inputs)?.globalValue;
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
