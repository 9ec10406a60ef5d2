import * as vscode from 'vscode';
import { DisposableStore } from '../../common/disposable';
import { canBeStarted, describeResumption, describeState, ConnectionState } from '../../mcp/connectionState';
import type { ServerRegistry } from '../../mcp/registry';
import { essence, extensionForMime, isImageMime } from '../../mcp/resourceContent';
import { Commands, ContextKeys, MANAGE_TRUST_COMMAND, Views } from '../../ids';
import { describePreview, localPreviewContext, previewLaunch } from '../../config/launchPreview';
import { describeEra } from '../../mcp/eraNegotiation';
import { EarlierPagesNode, GroupNode, Info, InfoNode, LoadMoreNode, PromptNode, ResourceNode, ResourcePageNode, SavedCallNode, ServerNode, TemplateNode, ToolNode, TreeNode } from './nodes';
import type { SavedCall } from '../../forms/savedCalls';
import { untrustedMarkdown } from '../markdown';
import { GroupKind, LOAD_ALL_CAP, LoadAllResult, ModelChange, pageEnd, pageOf, resourceLayout, ServersTreeModel } from './serversModel';
import { BLOCK_MAX, codeBlock, cut, escapeMarkdown, hasHiddenCharacters, plainLabel, revealHidden, safe } from '../../common/untrustedText';
import { describeDuplicate, type Duplicate } from '../../mcp/duplicates';
import { tellingStderrLine } from '../../mcp/diagnosis';
import { showInformationMessage, withProgress } from '../window';
import { count, hasApp, HINT_ICON, oneLine, plural, promptDescription, promptLabel, schemaSummary, serverContextValue, serverDescription, stateIconOf, toolDescription, ToolHint, toolHints, toolLabel } from './treeText';

