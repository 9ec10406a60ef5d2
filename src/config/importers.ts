import * as path from 'node:path';
import {
  applyEdits,
  findNodeAtLocation,
  getNodeValue,
  modify,
  parseTree,
  type FormattingOptions,
  type JSONPath,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { canonicalJson } from './hash';
import { formatJsonPath, MAX_NESTING, syntaxErrorMessage, withoutDeepValues } from './parse';
import { LineMap } from './positions';
import type { ConfigProblem, OAuthClientConfig, ProblemSeverity, ServerEntry } from './types';
import { extractSecrets, type MovedSecret } from './importSecrets';
import { translateClaudeVariables } from './variables';

export type { MovedSecret } from './importSecrets';

/**
 * Config files of other MCP hosts, all keyed by `mcpServers`:
 * - `claudeDesktop`: `claude_desktop_config.json`, stdio servers only.
 * - `claudeCode`: a project's `.mcp.json`; `${VAR}` means an environment variable.
 * - `claudeCodeUser`: `~/.claude.json`, with user servers at the top and per-project ones under `projects[path]`.
 * - `cursor`: `.cursor/mcp.json`; `url` for remote servers.
 * - `windsurf`: `mcp_config.json`; `serverUrl` for remote servers.
 * - `zed`: Zed's `settings.json` (the user's, or a project's `.zed/settings.json`), servers under `context_servers`:
 *   `{ command, args, env }` or `{ url, headers }`, `enabled`, `source` (`"custom"`, or `"extension"`: a Zed extension
 *   runs it, which MCP Host cannot); older Zed wrote the command as `{ path, args, env }`.
 */
export type ForeignFormat = 'claudeDesktop' | 'claudeCode' | 'claudeCodeUser' | 'cursor' | 'windsurf' | 'zed';

export interface ImportLocation {
  /** The product, for the import picker. */
  readonly host: string;
  /** The file; with `jsonFilesIn`, the folder whose `*.json` files are each such a file. */
  readonly path: string;
  readonly jsonFilesIn?: true;
  readonly format: ForeignFormat;
  /** A user-level file (the user's own servers, imported into user settings) or a project's. */
  readonly scope: 'user' | 'workspace';
}

/** The environment variables that move other hosts' config folders. */
export interface ImportEnvironment {
  /** `%LOCALAPPDATA%` on Windows (the Microsoft Store / MSIX Claude Desktop keeps its config under it). */
  readonly localAppData?: string | undefined;
  /** `$XDG_CONFIG_HOME` on Linux (used when absolute, as the XDG spec says). */
  readonly xdgConfigHome?: string | undefined;
}

/**
 * The package folder of Claude Desktop's MSIX install on Windows (the installer from claude.ai and the Microsoft Store
 * since February 2026): the app reads `LocalCache\Roaming\Claude` there, not `%APPDATA%\Claude` (Windows virtualizes it).
 */
const CLAUDE_MSIX_PACKAGE = 'Claude_pzs8sxrjxfjjc';

/**
 * Where other hosts keep their config on `platform`. `appData` is `%APPDATA%` on Windows. A folder's own `.mcp.json`
 * (Claude Code's project file) is not among them: MCP Host reads it as it is, so importing it would define its
 * servers a second time in `.vscode/mcp.json`.
 */
export function knownImportLocations(
  platform: NodeJS.Platform,
  home: string,
  appData: string | undefined,
  workspaceFolders: readonly string[],
  env: ImportEnvironment = {},
): ImportLocation[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const roaming = appData ?? p.join(home, 'AppData', 'Roaming');
  // Linux: Electron (Claude Desktop's community builds) and Zed read $XDG_CONFIG_HOME, when it is an absolute path.
  const xdgConfig = env.xdgConfigHome && p.isAbsolute(env.xdgConfigHome) ? env.xdgConfigHome : p.join(home, '.config');
  const claudeDesktop = platform === 'darwin' ? p.join(home, 'Library', 'Application Support', 'Claude') : platform === 'win32' ? p.join(roaming, 'Claude') : p.join(xdgConfig, 'Claude');
  const claudeMsix = p.join(env.localAppData ?? p.join(home, 'AppData', 'Local'), 'Packages', CLAUDE_MSIX_PACKAGE, 'LocalCache', 'Roaming', 'Claude');
  // Zed: ~/.config/zed on macOS, $XDG_CONFIG_HOME/zed on Linux (a Flatpak Zed: its own ~/.var/app folder), %APPDATA%\Zed on Windows.
  const zed = platform === 'win32' ? p.join(roaming, 'Zed') : platform === 'linux' ? p.join(xdgConfig, 'zed') : p.join(home, '.config', 'zed');
  const zedFlatpak = p.join(home, '.var', 'app', 'dev.zed.Zed', 'config', 'zed');
  return [
    ...(platform === 'win32' ? [{ host: 'Claude Desktop', path: p.join(claudeMsix, 'claude_desktop_config.json'), format: 'claudeDesktop' as const, scope: 'user' as const }] : []),
    { host: 'Claude Desktop', path: p.join(claudeDesktop, 'claude_desktop_config.json'), format: 'claudeDesktop', scope: 'user' },
    { host: 'Claude Code', path: p.join(home, '.claude.json'), format: 'claudeCodeUser', scope: 'user' },
    { host: 'Cursor', path: p.join(home, '.cursor', 'mcp.json'), format: 'cursor', scope: 'user' },
    ...workspaceFolders.map(f => ({ host: 'Cursor', path: p.join(f, '.cursor', 'mcp.json'), format: 'cursor' as const, scope: 'workspace' as const })),
    { host: 'Windsurf', path: p.join(home, '.codeium', 'windsurf', 'mcp_config.json'), format: 'windsurf', scope: 'user' },
    { host: 'Zed', path: p.join(zed, 'settings.json'), format: 'zed', scope: 'user' },
    ...(platform === 'linux' ? [{ host: 'Zed', path: p.join(zedFlatpak, 'settings.json'), format: 'zed' as const, scope: 'user' as const }] : []),
    ...workspaceFolders.map(f => ({ host: 'Zed', path: p.join(f, '.zed', 'settings.json'), format: 'zed' as const, scope: 'workspace' as const })),
    // A project's .continue/mcpServers: Continue reads JSON files in Claude Desktop's / Cursor's shape there (its YAML is not read here).
    ...workspaceFolders.map(f => ({ host: 'Continue', path: p.join(f, '.continue', 'mcpServers'), jsonFilesIn: true as const, format: 'cursor' as const, scope: 'workspace' as const })),
  ];
}

/** A server ready to be written under `servers` in `.vscode/mcp.json`. */
export interface ImportedServer {
  readonly name: string;
  readonly entry: ServerEntry;
  /** From a project table of a user-level file (`projects[<folder>]` in ~/.claude.json): it belongs to the workspace. */
  readonly projectLevel?: true;
}

export interface ForeignConfig {
  readonly servers: readonly ImportedServer[];
  readonly problems: readonly ConfigProblem[];
}

const CARRIED_KEYS = ['type', 'command', 'args', 'env', 'envFile', 'cwd', 'url', 'serverUrl', 'headers', 'disabled', 'disabledTools', 'auth'];

/**
 * Reads another host's config and converts each server to the VS Code format. Entries that cannot be
 * converted are skipped with an error; settings with no equivalent are dropped with an `info`.
 * For `claudeCodeUser`, the per-project servers of `workspaceFolders` are included and beat user ones.
 */
export function parseForeignConfig(text: string, format: ForeignFormat, workspaceFolders: readonly string[] = []): ForeignConfig {
  const errors: ParseError[] = [];
  // Another host's file can be a repository's (.zed/settings.json, .cursor/mcp.json): nesting too deep is not parsed.
  const { readable, tooDeep } = withoutDeepValues(text);
  const root = parseTree(readable, errors, { allowTrailingComma: true, allowEmptyContent: true });
  const lines = new LineMap(text);
  const problems: ConfigProblem[] = errors.map(e => ({ severity: 'error', message: syntaxErrorMessage(e), range: lines.range(e.offset, e.length) }));
  for (const span of tooDeep) problems.push({ severity: 'error', message: `Nested more than ${MAX_NESTING} levels deep: not read`, range: lines.range(span.offset, 1) });
  if (!root) return { servers: [], problems };

  const tables: JSONPath[] = [format === 'zed' ? ['context_servers'] : ['mcpServers']];
  if (format === 'claudeCodeUser') {
    const projects = findNodeAtLocation(root, ['projects']);
    for (const project of projects?.type === 'object' ? (projects.children ?? []) : []) {
      const key = project.children?.[0]?.value as string;
      if (workspaceFolders.some(f => sameFolder(f, key))) tables.push(['projects', key, 'mcpServers']);
    }
  }

  const servers = new Map<string, ImportedServer>();
  for (const table of tables) {
    const node = findNodeAtLocation(root, table);
    if (node?.type !== 'object') continue;
    for (const property of node.children ?? []) {
      const [nameNode, valueNode] = property.children ?? [];
      if (!nameNode || !valueNode) continue;
      const report = (severity: ProblemSeverity, message: string, at: Node = valueNode) =>
        problems.push({ severity, message, server: nameNode.value as string, range: lines.range(at.offset, at.length) });
      if (tooDeep.some(d => d.offset >= valueNode.offset && d.offset < valueNode.offset + valueNode.length)) {
        report('error', `${formatJsonPath([...table, nameNode.value as string])}: a value nested more than ${MAX_NESTING} levels deep; skipped`);
        continue;
      }
      const entry = convertEntry(valueNode, format, formatJsonPath([...table, nameNode.value as string]), report);
      const name = nameNode.value as string;
      if (entry) servers.set(name, { name, entry, ...(table.length > 1 ? { projectLevel: true as const } : {}) });
    }
  }
  return { servers: [...servers.values()], problems };
}

function convertEntry(
  node: Node,
  format: ForeignFormat,
  where: string,
  report: (severity: ProblemSeverity, message: string, at?: Node) => void,
): ServerEntry | undefined {
  const value: unknown = getNodeValue(node);
  if (!isObject(value)) {
    report('error', `${where}: not an object; skipped`);
    return undefined;
  }
  const written = format === 'zed' ? zedEntry(value, where, report) : value;
  if (!written) return undefined;
  for (const key of Object.keys(written)) {
    if (!CARRIED_KEYS.includes(key)) report('info', `${where}.${key}: has no equivalent in MCP Host and is not imported`);
  }
  const claude = format === 'claudeCode' || format === 'claudeCodeUser';
  const text = (s: string) => {
    if (!claude) return s;
    const { value, defaults } = translateClaudeVariables(s);
    for (const d of defaults) report('info', `${where}: ${d} keeps its default (MCP Host uses it when the variable is not set; VS Code's own MCP support reads the variable without it)`);
    return value;
  };
  /** A map of strings (numbers and booleans are stringified, as the other hosts do), or undefined if malformed. */
  const strings = (value: unknown, allowNull: boolean): Record<string, string | null> | undefined => {
    if (value === undefined) return {};
    if (!isObject(value)) return undefined;
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') out[k] = text(v);
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else if (v === null && allowNull) out[k] = null;
      else return undefined;
    }
    return out;
  };
  const common = {
    ...(written.disabled === true ? { disabled: true } : {}),
    ...(isStringArray(written.disabledTools) && written.disabledTools.length ? { disabledTools: written.disabledTools } : {}),
  };

  const url = written.url ?? written.serverUrl;
  if (typeof written.command === 'string' && (written.type === undefined || written.type === 'stdio')) {
    const args = written.args ?? [];
    const env = strings(written.env, true);
    if (!isStringArray(args) || !env) {
      report('error', `${where}: ${env ? '"args" must be a list of strings' : '"env" must map names to strings'}; skipped`);
      return undefined;
    }
    return {
      type: 'stdio',
      command: text(written.command),
      ...(args.length ? { args: args.map(text) } : {}),
      ...(Object.keys(env).length ? { env } : {}),
      ...(typeof written.envFile === 'string' ? { envFile: text(written.envFile) } : {}),
      ...(typeof written.cwd === 'string' ? { cwd: text(written.cwd) } : {}),
      ...common,
    };
  }
  if (typeof url === 'string' && written.type !== 'stdio') {
    const headers = strings(written.headers, false) as Record<string, string> | undefined;
    if (!headers) {
      report('error', `${where}: "headers" must map names to strings; skipped`);
      return undefined;
    }
    const oauth = cursorAuth(written.auth, text);
    if (written.auth !== undefined && !oauth) report('info', `${where}.auth: not a client (CLIENT_ID, CLIENT_SECRET, scopes) MCP Host can use; not imported`);
    return {
      type: written.type === 'sse' ? 'sse' : 'http',
      url: text(url),
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(oauth ? { oauth } : {}),
      ...common,
    };
  }
  report('error', `${where}: has neither a "command" nor a "url"; skipped`);
  return undefined;
}

