import * as vscode from 'vscode';
import { Disposable, type DisposableStore } from '../common/disposable';
import { Emitter, type Event } from '../common/event';
import { BUILTIN_ACCESS_SETTING, BUILTIN_AUTOSTART_SETTING, builtinAccess, builtinCopies, coexistenceNotice, openQuestion, sharedServers, type BuiltinMcpSettings, type HostServer } from '../config/coexistence';
import type { ServerRegistry } from '../mcp/registry';
import { Commands, EXTENSION_ID } from '../ids';
import { escapeMarkdown, joinSafe, safe, type SafeText } from '../common/untrustedText';
import { untrustedMarkdown } from '../ui/markdown';
import * as ui from '../ui/window';

/** What the user is told about VS Code's own MCP support, and asked. */
export type BuiltinMcpQuestion =
  /** Both are active: MCP Host runs `servers`, which VS Code's own MCP support can start a second copy of. */
  | { readonly kind: 'bothActive'; readonly servers: readonly string[]; readonly builtinTools: number; readonly firstTime: boolean; /** It starts them when a chat message is sent (`chat.mcp.autostart` is not "never"). */ readonly onChat: boolean }
  /** VS Code's own MCP support is off: in this workspace's settings (can be turned back on), or elsewhere. */
  | { readonly kind: 'off'; readonly inWorkspace: boolean };

export type BuiltinMcpChoice = 'turnOff' | 'keep' | 'turnOn';

export interface BuiltinMcpDialog {
  askAboutBuiltinMcp(question: BuiltinMcpQuestion): Promise<BuiltinMcpChoice | undefined>;
}

const SHOWN_KEY = 'mcpHost.builtinMcpNoticeShown';
/** What the user chose about VS Code's own MCP support in this workspace: 'keep' or 'turnOff'; unset until they answer. */
const CHOICE_KEY = 'mcpHost.builtinMcpChoice';

/**
 * What an `@mcp` response tells the user when VS Code's own MCP support runs copies of the workspace's servers:
 * it starts them itself when a chat message is sent (`chat.mcp.autostart`), before `@mcp` answers.
 */
export interface BuiltinCopiesNote {
  /** The servers VS Code runs a copy of (found by its tools), sorted. */
  readonly copies: readonly string[];
  /** The other shared servers, which MCP Host does not run (not approved, disabled, stopped or failed) and VS Code starts too; sorted. */
  readonly notRunHere: readonly string[];
}

const CHOICES = { turnOff: "Turn Off VS Code's MCP Here", keep: 'Keep Both', turnOn: 'Turn It Back On', learnMore: 'Learn More' } as const;
const MAX_NAMED = 3;

/** Server names come from a repository's config: each made inert. */
function serverList(servers: readonly string[]): SafeText {
  const named = servers.slice(0, MAX_NAMED).map(s => safe`'${s}'`);
  const more = servers.length - named.length;
  if (more > 0) return joinSafe([joinSafe(named, ', '), safe`and ${more} more`]);
  return named.length > 1 ? joinSafe([joinSafe(named.slice(0, -1), ', '), named.at(-1)!], ' and ') : joinSafe(named);
}