function stateIcon(state: ConnectionState): vscode.ThemeIcon {
  const { id, color } = stateIconOf(state);
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

const GROUPS: Record<GroupKind, { label: string; icon: string; empty: string }> = {
  tools: { label: 'Tools', icon: 'tools', empty: 'No tools' },
  resources: { label: 'Resources', icon: 'files', empty: 'No resources' },
  templates: { label: 'Resource Templates', icon: 'symbol-variable', empty: 'No resource templates' },
  prompts: { label: 'Prompts', icon: 'comment-discussion', empty: 'No prompts' },
};

const INFO_COLOR: Partial<Record<Info['icon'], string>> = { error: 'errorForeground', warning: 'list.warningForeground' };

/**
 * A tree item's label, description and accessibility label as plain text: one line, cut, hidden and bidi
 * characters shown as `⟨U+200B⟩`. Every item goes through this, so no server or repository text reaches the
 * tree raw (the labels render neither links nor icons; hidden characters are what they can abuse).
 */
function plainItem(item: vscode.TreeItem): vscode.TreeItem {
  // Spaces are kept (an indented stderr line stays indented); line breaks and tabs become spaces.
  const line = (text: string) => cut(revealHidden(text.replace(/\r\n?|[\n\t]/g, ' ')), 200);
  if (typeof item.label === 'string') item.label = line(item.label);
  if (typeof item.description === 'string') item.description = line(item.description);
  if (item.accessibilityInformation) item.accessibilityInformation = { ...item.accessibilityInformation, label: plainLabel(item.accessibilityInformation.label, 600) };
  return item;
}

const HIDDEN_FLAG = '⚠ hidden characters';

/**
 * What a tool's, resource's or prompt's tooltip shows of its server's text: these tooltips are built with the row
 * (getTreeItem, on every render), so a 1 MB description must not make a 1 MB hover each time.
 */
const DESCRIPTION_MAX = BLOCK_MAX;
const NAME_MAX = 400;
const ARGUMENTS_MAX = 20;

/** Names and titles that hide or reverse text are flagged: first in the description, and in the tooltip. */
function flagHidden(item: vscode.TreeItem, md: vscode.MarkdownString, ...names: Array<string | undefined>): void {
  if (!names.some(n => n !== undefined && hasHiddenCharacters(n))) return;
  item.description = [HIDDEN_FLAG, item.description].filter(Boolean).join(' · ');
  md.appendMarkdown('$(warning) Its name or title contains invisible or bidi-control characters, shown as ⟨U+…⟩: it may not be what it looks like.\n\n');
}

/** What a tree node, or a plain `{ server, … }` argument, names: used by commands that accept either. */
export type ResourceArg = { readonly server: string; readonly uri: string; readonly name?: string; readonly mimeType?: string };
export type TemplateArg = { readonly server: string; readonly uriTemplate: string };

function serverTooltip(node: ServerNode): vscode.MarkdownString {
  const entry = node.entry;
  const md = untrustedMarkdown();
  const state = entry.connection.state;
  md.appendMarkdown(`**${escapeMarkdown(entry.name)}** — ${escapeMarkdown(describeState(state))}\n\n`);
  if (entry.definition) {
    md.appendMarkdown(`From ${escapeMarkdown(entry.definition.origin.label)}\n\n`);
    // Variables expanded, header and secret values masked from the definition itself: a never-started server knows no secrets yet.
    const preview = previewLaunch(entry.definition, localPreviewContext(entry.definition));
    md.appendMarkdown(codeBlock(entry.connection.mask(describePreview(preview).join('\n'))));
  }
  if (state.kind === 'running') {
    md.appendMarkdown(`\n\n${escapeMarkdown(`${state.serverInfo.name} ${state.serverInfo.version} · ${state.transport} · ${describeEra(state.era, state.protocolVersion, state.eraDecidedBy)}`)}`);
    if (state.instructions) {
      const text = state.instructions.length > 1500 ? `${state.instructions.slice(0, 1500)}…` : state.instructions;
      md.appendMarkdown(`\n\nServer instructions:\n\n${codeBlock(entry.connection.mask(text))}`);
    }
    if (state.resuming) {
      const failed = state.resuming.lastError ? ` The last attempt failed: ${escapeMarkdown(state.resuming.lastError)}.` : '';
      md.appendMarkdown(
        `\n\n$(sync) The connection to the server dropped; its stream is being resumed after the last event received (${describeResumption(state.resuming)}).${failed} ` +
          'Calls are still sent; one that cannot reach the server fails, and one whose answer was on the dropped stream waits for it. After the last attempt the server restarts with backoff.',
      );
    }
  }
  if (state.kind === 'needsSignIn') {
    md.appendMarkdown(`\n\nSign in at ${escapeMarkdown(state.host)}${state.scopes.length ? ` for ${escapeMarkdown(state.scopes.join(' '))}` : ''}: use **Sign In**. Nothing opens in the browser before you do.`);
  }
  if (state.kind === 'error') {
    md.appendMarkdown(`\n\n${escapeMarkdown(state.message)}${state.hint ? `\n\n${escapeMarkdown(state.hint)}` : ''}`);
    if (state.stderrTail.length) md.appendMarkdown(`\n\nLast stderr lines:\n\n${codeBlock(state.stderrTail.join('\n'))}`);
  }
  for (const p of entry.problems) md.appendMarkdown(`\n\n$(warning) ${escapeMarkdown(p.message)}`);
  return md;
}

/** The children of a server that is not running: why, and what to do about it. */
function serverInfos(node: ServerNode, resourceDuplicates: readonly Duplicate[]): Array<[string, Info]> {
  const entry = node.entry;
  const state = entry.connection.state;
  const name = entry.name;
  const infos: Array<[string, Info]> = [];
  const showLog: Info = { label: 'Show Log', icon: 'output', command: { id: Commands.showLog, title: 'Show Log', arguments: [name] } };
  const openConfig: Info = { label: 'Open Config', icon: 'go-to-file', command: { id: Commands.openServerConfig, title: 'Open Config', arguments: [name] } };
  if (state.kind === 'error') {
    infos.push(['message', { label: oneLine(state.message, 200), detail: state.message, icon: 'error' }]);
    if (state.hint) infos.push(['hint', { label: oneLine(state.hint, 200), detail: state.hint, icon: 'lightbulb' }]);
    const exit = state.signal ? `signal ${state.signal}` : state.exitCode !== undefined && state.exitCode !== null ? `exit code ${state.exitCode}` : undefined;
    // Only when the message does not say it already ("The server exited with code 3…", "…was killed by SIGKILL").
    const said = state.signal ? state.message.includes(state.signal) : new RegExp(`\\bcode ${state.exitCode}\\b`).test(state.message);
    if (exit && !said) infos.push(['exit', { label: `Process ended with ${exit}`, icon: 'info' }]);
    if (state.restartAt) {
      // The clock time stays true without re-rendering every second; Restart runs it now, ending the backoff.
      const at = new Date(state.restartAt).toLocaleTimeString('en-GB', { hour12: false });
      const inSeconds = Math.max(0, Math.round((state.restartAt - Date.now()) / 1000));
      infos.push(['restart', { label: `Restarting automatically at ${at} (in ${inSeconds} s, attempt ${state.attempt + 1})`, description: 'Restart to retry now', icon: 'clock', command: { id: Commands.restartServer, title: 'Restart Server', arguments: [name] } }]);
    }
    if (state.stderrTail.length) {
      infos.push(['stderr', { label: `stderr: ${oneLine(tellingStderrLine(state.stderrTail), 120)}`, description: plural(state.stderrTail.length, 'line'), detail: state.stderrTail.join('\n'), icon: 'terminal', lines: state.stderrTail }]);
    }
    infos.push(['showLog', showLog], ['openConfig', openConfig]);
  } else if (state.kind === 'needsSignIn') {
    const signIn = { id: Commands.signIn, title: 'Sign In', arguments: [name] };
    infos.push(['signIn', { label: `Sign in at ${state.host}`, description: state.reason === 'stepUp' ? 'more access asked' : state.reason === 'expired' ? 'sign-in expired' : '', icon: 'account', command: signIn }]);
    if (state.scopes.length) infos.push(['scopes', { label: `Scopes: ${state.scopes.join(' ')}`, detail: state.scopes.join('\n'), icon: 'info' }]);
    infos.push(['showLog', showLog]);
  } else if (state.kind === 'blocked') {
    infos.push(['message', { label: oneLine(state.message, 200), detail: state.message, icon: state.reason === 'invalidConfig' ? 'error' : 'info' }]);
    if (canBeStarted(state) && state.reason !== 'workspaceUntrusted') {
      infos.push(['start', { label: 'Start Server', icon: 'debug-start', command: { id: Commands.startServer, title: 'Start Server', arguments: [name] } }]);
    }
    // The way out of Restricted Mode where the user reads that it blocks the server.
    if (state.reason === 'workspaceUntrusted') infos.push(['trust', { label: 'Manage Workspace Trust…', icon: 'shield', command: { id: MANAGE_TRUST_COMMAND, title: 'Manage Workspace Trust', arguments: [] } }]);
    infos.push(['openConfig', openConfig]);
  }
  entry.problems.forEach((p, i) => {
    if (state.kind === 'blocked' && state.message.includes(p.message)) return;
    infos.push([`problem${i}`, { label: oneLine(p.message, 200), detail: p.message, icon: p.severity === 'error' ? 'error' : 'warning', command: { id: Commands.openServerConfig, title: 'Open Config', arguments: [name] } }]);
  });
  infos.push(...duplicateInfos('duplicate', [...entry.connection.duplicates, ...resourceDuplicates], name));
  return infos;
}

/** The flag on a server that listed something twice: a warning line per name or URI (a few, then how many more). */
function duplicateInfos(prefix: string, duplicates: readonly Duplicate[], server: string): Array<[string, Info]> {
  const shown = 5;
  const showLog = { id: Commands.showLog, title: 'Show Log', arguments: [server] };
  const infos = duplicates.slice(0, shown).map((d, i): [string, Info] => [`${prefix}${i}`, { label: describeDuplicate(d, plainLabel(d.key, 80)), detail: d.key, icon: 'warning', command: showLog }]);
  if (duplicates.length > shown) infos.push([`${prefix}More`, { label: `${count(duplicates.length - shown)} more names or URIs listed more than once`, icon: 'warning', command: showLog }]);
  return infos;
}

/** Whether `serverInfos` has anything to show, without building it: a failed or blocked server always has. */
function hasInfos(node: ServerNode, resourceDuplicates: readonly Duplicate[]): boolean {
  const kind = node.entry.connection.state.kind;
  return kind === 'error' || kind === 'blocked' || kind === 'needsSignIn' || node.entry.problems.length > 0 || node.entry.connection.duplicates.length > 0 || resourceDuplicates.length > 0;
}

function resourceIcon(mimeType: string | undefined): vscode.ThemeIcon {
  if (isImageMime(mimeType)) return new vscode.ThemeIcon('file-media');
  const ext = extensionForMime(mimeType);
  if (ext === '.json') return new vscode.ThemeIcon('json');
  if (ext === '.md') return new vscode.ThemeIcon('markdown');
  if (ext) return new vscode.ThemeIcon('file-code');
  const mime = essence(mimeType);
  if (mime && !mime.startsWith('text/')) return new vscode.ThemeIcon('file-binary');
  return new vscode.ThemeIcon('file');
}

function toolIcon(hints: readonly ToolHint[], disabled: boolean): vscode.ThemeIcon {
  if (disabled) return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  // The most cautionary hint decides.
  const hint = (['destructive', 'open-world', 'read-only'] as const).find(h => hints.includes(h));
  if (!hint) return new vscode.ThemeIcon('tools');
  return new vscode.ThemeIcon(HINT_ICON[hint], hint === 'destructive' ? new vscode.ThemeColor('list.warningForeground') : undefined);
}

/**
 * The performance measure of a page of resources: what the user waits for after its list arrives. It starts when
 * the page's list arrives from the server (the reply, parsed) if the Resources group is shown then (VS Code asked
 * for its children and it was not folded since), or else when VS Code next asks for the group's children (the user
 * unfolds it: the list was there before, the user waits from the unfolding); `detail.from` says which. It ends when
 * VS Code has the tree item of the page's last resource (VS Code asks for the items of a node's children in
 * order, then sends them to the window), for the first page and a "Load more…" page alike (both in the group
 * itself). Its `detail.ownMs` is the part spent in this extension's code meanwhile: the model's dedupe and
 * change event (from the arrival only), and every `getChildren` and `getTreeItem` VS Code calls; the rest is
 * VS Code's (its refresh delay, the round trips to the window). `detail.asked` and `detail.lists` count the tree
 * items and the children lists VS Code asked for meanwhile (for that server's nodes, and the root's). Each server's
 * page is measured on its own, so two servers paging at once get a measure each. Only the latest is kept under the
 * name. The `tree` integration suite reports it for the bench.
 */
export const TREE_PAGE_MEASURE = 'mcpHost.treePage';

/** One page's measure while it runs (see TREE_PAGE_MEASURE). */
interface PageMeasure {
  readonly server: string;
  readonly arrivedAt: number;
  startedAt: number | undefined;
  readonly last: object;
  readonly items: number;
  ownMs: number;
  asked: number;
  lists: number;
  waited: boolean;
}

/** How long VS Code's ask for the Resources group's children waits for a page on its way (see `waitFor`). */
export const PAGE_WAIT_MS = 1_000;

/**
 * Renders `ServersTreeModel` for VS Code. It fires the narrowest node that changed: a server (its state,
 * its tools) or one group (a page of resources, a prompt list), so one busy server does not redraw the tree.
 */
export class ServersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly serverNodes = new Map<string, ServerNode>();
  /** The state kind each server's node last showed: a change within `running` keeps its children. */
  private readonly shownKinds = new Map<string, ConnectionState['kind']>();
  /** How many duplicates each server's warning lines showed when its prompts or resources last changed. */
  private readonly duplicatesShown = new Map<string, number>();
  /** Per server, the arrival of the newest page whose measure was started (`TREE_PAGE_MEASURE`). */
  private readonly pageMeasured = new Map<string, number>();
  /**
   * The pages being measured, one per server (two servers paging at once shared one, and the later page's start
   * replaced the earlier's): our code's time since its start, until VS Code has the item of its last resource.
   */
  private readonly measuring = new Map<string, PageMeasure>();
  /** Per server, how many of VS Code's asks for the Resources group's children are waiting for a page. */
  private readonly waiting = new Map<string, number>();
  /** Per server, the reveal of a "Load more…" page's first resource, while it runs. */
  private readonly revealing = new Map<string, Promise<unknown>>();
  /** Servers whose Resources group VS Code shows: it asked for the group's children, and neither it nor its server was folded since. */
  private readonly resourcesShown = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    readonly model: ServersTreeModel,
    private readonly savedCalls: SavedCallSource = NO_SAVED_CALLS,
  ) {
    const listener = model.onDidChange(change => this.onModelChange(change));
    // A saved call shows under its tool: a save or delete redraws the tree (its nodes are reused, so it stays cheap).
    const saved = savedCalls.onDidChange(() => this._onDidChangeTreeData.fire(undefined));
    this.subscription = { dispose: () => (listener.dispose(), saved.dispose()) };
  }

  private onModelChange(change: ModelChange): void {
    const node = change.server === undefined ? undefined : this.serverNodes.get(change.server);
    if (!node || change.server === undefined) return this._onDidChangeTreeData.fire(undefined);
    const entry = this.model.get(node.name);
    if (entry) node.entry = entry;
    switch (change.what) {
      case 'state': {
        // A running server whose stream drops and resumes changes only its own line: its tools stay as they are.
        const kind = entry?.connection.state.kind;
        const was = this.shownKinds.get(node.name);
        if (kind) this.shownKinds.set(node.name, kind);
        if (kind !== 'running' || was !== 'running') node.cache.clear();
        return this._onDidChangeTreeData.fire(node);
      }
      case 'tools':
      case 'templates':
        // The server's description counts tools; the templates group appears or goes.
        return this._onDidChangeTreeData.fire(node);
      case 'resources':
      case 'prompts': {
        // A resource list that changed was dropped by the model; its nodes (resources, pages, actions) go with it.
        if (change.what === 'resources' && this.model.resources(node.name).pagesLoaded === 0) node.forget('resource');
        if (change.what === 'resources') this.startMeasure(node.name);
        // A "Load more…" page on its way: VS Code asks for the group's children now, and they wait for the page
        // (getChildren), so it reaches VS Code in the call VS Code is already waiting in, as the first page does, with
        // no round trip to the window after it arrives. (Not a refresh of the action for a spinner: VS Code then asks
        // for nothing that waits, and sends a tree's refreshes at most one per 200 ms, so the page's own refresh went
        // 200 ms later.) Its progress shows on the view. "Load all" turns its action into a spinner.
        const pages = change.what === 'resources' ? this.model.resources(node.name) : undefined;
        if (pages?.loading && pages.pagesLoaded > 0) {
          if (!this.model.isLoadingAll(node.name)) {
            const group = node.existingGroup('resources');
            if (group && this.resourcesShown.has(node.name)) this._onDidChangeTreeData.fire(group);
            return;
          }
          const actions = ['resources:more', 'resources:all'].map(key => node.cache.get(key)).filter(n => n !== undefined);
          for (const action of actions) this._onDidChangeTreeData.fire(action);
          if (actions.length) return;
        }
        // New or gone duplicates flag or unflag the server itself (its warning lines).
        const duplicates = node.entry.connection.duplicates.length + this.model.resources(node.name).duplicates.length;
        if (duplicates !== (this.duplicatesShown.get(node.name) ?? 0)) {
          this.duplicatesShown.set(node.name, duplicates);
          return this._onDidChangeTreeData.fire(node);
        }
        const group = node.existingGroup(change.what);
        if (change.what === 'resources' && group && !pages?.loading && this.waiting.has(node.name)) {
          // VS Code is waiting for the group's children, which return this page: the group's own row (its count)
          // still needs a refresh, after whatever the page's arrival starts (the reveal after "Load more…", which
          // waits for the tree's pending refreshes).
          const name = node.name;
          setTimeout(() => void (this.revealing.get(name) ?? Promise.resolve()).finally(() => this._onDidChangeTreeData.fire(group)), 0);
          return;
        }
        return this._onDidChangeTreeData.fire(group ?? node);
      }
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const started = performance.now();
    const item = plainItem(this.treeItem(node));
    this.spent(started, node, false);
    return item;
  }

  /**
   * A server's tooltip, built when the user hovers over its row (VS Code asks only then, once per rendering of the row):
   * its launch preview looks through an npx server's folders for what decides what it runs, work a render of the tree
   * (every state change) need not do.
   */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'server' && item.tooltip === undefined) item.tooltip = serverTooltip(node);
    return item;
  }

  private treeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server':
        return this.serverItem(node);
      case 'group':
        return this.groupItem(node);
      case 'tool':
        return this.toolItem(node);
      case 'savedCall':
        return savedCallItem(node);
      case 'resource':
        return this.resourceItem(node);
      case 'resourcePage':
        return this.resourcePageItem(node);
      case 'earlierPages':
        return earlierPagesItem(node);
      case 'template':
        return this.templateItem(node);
      case 'prompt':
        return this.promptItem(node);
      case 'loadMore':
        return this.loadMoreItem(node);
      case 'info':
        return this.infoItem(node);
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node?.kind === 'group' && node.group === 'resources') {
      const name = node.server.name;
      // VS Code shows the group: a page measured since its list arrived while the group was folded starts now.
      this.resourcesShown.add(name);
      const m = this.measuring.get(name);
      if (m && m.startedAt === undefined) m.startedAt = performance.now();
      // The Resources group lists the first page when it is first shown; its children wait for a page on its way.
      if (this.model.resources(name).pagesLoaded === 0) void this.model.loadResources(name);
      const page = this.model.pageOnItsWay(name);
      if (page) await this.waitFor(name, page);
    }
    const started = performance.now();
    const children = this.children(node);
    this.spent(started, node, true);
    return children;
  }

  /**
   * Waits for `name`'s page on its way, for at most PAGE_WAIT_MS: while VS Code waits for a node's children it
   * refreshes nothing else in the view, so a server slow to list (or that never answers) must not hold the whole
   * tree. After that the group shows what it has ("Listing resources…", "Loading…"), and the page's arrival
   * refreshes it.
   */
  private async waitFor(name: string, page: Promise<void>): Promise<void> {
    this.waiting.set(name, (this.waiting.get(name) ?? 0) + 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([page, new Promise<void>(resolve => (timer = setTimeout(resolve, PAGE_WAIT_MS)))]);
    } finally {
      clearTimeout(timer);
      const left = (this.waiting.get(name) ?? 1) - 1;
      if (left > 0) this.waiting.set(name, left);
      else this.waiting.delete(name);
    }
  }

  /**
   * After a "Load more…" from the tree: the Resources group's row scrolled into view (its count, the earlier pages'
   * folders under it) and the page's first resource selected and focused, where the user reads on. Nothing when no
   * resource came, or the group is not shown.
   */
  revealPage(view: vscode.TreeView<TreeNode>, name: string, from: number): Promise<void> {
    const first = this.model.resources(name).items[from];
    const server = this.serverNodes.get(name);
    if (!first || !server || !view.visible || !this.resourcesShown.has(name)) return Promise.resolve();
    const node = server.reuse(`resource:${first.uri}`, () => new ResourceNode(server, first));
    const done = (async () => {
      try {
        await view.reveal(server.group('resources'), { select: false, focus: false });
        await view.reveal(node, { select: true, focus: true });
      } catch {
        // The list changed meanwhile (the node is gone): nothing to show.
      }
    })();
    this.revealing.set(name, done);
    return done.finally(() => this.revealing.get(name) === done && this.revealing.delete(name));
  }

  /** VS Code folded `node` (or hid the view: `undefined`): a Resources group under it is no longer shown. */
  folded(node: TreeNode | undefined): void {
    if (!node) this.resourcesShown.clear();
    else if (node.kind === 'server' || (node.kind === 'group' && node.group === 'resources')) this.resourcesShown.delete(node.kind === 'server' ? node.name : node.server.name);
  }

  private children(node: TreeNode | undefined): TreeNode[] {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'server':
        return this.serverChildren(node);
      case 'group':
        return this.groupChildren(node);
      case 'tool':
        return this.savedCalls.forTool(node.server.name, node.tool.name).map(c => node.server.reuse(`saved:${node.tool.name}/${c.scope}/${c.name}`, () => new SavedCallNode(node, c), n => (n.call = c)));
      case 'resourcePage':
        return this.resourceNodes(node.server, node.start, node.end);
      case 'earlierPages': {
        // Each page a folder: what a user opens this for, so it may take as long as the pages are many.
        const pages = this.model.resources(node.server.name);
        const folders: TreeNode[] = [];
        for (let k = node.from; k <= node.to; k++) if (pageEnd(pages, k) > pages.pageStarts[k]!) folders.push(this.pageNode(node.server, k));
        return folders;
      }
      case 'info':
        return (node.info.lines ?? []).map((line, i) => node.server.reuse(`${node.key}/line${i}`, () => new InfoNode(node.server, `${node.key}/line${i}`, { label: line, icon: 'terminal' }), n => (n.info = { label: line, icon: 'terminal' })));
      default:
        return [];
    }
  }

  /** What `reveal` climbs: every node knows its server, and each kind of node where under it it sits. */
  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'server':
        return undefined;
      case 'group':
        return node.server;
      case 'tool':
        return node.server.group('tools');
      case 'savedCall':
        return node.tool;
      case 'template':
        return node.server.group('templates');
      case 'prompt':
        return node.server.group('prompts');
      case 'resourcePage': {
        const earlier = resourceLayout(this.model.resources(node.server.name)).earlier;
        return earlier && node.page >= earlier.from && node.page <= earlier.to ? this.earlierNode(node.server) : node.server.group('resources');
      }
      case 'earlierPages':
      case 'loadMore':
        return node.server.group('resources');
      case 'resource': {
        const pages = this.model.resources(node.server.name);
        const index = pages.seen.get(node.resource.uri);
        const page = index === undefined ? undefined : pageOf(pages, index);
        return page === undefined || page === resourceLayout(pages).page ? node.server.group('resources') : this.pageNode(node.server, page);
      }
      case 'info': {
        // A stderr line under its info node, an empty group's or a failed list's note, or a server's own line.
        const line = /^(.*)\/line\d+$/.exec(node.key);
        if (line) return node.server.cache.get(`info:${line[1]}`);
        const group = /^(tools|resources|templates|prompts)\//.exec(node.key);
        return group ? node.server.group(group[1] as GroupKind) : node.server;
      }
    }
  }

  private roots(): ServerNode[] {
    const entries = this.model.servers;
    const names = new Set(entries.map(e => e.name));
    for (const [name, node] of this.serverNodes) {
      if (names.has(name) && this.model.get(name)?.connection === node.entry.connection) continue;
      this.serverNodes.delete(name);
      this.shownKinds.delete(name);
      this.measuring.delete(name);
      this.pageMeasured.delete(name);
    }
    return entries.map(entry => {
      let node = this.serverNodes.get(entry.name);
      if (!node) this.serverNodes.set(entry.name, (node = new ServerNode(entry)));
      node.entry = entry;
      return node;
    });
  }

  private serverChildren(node: ServerNode): TreeNode[] {
    const infos = serverInfos(node, this.model.resources(node.name).duplicates).map(([key, info]) => node.reuse(`info:${key}`, () => new InfoNode(node, key, info), n => (n.info = info)));
    return [...this.model.groupsOf(node.name).map(kind => node.group(kind)), ...infos];
  }

  private groupChildren(node: GroupNode): TreeNode[] {
    const server = node.server;
    const connection = server.entry.connection;
    const empty = () => [server.reuse(`${node.group}:empty`, () => new InfoNode(server, `${node.group}/empty`, { label: GROUPS[node.group].empty, icon: 'info' }))];
    switch (node.group) {
      case 'tools': {
        const tools = connection.tools;
        return tools.length ? tools.map(t => server.reuse(`tool:${t.name}`, () => new ToolNode(server, t), n => (n.tool = t))) : empty();
      }
      case 'prompts': {
        const prompts = connection.prompts;
        return prompts.length ? prompts.map(p => server.reuse(`prompt:${p.name}`, () => new PromptNode(server, p), n => (n.prompt = p))) : empty();
      }
      case 'templates': {
        // Each URI template once: the connection keeps the first of any the server repeats.
        const templates = connection.resourceTemplates;
        return templates.length ? templates.map(t => server.reuse(`template:${t.uriTemplate}`, () => new TemplateNode(server, t), n => (n.template = t))) : empty();
      }
      case 'resources': {
        const pages = this.model.resources(server.name);
        if (pages.pagesLoaded === 0 && pages.loading) {
          // The first page is slow to come (VS Code waited PAGE_WAIT_MS for it): its arrival refreshes the group.
          return [server.reuse('resources:listing', () => new InfoNode(server, 'resources/listing', { label: 'Listing resources…', icon: 'loading~spin' }))];
        }
        // The first page in a folder, the pages between it and the newest in one folder (or a folder of their own
        // while there is one), the newest page's resources in the group: the same number of nodes however many pages
        // came before (resourceLayout), and as many as the first page alone gives.
        const layout = resourceLayout(pages);
        const nodes: TreeNode[] = layout.folders.filter(k => k === 0).map(k => this.pageNode(server, k));
        if (layout.earlier) nodes.push(this.earlierNode(server));
        for (const k of layout.folders) if (k !== 0) nodes.push(this.pageNode(server, k));
        nodes.push(...this.resourceNodes(server, layout.start, layout.end));
        if (pages.error) {
          const info: Info = {
            label: `Could not list resources: ${oneLine(pages.error, 120)}`,
            detail: pages.error,
            icon: 'error',
            command: { id: Commands.loadMoreResources, title: 'Try Again', arguments: [server.name] },
          };
          nodes.push(server.reuse('resources:error', () => new InfoNode(server, 'resources/error', info), n => (n.info = info)));
        } else if (pages.nextCursor !== undefined) {
          nodes.push(server.reuse('resources:more', () => new LoadMoreNode(server)), server.reuse('resources:all', () => new LoadMoreNode(server, true)));
        } else if (nodes.length === 0) {
          return empty();
        }
        return nodes;
      }
    }
  }

  /** The folder of page `page` (an index into `pageStarts`) as the pages loaded now show it. */
  private pageNode(server: ServerNode, page: number): ResourcePageNode {
    const pages = this.forgetOldPages(server);
    return server.reuse(`resourcePage@${pages.pagesLoaded}:${page}`, () => new ResourcePageNode(server, page, pages.pageStarts[page]!, pageEnd(pages, page), pages.pagesLoaded));
  }

  /** The folder of the pages between the first and the newest; only asked for when the layout has one. */
  private earlierNode(server: ServerNode): EarlierPagesNode {
    const pages = this.forgetOldPages(server);
    const { from, to } = resourceLayout(pages).earlier ?? { from: 1, to: Math.max(1, pages.pageStarts.length - 2) };
    return server.reuse(`resourcePage@${pages.pagesLoaded}:earlier`, () => new EarlierPagesNode(server, from, to, pages.pageStarts[from]!, pageEnd(pages, to), pages.pagesLoaded));
  }

  /** The page folders made for fewer pages go (one kind of the cache: no resource node is looked at). */
  private forgetOldPages(server: ServerNode) {
    const pages = this.model.resources(server.name);
    if (server.pagesShown !== pages.pagesLoaded) {
      server.forget('resourcePage@');
      server.pagesShown = pages.pagesLoaded;
    }
    return pages;
  }

  /** Starts the measure of `name`'s newest page when its list has just arrived (once per page). */
  private startMeasure(name: string): void {
    const pages = this.model.resources(name);
    const last = pages.items.at(-1);
    if (pages.loading || pages.arrivedAt === undefined || !last || this.pageMeasured.get(name) === pages.arrivedAt) return;
    this.pageMeasured.set(name, pages.arrivedAt);
    const items = pages.items.length - (pages.pageStarts.at(-1) ?? 0);
    // Shown: the user waits from the arrival. Folded: from VS Code's next ask for the group's children.
    this.measuring.set(name, { server: name, arrivedAt: pages.arrivedAt, startedAt: this.resourcesShown.has(name) ? pages.arrivedAt : undefined, last, items, ownMs: 0, asked: 0, lists: 0, waited: this.waiting.has(name) });
  }

  /**
   * Adds the time since `started` to the page being measured of `node`'s server (once it started), or of every server
   * for the root's list (`node` undefined: the servers themselves); `list`: a children list, else a tree item. Ends the
   * measure when `node` is the page's last resource (VS Code asks for the items of a node's children in order).
   */
  private spent(started: number, node: TreeNode | undefined, list: boolean): void {
    if (this.measuring.size === 0) return;
    if (node === undefined) {
      for (const m of this.measuring.values()) this.spentOn(m, started, undefined, list);
      return;
    }
    const m = this.measuring.get(node.kind === 'server' ? node.name : node.server.name);
    if (m) this.spentOn(m, started, node, list);
  }

  private spentOn(m: PageMeasure, started: number, node: TreeNode | undefined, list: boolean): void {
    if (m.startedAt === undefined) return;
    const now = performance.now();
    m.ownMs += now - Math.max(started, m.startedAt);
    if (list) m.lists++;
    else m.asked++;
    if (list || node?.kind !== 'resource' || node.resource !== m.last) return;
    this.measuring.delete(m.server);
    const pages = this.model.resources(m.server);
    const fromArrival = m.startedAt === m.arrivedAt;
    // The model's part (its dedupe and change event) counts when the measure starts at the arrival.
    const ownMs = (fromArrival && pages.arrivedAt === m.arrivedAt ? (pages.handledMs ?? 0) : 0) + m.ownMs;
    performance.clearMeasures(TREE_PAGE_MEASURE);
    performance.measure(TREE_PAGE_MEASURE, {
      start: m.startedAt,
      end: now,
      // asked: tree items VS Code asked for meanwhile; lists: children lists it asked for (one per round trip to the window);
      // waited: VS Code was waiting for the group's children when the page arrived.
      detail: { server: m.server, page: pages.pagesLoaded, items: m.items, loaded: pages.items.length, ownMs, from: fromArrival ? 'arrival' : 'unfolded', asked: m.asked, lists: m.lists, waited: m.waited },
    });
  }

  private resourceNodes(server: ServerNode, start: number, end: number): ResourceNode[] {
    return this.model
      .resources(server.name)
      .items.slice(start, end)
      .map(r => server.reuse(`resource:${r.uri}`, () => new ResourceNode(server, r), n => (n.resource = r)));
  }

  private serverItem(node: ServerNode): vscode.TreeItem {
    const entry = node.entry;
    const state = entry.connection.state;
    const hasChildren = this.model.groupsOf(node.name).length > 0 || hasInfos(node, this.model.resources(node.name).duplicates);
    const collapsible = !hasChildren
      ? vscode.TreeItemCollapsibleState.None
      : state.kind === 'error' || state.kind === 'needsSignIn'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(entry.name, collapsible);
    item.id = node.id;
    const origin = entry.definition?.origin.label;
    item.description = serverDescription(entry);
    item.iconPath = stateIcon(state);
    // The tooltip is built when VS Code shows it (`resolveTreeItem`): its preview looks through an npx server's folders.
    // Its actions, for the menus (the status bar's pick offers the same).
    item.contextValue = serverContextValue(entry);
    item.accessibilityInformation = { label: `MCP server ${entry.name}, ${item.description}${origin ? `, from ${origin}` : ''}` };
    return item;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const g = GROUPS[node.group];
    const item = new vscode.TreeItem(g.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(g.icon);
    item.contextValue = `group.${node.group}`;
    const connection = node.server.entry.connection;
    switch (node.group) {
      case 'tools':
        item.description = String(connection.tools.length);
        break;
      case 'prompts':
        item.description = String(connection.prompts.length);
        break;
      case 'templates':
        item.description = String(connection.resourceTemplates.length);
        break;
      case 'resources': {
        const name = node.server.name;
        const pages = this.model.resources(name);
        // The count needs the first page: it is listed once the group shows, and the group is drawn again when it arrives.
        if (pages.pagesLoaded === 0 && !pages.loading && !pages.error) void this.model.loadResources(name);
        const more = pages.nextCursor !== undefined;
        // Load more… and Load all in its menu only while the server has more to list.
        if (more) item.contextValue = 'group.resources.more';
        item.description = pages.pagesLoaded === 0 ? (pages.error ? '?' : '…') : `${count(pages.items.length)}${more ? '+' : ''}`;
        item.tooltip =
          pages.pagesLoaded === 0
            ? pages.error
              ? 'The server did not list its resources; expand to see why'
              : 'Listing…'
            : `${plural(pages.items.length, 'resource')}${more ? ' loaded; the server has more (Load more…, Load all)' : ''}`;
        break;
      }
    }
    return item;
  }

  private toolItem(node: ToolNode): vscode.TreeItem {
    const tool = node.tool;
    const disabled = node.server.entry.definition?.disabledTools.includes(tool.name) ?? false;
    const hints = toolHints(tool);
    const saved = this.savedCalls.forTool(node.server.name, tool.name).length;
    const item = new vscode.TreeItem(toolLabel(tool), saved ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = toolDescription(tool, disabled);
    const ambiguous = node.server.entry.connection.isAmbiguousTool(tool.name);
    item.iconPath = ambiguous ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : toolIcon(hints, disabled);
    if (ambiguous) item.description = 'different tools share this name: not called';
    // `tool.saved`: Run Saved Call… in its menu only when it has saved calls.
    item.contextValue = disabled ? 'tool.disabled' : ambiguous ? 'tool.ambiguous' : saved ? 'tool.saved' : 'tool';
    const md = untrustedMarkdown();
    flagHidden(item, md, tool.name, tool.title, tool.annotations?.title);
    // The name in a fenced block: a code span ends at a blank line, and what follows would render as markdown.
    md.appendMarkdown(`**${escapeMarkdown(toolLabel(tool), NAME_MAX)}**\n\n${codeBlock(tool.name, 'text', NAME_MAX)}\n\n`);
    if (hasApp(tool)) md.appendMarkdown('Has an interactive app: running it opens the app beside the result, in a sandbox.\n\n');
    if (hints.length) md.appendMarkdown(`Server's hints (not verified): ${hints.join(', ')}\n\n`);
    if (disabled) md.appendMarkdown('Disabled in config (`disabledTools`).\n\n');
    if (ambiguous) md.appendMarkdown('The server lists different tools under this name. MCP Host does not call it: a call by name could run either.\n\n');
    if (tool.description) md.appendMarkdown(`${escapeMarkdown(tool.description, DESCRIPTION_MAX)}\n\n`);
    const summary = schemaSummary(tool.inputSchema);
    md.appendMarkdown(summary.length ? `Arguments (* = required):\n\n${codeBlock(summary.map(l => cut(l, NAME_MAX)).join('\n'), 'text', DESCRIPTION_MAX)}` : 'No arguments.');
    item.tooltip = md;
    // The node itself, not `{ server, tool }`: only a node counts as a call from the tree.
    if (!disabled && !ambiguous) item.command = { command: Commands.runTool, title: 'Run Tool', arguments: [node] };
    return item;
  }

  private resourceItem(node: ResourceNode): vscode.TreeItem {
    const r = node.resource;
    const item = new vscode.TreeItem(r.title ?? r.name, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = r.uri;
    item.iconPath = resourceIcon(r.mimeType);
    item.contextValue = 'resource';
    const md = untrustedMarkdown();
    flagHidden(item, md, r.name, r.title, r.uri);
    md.appendMarkdown(`**${escapeMarkdown(r.title ?? r.name, NAME_MAX)}**\n\n${codeBlock(r.uri, 'text', NAME_MAX)}\n\n`);
    const facts = [r.mimeType, typeof r.size === 'number' ? `${r.size} bytes` : undefined].filter(Boolean).join(' · ');
    if (facts) md.appendMarkdown(`${escapeMarkdown(facts, NAME_MAX)}\n\n`);
    if (r.description) md.appendMarkdown(escapeMarkdown(r.description, DESCRIPTION_MAX));
    item.tooltip = md;
    const arg: ResourceArg = { server: node.server.name, uri: r.uri, name: r.name, ...(r.mimeType ? { mimeType: r.mimeType } : {}) };
    item.command = { command: Commands.openResource, title: 'Open Resource', arguments: [arg] };
    return item;
  }

  private templateItem(node: TemplateNode): vscode.TreeItem {
    const t = node.template;
    const item = new vscode.TreeItem(t.title ?? t.name, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = t.uriTemplate;
    item.iconPath = new vscode.ThemeIcon('symbol-variable');
    item.contextValue = 'resourceTemplate';
    const md = untrustedMarkdown();
    flagHidden(item, md, t.name, t.title, t.uriTemplate);
    md.appendMarkdown(`**${escapeMarkdown(t.title ?? t.name, NAME_MAX)}**\n\n${codeBlock(t.uriTemplate, 'text', NAME_MAX)}\n\n`);
    if (t.mimeType) md.appendMarkdown(`${escapeMarkdown(t.mimeType, NAME_MAX)}\n\n`);
    if (t.description) md.appendMarkdown(`${escapeMarkdown(t.description, DESCRIPTION_MAX)}\n\n`);
    md.appendMarkdown('Click to fill in its variables and open the resource.');
    item.tooltip = md;
    const arg: TemplateArg = { server: node.server.name, uriTemplate: t.uriTemplate };
    item.command = { command: Commands.openResourceTemplate, title: 'Open Resource Template', arguments: [arg] };
    return item;
  }

  private promptItem(node: PromptNode): vscode.TreeItem {
    const p = node.prompt;
    const item = new vscode.TreeItem(promptLabel(p), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = promptDescription(p);
    item.iconPath = new vscode.ThemeIcon('comment');
    item.contextValue = 'prompt';
    const md = untrustedMarkdown();
    flagHidden(item, md, p.name, p.title);
    md.appendMarkdown(`**${escapeMarkdown(promptLabel(p), NAME_MAX)}**\n\n${codeBlock(p.name, 'text', NAME_MAX)}\n\n`);
    if (p.description) md.appendMarkdown(`${escapeMarkdown(p.description, DESCRIPTION_MAX)}\n\n`);
    const args = (p.arguments ?? []).slice(0, ARGUMENTS_MAX).map(a => `${cut(a.name, NAME_MAX)}${a.required ? '*' : ''}${a.description ? ` — ${oneLine(a.description, 70)}` : ''}`);
    if ((p.arguments?.length ?? 0) > ARGUMENTS_MAX) args.push(`… ${p.arguments!.length - ARGUMENTS_MAX} more`);
    md.appendMarkdown(args.length ? `Arguments (* = required):\n\n${codeBlock(args.join('\n'), 'text', DESCRIPTION_MAX)}` : 'No arguments.');
    item.tooltip = md;
    item.command = { command: Commands.usePrompt, title: 'Use Prompt', arguments: [{ server: node.server.name, prompt: p.name }] };
    return item;
  }

  private resourcePageItem(node: ResourcePageNode): vscode.TreeItem {
    // Folded: the newest page's resources are in the group itself.
    const item = new vscode.TreeItem(`${count(node.start + 1)}–${count(node.end)}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.description = `page ${node.page + 1}`;
    item.iconPath = new vscode.ThemeIcon('files');
    item.contextValue = 'resourcePage';
    item.tooltip = `Resources ${count(node.start + 1)} to ${count(node.end)}, page ${node.page + 1} of the server's list`;
    return item;
  }

  private loadMoreItem(node: LoadMoreNode): vscode.TreeItem {
    const name = node.server.name;
    const pages = this.model.resources(name);
    const bulk = this.model.isLoadingAll(name);
    const busy = node.all ? bulk : pages.loading && !bulk;
    const label = node.all ? (bulk ? 'Loading all…' : 'Load all') : busy ? 'Loading…' : 'Load more…';
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.all && !bulk ? `up to ${count(LOAD_ALL_CAP)} more` : `${count(pages.items.length)} loaded`;
    item.iconPath = new vscode.ThemeIcon(busy ? 'loading~spin' : node.all ? 'cloud-download' : 'fold-down');
    item.contextValue = node.all ? 'loadAll' : 'loadMore';
    // The node, not the server's name: a click from the tree shows where the new page starts (registerServersView).
    item.command = node.all
      ? { command: Commands.loadAllResources, title: 'Load All Resources', arguments: [node] }
      : { command: Commands.loadMoreResources, title: 'Load More Resources', arguments: [node] };
    return item;
  }

  private infoItem(node: InfoNode): vscode.TreeItem {
    const info = node.info;
    const item = new vscode.TreeItem(info.label, info.lines?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (info.description) item.description = info.description;
    const color = INFO_COLOR[info.icon];
    item.iconPath = new vscode.ThemeIcon(info.icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = info.command ? 'action' : 'info';
    if (info.detail) {
      const md = untrustedMarkdown();
      md.appendMarkdown(codeBlock(info.detail));
      item.tooltip = md;
    }
    if (info.command) item.command = { command: info.command.id, title: info.command.title, arguments: [...info.command.arguments] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

/** "Load all": every page up to the cap, with progress in a notification that can cancel it; says why it stopped. */
async function loadAllResources(model: ServersTreeModel, name: string): Promise<LoadAllResult> {
  const before = model.resources(name).items.length;
  const result = await withProgress(
    { location: vscode.ProgressLocation.Notification, title: safe`Loading the resources of '${name}'`, cancellable: true },
    (progress, token) => model.loadAllResources(name, { onProgress: n => progress.report({ message: safe`${count(n)} loaded` }), isCancelled: () => token.isCancellationRequested }),
  );
  if (result.ended === 'cap') {
    void showInformationMessage(safe`Loaded ${count(result.loaded - before)} more resources of '${name}' (${count(result.loaded)} in all); the server has more. Run Load All again to continue.`);
  }
  return result;
}

/** The folder of the pages between the first and the newest: their range, folded (a folder per page inside). */
function earlierPagesItem(node: EarlierPagesNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`${count(node.start + 1)}–${count(node.end)}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.description = `pages ${node.from + 1}–${node.to + 1}`;
  item.iconPath = new vscode.ThemeIcon('folder-library');
  item.contextValue = 'resourcePages';
  item.tooltip = `Resources ${count(node.start + 1)} to ${count(node.end)}, pages ${node.from + 1} to ${node.to + 1} of the server's list: a folder per page`;
  return item;
}

/** Where the tree reads saved calls (McpHost.savedCalls). */
export interface SavedCallSource {
  forTool(server: string, tool: string): readonly SavedCall[];
  onDidChange(listener: () => void): { dispose(): void };
}

const NO_SAVED_CALLS: SavedCallSource = { forTool: () => [], onDidChange: () => ({ dispose: () => undefined }) };

/** A saved call under its tool: its name, where it is saved, its arguments in the tooltip; a click runs it (through consent). */
function savedCallItem(node: SavedCallNode): vscode.TreeItem {
  const call = node.call;
  const item = new vscode.TreeItem(call.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const where = call.scope === 'workspace' ? 'this workspace' : 'all your workspaces';
  item.description = [call.scope === 'workspace' ? 'workspace' : 'user', call.leftOut.length ? 'asks for secrets' : undefined].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon('bookmark');
  item.contextValue = 'savedCall';
  const md = untrustedMarkdown();
  md.appendMarkdown(`**${escapeMarkdown(call.name)}**: saved call of ${escapeMarkdown(toolLabel(node.tool.tool))} (${where})\n\n`);
  if (call.leftOut.length) md.appendMarkdown(`Not saved (secrets), asked for at each run: ${escapeMarkdown(call.leftOut.join(', '))}\n\n`);
  md.appendMarkdown(`Arguments:\n\n${codeBlock(JSON.stringify(call.args, null, 2), 'json')}\n\nClick to run it (consent is asked as for any call).`);
  item.tooltip = md;
  item.accessibilityInformation = { label: `Saved call ${call.name} of ${toolLabel(node.tool.tool)}, saved for ${where}` };
  item.command = { command: Commands.runSavedCall, title: 'Run Saved Call', arguments: [node] };
  return item;
}

export interface ServersView {
  readonly model: ServersTreeModel;
  readonly provider: ServersTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
}

export function registerServersView(store: DisposableStore, registry: ServerRegistry, savedCalls?: SavedCallSource): ServersView {
  const model = store.add(new ServersTreeModel(registry));
  const provider = store.add(new ServersTreeProvider(model, savedCalls));
  const view = store.add(vscode.window.createTreeView(Views.servers, { treeDataProvider: provider, showCollapseAll: true }));
  // Where a page's measure starts (TREE_PAGE_MEASURE): whether VS Code shows the Resources group when the list arrives.
  store.add(view.onDidCollapseElement(e => provider.folded(e.element)));
  store.add(view.onDidChangeVisibility(e => e.visible || provider.folded(undefined)));
  const updateContext = () => void vscode.commands.executeCommand('setContext', ContextKeys.hasServers, registry.servers.length > 0);
  store.add(registry.onDidChangeServers(updateContext));
  updateContext();
  // From a node (the tree, its context menu) or a server name (tests, other commands).
  const serverOf = (arg: string | LoadMoreNode | GroupNode) => (typeof arg === 'string' ? arg : arg?.server.name);
  store.add(
    vscode.commands.registerCommand(Commands.loadMoreResources, async (arg: string | LoadMoreNode | GroupNode) => {
      const name = serverOf(arg);
      if (!name) return;
      const from = model.resources(name).items.length;
      // The view's progress bar while the page is on its way (and the group's children wait for it: see onModelChange).
      await withProgress({ location: { viewId: Views.servers } }, () => model.loadMoreResources(name));
      // From the tree (its "Load more…" row, the group's menu): show where the new resources start.
      if (typeof arg !== 'string') await provider.revealPage(view, name, from);
    }),
  );
  store.add(
    vscode.commands.registerCommand(Commands.loadAllResources, (arg: string | LoadMoreNode | GroupNode) => {
      const name = serverOf(arg);
      return name ? loadAllResources(model, name) : undefined;
    }),
  );
  return { model, provider, view };
}
