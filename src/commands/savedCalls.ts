import * as vscode from 'vscode';
import { sendCallAgain } from './runTool';
import type { DisposableStore } from '../common/disposable';
import { inertLine, joinSafe, safe, type SafeText } from '../common/untrustedText';
import type { CallOrigin, GatedCallResult } from '../consent/types';
import type { FormEditorDialog } from '../forms/formEditor';
import { buildFormAsync } from '../forms/schemaForm';
import { withoutSecrets, type SavedCall, type SavedCallScope } from '../forms/savedCalls';
import { Commands } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import { SavedCallNode, ToolNode } from '../ui/tree/nodes';
import { oneLine, toolLabel, toolNamed } from '../ui/tree/treeText';
import * as ui from '../ui/window';
import type { ProgressDialog } from './callProgress';
import { DETAIL_MAX, type PickDialog, type PickGroup } from './itemPicker';

/** The questions saved calls ask: a name and scope to save under, and whether to delete one. */
export interface SavedCallDialog {
  askSaveCall(request: SaveCallRequest): Promise<{ readonly name: string; readonly scope: SavedCallScope } | undefined>;
  confirmDeleteSavedCall(call: SavedCall): Promise<boolean>;
}

export interface SaveCallRequest {
  /** "Create Entities on 'memory'". */
  readonly what: string;
  readonly suggestedName: string;
  /** Fields whose values will not be saved (secrets), as JSON pointers. */
  readonly leftOut: readonly string[];
}

export type SavedCallDialogs = SavedCallDialog & PickDialog & FormEditorDialog & ProgressDialog;

/** How running a saved call ended (returned by the command, for tests and callers). */
export type SavedCallOutcome =
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'sent'; readonly call: SavedCall; readonly args: Record<string, unknown>; readonly result: GatedCallResult };

