import * as vscode from 'vscode';
import { DisposableStore, toDisposable } from '../common/disposable';
import { inertLine, joinSafe, safe, type SafeText } from '../common/untrustedText';
import type { CallOrigin, GatedCallResult } from '../consent/types';
import { Commands } from '../ids';
import { buildFormAsync } from '../forms/schemaForm';
import { fillForm, requiredDefaults } from '../forms/formFlow';
import { prefersEditor } from '../forms/formEditor';
import { readEditorPreference } from '../ui/forms/editorPreference';
import type { McpHost } from '../workspace/mcpHost';
import { keepCutValues, PANEL_BUDGET } from '../mcp/resultBudget';
import { commandUri, renderResultHtml, resultTitle, toolResultView, type RenderOptions, type ToolInfo, ToolResultView } from '../ui/results/resultHtml';
import type { PanelCall, ResultPanels } from '../ui/results/resultPanel';
import { ToolNode } from '../ui/tree/nodes';
import { hasApp, HINT_ICON, oneLine, toolHints, toolLabel } from '../ui/tree/treeText';
import * as ui from '../ui/window';
import { revealBeside, type AppPanels, type AppRun, type AppView } from '../ui/apps/appPanels';
import { progressReporter, taskReporter, type ProgressDialog } from './callProgress';
import type { PaletteDialogs } from './palette';
import { DETAIL_MAX, type PickGroup } from './itemPicker';
import { ambiguousToolMessage } from '../mcp/duplicates';
import { saveCall } from './savedCalls';

/** A tool to run: a tree node, `{ server, tool }` from code, or picked in the palette. */
export interface ToolTarget {
  readonly server: string;
  readonly tool: string;
}

/** How "Run Tool…" ended; returned by the command, so tests (and callers) see exactly what happened. */
export type RunToolOutcome =
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'unavailable'; readonly message: string }
  /** The arguments did not match the schema and were not corrected: nothing was sent. */
  | { readonly kind: 'invalid'; readonly message: string }
  | {
      readonly kind: 'sent';
      readonly args: Record<string, unknown>;
      readonly result: GatedCallResult;
      readonly view: ToolResultView;
      readonly html: string;
      /** The tool's app, when it has one and the call was sent (it opens as the call starts); `failed` says why it is not shown. */
      readonly app?: { readonly view: AppView } | { readonly failed: string };
    };

/** What `showToolResult` takes: a gated call's result and the tool it came from (the history's re-run uses it). */
export interface ShowToolResultArgs extends ToolTarget {
  readonly result: GatedCallResult;
  readonly title?: string;
  readonly args?: Record<string, unknown>;
}

/** Shows results in the panel; set while the palette commands are registered. */
let resultShower: ((arg: ShowToolResultArgs) => Promise<{ view: ToolResultView; html: string }>) | undefined;

/** A call sent again with arguments already known (the result panel's Run Again, the history's, a saved call). */
export interface CallAgainArgs extends ToolTarget {
  readonly args: Record<string, unknown>;
  readonly origin: CallOrigin;
  readonly title?: string;
  readonly savedCall?: string;
  /** The progress notification's title. */
  readonly progress: SafeText;
}

/** What a call sent again came to: the gated result, and the tool's app when it has one (as for Run Tool…). */
export interface CallAgainOutcome {
  readonly result: GatedCallResult;
  /** The result panel's page for it, as shown. */
  readonly html: string;
  readonly app?: { readonly view: AppView } | { readonly failed: string };
}

/** Sends calls again; set while the palette commands are registered. */
let callSender: ((dialog: ProgressDialog, arg: CallAgainArgs) => Promise<CallAgainOutcome>) | undefined;

/**
 * Sends a call again through the consent gate and shows it as Run Tool… does: the tool's app (if it has one)
 * opens once the call is allowed and gets the new result, and the result panel shows it, whatever the outcome.
 */
export function sendCallAgain(dialog: ProgressDialog, arg: CallAgainArgs): Promise<CallAgainOutcome> {
  if (!callSender) throw new Error('The result panel is not available.');
  return callSender(dialog, arg);
}

/**
 * Shows a gated call's result (the history's re-run, saved calls, chat's "Open Result" use it). A function, not a
 * public command: a command would let any extension show a result of its making as if a server had sent it.
 * Test mode registers `mcpHost.showToolResult` on it (src/extension.ts).
 */