/** The notification: one sentence on what happens, the choice, and a way to read more. */
export const builtinMcpDialog: BuiltinMcpDialog = {
  async askAboutBuiltinMcp(q) {
    if (q.kind === 'off') {
      if (!q.inWorkspace) {
        void ui.showInformationMessage(safe`VS Code's own MCP support is off (the '${BUILTIN_ACCESS_SETTING}' setting, in your user settings or by policy). Only MCP Host runs your MCP servers.`);
        return undefined;
      }
      const answer = await ui.showInformationMessage(safe`VS Code's own MCP support is off in this workspace ('${BUILTIN_ACCESS_SETTING}' is "none" in its settings), so only MCP Host runs the servers of .vscode/mcp.json and .mcp.json.`, CHOICES.turnOn);
      return answer === CHOICES.turnOn ? 'turnOn' : undefined;
    }
    const tools = q.builtinTools === 0 ? [] : [q.builtinTools === 1 ? safe`It offers 1 MCP tool in chat now.` : safe`It offers ${q.builtinTools} MCP tools in chat now.`];
    const message = joinSafe([
      q.onChat
        ? safe`VS Code's own MCP support reads the same .vscode/mcp.json and .mcp.json as MCP Host, and when you send a chat message (to @mcp too) it starts its own copy of`
        : safe`VS Code's own MCP support reads the same .vscode/mcp.json and .mcp.json as MCP Host and can start its own copy of`,
      serverList(q.servers),
      safe`outside MCP Host's trust question and consent.`,
      ...tools,
      safe`Turn it off for this workspace? MCP Host keeps running your servers; you can turn it back on with "MCP Host: Review VS Code's Built-in MCP…".`,
    ]);
    for (;;) {
      const answer = await ui.showWarningMessage(message, CHOICES.turnOff, CHOICES.keep, CHOICES.learnMore);
      if (answer !== CHOICES.learnMore) return answer === CHOICES.turnOff ? 'turnOff' : answer === CHOICES.keep ? 'keep' : undefined;
      await vscode.commands.executeCommand('extension.open', EXTENSION_ID);
    }
  },
};

function readSettings(): BuiltinMcpSettings {
  const config = vscode.workspace.getConfiguration();
  return { access: config.get(BUILTIN_ACCESS_SETTING) };
}

/** Whether VS Code starts servers by itself when a chat message is sent (its default "newAndOutdated"). */
function startsOnChat(): boolean {
  return vscode.workspace.getConfiguration().get(BUILTIN_AUTOSTART_SETTING) !== 'never';
}

function hostServers(registry: ServerRegistry): HostServer[] {
  return registry.servers.map(e => {
    const state = e.connection.state;
    const names = state.kind === 'running' ? [state.serverInfo.title, state.serverInfo.name].filter((n): n is string => typeof n === 'string' && n !== '') : [];
    return { name: e.name, origin: e.definition?.origin, running: state.kind === 'running', names };
  });
}

/** Tools VS Code's own MCP support offers to chat now: MCP Host registers no language-model tools, so every tool tagged `mcp` is its. */
function builtinToolCount(): number {
  return builtinToolNames().length;
}

function builtinToolNames(): string[] {
  return vscode.lm.tools.filter(t => t.tags.includes('mcp')).map(t => t.name);
}

/**
 * Living next to VS Code's own MCP support. The first time both are active in a workspace (MCP Host runs a
 * server from a file VS Code reads too, and VS Code's `chat.mcp.access` lets it run servers), a notification
 * explains it and offers to turn VS Code's own MCP support off for this workspace. Settings change only
 * when the user says so; the command "Review VS Code's Built-in MCP…" asks again at any time.
 */
export class BuiltinMcpCoexistence extends Disposable {
  private asking = false;
  /** An `@mcp` response has told about VS Code's copies in this window: once per window until the user answers. */
  private noted = false;
  /** The question came up in this window (a shared server ran in MCP Host): it stays open, in the status bar, until answered. */
  private raised = false;
  private readonly _onDidChangeQuestion = this._register(new Emitter<void>());
  /** The open question (`question()`) may have changed. */
  readonly onDidChangeQuestion: Event<void> = this._onDidChangeQuestion.event;

  constructor(
    private readonly registry: ServerRegistry,
    private readonly state: vscode.Memento,
    private readonly dialogs: () => BuiltinMcpDialog,
  ) {
    super();
    const check = () => {
      if (!this.raised && sharedServers(readSettings(), hostServers(this.registry)).some(s => s.running)) this.raised = true;
      this._onDidChangeQuestion.fire();
      void this.checkFirstTime();
    };
    this._register(registry.onDidChangeState(check));
    this._register(registry.onDidChangeServers(check));
    this._register(vscode.workspace.onDidChangeConfiguration(e => (e.affectsConfiguration(BUILTIN_ACCESS_SETTING) || e.affectsConfiguration(BUILTIN_AUTOSTART_SETTING)) && check()));
    check();
  }