/**
 * Cursor's static OAuth client of a remote server, `"auth": { "CLIENT_ID", "CLIENT_SECRET", "scopes" }`, as MCP Host's
 * `oauth` (the secret then moves to secret storage with the other credentials: importSecrets.ts).
 */
function cursorAuth(auth: unknown, text: (s: string) => string): OAuthClientConfig | undefined {
  if (!isObject(auth) || typeof auth.CLIENT_ID !== 'string' || !auth.CLIENT_ID) return undefined;
  if (auth.CLIENT_SECRET !== undefined && typeof auth.CLIENT_SECRET !== 'string') return undefined;
  if (auth.scopes !== undefined && !isStringArray(auth.scopes)) return undefined;
  return {
    clientId: text(auth.CLIENT_ID),
    ...(auth.CLIENT_SECRET ? { clientSecret: text(auth.CLIENT_SECRET) } : {}),
    ...(auth.scopes?.length ? { scopes: auth.scopes } : {}),
  };
}

/**
 * A Zed `context_servers` entry in the common shape: the command as `command`/`args`/`env` (older Zed wrote
 * `"command": { "path", "args", "env" }`), `"enabled": false` as `disabled`. One that a Zed extension provides
 * (`"source": "extension"`, or only `settings` for it) has no command to import: skipped, saying so.
 */