export function showToolResult(arg: ShowToolResultArgs): Promise<{ view: ToolResultView; html: string }> {
  if (!resultShower) throw new Error('The result panel is not available.');
  return resultShower(arg);
}

export function registerRunTool(store: DisposableStore, host: McpHost, dialogs: () => PaletteDialogs, panels: ResultPanels, apps: AppPanels): void {
  store.add(vscode.commands.registerCommand(Commands.runTool, (arg?: unknown) => runTool(host, dialogs(), panels, apps, toTarget(arg))));
  resultShower = arg => showResult(host, panels, arg);
  callSender = (dialog, arg) => sendAgain(host, panels, apps, dialog, arg);
  store.add(toDisposable(() => ((resultShower = undefined), (callSender = undefined))));
}

/**
 * What the argument names, and who asked. Only a node of our tree (its click command passes the node) is a
 * call from the tree: a plain `{ server, tool }` can come from any extension through `executeCommand`, and
 * the consent dialog and history must not credit it to the sidebar. `CallOrigin` has no value for "another
 * extension", so such calls count as `palette`, the command API they came through.
 */
function toTarget(arg: unknown): { target: ToolTarget; origin: CallOrigin } | undefined {
  if (arg instanceof ToolNode) return { target: { server: arg.server.name, tool: arg.tool.name }, origin: 'tree' };
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { server, tool } = arg as { server?: unknown; tool?: unknown };
  return typeof server === 'string' && typeof tool === 'string' ? { target: { server, tool }, origin: 'palette' } : undefined;
}

/** Each server's tools, named as the tree names them: the label, then the name, the hints and any warnings. */
function toolGroups(host: McpHost): PickGroup<ToolTarget>[] {
  const groups = new Map<string, PickGroup<ToolTarget> & { items: Array<PickGroup<ToolTarget>['items'][number]> }>();
  for (const t of host.registry.catalog()) {
    const connection = host.registry.get(t.server)?.connection;
    const mask = (text: string) => connection?.mask(text) ?? text;
    const group = groups.get(t.server) ?? { label: inertLine(t.server), items: [] };
    groups.set(t.server, group);
    const label = toolLabel(t.tool);
    // Hint and warning icons are ours; the tool's own name, title and description are made inert. The name is there
    // even when it is the label: VS Code filters the label and the description each on its own, so "calc base" finds
    // calc's untitled `base` only when the description (its server, then this) holds both words (walk14).
    const parts = [
      inertLine(t.tool.name),
      ...(hasApp(t.tool) ? [safe`$(window) app`] : []),
      ...toolHints(t.tool).map(h => safe`$(${HINT_ICON[h]}) ${h}`),
      ...t.warnings.map(w => safe`$(alert) ${w}`),
    ];
    const detail = oneLine(mask(t.tool.description ?? ''), DETAIL_MAX);
    group.items.push({
      label: inertLine(label),
      ...(parts.length ? { description: joinSafe(parts, '  ') } : {}),
      ...(detail ? { detail: inertLine(detail) } : {}),
      value: { server: t.server, tool: t.tool.name },
    });
  }
  return [...groups.values()];
}

