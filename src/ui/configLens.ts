import * as vscode from 'vscode';
import { parseTree, type Node } from 'jsonc-parser';
import { withoutDeepValues } from '../config/parse';
import { DisposableStore } from '../common/disposable';
import { MicrotaskBatch } from '../common/event';
import { inertLine, plainLabel, safe, type SafeText } from '../common/untrustedText';
import type { ConnectionState } from '../mcp/connectionState';
import { describeState } from '../mcp/connectionState';
import type { ServerRegistry } from '../mcp/registry';
import { Commands, Settings } from '../ids';
import { entryActions, plural, type ServerAction } from './tree/treeText';

/**
 * MCP Host's own CodeLens in each workspace folder's `.vscode/mcp.json` and `.mcp.json`: above every server entry,
 * "MCP Host: <state>", then what can be done with it, the same list (`entryActions`) as its tree menu and the status
 * bar's pick (Open Config left out: the entry is right there). VS Code's built-in MCP support shows a CodeLens of its
 * own in `.vscode/mcp.json` about *its* copy of the servers; ours says whose it is, with our icon. Kept up to date as
 * states change; turned off with `mcpHost.codeLens.enabled`.
 */
export function registerConfigLens(store: DisposableStore, registry: ServerRegistry): ConfigLensProvider {
  const provider = store.add(new ConfigLensProvider(registry));
  const selector: vscode.DocumentSelector = [
    { scheme: 'file', pattern: '**/.vscode/mcp.json' },
    { scheme: 'file', pattern: '**/.mcp.json' },
  ];
  store.add(vscode.languages.registerCodeLensProvider(selector, provider));
  return provider;
}

/** The config files MCP Host reads in a folder, and the key that holds their servers. */
const FILES: ReadonlyArray<{ readonly path: readonly string[]; readonly key: string }> = [
  { path: ['.vscode', 'mcp.json'], key: 'servers' },
  { path: ['.mcp.json'], key: 'mcpServers' },
];

/** The lens title's state: short (a failure's reason is in the tooltip and the tree). */
function stateLabel(state: ConnectionState, tools: number): string {
  switch (state.kind) {
    case 'running':
      return state.resuming ? 'Reconnecting' : `Running · ${plural(tools, 'tool')}`;
    case 'starting':
      return state.signingIn !== undefined ? 'Signing in…' : 'Starting…';
    case 'stopped':
      return 'Stopped';
    case 'error':
      return state.restartAt !== undefined ? 'Failed · restarting' : 'Failed';
    case 'needsSignIn':
      return 'Needs sign-in';
    case 'blocked':
      return { notApproved: 'Not trusted', workspaceUntrusted: 'Restricted Mode', disabled: 'Disabled', invalidConfig: 'Invalid entry' }[state.reason];
  }
}

const ACTION: Record<Exclude<ServerAction, 'openConfig'>, { readonly title: string; readonly command: string }> = {
  signIn: { title: 'Sign In', command: Commands.signIn },
  start: { title: 'Start', command: Commands.startServer },
  stop: { title: 'Stop', command: Commands.stopServer },
  restart: { title: 'Restart', command: Commands.restartServer },
  showLog: { title: 'Show Log', command: Commands.showLog },
  signOut: { title: 'Sign Out', command: Commands.signOut },
};

/** One server entry of a config document: its name and where its key is. */
interface EntryAt {
  readonly name: string;
  readonly offset: number;
  /**
   * Ignored (the config says so too): another entry of the same name comes later in the file, or the entry is in a
   * `servers` object that a second one further down replaces.
   */
  readonly overridden: false | 'entry' | 'servers';
  /** `servers` or `mcpServers`. */
  readonly key: string;
}