function zedEntry(entry: Record<string, unknown>, where: string, report: (severity: ProblemSeverity, message: string) => void): Record<string, unknown> | undefined {
  const { source, enabled, settings: _settings, command, ...rest } = entry;
  if (source === 'extension' || (command === undefined && rest.url === undefined)) {
    report('info', `${where}: is provided by a Zed extension, which MCP Host cannot run; not imported (add the server's own command or URL with Add Server…)`);
    return undefined;
  }
  const nested = isObject(command) ? command : undefined;
  return {
    ...rest,
    ...(nested ? { command: nested.path, ...(nested.args !== undefined ? { args: nested.args } : {}), ...(nested.env !== undefined ? { env: nested.env } : {}) } : command !== undefined ? { command } : {}),
    ...(enabled === false ? { disabled: true } : {}),
  };
}

export interface ImportPlan {
  readonly newText: string;
  /** Names as written to the file (after renaming). */
  readonly added: readonly string[];
  readonly renamed: readonly { readonly from: string; readonly to: string }[];
  readonly skippedIdentical: readonly string[];
  readonly movedSecrets: readonly MovedSecret[];
}

/**
 * Adds `incoming` servers to the text of a `.vscode/mcp.json` (or creates it), editing the text in place
 * so comments and formatting survive. A name already taken by a different server gets `-2`, `-3`…;
 * a server already present unchanged is skipped. Credentials in env values, headers, arguments and URLs
 * (see importSecrets.ts) are replaced by `${input:<server>-<label>}` with a password input, so they move to
 * secret storage. The same text shape serves user settings (`mcpHost.servers` + `mcpHost.inputs`).
 * Throws if the existing text is not a valid config object.
 */