  /**
   * The question while it is open: the shared servers, once one ran in MCP Host in this window, until the user
   * answers (a notification VS Code hid unanswered, or an `@mcp` note scrolled away, leaves it open).
   */
  question(): { readonly servers: readonly string[]; readonly onChat: boolean } | undefined {
    const servers = openQuestion(readSettings(), hostServers(this.registry), this.state.get<string>(CHOICE_KEY) !== undefined, this.raised);
    return servers && { servers, onChat: startsOnChat() };
  }

  private async checkFirstTime(): Promise<void> {
    if (this.asking) return;
    const notice = coexistenceNotice(readSettings(), hostServers(this.registry), builtinToolCount(), this.state.get(SHOWN_KEY, false));
    if (!notice) return;
    this.asking = true;
    try {
      await this.state.update(SHOWN_KEY, true);
      await this.answer(await this.dialogs().askAboutBuiltinMcp({ kind: 'bothActive', ...notice, firstTime: true, onChat: startsOnChat() }));
    } finally {
      this.asking = false;
    }
  }

  /**
   * For an `@mcp` response: the copies VS Code's own MCP support runs of this workspace's servers, while the
   * user has not chosen (the first-time notification may have been hidden, unanswered, long before). Once per
   * window; undefined when there is nothing to tell.
   */
  chatNote(): BuiltinCopiesNote | undefined {
    if (this.noted || this.state.get<string>(CHOICE_KEY) !== undefined) return undefined;
    const settings = readSettings();
    const servers = hostServers(this.registry);
    const copies = builtinCopies(settings, servers, builtinToolNames()).map(s => s.name);
    if (copies.length === 0) return undefined;
    this.noted = true;
    // Those MCP Host does not run: VS Code starts them too (its autostart takes every server it has not run), but
    // they are not found by their tools' names (their handshake names are not known here).
    const alsoStarted = startsOnChat() ? sharedServers(settings, servers).filter(s => !s.running && !copies.includes(s.name)).map(s => s.name) : [];
    const byName = (a: string, b: string) => a.localeCompare(b);
    return { copies: copies.sort(byName), notRunHere: alsoStarted.sort(byName) };
  }

  /** An answer given outside the notification (the buttons of an `@mcp` response). */
  async choose(choice: unknown): Promise<BuiltinMcpChoice | undefined> {
    if (choice !== 'turnOff' && choice !== 'keep') return undefined;
    await this.answer(choice);
    if (choice === 'keep') void ui.showInformationMessage(safe`MCP Host leaves VS Code's own MCP support on in this workspace and will not ask again; "MCP Host: Review VS Code's Built-in MCP…" changes it.`);
    return choice;
  }

  /** "MCP Host: Review VS Code's Built-in MCP…": says where things stand and offers the change that applies. */
  async review(): Promise<BuiltinMcpChoice | undefined> {
    const settings = readSettings();
    let choice: BuiltinMcpChoice | undefined;
    if (builtinAccess(settings) === 'none') {
      const inWorkspace = vscode.workspace.getConfiguration().inspect(BUILTIN_ACCESS_SETTING)?.workspaceValue === 'none';
      choice = await this.dialogs().askAboutBuiltinMcp({ kind: 'off', inWorkspace });
    } else {
      const servers = sharedServers(settings, hostServers(this.registry)).map(s => s.name).sort((a, b) => a.localeCompare(b));
      choice = await this.dialogs().askAboutBuiltinMcp({ kind: 'bothActive', servers, builtinTools: builtinToolCount(), firstTime: false, onChat: startsOnChat() });
    }
    await this.answer(choice);
    return choice;
  }

