import * as os from 'os';
import * as path from 'path';
import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { gitTracking, type GitTracking } from '../common/gitTracking';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import { knownImportLocations, parseForeignConfig, planImport, type ImportedServer, type ImportLocation, type ImportPlan } from '../config/importers';
import { entrySummary } from '../config/importSecrets';
import { Commands, Settings } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import * as ui from '../ui/window';
import { readOnlyTextUri } from '../ui/readOnlyText';
import { configDocument, writeConfigText } from './configEdit';
import { userSetting } from '../userSettings';

/** A server found in another host's config, and where it would go. */
export interface ImportCandidate {
  readonly server: ImportedServer;
  /** The product whose config holds it, and the file. */
  readonly host: string;
  readonly source: string;
  /** `user`: the user's own server, imported into user settings; `workspace`: a project's, into its .vscode/mcp.json. */
  readonly scope: 'user' | 'workspace';
  /** What it runs or where it connects, credentials already replaced by `${input:…}` (safe to show). */
  readonly summary: string;
}

/** What the confirmation shows: one line per fact, warnings first; `previews` are diffs to open beside it. */
export interface ImportConfirmation {
  readonly message: string;
  readonly detail: string;
  /** A target file is (or would be) committed to git. */
  readonly warning: boolean;
  readonly previews: ReadonlyArray<{ readonly title: string; readonly before: vscode.Uri | undefined; readonly after: string }>;
}

/** The questions of "Import MCP Servers…". */
export interface ImportDialog {
  pickServersToImport(candidates: readonly ImportCandidate[]): Promise<readonly ImportCandidate[] | undefined>;
  confirmImport(confirmation: ImportConfirmation): Promise<boolean>;
}

export const importDialog: ImportDialog = {
  async pickServersToImport(candidates) {
    const items = candidates.map(c => ({
      label: inertLine(c.server.name),
      description: safe`${c.host} → ${c.scope === 'user' ? 'user settings' : '.vscode/mcp.json'}`,
      detail: safe`${c.summary}  —  ${c.source}`,
      picked: true,
      candidate: c,
    }));
    const picked = await ui.showQuickPick(items, { canPickMany: true, title: safe`Import MCP Servers`, placeHolder: safe`Servers to import (user-level ones go to your user settings)` });
    return picked?.map(p => p.candidate);
  },
  async confirmImport(confirmation) {
    for (const p of confirmation.previews) {
      await vscode.commands.executeCommand('vscode.diff', p.before ?? readOnlyTextUri('mcp.json', ''), readOnlyTextUri('mcp.json', p.after), p.title);
    }
    const show = confirmation.warning ? ui.showWarningMessage : ui.showInformationMessage;
    const answer = await show(inertLine(confirmation.message), { modal: true, detail: inertBlock(confirmation.detail) }, 'Import');
    return answer === 'Import';
  },
};

/**
 * "Import MCP Servers…": finds other hosts' configs (Claude Desktop, Claude Code, Cursor, Windsurf, Zed, Continue's JSON) and lets
 * the user pick servers. The user's own servers go to user settings, a project's to its `.vscode/mcp.json`.
 * Credentials found in env values, headers, arguments and URLs move to SecretStorage behind `${input:…}`;
 * the files get only the references. A target tracked by git is named in a warning. Files are edited through
 * a WorkspaceEdit (unsaved edits kept, undoable).
 */
export function registerImportCommand(
  store: DisposableStore,
  host: McpHost,
  ask: () => ImportDialog,
  /** Test mode only: where to look instead of the real home folder. */
  testLocations: () => readonly ImportLocation[] | undefined = () => undefined,
): void {
  const locations = () =>
    testLocations() ??
    knownImportLocations(process.platform, os.homedir(), process.env.APPDATA, (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath), {
      localAppData: process.env.LOCALAPPDATA,
      xdgConfigHome: process.env.XDG_CONFIG_HOME,
    });
  store.add(vscode.commands.registerCommand(Commands.importServers, () => importServers(host, ask(), locations())));
}

