import * as os from 'os';
import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import { knownImportLocations, parseForeignConfig, planImport, ImportedServer } from '../config/importers';
import { Commands } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import * as ui from '../ui/window';

const PREVIEW_SCHEME = 'mcp-host-import-preview';

/**
 * "Import MCP Servers…": finds other hosts' configs (Claude Desktop, Claude Code, Cursor, Windsurf),
 * lets the user pick servers, shows a diff of what `.vscode/mcp.json` would become, and writes it only
 * after a yes. Plaintext secrets in imported env/headers become `${input:…}` values in SecretStorage.
 */
export function registerImportCommand(store: DisposableStore, host: McpHost): void {
  const previews = new Map<string, string>();
  store.add(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, { provideTextDocumentContent: uri => previews.get(uri.path) ?? '' }));
  store.add(vscode.commands.registerCommand(Commands.importServers, () => importServers(host, previews)));
}

async function importServers(host: McpHost, previews: Map<string, string>): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void ui.showInformationMessage(safe`Open a folder first: servers are imported into its .vscode/mcp.json.`);
    return;
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath);
  const found: Array<{ host: string; path: string; servers: readonly ImportedServer[] }> = [];
  for (const loc of knownImportLocations(process.platform, os.homedir(), process.env.APPDATA, folders)) {
    const text = await fs.readFile(loc.path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const parsed = parseForeignConfig(text, loc.format, folders);
    if (parsed.servers.length) found.push({ host: loc.host, path: loc.path, servers: parsed.servers });
  }
  if (found.length === 0) {
    void ui.showInformationMessage(safe`No MCP servers found in Claude Desktop, Claude Code, Cursor or Windsurf configs on this machine.`);
    return;
  }
  const items = found.flatMap(src =>
    src.servers.map(s => ({
      label: inertLine(s.name),
      description: inertLine(src.host),
      detail: safe`${'command' in s.entry ? [s.entry.command, ...(s.entry.args ?? [])].join(' ') : s.entry.url}  —  ${src.path}`,
      picked: true,
      server: s,
    })),
  );
  const picked = await ui.showQuickPick(items, { canPickMany: true, title: safe`Import MCP Servers`, placeHolder: safe`Servers to add to .vscode/mcp.json` });
  if (!picked?.length) return;

  const target = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  const existing = await vscode.workspace.fs.readFile(target).then(b => new TextDecoder().decode(b), () => undefined);
  let plan;
  try {
    plan = planImport(existing, picked.map(p => p.server));
  } catch (err) {
    void ui.showErrorMessage(safe`Cannot import into ${vscode.workspace.asRelativePath(target)}: ${err}. Fix the file's syntax first.`);
    return;
  }
  if (plan.added.length === 0) {
    void ui.showInformationMessage(safe`Nothing to import: ${plan.skippedIdentical.join(', ')} ${plan.skippedIdentical.length === 1 ? 'is' : 'are'} already in .vscode/mcp.json.`);
    return;
  }
  const previewPath = `/${Date.now()}/mcp.json`;
  previews.set(previewPath, plan.newText);
  const before = existing === undefined ? vscode.Uri.parse(`${PREVIEW_SCHEME}:/empty/mcp.json`) : target;
  await vscode.commands.executeCommand('vscode.diff', before, vscode.Uri.parse(`${PREVIEW_SCHEME}:${previewPath}`), 'Import MCP Servers: .vscode/mcp.json (preview)');
  const notes = [
    `Adds: ${plan.added.join(', ')}`,
    ...(plan.renamed.length ? [`Renamed to avoid clashes: ${plan.renamed.map(r => `${r.from} → ${r.to}`).join(', ')}`] : []),
    ...(plan.skippedIdentical.length ? [`Already present: ${plan.skippedIdentical.join(', ')}`] : []),
    ...(plan.movedSecrets.length ? [`Moved to secret storage (not written to the file): ${plan.movedSecrets.map(s => `${s.server}.${s.variable}`).join(', ')}`] : []),
  ];
  const answer = await ui.showInformationMessage(safe`Write these servers to .vscode/mcp.json?`, { modal: true, detail: inertBlock(notes.join('\n')) }, 'Import');
  previews.delete(previewPath);
  if (answer !== 'Import') return;
  for (const s of plan.movedSecrets) await host.inputs.store(target.fsPath, s.inputId, s.value);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(plan.newText));
  await vscode.window.showTextDocument(target);
}