/** What the save commands take: a history row (`{ id }`) or, from code, the call itself. */
export interface SaveCallArgs {
  readonly server: string;
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export function registerSavedCallCommands(store: DisposableStore, host: McpHost, dialogs: () => SavedCallDialogs): void {
  store.add(vscode.commands.registerCommand(Commands.runSavedCall, (arg?: unknown) => runSavedCall(host, dialogs(), arg)));
  store.add(vscode.commands.registerCommand(Commands.editSavedCall, (arg?: unknown) => editSavedCall(host, dialogs(), arg)));
  store.add(vscode.commands.registerCommand(Commands.deleteSavedCall, (arg?: unknown) => deleteSavedCall(host, dialogs(), arg)));
  store.add(vscode.commands.registerCommand(Commands.saveToolCall, (arg?: unknown) => saveHistoryCall(host, dialogs(), arg)));
}

/**
 * Asks for a name and scope and saves the arguments; says which secret fields were left out. Run Tool's
 * form editor ("Save…") and the history's "Save Call…" both come here. Returns what the page shows.
 */
export async function saveCall(host: McpHost, dialog: SavedCallDialog, call: { server: string; tool: string; title?: string; args: Readonly<Record<string, unknown>>; schema: unknown }): Promise<SavedCall | undefined> {
  const what = `${call.title ?? call.tool} on '${call.server}'`;
  const { leftOut } = withoutSecrets(call.schema, call.args);
  const answer = await dialog.askSaveCall({ what, suggestedName: call.title ?? call.tool, leftOut });
  if (!answer) return undefined;
  try {
    const saved = await host.savedCalls.save({ ...call, ...answer });
    void ui.showInformationMessage(savedMessage(saved, safe`Run it with "MCP Host: Run Saved Call…".`));
    return saved;
  } catch (err) {
    void ui.showErrorMessage(safe`Could not save the call: ${err}`);
    return undefined;
  }
}

/** "Saved 'x' (this workspace)." and, when secrets were left out, which. */
function savedMessage(saved: SavedCall, next?: SafeText): SafeText {
  return joinSafe(
    [
      safe`Saved '${saved.name}' (${scopeName(saved.scope)}).`,
      ...(next ? [next] : []),
      ...(saved.leftOut.length ? [safe`The values of ${saved.leftOut.join(', ')} were not saved (secrets); a run asks for them.`] : []),
    ],
    ' ',
  );
}

const scopeName = (scope: SavedCallScope) => (scope === 'workspace' ? 'this workspace' : 'all your workspaces');

/** The saved call an argument names: its tree node, or `{ scope, name }` from code; otherwise a pick (of one tool's calls, from a tool's node). */
async function chooseCall(host: McpHost, dialog: PickDialog, arg: unknown, verb: string): Promise<{ call: SavedCall; origin: CallOrigin } | undefined> {
  if (arg instanceof SavedCallNode) {
    // As stored now: the node may be older than an edit.
    const call = host.savedCalls.find(arg.call.scope, arg.call.name);
    if (!call) void ui.showErrorMessage(safe`The saved call '${arg.call.name}' was deleted.`);
    return call ? { call, origin: 'tree' } : undefined;
  }
  if (typeof arg === 'object' && arg !== null && !(arg instanceof ToolNode)) {
    const { scope, name } = arg as { scope?: unknown; name?: unknown };
    if ((scope === 'workspace' || scope === 'user') && typeof name === 'string') {
      const call = host.savedCalls.find(scope, name);
      if (!call) void ui.showErrorMessage(safe`There is no saved call named '${name}' (${scopeName(scope)}).`);
      return call ? { call, origin: 'palette' } : undefined;
    }
  }
  const node = arg instanceof ToolNode ? arg : undefined;
  const calls = node ? host.savedCalls.forTool(node.server.name, node.tool.name) : host.savedCalls.list();
  if (calls.length === 0) {
    const none = node ? safe`No saved calls for '${toolLabel(node.tool)}' yet.` : safe`No saved calls yet.`;
    void ui.showInformationMessage(joinSafe([none, safe`Fill a tool's form in the form editor and choose "Save…", or "Save Call…" on a row of the Tool Call History.`], ' '));
    return undefined;
  }
  const groups: PickGroup<SavedCall>[] = (['workspace', 'user'] as const)
    .map(scope => ({
      label: scope === 'workspace' ? safe`This workspace` : safe`All your workspaces`,
      items: calls.filter(c => c.scope === scope).map(c => ({
        label: inertLine(c.name),
        description: safe`${toolNamed(c.title, c.tool)} · ${c.server}`,
        detail: inertLine(oneLine(JSON.stringify(c.args), DETAIL_MAX) + (c.leftOut.length ? ` (asks for ${c.leftOut.join(', ')})` : '')),
        value: c,
      })),
    }))
    .filter(g => g.items.length > 0);
  const call = await dialog.pickItem({ title: safe`MCP Host: ${verb} Saved Call`, placeholder: safe`${verb} which saved call?`, groups });
  return call ? { call, origin: node ? 'tree' : 'palette' } : undefined;
}

/** The saved call's tool on its running server, or why not. */
/** The server's text with its secrets masked, as consent shows it. */
function maskFor(host: McpHost, server: string, text: string): string {
  const entry = host.registry.get(server);
  return entry ? entry.connection.mask(text) : text;
}

function toolOf(host: McpHost, call: SavedCall): { tool: NonNullable<ReturnType<typeof findTool>> } | { message: string } {
  const entry = host.registry.get(call.server);
  const tool = findTool(host, call);
  if (tool) return { tool };
  const message = !entry
    ? `'${call.name}' calls '${call.tool}' on '${call.server}', which is not configured here.`
    : entry.connection.state.kind !== 'running'
      ? `Server '${call.server}' is not running; start it first to use '${call.name}'.`
      : `Server '${call.server}' no longer has a tool named '${call.tool}'.`;
  return { message };
}

function findTool(host: McpHost, call: SavedCall) {
  return host.registry.runningTool(call.server, call.tool);
}

/**
 * Runs a saved call through the consent gate like any call. When secrets were left out, or the tool's
 * schema no longer accepts the saved values, the form editor opens on them first.
 */
async function runSavedCall(host: McpHost, dialogs: SavedCallDialogs, arg: unknown): Promise<SavedCallOutcome> {
  const chosen = await chooseCall(host, dialogs, arg, 'Run');
  if (!chosen) return { kind: 'dismissed' };
  const { call, origin } = chosen;
  const found = toolOf(host, call);
  if ('message' in found) {
    void ui.showErrorMessage(inertLine(found.message));
    return { kind: 'unavailable', message: found.message };
  }
  const label = toolLabel(found.tool);
  let args: Record<string, unknown> = { ...call.args };
  const form = await buildFormAsync(found.tool.inputSchema);
  if (call.leftOut.length > 0 || (await form.problemsAtAsync(args)).length > 0) {
    const why = call.leftOut.length > 0 ? 'enter the values that were not saved' : 'its saved values no longer fit the tool';
    const filled = await dialogs.editForm({ title: `${call.name}: ${label} on '${call.server}' (${why})`, ...(found.tool.description ? { description: maskFor(host, call.server, found.tool.description) } : {}), schema: found.tool.inputSchema, form, initial: args });
    if (filled.kind !== 'filled') return { kind: 'dismissed' };
    args = filled.args;
  }
  // As Run Tool…: a tool with an app opens it with the result.
  const { result } = await sendCallAgain(dialogs, { server: call.server, tool: call.tool, title: label, args, origin, savedCall: call.name, progress: safe`Running '${call.name}' (${label} on '${call.server}')` });
  return { kind: 'sent', call, args, result };
}

/** Opens a saved call in the form editor; submitting saves it (under the same name and scope). */
async function editSavedCall(host: McpHost, dialogs: SavedCallDialogs, arg: unknown): Promise<SavedCall | undefined> {
  const chosen = await chooseCall(host, dialogs, arg, 'Edit');
  if (!chosen) return undefined;
  const { call } = chosen;
  const found = toolOf(host, call);
  if ('message' in found) {
    void ui.showErrorMessage(inertLine(`Cannot edit it now: ${found.message}`));
    return undefined;
  }
  const label = toolLabel(found.tool);
  const filled = await dialogs.editForm({
    title: `Edit '${call.name}': ${label} on '${call.server}'`,
    ...(found.tool.description ? { description: maskFor(host, call.server, found.tool.description) } : {}),
    schema: found.tool.inputSchema,
    form: await buildFormAsync(found.tool.inputSchema),
    initial: call.args,
    submitLabel: 'Save',
  });
  if (filled.kind !== 'filled') return undefined;
  const saved = await host.savedCalls.save({ name: call.name, scope: call.scope, server: call.server, tool: call.tool, title: label, args: filled.args, schema: found.tool.inputSchema });
  void ui.showInformationMessage(savedMessage(saved));
  return saved;
}

async function deleteSavedCall(host: McpHost, dialogs: SavedCallDialogs, arg: unknown): Promise<boolean> {
  const chosen = await chooseCall(host, dialogs, arg, 'Delete');
  if (!chosen || !(await dialogs.confirmDeleteSavedCall(chosen.call))) return false;
  return host.savedCalls.remove(chosen.call.scope, chosen.call.name);
}

/** "Save Call…" on a history row: its arguments, when this window still has them whole. */
async function saveHistoryCall(host: McpHost, dialog: SavedCallDialog, arg: unknown): Promise<SavedCall | undefined> {
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : undefined;
  const entry = typeof id === 'string' ? (await host.history.list()).find(e => e.id === id) : undefined;
  const args = entry && host.history.argsForRerun(entry);
  if (!entry || !args) {
    void ui.showWarningMessage(safe`Only a call whose arguments this window still has whole can be saved: pick a call made in this window in the Tool Call History.`);
    return undefined;
  }
  const tool = findTool(host, { server: entry.server, tool: entry.tool } as SavedCall);
  // Without the tool's schema only secret-looking names are recognised; say nothing more than the store does.
  return saveCall(host, dialog, { server: entry.server, tool: entry.tool, ...(entry.title ? { title: entry.title } : {}), args, schema: tool?.inputSchema ?? {} });
}

export const savedCallDialog: SavedCallDialog = {
  async askSaveCall(request) {
    const secrets = request.leftOut.length ? ` The values of ${request.leftOut.join(', ')} are secrets and will not be saved.` : '';
    const name = await ui.showInputBox({
      title: safe`Save ${request.what}`,
      prompt: safe`A name for this call, to run it again with "MCP Host: Run Saved Call…".${secrets}`,
      value: request.suggestedName,
      validateInput: v => (v.trim() ? undefined : safe`Enter a name.`),
    });
    if (!name?.trim()) return undefined;
    const picked = await ui.showQuickPick(
      [
        { label: safe`This workspace`, description: safe`kept with this workspace`, scope: 'workspace' as const },
        { label: safe`All your workspaces`, description: safe`kept for you (user)`, scope: 'user' as const },
      ],
      { title: safe`Save '${name.trim()}' for`, placeHolder: safe`Where should '${name.trim()}' be available?` },
    );
    return picked ? { name: name.trim(), scope: picked.scope } : undefined;
  },
  async confirmDeleteSavedCall(call) {
    const del = 'Delete';
    const answer = await ui.showWarningMessage(safe`Delete the saved call '${call.name}' (${scopeName(call.scope)})?`, { modal: true }, del);
    return answer === del;
  },
};