/** A target file or user settings, with the plan for it. */
interface Target {
  readonly label: string;
  readonly plan: ImportPlan;
  /** The secret-storage scope of its inputs (the file, or 'user'). */
  readonly scope: string;
  readonly write: () => Promise<void>;
  readonly git?: GitTracking;
  readonly preview?: ImportConfirmation['previews'][number];
}

export interface ImportOutcome {
  readonly written: ReadonlyArray<{ readonly target: string; readonly added: readonly string[] }>;
}

async function importServers(host: McpHost, dialog: ImportDialog, locations: readonly ImportLocation[]): Promise<ImportOutcome | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const candidates: ImportCandidate[] = [];
  /** What reading the files found wrong or left out, by file: said in the confirmation, so nothing is dropped silently. */
  const notes: Array<{ readonly source: string; readonly server?: string; readonly text: string }> = [];
  /** Continue's YAML files found, as "<count> in <folder>": not read (say so rather than let them look empty). */
  const notRead: string[] = [];
  for (const loc of locations) {
    let files = [loc.path];
    if (loc.jsonFilesIn) {
      const names = (await fs.readdir(loc.path).catch(() => [] as string[])).sort();
      files = names.filter(n => n.toLowerCase().endsWith('.json')).map(n => path.join(loc.path, n));
      const yamlFiles = names.filter(n => /\.ya?ml$/i.test(n)).length;
      if (yamlFiles) notRead.push(`${yamlFiles} in ${loc.path}`);
    }
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const foreign = parseForeignConfig(text, loc.format, folders.map(f => f.uri.fsPath));
      for (const p of foreign.problems) {
        const at = p.range ? ` (line ${p.range.start.line + 1})` : '';
        notes.push({ source: file, ...(p.server !== undefined ? { server: p.server } : {}), text: `${p.severity === 'error' ? 'Not imported: ' : ''}${p.message}${at}` });
      }
      for (const server of foreign.servers) {
        const summary = entrySummary(server.name, server.entry);
        const scope = loc.scope === 'user' && !server.projectLevel ? 'user' : 'workspace';
        candidates.push({ server, host: loc.host, source: file, scope, summary });
      }
    }
  }
  const yaml = notRead.join(', ');
  if (candidates.length === 0) {
    void ui.showInformationMessage(
      notRead.length
        ? safe`No MCP servers found in Claude Desktop, Claude Code, Cursor, Windsurf, Zed or Continue (JSON) configs on this machine. Continue's YAML files are not read (${yaml}): add their servers with Add Server….`
        : safe`No MCP servers found in Claude Desktop, Claude Code, Cursor, Windsurf, Zed or Continue (JSON) configs on this machine.`,
    );
    return undefined;
  }
  if (notRead.length) void ui.showInformationMessage(safe`Continue's YAML files are not read (${yaml}): add their servers with Add Server….`);
  const picked = await dialog.pickServersToImport(candidates);
  if (!picked?.length) return undefined;

  const folder = folders[0];
  const forWorkspace = picked.filter(c => c.scope === 'workspace');
  if (forWorkspace.length && !folder) {
    void ui.showInformationMessage(safe`Open a folder first: project servers are imported into its .vscode/mcp.json.`);
    return undefined;
  }
  const targets: Target[] = [];
  try {
    const forUser = picked.filter(c => c.scope === 'user');
    if (forUser.length) targets.push(userSettingsTarget(forUser.map(c => c.server)));
    if (forWorkspace.length && folder) targets.push(await workspaceTarget(folder, forWorkspace.map(c => c.server)));
  } catch (err) {
    void ui.showErrorMessage(safe`Cannot import: ${err}. Fix the file's syntax first.`);
    return undefined;
  }
  const adding = targets.filter(t => t.plan.added.length);
  if (!adding.length) {
    const skipped = targets.flatMap(t => t.plan.skippedIdentical);
    void ui.showInformationMessage(safe`Nothing to import: ${skipped.join(', ')} ${skipped.length === 1 ? 'is' : 'are'} already configured.`);
    return undefined;
  }

  const lines: string[] = [];
  for (const t of adding) {
    if (t.git === 'tracked') lines.push(`⚠ ${t.label} is tracked by git: what is imported will be committed and shared with everyone who clones the repository. Secrets stay out of it (below), but commands, paths and URLs go in.`);
    if (t.git === 'notIgnored') lines.push(`⚠ ${t.label} is in a git repository and not ignored: it will be committed with the next "git add". Secrets stay out of it (below), but commands, paths and URLs go in.`);
  }
  for (const t of adding) {
    lines.push('', `${t.label}:`, `  Adds: ${t.plan.added.join(', ')}`);
    if (t.plan.renamed.length) lines.push(`  Renamed to avoid clashes: ${t.plan.renamed.map(r => `${r.from} → ${r.to}`).join(', ')}`);
    if (t.plan.skippedIdentical.length) lines.push(`  Already present: ${t.plan.skippedIdentical.join(', ')}`);
    if (t.plan.movedSecrets.length) {
      lines.push('  Moved to secret storage (the file gets ${input:…} references, never the values):');
      for (const s of t.plan.movedSecrets) lines.push(`    ${s.server}: ${s.where}`);
    }
  }
  // What the files held that is not imported as written: the picked servers' notes, and those of no one server (a syntax error, a skipped entry).
  const pickedFrom = new Set(picked.map(c => `${c.source}\n${c.server.name}`));
  const said = notes.filter(n => n.server === undefined || pickedFrom.has(`${n.source}\n${n.server}`) || n.text.startsWith('Not imported: '));
  if (said.length) {
    lines.push('', 'Not carried over:');
    for (const n of said) lines.push(`  ${n.source}: ${n.text}`);
  }
  const ok = await dialog.confirmImport({
    message: `Import ${adding.flatMap(t => t.plan.added).length} MCP server(s) into ${adding.map(t => t.label).join(' and ')}?`,
    detail: lines.join('\n').trim(),
    warning: adding.some(t => t.git === 'tracked' || t.git === 'notIgnored'),
    previews: adding.flatMap(t => (t.preview ? [t.preview] : [])),
  });
  if (!ok) return undefined;
  const written: Array<{ target: string; added: readonly string[] }> = [];
  for (const t of adding) {
    // Values first: the config reload that follows the write may start the server at once.
    for (const s of t.plan.movedSecrets) await host.inputs.store(t.scope, s.inputId, s.value, s.destination);
    try {
      await t.write();
    } catch (err) {
      void ui.showErrorMessage(safe`Could not write ${t.label}: ${err}`);
      continue;
    }
    written.push({ target: t.label, added: t.plan.added });
  }
  return { written };
}