export function planImport(existingMcpJsonText: string | undefined, incoming: readonly ImportedServer[]): ImportPlan {
  let text = existingMcpJsonText?.trim() ? existingMcpJsonText : '{}\n';
  // Editing parses the text again and again (jsonc-parser's modify): too deep a value would overflow the stack.
  if (withoutDeepValues(text).tooDeep.length) throw new Error(`The existing mcp.json nests a value more than ${MAX_NESTING} levels deep; fix it before importing.`);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  const current: unknown = root && getNodeValue(root);
  if (errors.length || !isObject(current)) throw new Error('The existing mcp.json is not a valid JSON object; fix it before importing.');
  // An edit goes to the first of two equal keys (jsonc-parser's modify) while the file is read by the last.
  for (const key of ['servers', 'inputs']) {
    if ((root!.children ?? []).filter(p => p.children?.[0]?.value === key).length > 1) throw new Error(`The existing mcp.json has "${key}" twice and only the last is read; merge them before adding servers.`);
  }
  if (current.servers !== undefined && !isObject(current.servers)) throw new Error('"servers" in mcp.json is not an object.');
  if (current.inputs !== undefined && !Array.isArray(current.inputs)) throw new Error('"inputs" in mcp.json is not an array.');

  const servers = new Map(Object.entries(current.servers ?? {}));
  const inputIds = new Set((current.inputs ?? []).map(i => (isObject(i) ? i.id : undefined)).filter(id => typeof id === 'string'));
  const formattingOptions = detectFormatting(text);
  const edit = (jsonPath: JSONPath, value: unknown, isArrayInsertion = false) => {
    text = applyEdits(text, modify(text, jsonPath, value, { formattingOptions, isArrayInsertion }));
  };

  const added: string[] = [];
  const renamed: { from: string; to: string }[] = [];
  const skippedIdentical: string[] = [];
  const movedSecrets: MovedSecret[] = [];
  for (const { name, entry } of incoming) {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      const existing = servers.get(candidate);
      if (existing === undefined) {
        const moved = extractSecrets(candidate, entry, id => inputIds.has(id));
        edit(['servers', candidate], moved.entry);
        for (const secret of moved.secrets) {
          inputIds.add(secret.inputId);
          const description = `${secret.where} of MCP server '${candidate}' (imported)`;
          edit(['inputs', -1], { type: 'promptString', id: secret.inputId, description, password: true }, true);
        }
        servers.set(candidate, moved.entry);
        added.push(candidate);
        if (candidate !== name) renamed.push({ from: name, to: candidate });
        movedSecrets.push(...moved.secrets);
        break;
      }
      // An earlier import wrote the entry with its secrets already moved to inputs.
      const asImportedBefore = extractSecrets(candidate, entry, () => false).entry;
      if (sameEntry(existing, entry) || sameEntry(existing, asImportedBefore)) {
        skippedIdentical.push(name);
        break;
      }
    }
  }
  return { newText: text, added, renamed, skippedIdentical, movedSecrets };
}

/** Equal as configurations: defaults and spelling variants (`streamable-http`, omitted `type`) do not count. */
function sameEntry(a: unknown, b: unknown): boolean {
  return canonicalJson(normalizeEntry(a)) === canonicalJson(normalizeEntry(b));
}

function normalizeEntry(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  out.type = 'command' in value && (value.type === undefined || value.type === 'stdio') ? 'stdio' : value.type === 'sse' ? 'sse' : 'http';
  for (const [k, v] of Object.entries(out)) {
    const empty = v === false || (Array.isArray(v) && !v.length) || (isObject(v) && !Object.keys(v).length);
    if (empty) delete out[k];
  }
  return out;
}

function detectFormatting(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indent?.length ?? 2, eol };
}

/** Claude Code keys projects by absolute path; compare ignoring trailing separators and slash direction. */
function sameFolder(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const windows = /^[A-Za-z]:/.test(a);
  return windows ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(v => typeof v === 'string');
}