async function runTool(host: McpHost, dialogs: PaletteDialogs, panels: ResultPanels, apps: AppPanels, given: { target: ToolTarget; origin: CallOrigin } | undefined): Promise<RunToolOutcome> {
  let target = given?.target;
  const origin: CallOrigin = given?.origin ?? 'palette';
  if (!target) {
    const groups = toolGroups(host);
    if (groups.length === 0) {
      const message = 'No running MCP server offers tools. Start a server in the MCP Host view, or add one with "MCP Host: Add Server…".';
      void ui.showInformationMessage(inertLine(message));
      return { kind: 'unavailable', message };
    }
    target = await dialogs.pickItem({ title: safe`MCP Host: Run Tool`, placeholder: safe`Run which tool? (type to filter by name or description)`, groups });
    if (!target) return { kind: 'dismissed' };
  }
  const entry = host.registry.get(target.server);
  const tool = host.registry.runningTool(target.server, target.tool);
  if (!entry || !tool) {
    const message = !entry
      ? `No MCP server named '${target.server}' is configured.`
      : entry.connection.state.kind !== 'running'
        ? `Server '${target.server}' is not running; start it first.`
        : `Server '${target.server}' has no tool named '${target.tool}'.`;
    void ui.showErrorMessage(inertLine(message));
    return { kind: 'unavailable', message };
  }
  const connection = entry.connection;
  if (connection.isAmbiguousTool(tool.name)) {
    // Before the form: the gate would refuse it anyway (a call by this name could run either tool).
    const message = ambiguousToolMessage(target.server, target.tool);
    void ui.showErrorMessage(inertLine(message));
    return { kind: 'unavailable', message };
  }
  const mask = (text: string) => connection.mask(text);
  const label = toolLabel(tool);

  const form = await buildFormAsync(tool.inputSchema);
  void form.schemaProblemAsync().then(problem => problem && ui.showWarningMessage(safe`${label}: ${problem}`));
  const formTitle = `${label} on '${target.server}'`;
  // In the editor the values can also be saved under a name (the form stays open).
  const save = async (values: Record<string, unknown>) => {
    const saved = await saveCall(host, dialogs, { server: target.server, tool: tool.name, title: label, args: values, schema: tool.inputSchema });
    return saved && `Saved as '${saved.name}'${saved.leftOut.length ? `, without ${saved.leftOut.join(', ')} (secrets)` : ''}.`;
  };
  const filled = prefersEditor(readEditorPreference(), tool.inputSchema, form) ? await dialogs.editForm({ title: formTitle, ...(tool.description ? { description: mask(tool.description) } : {}), schema: tool.inputSchema, form, initial: requiredDefaults(form), save }) : await fillForm(dialogs, form, formTitle);
  if (filled.kind === 'dismissed') return { kind: 'dismissed' };
  if (filled.kind === 'invalid') {
    const message = `Not sent: the arguments for '${label}' do not match its input schema. ${filled.message}`;
    void ui.showErrorMessage(inertLine(message));
    return { kind: 'invalid', message: filled.message };
  }

  const args = filled.args;
  // The app opens once the call is allowed, with the input; it gets the result (or the cancellation) at the end.
  let appRun: AppRun | undefined;
  const onStart = hasApp(tool) ? () => void (appRun = apps.begin({ server: target.server, tool, args })) : undefined;
  const result = await dialogs.showCallProgress(safe`Running '${label}' on '${target.server}'`, (progress, signal, started) =>
    host.gate.call({ server: target.server, tool: target.tool, args, origin, signal, onProgress: progressReporter(progress, mask), onTask: taskReporter(progress, mask), onStart: () => (started(), onStart?.()) }),
  );
  // Only a result that is shown gets the page's actions (a denied call is said in a notification).
  const actions = result.kind === 'completed' ? panelActions(panels, { server: target.server, tool: tool.name, title: label, args }) : undefined;
  const { view, html } = await renderResult(host, result, { server: target.server, tool: tool.name, title: label }, args, mask, actions);
  const app = appRun ? await finishApp(appRun, result, label) : undefined;
  switch (result.kind) {
    case 'completed':
      panels.show(panelKey(target), resultTitle(view), html);
      if (app && 'view' in app) revealBeside(app.view);
      break;
    case 'denied':
    case 'cancelled':
      void ui.showInformationMessage(safe`${label}: ${view.message}`);
      break;
    case 'failed': {
      // The notification shows the start of the server's error; the log keeps all of it.
      connection.log.warn(`Tool '${tool.name}' failed: ${view.message ?? ''}`);
      const showLog = 'Show Log';
      // A call cut short by an expired sign-in: the way on is signing in again (walk16).
      const signIn = connection.state.kind === 'needsSignIn' ? 'Sign In' : undefined;
      void ui.showErrorMessage(safe`${label} failed: ${view.message}`, ...(signIn ? [signIn, showLog] : [showLog])).then(a => {
        if (a === showLog) host.showLog(target.server);
        else if (signIn !== undefined && a === signIn) void connection.signIn();
      });
      break;
    }
  }
  return { kind: 'sent', args, result, view, html, ...(app ? { app } : {}) };
}

