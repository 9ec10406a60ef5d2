import * as vscode from 'vscode';
import type { ProgressDialog } from '../../commands/callProgress';
import { sendCallAgain, type CallAgainOutcome } from '../../commands/runTool';
import { saveCall, type SavedCallDialog } from '../../commands/savedCalls';
import type { DisposableStore } from '../../common/disposable';
import { safe } from '../../common/untrustedText';
import type { SavedCall } from '../../forms/savedCalls';
import { Commands } from '../../ids';
import type { McpHost } from '../../workspace/mcpHost';
import { toolNamed } from '../tree/treeText';
import * as ui from '../window';
import type { PanelCall, ResultPanels } from './resultPanel';

/**
 * A result panel's "Run Again" and "Save Call…" (links on the page, `{ call: token }`): the call the page
 * shows, sent again through the consent gate like any call, or saved under a name. What the history row
 * offers, where the user is looking at the result.
 */
export function registerResultActions(store: DisposableStore, host: McpHost, dialogs: () => ProgressDialog & SavedCallDialog, panels: ResultPanels): void {
  const callOf = (arg: unknown): PanelCall | undefined => {
    const call = panels.callOf(typeof arg === 'object' && arg !== null ? (arg as { call?: unknown }).call : undefined);
    if (!call) void ui.showWarningMessage(safe`This result page's call is no longer kept: run it again from the Tool Call History or the Command Palette.`);
    return call;
  };
  store.add(vscode.commands.registerCommand(Commands.runResultAgain, (arg?: unknown) => runAgain(dialogs(), callOf(arg))));
  store.add(vscode.commands.registerCommand(Commands.saveResultCall, (arg?: unknown) => saveResultCall(host, dialogs(), callOf(arg))));
}

/**
 * Sends the page's call again with the same arguments (origin `result`), and shows the new result in the same
 * panel; a tool with an app opens its app with the new result, as running the tool does anywhere else.
 */
async function runAgain(dialog: ProgressDialog, call: PanelCall | undefined): Promise<CallAgainOutcome | undefined> {
  if (!call) return undefined;
  return sendCallAgain(dialog, {
    server: call.server,
    tool: call.tool,
    ...(call.title ? { title: call.title } : {}),
    args: call.args,
    origin: 'result',
    progress: safe`Running '${toolNamed(call.title, call.tool)}' on '${call.server}'`,
  });
}

/** Saves the page's arguments under a name; secret fields of the tool's schema are left out, as for any saved call. */
async function saveResultCall(host: McpHost, dialog: SavedCallDialog, call: PanelCall | undefined): Promise<SavedCall | undefined> {
  if (!call) return undefined;
  const tool = host.registry.runningTool(call.server, call.tool);
  return saveCall(host, dialog, { ...call, schema: tool?.inputSchema ?? {} });
}