/** The server entries of a config document's text, read as the config loader reads it (JSON with comments). */
export function serverEntries(text: string, key: string): EntryAt[] {
  // Values nested too deep are blanked as the config parser does (parsing them would overflow the stack).
  const root = parseTree(withoutDeepValues(text).readable, [], { allowTrailingComma: true, disallowComments: false });
  if (root?.type !== 'object') return [];
  // Of two `servers` objects the last is the one read (as JSON reads it); every entry of an earlier one is unused.
  const blocks = (root.children ?? []).filter(p => p.children?.[0]?.value === key);
  return blocks.flatMap((block, b) => {
    const servers = block.children?.[1];
    if (servers?.type !== 'object') return [];
    const properties = (servers.children ?? []).filter((p): p is Node & { children: [Node, Node] } => typeof p.children?.[0]?.value === 'string');
    const last = new Map<string, number>();
    properties.forEach((p, i) => last.set(p.children[0].value as string, i));
    const used = b === blocks.length - 1;
    return properties.map((p, i) => ({
      name: p.children[0].value as string,
      offset: p.children[0].offset,
      overridden: !used ? ('servers' as const) : last.get(p.children[0].value as string) !== i ? ('entry' as const) : false,
      key,
    }));
  });
}

export class ConfigLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly store = new DisposableStore();

  constructor(private readonly registry: ServerRegistry) {
    // A state change and a tool change come together for one event: one refresh for both.
    const { schedule: refresh } = this.store.add(new MicrotaskBatch(() => this.changed.fire()));
    this.store.add(registry.onDidChangeServers(refresh));
    this.store.add(registry.onDidChangeState(refresh));
    this.store.add(registry.onDidChangeTools(refresh));
    this.store.add(vscode.workspace.onDidChangeConfiguration(e => e.affectsConfiguration(`${Settings.section}.${Settings.codeLens}`) && refresh()));
    this.store.add(this.changed);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (vscode.workspace.getConfiguration(Settings.section).get<unknown>(Settings.codeLens) === false) return [];
    const file = this.configFile(document.uri);
    if (!file) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const at of serverEntries(document.getText(), file.key)) {
      const position = document.positionAt(at.offset);
      const range = new vscode.Range(position, position);
      for (const command of this.commandsFor(at, document)) lenses.push(new vscode.CodeLens(range, command));
    }
    return lenses;
  }

  /** Which of MCP Host's config files this document is (a `.mcp.json` deeper in a folder is not read). */
  private configFile(uri: vscode.Uri): (typeof FILES)[number] | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    return FILES.find(f => vscode.Uri.joinPath(folder.uri, ...f.path).toString() === uri.toString());
  }

  /** The lenses of one entry: whose they are and the state, then the actions. */
  private commandsFor(at: EntryAt, document: vscode.TextDocument): vscode.Command[] {
    const status = (title: SafeText, tooltip: string): vscode.Command => ({ title: safe`$(plug) MCP Host: ${title}`, command: '', tooltip });
    if (at.overridden === 'entry') return [status(inertLine('not used'), 'Another entry of the same name further down this file is the one MCP Host uses.')];
    if (at.overridden === 'servers') return [status(inertLine('not used'), `A second "${at.key}" object further down this file is the one MCP Host reads (JSON keeps the last of two equal keys).`)];
    const entry = this.registry.get(at.name);
    const definedHere = entry?.definition === undefined || entry.definition.origin.file === document.uri.fsPath;
    if (!entry) {
      const why = document.isDirty ? 'save the file to load it' : 'not loaded: see the Problems panel';
      return [status(inertLine(why), `MCP Host has no server '${plainLabel(at.name, 200)}' from this entry.`)];
    }
    if (!definedHere) {
      const label = entry.definition!.origin.label;
      return [status(safe`not used · ${label} defines '${at.name}' too and wins`, `MCP Host runs the '${plainLabel(at.name, 200)}' of ${plainLabel(label, 200)}.`)];
    }
    const state = entry.connection.state;
    const tooltip = `MCP Host's server '${plainLabel(at.name, 200)}': ${plainLabel(describeState(state), 400)}. (VS Code's built-in MCP support may show its own status of its copy of this server here too.)`;
    const actions = entryActions(entry).filter((a): a is Exclude<ServerAction, 'openConfig'> => a !== 'openConfig');
    const blocked = state.kind === 'blocked' && state.reason === 'notApproved';
    return [
      status(inertLine(stateLabel(state, entry.connection.tools.length)), tooltip),
      ...actions.map(a => ({
        title: a === 'start' && blocked ? 'Trust and Start…' : ACTION[a].title,
        command: ACTION[a].command,
        arguments: [entry.name],
        tooltip: `${a === 'start' && blocked ? 'Asks whether to trust it, then starts it' : ACTION[a].title} (MCP Host)`,
      })),
    ];
  }

  dispose(): void {
    this.store.dispose();
  }
}
