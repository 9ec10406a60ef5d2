import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import { Commands } from '../../../src/ids';
import { PromptNode, ToolNode, type GroupNode, type InfoNode, type ServerNode, type TreeNode } from '../../../src/ui/tree/nodes';
import type { ServersTreeProvider } from '../../../src/ui/tree/serversView';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { activateHost, everythingServer, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { recordPerfMark } from '../perf';
import { expectLogEntry, report, until } from '../util';

const fixture = (name: string) => repoPath('out', 'test', 'fixtures', 'servers', `${name}.js`);
const node = process.execPath;
const quote = (s: string) => JSON.stringify(s);

/**
 * The servers tree, status bar and "Add Server…" in the real extension host, against real servers: the paging
 * fixture with 10,000 resources (page size 100), server-everything, and a server that fails to start.
 */
describe('servers tree', function () {
  this.timeout(90_000);
  let api: Required<McpHostApi>;
  let host: McpHost;
  let provider: ServersTreeProvider;
  const dialogs = new ScriptedDialogs();
  const config = workspaceFile('.vscode', 'mcp.json');
  const fired: Array<TreeNode | undefined> = [];

  const state = (name: string) => host.registry.get(name)?.connection.state.kind;
  const item = (n: TreeNode) => provider.getTreeItem(n);
  const label = (n: TreeNode) => {
    const l = item(n).label;
    return typeof l === 'string' ? l : l?.label;
  };
  const server = async (name: string) => (await provider.getChildren()).find(n => n.kind === 'server' && n.name === name) as ServerNode | undefined;
  const group = async (name: string, kind: GroupNode['group']) => {
    const s = await server(name);
    return (await provider.getChildren(s)).find(n => n.kind === 'group' && n.group === kind) as GroupNode | undefined;
  };
  const run = (command: vscode.Command | undefined) => vscode.commands.executeCommand(command!.command, ...(command!.arguments ?? []));
  const callTool = (server: string, tool: string, args: Record<string, unknown>) => host.gate.call({ server, tool, args, origin: 'tree' });
  const pagingPages = () => api.serversView.model.resources('paging');

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    provider = api.serversView.provider;
    provider.onDidChangeTreeData(e => fired.push(e ?? undefined));
  });

  it('starts with no server: the welcome view shows, the status bar is hidden', async () => {
    assert.deepStrictEqual(await provider.getChildren(), []);
    assert.strictEqual(api.statusBar.text, '');
  });

  it('"Add Server…" writes a valid entry into .vscode/mcp.json, keeps its comments, and opens it at the entry', async () => {
    await writeFile(config, '{\n  // Servers for the tree tests\n  "servers": {}\n}\n');
    const everything = await vscode.commands.executeCommand<vscode.Uri>(Commands.addServer, { answers: { kind: 'command', commandLine: `${quote(node)} ${quote(everythingServer())}` }, name: 'everything' });
    assert.strictEqual(everything?.toString(), config.toString());
    const added = await vscode.commands.executeCommand<vscode.Uri>(Commands.addServer, {
      answers: { kind: 'command', commandLine: `${quote(node)} ${quote(fixture('paging'))} --resources 10000 --page-size 100` },
      name: 'paging',
    });
    assert.ok(added);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    assert.match(text, /\/\/ Servers for the tree tests/);
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.toString(), config.toString());
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /"paging"/);
    const refused = await vscode.commands.executeCommand(Commands.addServer, { answers: { kind: 'npm', package: 'x' }, name: 'paging' });
    assert.strictEqual(refused, undefined, 'a taken name must be refused');
    // §7: the command's argument comes from whoever called it; the user is asked, and a no writes nothing.
    assert.deepStrictEqual(dialogs.serversFromCallers.map(s => s.name), ['everything', 'paging']);
    dialogs.addServerFromCaller = false;
    const before = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    const declined = await vscode.commands.executeCommand(Commands.addServer, { answers: { kind: 'http', url: 'https://x.example/mcp?api_key=sk-caller-123' }, name: 'from-caller' });
    dialogs.addServerFromCaller = true;
    assert.strictEqual(declined, undefined);
    assert.deepStrictEqual(dialogs.serversFromCallers.at(-1), { name: 'from-caller', summary: 'https://x.example/mcp?api_key=${input:from-caller-url-api_key}', file: '.vscode/mcp.json' });
    assert.strictEqual(new TextDecoder().decode(await vscode.workspace.fs.readFile(config)), before);
    await until(() => state('everything') === 'running' && state('paging') === 'running', 'both added servers to run', 30_000);
  });

  it('shows each server with its state, tool count, origin, command line and instructions', async () => {
    const paging = (await server('paging'))!;
    const i = item(paging);
    assert.strictEqual(i.description, `running · ${host.registry.get('paging')!.connection.tools.length} tools`);
    assert.strictEqual(i.contextValue, 'server.running stop restart showLog openConfig');
    assert.strictEqual(i.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.strictEqual((i.iconPath as vscode.ThemeIcon).id, 'circle-filled');
    const tooltip = (provider.resolveTreeItem(i, paging).tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /From \\\.vscode\/mcp\\\.json/);
    assert.ok(tooltip.includes('--page-size 100'), tooltip);
    assert.match(tooltip, /Server instructions:\n\n```text\nFixture server for MCP Host tests/);
  });

  it('groups a running server\'s offer, each with a count: the resources\' comes with their first page, listed when the group shows', async () => {
    const paging = (await server('paging'))!;
    const groups = (await provider.getChildren(paging)) as GroupNode[];
    assert.deepStrictEqual(groups.map(label), ['Tools', 'Resources', 'Resource Templates', 'Prompts']);
    const c = host.registry.get('paging')!.connection;
    assert.strictEqual(api.serversView.model.resources('paging').pagesLoaded, 0, 'resources were listed before the group showed');
    assert.deepStrictEqual(groups.map(g => item(g).description), [String(c.tools.length), '…', String(c.resourceTemplates.length), String(c.prompts.length)]);
    await until(() => api.serversView.model.resources('paging').pagesLoaded === 1, 'the first page of resources');
    assert.strictEqual(item(groups[1]!).description, '100+');
    assert.match(String(item(groups[1]!).tooltip), /^100 resources loaded; the server has more/);
  });

  it('shows tools with their hints, a schema summary and the command that runs them, and prompts with their arguments', async () => {
    const tools = await provider.getChildren(await group('paging', 'tools'));
    const byName = (name: string) => tools.find(t => t.kind === 'tool' && t.tool.name === name)!;
    const mutate = item(byName('mutate'));
    assert.strictEqual(mutate.label, 'Mutate lists');
    assert.match(String(mutate.description), /^destructive · /);
    assert.strictEqual((mutate.iconPath as vscode.ThemeIcon).id, 'warning');
    const echo = item(byName('echo'));
    assert.match(String(echo.description), /^read-only · /);
    const tooltip = (echo.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /not verified/);
    assert.match(tooltip, /text\*: string — Text to echo back/);
    assert.strictEqual(echo.command?.command, Commands.runTool);
    assert.strictEqual(echo.command.arguments?.length, 1);
    assert.strictEqual(echo.command.arguments[0], byName('echo'), 'the click command must pass the tool node, which marks the call as the tree’s');
    const greet = (await provider.getChildren(await group('paging', 'prompts'))).find(n => n.kind === 'prompt' && n.prompt.name === 'greet')!;
    assert.strictEqual(item(greet).description, '(language*, name) Greets someone in a language (completable)');
    assert.strictEqual(item(greet).command?.command, Commands.usePrompt);
    assert.deepStrictEqual(item(greet).command?.arguments, [{ server: 'paging', prompt: 'greet' }]);
  });

  it('shows a hostile tool or prompt name as text in its tooltip, never as links or images', async () => {
    const paging = (await server('paging'))!;
    const name = 'x`\n\n[click me](https://example.com/steal) ![img](https://example.com/i.png) <b>bold</b>';
    /** The tooltip without its fenced code blocks, where markdown is not rendered. */
    const outsideCode = (md: vscode.MarkdownString) => md.value.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    const tool = item(new ToolNode(paging, { name, title: 'Hostile', inputSchema: { type: 'object' } })).tooltip as vscode.MarkdownString;
    const prompt = item(new PromptNode(paging, { name, title: 'Hostile' })).tooltip as vscode.MarkdownString;
    for (const md of [tool, prompt]) {
      assert.ok(md.value.includes(name), 'the name is not shown as it is');
      assert.doesNotMatch(outsideCode(md), /\]\(|<b>/, md.value);
      assert.strictEqual(md.isTrusted, false);
      assert.strictEqual(md.supportHtml, false);
    }
  });

  it('pages 10,000 resources: the first page and "Load more…", then the next page on demand', async () => {
    const resources = (await group('paging', 'resources'))!;
    const connection = host.registry.get('paging')!.connection;
    const original = connection.listResourcesPage.bind(connection);
    // The first page may be there already: the group's count asks for it as soon as the group shows.
    let requests = api.serversView.model.resources('paging').pagesLoaded;
    connection.listResourcesPage = cursor => (requests++, original(cursor));
    try {
      const first = await provider.getChildren(resources);
      assert.strictEqual(first.length, 102);
      assert.strictEqual(first.filter(n => n.kind === 'resource').length, 100);
      const [more, all] = first.slice(-2);
      assert.deepStrictEqual([more!.kind, label(more!), all!.kind, label(all!)], ['loadMore', 'Load more…', 'loadMore', 'Load all']);
      assert.strictEqual(item(all!).description, 'up to 10,000 more');
      assert.strictEqual(item(resources).description, '100+');
      const readme = first.find(n => n.kind === 'resource' && n.resource.uri === 'fixture://static/readme.md')!;
      assert.deepStrictEqual(item(readme).command?.command, Commands.openResource);

      fired.length = 0;
      await run(item(more!).command);
      assert.ok(fired.includes(resources), 'loading a page must refresh the Resources group');
      // The second page's resources in the group itself, after a folder of the first page (folded); the actions stay last.
      const second = await provider.getChildren(resources);
      assert.deepStrictEqual([second.length, second.filter(n => n.kind === 'resource').length], [103, 100]);
      assert.deepStrictEqual(second.map(n => n.kind).slice(0, 2), ['resourcePage', 'resource']);
      assert.deepStrictEqual(second.map(n => n.kind).slice(-3), ['resource', 'loadMore', 'loadMore']);
      const page = second[0]!;
      assert.deepStrictEqual([label(page), item(page).description, item(page).collapsibleState], ['1–100', 'page 1', vscode.TreeItemCollapsibleState.Collapsed]);
      assert.ok(second[1]!.kind === 'resource' && pagingPages().items.indexOf(second[1]!.resource) === 100, 'the group lists the second page from its first resource');
      assert.strictEqual(provider.getParent(second[1]!), resources);
      // The first page is still there, in its folder (what reveal climbs through).
      const firstPage = await provider.getChildren(page);
      assert.strictEqual(firstPage.filter(n => n.kind === 'resource').length, 100);
      assert.ok(firstPage.includes(readme), 'the first page\'s folder holds its resources, the same nodes');
      assert.strictEqual(provider.getParent(readme), page);
      assert.strictEqual(item(resources).description, '200+');
      assert.strictEqual(requests, 2, `the server was asked for ${requests} pages`);
    } finally {
      connection.listResourcesPage = original;
    }
  });

  it('refreshes only the affected server or group on list_changed', async () => {
    const paging = (await server('paging'))!;
    const tools = (await group('paging', 'tools'))!;
    const promptsGroup = (await group('paging', 'prompts'))!;
    const resources = (await group('paging', 'resources'))!;
    await provider.getChildren(tools);

    // A click on the tool node runs it: the form takes the schema's defaults (list "tools", action "add"), consent says once.
    const mutate = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'mutate')!;
    fired.length = 0;
    dialogs.toolCallsAsked.length = 0;
    await run(item(mutate).command);
    assert.deepStrictEqual(dialogs.toolCallsAsked.map(r => [r.tool, r.origin]), [['mutate', 'tree']]);
    await until(() => fired.includes(paging), 'the paging server node to refresh');
    assert.ok(!fired.includes(undefined), 'a tool list change must not refresh the whole tree');
    const toolNames = (await provider.getChildren(tools)).map(n => (n.kind === 'tool' ? n.tool.name : ''));
    assert.ok(toolNames.some(n => /^dynamic_tool_\d+$/.test(n)), toolNames.join(', '));
    assert.match(String(item(paging).description), new RegExp(`running · ${toolNames.length} tools`));

    fired.length = 0;
    await callTool('paging', 'mutate', { list: 'prompts', action: 'add' });
    await until(() => fired.includes(promptsGroup), 'the Prompts group to refresh');
    assert.ok(!fired.includes(paging) && !fired.includes(undefined), 'a prompt list change must refresh only its group');
    assert.ok((await provider.getChildren(promptsGroup)).some(n => n.kind === 'prompt' && /^dynamic_prompt_\d+$/.test(n.prompt.name)));

    fired.length = 0;
    await callTool('paging', 'mutate', { list: 'resources', action: 'add' });
    await until(() => fired.includes(resources), 'the Resources group to refresh');
    assert.strictEqual(api.serversView.model.resources('paging').pagesLoaded, 0, 'the stale pages were kept');
    assert.strictEqual((await provider.getChildren(resources)).filter(n => n.kind === 'resource').length, 100, 'the list starts again from its first page');
  });

  // A page's measure (TREE_PAGE_MEASURE in src/ui/tree): from its list's arrival (or, if the Resources group was
  // folded then, from VS Code asking for the group's children when it is unfolded) until VS Code has the tree item of
  // its last resource.
  type PageMeasure = { page: number; ms: number; own: number; from: string; startTime: number; items: number; asked: number; lists: number; waited: boolean };
  const pageMeasure = async (page: number, after: number) => {
    type Measure = { startTime: number; duration: number; detail?: { page?: number; ownMs?: number; from?: string; items?: number; asked?: number; lists?: number; waited?: boolean } };
    const found = await until(
      () => performance.getEntriesByName('mcpHost.treePage', 'measure').find(m => (m as Measure).detail?.page === page && m.startTime > after) as Measure | undefined,
      `the tree's measure of page ${page}`,
    );
    const d = found!.detail;
    return { page, ms: found!.duration, own: d?.ownMs ?? NaN, from: d?.from ?? '?', startTime: found!.startTime, items: d?.items ?? NaN, asked: d?.asked ?? NaN, lists: d?.lists ?? NaN, waited: d?.waited ?? false } satisfies PageMeasure;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const show = (ms: number[], own: number[], waited?: boolean[]) =>
    `${median(ms).toFixed(1)} ms (${ms.map(o => o.toFixed(1)).join(', ')}; our code ${median(own).toFixed(2)} ms${waited ? `; VS Code waiting at the arrival ${waited.filter(Boolean).length} of ${waited.length}` : ''})`;
  /** Resources the paging server lists: 10,000 generated, its two static ones, and one per `mutate` add. */
  let listed = 10_003;
  /** The list changes on the server (a resource more): the tree drops its pages and lists the first page again. */
  const changeList = async () => {
    const before = performance.now();
    assert.strictEqual((await callTool('paging', 'mutate', { list: 'resources', action: 'add' })).kind, 'completed');
    listed++;
    return before;
  };

  it('shows the first page of 10,000 resources when its list arrives (group open) or when the group is unfolded, and "Load all" from there reaches the end of 10,000', async () => {
    const model = api.serversView.model;
    const resources = (await group('paging', 'resources'))!;
    await vscode.commands.executeCommand('workbench.view.extension.mcpHost');
    await api.serversView.view.reveal(resources, { expand: true });
    await until(() => model.resources('paging').pagesLoaded === 1, 'the first page');
    // The group is open in VS Code: each list change makes VS Code ask for the group again, and the page's list
    // arrives while it waits (or just before). Seven samples; the first warms up.
    const open: PageMeasure[] = [];
    for (let k = 0; k < 7; k++) open.push(await pageMeasure(1, await changeList()));
    // Folded when the list arrives (its server open: the group's count lists the first page): the user waits from
    // unfolding it.
    const fold = async () => {
      await api.serversView.view.reveal(resources, { select: true, focus: true });
      await vscode.commands.executeCommand('list.collapse');
    };
    const folded: PageMeasure[] = [];
    for (let k = 0; k < 3; k++) {
      await fold();
      const before = await changeList();
      // The group's count lists the first page although it is folded (its tree item is drawn again).
      await until(() => model.resources('paging').pagesLoaded === 1 && (model.resources('paging').arrivedAt ?? 0) > before, 'the first page, folded');
      await new Promise(r => setTimeout(r, 300));
      const unfolded = performance.now();
      await api.serversView.view.reveal(resources, { expand: true });
      const m = await pageMeasure(1, before);
      assert.ok(m.startTime >= unfolded, 'the measure of a page listed while its group was folded starts when it is unfolded');
      folded.push(m);
    }
    assert.deepStrictEqual([...open.map(m => m.from), ...folded.map(m => m.from)], [...open.map(() => 'arrival'), ...folded.map(() => 'unfolded')]);
    report(`first page → VS Code has its tree items: list arrived, group open ${show(open.slice(1).map(m => m.ms), open.slice(1).map(m => m.own), open.slice(1).map(m => m.waited))}; group unfolded after ${show(folded.map(m => m.ms), folded.map(m => m.own))}`);
    recordPerfMark('treeFirstPage', median(open.slice(1).map(m => m.ms)));
    recordPerfMark('treeFirstPageOwn', median(open.slice(1).map(m => m.own)));
    recordPerfMark('treeFirstPageUnfolded', median(folded.map(m => m.ms)));

    // "Load all" on the fresh list, from its first page, with the tree open: 100 more pages while VS Code draws.
    const shown = api.shownTexts!.length;
    const drawn: TreeNode[] = [];
    const getTreeItem = provider.getTreeItem.bind(provider);
    provider.getTreeItem = n => (drawn.push(n), getTreeItem(n));
    let loadAllS: number;
    let drawnS: number;
    try {
      const started = performance.now();
      const result = await vscode.commands.executeCommand<{ loaded: number; ended: string }>(Commands.loadAllResources, 'paging');
      loadAllS = (performance.now() - started) / 1000;
      assert.deepStrictEqual(result, { loaded: listed, ended: 'complete' });
      const last = model.resources('paging').items.at(-1);
      await until(() => drawn.some(n => n.kind === 'resource' && n.resource === last), 'VS Code to draw the last page');
      drawnS = (performance.now() - started) / 1000;
    } finally {
      provider.getTreeItem = getTreeItem;
    }
    const pages = model.resources('paging');
    assert.deepStrictEqual([pages.pagesLoaded, pages.items.length, pages.nextCursor], [101, listed, undefined]);
    report(`"Load all" from page 1 to the end of ${listed.toLocaleString('en-US')} resources: ${loadAllS.toFixed(1)} s (VS Code had the last page's items ${drawnS.toFixed(1)} s after the click); ${drawn.filter(n => n.kind === 'resource').length} resource items asked for meanwhile`);
    recordPerfMark('treeLoadAllS', loadAllS);
    // Its notification: the title, then the count as it grows, ending at the whole list.
    const progress = api.shownTexts!.slice(shown).filter(t => t.kind === 'progress').map(t => t.text);
    assert.strictEqual(progress[0], "Loading the resources of 'paging'");
    assert.strictEqual(progress.at(-1), `${listed.toLocaleString('en-US')} loaded`);
    assert.ok(progress.length >= 50, `${progress.length} progress texts`);
    const counts = progress.slice(1).map(t => Number(t.replace(/ loaded$/, '').replace(/,/g, '')));
    assert.ok(counts.every((n, i) => i === 0 || n > counts[i - 1]!), progress.join(' | '));
    // The group at the end: a folder of the first page, one of pages 2–100, the last page's resources, nothing left to load.
    assert.strictEqual(item(resources).description, listed.toLocaleString('en-US'));
    const children = await provider.getChildren(resources);
    assert.deepStrictEqual(children.map(n => n.kind), ['resourcePage', 'earlierPages', ...Array.from({ length: listed - 10_000 }, () => 'resource')]);
    assert.deepStrictEqual(children.slice(0, 2).map(n => `${label(n)} · ${item(n).description}`), ['1–100 · page 1', '101–10,000 · pages 2–100']);
    assert.ok(children.slice(0, 2).every(n => item(n).collapsibleState === vscode.TreeItemCollapsibleState.Collapsed), 'earlier pages show folded');
    assert.ok(children[2]!.kind === 'resource' && model.resources('paging').items.indexOf(children[2]!.resource) === 10_000);
    assert.strictEqual((await provider.getChildren(children[1]!)).length, 99);
  });

  it('loads a page at the same cost however many came before, as VS Code draws it, and as the first page', async () => {
    const model = api.serversView.model;
    const resources = (await group('paging', 'resources'))!;
    // A fresh list again, its first page drawn (the group is open).
    const fresh = await changeList();
    const firstPage = await pageMeasure(1, fresh);
    // What VS Code asks the provider for is what it draws and sends to the window: count it per page, and keep when
    // it first asked for each resource (timed here, not by the 100 ms poll below, which would round every page up).
    const drawn: TreeNode[] = [];
    const firstAsked = new Map<object, number>();
    const getTreeItem = provider.getTreeItem.bind(provider);
    provider.getTreeItem = n => {
      drawn.push(n);
      if (n.kind === 'resource' && !firstAsked.has(n.resource)) firstAsked.set(n.resource, performance.now());
      return getTreeItem(n);
    };
    const modelCosts: PageMeasure[] = [];
    const costs: Array<{ page: number; items: number; older: number; ms: number }> = [];
    // VS Code sends a tree's refreshes at most one per 200 ms (the first at once, later ones 200 ms after the last): a
    // page's arrival refreshes the group's own row (its count) just after VS Code has the page, so a click within
    // 200 ms of it would wait. A user reads the new page before the next click; the test waits for that refresh, then 400 ms.
    const settle = () => new Promise(r => setTimeout(r, 400));
    await settle();
    // A page loaded as a user does (Load more…, VS Code draws it), timed, with what VS Code drew for it counted.
    const loadMore = async (page: number) => {
      drawn.length = 0;
      fired.length = 0;
      const started = performance.now();
      await vscode.commands.executeCommand(Commands.loadMoreResources, 'paging');
      // The group refreshed first, at the click (VS Code asks for its children, which wait for the page): not the
      // action for a spinner, which would hold the page's refresh 200 ms.
      assert.strictEqual(fired[0], resources, `page ${page}: the tree refreshed ${fired.map(n => n?.kind ?? 'everything').join(', ')}`);
      const pages = model.resources('paging');
      const last = pages.items[pages.items.length - 1];
      const ms = (await until(() => firstAsked.get(last!), `VS Code to draw page ${page}`)) - started;
      modelCosts.push(await pageMeasure(page, started));
      // Whatever else VS Code asks for this page arrives with it or just after: the group's count refresh draws the
      // page again (on a busy machine up to seconds later; then the next click is not held behind it).
      await until(() => drawn.filter(n => n.kind === 'resource' && n.resource === last).length >= 2, `the group's count refresh after page ${page}`, 5_000).catch(() => undefined);
      await settle();
      // Resources drawn from pages before the previous one (whose count refresh may come late on a busy machine).
      const since = pages.pageStarts.at(-2) ?? 0;
      const older = drawn.filter(n => n.kind === 'resource' && (pages.seen.get(n.resource.uri) ?? 0) < since).length;
      costs.push({ page, items: drawn.filter(n => n.kind === 'resource').length, older, ms });
    };
    try {
      // Pages 2–15 and 92–100 as a user loads them; the ones between straight from the model (the tree refreshes
      // as they come, as for "Load all"), so the last nine are measured with 91 pages loaded before them. Pages
      // 2–6 warm up (the first ones run our code before the JIT has compiled it: 2–7 ms against 1.5–2 ms after).
      // Nine pages a side: one page's 1.5 ms of our code is at the mercy of a GC or a busy core.
      for (let page = 2; page <= 15; page++) await loadMore(page);
      // Page 16 as a click on the "Load more…" row does it (the row's own command, with the view shown): the page's
      // first resource is selected and focused, under the group's row (revealed), the earlier pages in folders.
      const from = model.resources('paging').items.length;
      const more = (await provider.getChildren(resources)).find(n => n.kind === 'loadMore' && label(n) === 'Load more…')!;
      await run(item(more).command);
      const selected = await until(() => api.serversView.view.selection[0], 'the first new resource to be selected');
      assert.ok(selected.kind === 'resource' && selected.resource === model.resources('paging').items[from], `selected: ${selected.kind} ${label(selected)}`);
      assert.strictEqual(provider.getParent(selected), resources);
      assert.deepStrictEqual(
        (await provider.getChildren(resources)).slice(0, 3).map(n => `${n.kind} ${label(n)}`),
        ['resourcePage 1–100', 'earlierPages 101–1,500', `resource ${label(selected)}`],
      );
      await until(() => item(resources).description === '1,600+', 'the group to count 1,600+');
      await settle();
      while (model.resources('paging').pagesLoaded < 91) await model.loadMoreResources('paging');
      // Until VS Code has drawn what those refreshes asked for (its refresh waits 200 ms after the last change): the
      // newest page's last resource, which only the last refresh has, then nothing more for 500 ms.
      const newest = model.resources('paging').items.at(-1);
      await until(() => drawn.some(n => n.kind === 'resource' && n.resource === newest), 'VS Code to draw page 91');
      for (let asked = -1; asked !== drawn.length; ) {
        asked = drawn.length;
        await new Promise(r => setTimeout(r, 500));
      }
      for (let page = 92; page <= 100; page++) await loadMore(page);
    } finally {
      provider.getTreeItem = getTreeItem;
    }
    const firstCosts = costs.filter(c => c.page >= 7 && c.page <= 15);
    const lastCosts = costs.filter(c => c.page >= 92);
    report(`resources drawn per "Load more…": pages 7–15 ${firstCosts.map(c => c.items).join(', ')} (median ${median(firstCosts.map(c => c.ms)).toFixed(0)} ms), pages 92–100 ${lastCosts.map(c => c.items).join(', ')} (median ${median(lastCosts.map(c => c.ms)).toFixed(0)} ms)`);
    recordPerfMark('treePageFirst', median(firstCosts.map(c => c.ms)));
    recordPerfMark('treePageLast', median(lastCosts.map(c => c.ms)));
    // Medians of nine pages each.
    const warmUp = modelCosts.filter(m => m.page >= 2 && m.page <= 6);
    const firstModel = modelCosts.filter(m => m.page >= 7 && m.page <= 15);
    const lastModel = modelCosts.filter(m => m.page >= 92);
    assert.ok(modelCosts.every(m => m.from === 'arrival'), 'a Load more… page is measured from its arrival (the group is open)');
    report(
      `Load more… page list arrived → VS Code has its tree items: pages 2–6 ${show(
        warmUp.map(m => m.ms),
        warmUp.map(m => m.own),
      )}, pages 7–15 ${show(
        firstModel.map(m => m.ms),
        firstModel.map(m => m.own),
        firstModel.map(m => m.waited),
      )}, pages 92–100 ${show(
        lastModel.map(m => m.ms),
        lastModel.map(m => m.own),
        lastModel.map(m => m.waited),
      )}`,
    );
    recordPerfMark('treeMoreFirst', median(firstModel.map(m => m.ms)));
    recordPerfMark('treeMoreLast', median(lastModel.map(m => m.ms)));
    recordPerfMark('treeOwnFirst', median(firstModel.map(m => m.own)));
    recordPerfMark('treeOwnLast', median(lastModel.map(m => m.own)));
    // Until VS Code has the page's items it asks for one children list, the group's, which waited for the page (or
    // came just after it), and the tree items of the page's resources and the two folders before them (and of the
    // group itself when its refresh came after the page): as for the first page, which comes in the group's children
    // too. (With the newest page in a folder of its own it asked for two lists, the folder's after the group's, and
    // ~205 items: the first page's resources again.)
    report(`until VS Code has the page's items: first page ${firstPage.lists} list, ${firstPage.asked} items for ${firstPage.items}; Load more… pages ${modelCosts.map(m => `${m.lists}/${m.asked}`).join(', ')} (lists/items)`);
    assert.deepStrictEqual([firstPage.lists, firstPage.asked], [1, firstPage.items], 'the first page');
    recordPerfMark('treeFirstAsked', firstPage.asked);
    recordPerfMark('treeMoreAsked', median(lastModel.map(m => m.asked)));
    recordPerfMark('treeMoreLists', median(lastModel.map(m => m.lists)));
    for (const m of modelCosts) {
      assert.strictEqual(m.lists, 1, `page ${m.page}: VS Code asked for ${m.lists} children lists before it had the page's items`);
      // The page's resources, the two folders, and the group's own row when the page came before VS Code asked for it.
      assert.ok(m.asked <= m.items + 3, `page ${m.page}: VS Code asked for ${m.asked} tree items for a page of ${m.items}`);
    }
    // The new page's resources (and again for the group's count, just after): never the pages before it. (With the
    // first page's resources in the group, VS Code drew them again at every page.)
    for (const c of costs) assert.strictEqual(c.older, 0, `page ${c.page}: VS Code drew ${c.older} resources of earlier pages (${c.items} in all)`);
    // At page 100 the group holds what it held at page 4: a folder of the first page, one of the pages between, the newest page's resources, the actions.
    const at100 = await provider.getChildren(resources);
    assert.deepStrictEqual([at100.length, at100.filter(n => n.kind === 'resource').length], [104, 100]);
    assert.deepStrictEqual(at100.map(n => n.kind).slice(0, 3), ['resourcePage', 'earlierPages', 'resource']);
    assert.deepStrictEqual(at100.map(n => n.kind).slice(-2), ['loadMore', 'loadMore']);
    assert.match(`${label(at100[1]!)} · ${item(at100[1]!).description}`, /^101–[\d,]+ · pages 2–99$/);
    const earlier = await provider.getChildren(at100[1]!);
    assert.strictEqual(earlier.length, 98);
    assert.strictEqual(provider.getParent((await provider.getChildren(earlier[0]!))[0]!), earlier[0]);
    assert.strictEqual(provider.getParent(earlier[0]!), at100[1]);
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('does not hold the tree while a server is slow to list: the group shows "Loading…" or "Listing resources…", then the page when it comes', async () => {
    const model = api.serversView.model;
    const resources = (await group('paging', 'resources'))!;
    const connection = host.registry.get('paging')!.connection;
    const original = connection.listResourcesPage.bind(connection);
    const gates: Array<() => void> = [];
    connection.listResourcesPage = async cursor => (await new Promise<void>(r => gates.push(r)), original(cursor));
    // VS Code refreshes nothing else in the view while it waits for a node's children: they must come without the page.
    const children = () => Promise.race([provider.getChildren(resources), new Promise<'held'>(r => setTimeout(() => r('held'), 5_000))]);
    try {
      const loaded = model.resources('paging').items.length;
      void vscode.commands.executeCommand(Commands.loadMoreResources, 'paging');
      await until(() => gates.length === 1, 'the next page to be asked for');
      const waiting = await children();
      if (waiting === 'held') assert.fail('the group\'s children waited for a page that does not come');
      assert.deepStrictEqual(waiting.slice(-2).map(label), ['Loading…', 'Load all']);
      fired.length = 0;
      gates.shift()!();
      await until(() => fired.includes(resources), 'the page\'s arrival to refresh the group');
      assert.ok(model.resources('paging').items.length > loaded);

      // The first page of a changed list, the same.
      await changeList();
      await until(() => model.resources('paging').pagesLoaded === 0, 'the list to be dropped');
      const listing = await children();
      assert.strictEqual(gates.length, 1, 'the first page was not asked for');
      if (listing === 'held') assert.fail('the group\'s children waited for a first page that does not come');
      assert.deepStrictEqual(listing.map(label), ['Listing resources…']);
      fired.length = 0;
      gates.shift()!();
      await until(() => fired.includes(resources), 'the first page\'s arrival to refresh the group');
      assert.strictEqual((await provider.getChildren(resources)).filter(n => n.kind === 'resource').length, 100);
    } finally {
      connection.listResourcesPage = original;
      for (const open of gates) open();
    }
  });

  it('measures the pages of two servers paging at once each on its own (they shared one measure: the later page replaced the earlier)', async () => {
    const model = api.serversView.model;
    // Every page measure as it is recorded (the tree keeps only the latest under its name).
    const measured: Array<{ server?: string; page?: number; items?: number; loaded?: number }> = [];
    const observer = new PerformanceObserver(list => {
      for (const e of list.getEntriesByName('mcpHost.treePage')) measured.push((e as unknown as { detail: (typeof measured)[number] }).detail);
    });
    observer.observe({ entryTypes: ['measure'] });
    // A second paging server, beside the first.
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    const parsed = JSON.parse(original.replace(/^\s*\/\/.*$/gm, ''));
    parsed.servers.paging2 = { command: node, args: [fixture('paging'), '--resources', '1000', '--page-size', '100'] };
    await writeFile(config, JSON.stringify(parsed, null, 2));
    try {
      await until(() => state('paging2') === 'running', 'paging2 to run');
      await until(() => server('paging2'), 'the paging2 server node');
      const servers = ['paging', 'paging2'];
      const groups = new Map<string, GroupNode>();
      for (const name of servers) {
        const g = (await group(name, 'resources'))!;
        groups.set(name, g);
        // Shown (its children asked for), with its first page.
        await provider.getChildren(g);
        await until(() => model.resources(name).pagesLoaded >= 1 && !model.resources(name).loading, `${name}'s first page`);
        assert.ok(model.resources(name).nextCursor !== undefined, `${name} has one page only`);
      }
      measured.length = 0;
      const pagesBefore = new Map(servers.map(n => [n, model.resources(n).pagesLoaded]));
      // Both pages on their way at once, and both arrived before either is drawn.
      await Promise.all(servers.map(n => model.loadMoreResources(n)));
      // Drawn as VS Code draws a group: its children, then their items in order.
      for (const name of servers) for (const child of await provider.getChildren(groups.get(name)!)) provider.getTreeItem(child);
      await until(() => servers.every(n => measured.some(m => m.server === n)), `a measure of each server's page (measured: ${JSON.stringify(measured)})`, 10_000);
      for (const name of servers) {
        const m = measured.find(x => x.server === name)!;
        const pages = model.resources(name);
        assert.deepStrictEqual([m.page, m.loaded, m.items], [pagesBefore.get(name)! + 1, pages.items.length, pages.items.length - pages.pageStarts.at(-1)!], `${name}: ${JSON.stringify(m)}`);
      }
    } finally {
      observer.disconnect();
      await writeFile(config, original);
      await until(() => state('paging2') === undefined, 'paging2 to go');
    }
  });

  it('flags a server that lists two tools under one name or two resources under one URI, and never calls the name two different tools share', async () => {
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    const parsed = JSON.parse(original.replace(/^\s*\/\/.*$/gm, ''));
    parsed.servers.dupes = { command: node, args: [fixture('misbehave'), '--duplicates'] };
    await writeFile(config, JSON.stringify(parsed, null, 2));
    try {
      await until(() => state('dupes') === 'running', 'dupes to run');
      const dupes = (await until(() => server('dupes'), 'the dupes server node'))!;
      const tools = await provider.getChildren((await group('dupes', 'tools'))!);
      assert.deepStrictEqual(tools.map(label), ['echo', 'flood'], 'each name once');
      const echo = item(tools[0]!);
      assert.deepStrictEqual([echo.contextValue, echo.command, echo.description], ['tool.ambiguous', undefined, 'different tools share this name: not called']);
      assert.strictEqual(item(tools[1]!).contextValue, 'tool');

      // The resources' duplicate is found when they are listed (the group's count lists the first page).
      const resources = (await group('dupes', 'resources'))!;
      assert.deepStrictEqual((await provider.getChildren(resources)).filter(n => n.kind === 'resource').map(label), ['first', 'other']);
      fired.length = 0;
      const warnings = await until(async () => {
        const lines = (await provider.getChildren(dupes)).filter(n => n.kind === 'info').map(n => [label(n), (item(n).iconPath as vscode.ThemeIcon).id]);
        return lines.length === 3 ? lines : undefined;
      }, 'three warning lines on the server');
      assert.deepStrictEqual(warnings, [
        ["2 different tools named 'echo': MCP Host will not call it (it cannot tell which one the server would run)", 'warning'],
        ["2 identical tools named 'flood': shown once", 'warning'],
        ["2 different resources with URI 'misbehave://same': only the first is shown", 'warning'],
      ]);

      // Not from the tree, the palette, or any other caller of the gate: nothing reaches the server.
      dialogs.toolCallsAsked.length = 0;
      const outcome = await vscode.commands.executeCommand<{ kind: string; message?: string }>(Commands.runTool, { server: 'dupes', tool: 'echo' });
      assert.deepStrictEqual(outcome, { kind: 'unavailable', message: "Server 'dupes' lists different tools named 'echo'; MCP Host does not call it, since a call by name could run either." });
      const gated = await callTool('dupes', 'echo', { text: 'x' });
      assert.deepStrictEqual([gated.kind, 'message' in gated ? gated.message : undefined], ['failed', "Server 'dupes' lists different tools named 'echo'; MCP Host does not call it, since a call by name could run either."]);
      assert.strictEqual(dialogs.toolCallsAsked.length, 0, 'consent was asked for a call that cannot be made');
      assert.strictEqual((await callTool('dupes', 'flood', { count: 0 })).kind, 'completed');
    } finally {
      await writeFile(config, original);
      await until(() => state('dupes') === undefined, 'dupes to go');
    }
  });

  it('shows a server that fails to start with its message, stderr and actions, and the status bar counts it', async () => {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    const parsed = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
    parsed.servers.broken = { command: node, args: [fixture('crash'), '--when', 'before-init', '--code', '3'] };
    expectLogEntry(/^MCP broken: \[error\] Failed to start: The server exited with code 3/);
    await writeFile(config, JSON.stringify(parsed, null, 2));
    await until(() => state('broken') === 'error', 'broken to fail');
    const broken = (await until(() => server('broken'), 'the broken server node'))!;
    const i = item(broken);
    // Restart (and Stop while an automatic restart is due), as the status bar's pick offers.
    assert.match(i.contextValue ?? '', /^server\.error (stop )?restart showLog openConfig$/);
    assert.strictEqual(i.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const children = (await provider.getChildren(broken)) as InfoNode[];
    const labels = children.map(label);
    const s = host.registry.get('broken')!.connection.state;
    assert.ok(s.kind === 'error');
    assert.strictEqual(labels[0], s.message.split('\n')[0]);
    assert.ok(labels.some(l => l?.startsWith('stderr: ')), labels.join(' | '));
    // The message names the exit code, so no second row says it again.
    assert.match(labels[0] ?? '', /exited with code 3/);
    assert.ok(!labels.some(l => l?.startsWith('Process ended with')), labels.join(' | '));
    const stderr = children.find(c => label(c)?.startsWith('stderr: '))!;
    assert.deepStrictEqual((await provider.getChildren(stderr)).map(label), [...s.stderrTail]);
    assert.deepStrictEqual(item(children.find(c => label(c) === 'Show Log')!).command?.arguments, ['broken']);
    assert.strictEqual(item(children.find(c => label(c) === 'Open Config')!).command?.command, Commands.openServerConfig);

    await until(() => api.statusBar.text === '$(plug) MCP 2/3 $(error) 1', `the status bar to count the failure (it says ${api.statusBar.text})`);
    assert.ok(api.statusBar.backgroundColor instanceof vscode.ThemeColor);
    assert.strictEqual((api.statusBar.backgroundColor as vscode.ThemeColor).id, 'statusBarItem.warningBackground');
    const tooltip = (api.statusBar.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /broken — error/);
    assert.match(tooltip, /paging — running · \d+ tools/);
  });

  it('"Open Config" from an error node opens the file at the server\'s entry', async () => {
    const broken = (await server('broken'))!;
    const open = (await provider.getChildren(broken)).find(c => label(c) === 'Open Config')!;
    await run(item(open).command);
    const editor = vscode.window.activeTextEditor!;
    assert.strictEqual(editor.document.uri.toString(), config.toString());
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /"broken"/);
  });

  it('goes back to the welcome view and hides the status bar when no server is left', async () => {
    await writeFile(config, '{ "servers": {} }');
    await until(async () => (await provider.getChildren()).length === 0, 'the tree to empty');
    await until(() => api.statusBar.text === '', 'the status bar to clear');
    // What the tree remembers per server goes with it (it kept each removed server's last state).
    assert.deepStrictEqual([...(provider as unknown as { shownKinds: Map<string, unknown> }).shownKinds.keys()], []);
  });
});