function userSettingsTarget(servers: readonly ImportedServer[]): Target {
  const config = vscode.workspace.getConfiguration(Settings.section);
  const current = { servers: userSetting(Settings.servers) ?? {}, inputs: userSetting(Settings.inputs) ?? [] };
  const plan = planImport(JSON.stringify(current, undefined, 2), servers);
  return {
    label: 'user settings',
    plan,
    scope: 'user',
    // Through VS Code's settings editing: it refuses (rather than overwrites) a settings file with unsaved changes.
    write: async () => {
      const next = JSON.parse(plan.newText) as { servers: unknown; inputs?: unknown };
      await config.update(Settings.servers, next.servers, vscode.ConfigurationTarget.Global);
      if (next.inputs !== undefined) await config.update(Settings.inputs, next.inputs, vscode.ConfigurationTarget.Global);
    },
  };
}

async function workspaceTarget(folder: vscode.WorkspaceFolder, servers: readonly ImportedServer[]): Promise<Target> {
  const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  const label = path.posix.join(vscode.workspace.workspaceFolders!.length > 1 ? folder.name : '', '.vscode/mcp.json');
  // What the user sees, unsaved edits included, is what gets edited.
  const document = await configDocument(file);
  const plan = planImport(document?.getText(), servers);
  return {
    label,
    plan,
    scope: file.fsPath,
    git: await gitTracking(file.fsPath),
    preview: { title: `Import MCP Servers: ${label} (preview)`, before: document ? file : undefined, after: plan.newText },
    write: async () => {
      if (!(await writeConfigText(file, plan.newText, document))) throw new Error('the edit was refused');
      await vscode.window.showTextDocument(file);
    },
  };
}
