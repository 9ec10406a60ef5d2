import type { ConfigOrigin } from './types';

/**
 * VS Code's own MCP support (Code 1.99 and later) reads the same `.vscode/mcp.json` as MCP Host and can
 * start a second copy of each server there, outside MCP Host's consent gate: two processes sharing one
 * data file, two sets of tools in chat. This decides when to tell the user, from VS Code's settings and
 * the servers MCP Host runs. No `vscode` here.
 */

/** `chat.mcp.access`: which MCP servers VS Code's own MCP support may run. */
export type BuiltinAccess = 'all' | 'registry' | 'none';

/** The VS Code setting that turns its own MCP support off (`none`) for a workspace. */
export const BUILTIN_ACCESS_SETTING = 'chat.mcp.access';

/** The settings that decide what VS Code's own MCP support reads, as VS Code resolves them. */
export interface BuiltinMcpSettings {
  /** `chat.mcp.access`; VS Code migrates the older `chat.mcp.enabled` into it on start. */
  readonly access: unknown;
}

/**
 * The effective access. VS Code's default is `all`; an unknown value is read as `all` too, since a
 * notice that is not needed costs less than a second copy of a server nobody was told about.
 */
export function builtinAccess(settings: BuiltinMcpSettings): BuiltinAccess {
  return settings.access === 'none' || settings.access === 'registry' ? settings.access : 'all';
}

/** A server as MCP Host has it: where it is defined, and whether MCP Host runs it now. */
export interface HostServer {
  readonly name: string;
  readonly origin: ConfigOrigin | undefined;
  readonly running: boolean;
  /** The title and name the server gave in its handshake with MCP Host, when it runs. */
  readonly names?: readonly string[];
}

/**
 * The servers VS Code's own MCP support can start a second copy of: those defined in a file it reads too,
 * `.vscode/mcp.json` and a workspace folder's root `.mcp.json`. Code 1.139 reads the root `.mcp.json` whatever
 * `chat.mcp.workspaceRootConfig.enabled` says (that setting only picks the file "MCP: Add Server" writes to):
 * with it off, a chat request in code-server 4.139.1 started a second copy of a `.mcp.json` server. With access
 * `registry` it runs only servers from an organisation's registry, and with `none` nothing.
 */
export function sharedServers(settings: BuiltinMcpSettings, servers: readonly HostServer[]): HostServer[] {
  if (builtinAccess(settings) !== 'all') return [];
  return servers.filter(s => s.origin?.kind === 'workspaceVscode' || s.origin?.kind === 'workspaceClaude');
}

/** What the first-time notice tells the user. */
export interface CoexistenceNotice {
  /** Servers MCP Host runs that VS Code's own MCP support can also start. */
  readonly servers: readonly string[];
  /** Tools VS Code's own MCP support offers in chat now (it has started or cached servers). */
  readonly builtinTools: number;
}

/**
 * The notice to show now, once per workspace: when both are active, that is when MCP Host runs a server
 * VS Code's own MCP support can start too. It names every shared server, not only those running yet: the
 * first to start would otherwise be the only one named, and VS Code can start any of them. Undefined when it
 * was shown before or no shared server runs.
 */
export function coexistenceNotice(settings: BuiltinMcpSettings, servers: readonly HostServer[], builtinTools: number, alreadyShown: boolean): CoexistenceNotice | undefined {
  if (alreadyShown) return undefined;
  const shared = sharedServers(settings, servers);
  if (!shared.some(s => s.running)) return undefined;
  return { servers: shared.map(s => s.name).sort((a, b) => a.localeCompare(b)), builtinTools };
}

/** `chat.mcp.autostart`: when VS Code's own MCP support starts servers by itself. */
export const BUILTIN_AUTOSTART_SETTING = 'chat.mcp.autostart';

/**
 * The starts of the chat tool names VS Code 1.139 gives its copy of a server it calls `name`: the title the server
 * gave in its handshake, else its name there, else (before the handshake) its key in mcp.json. "mcp_", the name
 * lower-cased with runs of characters other than `a-z0-9_.-` as "_", cut to 13 characters, "_"; the second and
 * later servers with the same cut name get their number before the "_" (cut shorter to make room), and dots
 * become "_" in the tool name (its McpPrefixGenerator and McpTool ids, read from the 1.139 workbench).
 */
export function builtinToolPrefixes(name: string, most = 9): string[] {
  const key = name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').slice(0, 13);
  const prefixes: string[] = [];
  for (let i = 1; i <= most; i++) {
    const suffix = `${i === 1 ? '' : i}_`;
    prefixes.push(`mcp_${key.slice(0, 14 - suffix.length)}${suffix}`.replaceAll('.', '_'));
  }
  return prefixes;
}

/**
 * The shared servers VS Code's own MCP support runs a copy of now: those with a tool among `builtinTools` (the
 * names of the MCP tools VS Code offers chat; MCP Host registers none, so each is from a server VS Code runs).
 * Found by name (`HostServer.names`): two servers that call themselves the same both count when either runs
 * there. A copy with no tools yet is not counted.
 */
export function builtinCopies(settings: BuiltinMcpSettings, servers: readonly HostServer[], builtinTools: readonly string[]): HostServer[] {
  return sharedServers(settings, servers).filter(s => {
    const prefixes = [s.name, ...(s.names ?? [])].flatMap(n => builtinToolPrefixes(n));
    return builtinTools.some(t => prefixes.some(p => t.startsWith(p)));
  });
}

/**
 * The servers the question "turn VS Code's own MCP support off here, or keep both?" is about while it is open: the
 * shared servers, sorted, once it has been raised (a shared server ran in MCP Host in this window: when the first-time
 * notice comes) and until the user answers. Undefined when there is no open question: answered, not raised yet, VS
 * Code's own MCP support off or limited to a registry, or no shared server left.
 */
export function openQuestion(settings: BuiltinMcpSettings, servers: readonly HostServer[], answered: boolean, raised: boolean): string[] | undefined {
  if (answered || !raised) return undefined;
  const shared = sharedServers(settings, servers);
  return shared.length ? shared.map(s => s.name).sort((a, b) => a.localeCompare(b)) : undefined;
}