async function sendAgain(host: McpHost, panels: ResultPanels, apps: AppPanels, dialog: ProgressDialog, call: CallAgainArgs): Promise<CallAgainOutcome> {
  const mask = (text: string) => host.registry.get(call.server)?.connection.mask(text) ?? text;
  const tool = host.registry.runningTool(call.server, call.tool);
  // As Run Tool…: the app opens once the call is allowed, with the input; it gets the result (or the cancellation) at the end.
  let appRun: AppRun | undefined;
  const onStart = tool && hasApp(tool) ? () => void (appRun = apps.begin({ server: call.server, tool, args: call.args })) : undefined;
  const result = await dialog.showCallProgress(call.progress, (progress, signal, started) =>
    host.gate.call({
      server: call.server,
      tool: call.tool,
      args: call.args,
      origin: call.origin,
      ...(call.savedCall !== undefined ? { savedCall: call.savedCall } : {}),
      signal,
      onStart: () => (started(), onStart?.()),
      onProgress: progressReporter(progress, mask),
      onTask: taskReporter(progress, mask),
    }),
  );
  const { html } = await showResult(host, panels, { server: call.server, tool: call.tool, ...(call.title ? { title: call.title } : {}), result, args: call.args });
  const app = appRun ? await finishApp(appRun, result, call.title ?? call.tool) : undefined;
  if (app && 'view' in app && result.kind === 'completed') revealBeside(app.view);
  return { result, html, ...(app ? { app } : {}) };
}

/** Gives the app how the call ended; a refused or unreadable app is reported, the result stays. */
async function finishApp(run: AppRun, result: GatedCallResult, label: string): Promise<{ view: AppView } | { failed: string }> {
  const app = await run.finish(result);
  if ('failed' in app) void ui.showWarningMessage(safe`${label}: its app could not be shown. ${app.failed}`);
  return app;
}

function panelKey(target: ToolTarget): string {
  return `tool\u0000${target.server}\u0000${target.tool}`;
}

/** "Run Again" and "Save Call…" for the page about to be shown. */
function panelActions(panels: ResultPanels, call: PanelCall): RenderOptions['actions'] {
  const token = panels.remember(call);
  return { runAgain: commandUri(Commands.runResultAgain, { call: token }), saveCall: commandUri(Commands.saveResultCall, { call: token }) };
}

/** Shows any gated call's result in the result panel, whatever its outcome. */
async function showResult(host: McpHost, panels: ResultPanels, arg: ShowToolResultArgs): Promise<{ view: ToolResultView; html: string }> {
  const connection = host.registry.get(arg.server)?.connection;
  const mask = connection ? (text: string) => connection.mask(text) : (text: string) => text;
  const tool = connection?.tool(arg.tool);
  const title = arg.title ?? (tool ? toolLabel(tool) : undefined);
  const actions = arg.args ? panelActions(panels, { server: arg.server, tool: arg.tool, ...(title ? { title } : {}), args: arg.args }) : undefined;
  const rendered = await renderResult(host, arg.result, { server: arg.server, tool: arg.tool, ...(title ? { title } : {}) }, arg.args, mask, actions);
  panels.show(panelKey(arg), resultTitle(rendered.view), rendered.html);
  return rendered;
}

/**
 * The panel's view of a result: a preview within the panel's budget, whatever the result's size; what it
 * leaves out is kept on disk first (if the connection did not already), so the panel can link to it.
 */
async function renderResult(
  host: McpHost,
  result: GatedCallResult,
  info: ToolInfo,
  args: Record<string, unknown> | undefined,
  mask: (text: string) => string,
  actions?: RenderOptions['actions'],
): Promise<{ view: ToolResultView; html: string }> {
  let saved = result.kind === 'completed' ? result.outcome.saved : undefined;
  if (result.kind === 'completed') {
    saved = await keepCutValues(host.resultFiles, result.outcome.result, PANEL_BUDGET, saved, mask).catch(err => {
      console.error(`MCP Host: could not keep a large result on disk: ${(err as Error).message}`);
      return saved;
    });
  }
  const view = toolResultView(result, info, args, mask, saved ? { saved } : {});
  return { view, html: renderResultHtml(view, { openResourceCommand: Commands.openResource, openValueCommand: Commands.openResultValue, ...(actions ? { actions } : {}) }) };
}