  private async answer(choice: BuiltinMcpChoice | undefined): Promise<void> {
    if (choice === undefined) return;
    // Any answer is a choice made: turning it back on is keeping both.
    await this.state.update(CHOICE_KEY, choice === 'turnOff' ? 'turnOff' : 'keep');
    this._onDidChangeQuestion.fire();
    if (choice === 'keep') return;
    const config = vscode.workspace.getConfiguration();
    await config.update(BUILTIN_ACCESS_SETTING, choice === 'turnOff' ? 'none' : undefined, vscode.ConfigurationTarget.Workspace);
    const now = builtinAccess(readSettings());
    if (choice === 'turnOff' && now !== 'none') {
      void ui.showWarningMessage(safe`MCP Host set '${BUILTIN_ACCESS_SETTING}' to "none" in this workspace's settings, but VS Code still reads "${now}" (a folder setting or a policy takes precedence).`);
    } else {
      void ui.showInformationMessage(
        choice === 'turnOff'
          ? safe`VS Code's own MCP support is off in this workspace ('${BUILTIN_ACCESS_SETTING}': "none" in its settings). MCP Host keeps running your servers.`
          : safe`VS Code's own MCP support follows your user settings again in this workspace.`,
      );
    }
  }
}

/**
 * The question's lasting place: a status bar item beside MCP Host's own while it is open ("$(warning) VS Code's MCP
 * too"), whose click asks it again. VS Code hides the notification into the notification centre after a few seconds
 * and the `@mcp` note scrolls away; this stays until the user answers (walk14 G, ux15).
 */
function registerQuestionItem(store: DisposableStore, coexistence: BuiltinMcpCoexistence): vscode.StatusBarItem {
  // Priority 49: just right of MCP Host's own item (50).
  const item = store.add(vscode.window.createStatusBarItem('mcpHost.builtinMcp', vscode.StatusBarAlignment.Left, 49));
  item.name = "MCP Host: VS Code's Built-in MCP";
  item.text = "$(warning) VS Code's MCP too";
  item.command = Commands.reviewBuiltinMcp;
  const update = () => {
    const q = coexistence.question();
    if (!q) {
      item.hide();
      return;
    }
    const md = untrustedMarkdown();
    md.appendMarkdown("**VS Code's own MCP support runs these servers too**\n\n");
    md.appendMarkdown(
      escapeMarkdown(
        joinSafe([
          q.onChat ? safe`It reads the same .vscode/mcp.json and .mcp.json, and when you send a chat message it starts its own copy of` : safe`It reads the same .vscode/mcp.json and .mcp.json and can start its own copy of`,
          serverList(q.servers),
          safe`outside MCP Host's trust question and consent.`,
        ]),
      ),
    );
    md.appendMarkdown('\n\nClick to choose: turn it off in this workspace, or keep both. This stays here until you choose.');
    item.tooltip = md;
    item.accessibilityInformation = { label: "VS Code's own MCP support also runs this workspace's MCP servers. Choose whether to turn it off here." };
    item.show();
  };
  store.add(coexistence.onDidChangeQuestion(update));
  update();
  return item;
}

/** The coexistence notice, its lasting place in the status bar, and the command that reviews it. */
export function registerBuiltinMcp(store: DisposableStore, registry: ServerRegistry, state: vscode.Memento, dialogs: () => BuiltinMcpDialog): BuiltinMcpCoexistence {
  const coexistence = store.add(new BuiltinMcpCoexistence(registry, state, dialogs));
  registerQuestionItem(store, coexistence);
  store.add(vscode.commands.registerCommand(Commands.reviewBuiltinMcp, () => coexistence.review()));
  store.add(vscode.commands.registerCommand(Commands.answerBuiltinMcp, (choice: unknown) => coexistence.choose(choice)));
  return coexistence;
}
