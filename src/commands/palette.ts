import * as vscode from 'vscode';
import { Commands } from '../ids';
import { DisposableStore } from '../common/disposable';
import { registerResultDocuments } from '../ui/results/resultDocuments';
import { registerResultActions } from '../ui/results/resultActions';
import { ResultPanels } from '../ui/results/resultPanel';
import type { McpHost } from '../workspace/mcpHost';
import type { FormDialog } from '../forms/formFlow';
import type { FormEditorDialog } from '../forms/formEditor';
import type { ProgressDialog } from './callProgress';
import type { PickDialog } from './itemPicker';
import { registerReadResource } from './readResource';
import { registerRunTool } from './runTool';
import { registerSavedCallCommands, type SavedCallDialog } from './savedCalls';
import { registerUsePrompt } from './usePrompt';
import { AppPanels, type AppDialog } from '../ui/apps/appPanels';

/** What the palette commands ask: which item, its arguments, a name to save them under, and Cancel while a call runs. */
export type PaletteDialogs = PickDialog & FormDialog & FormEditorDialog & ProgressDialog & SavedCallDialog;

/** "Run Tool…", saved calls, "Use Prompt…", "Read Resource…", the result panels they share, the documents those link to, and the tools' apps. */
export function registerPaletteCommands(store: DisposableStore, host: McpHost, dialogs: () => PaletteDialogs & AppDialog): { apps: AppPanels } {
  const panels = store.add(new ResultPanels());
  const apps = store.add(new AppPanels(host, dialogs));
  store.add(vscode.commands.registerCommand(Commands.closeApp, () => apps.closeActive()));
  registerResultDocuments(store, host.resultFiles);
  registerRunTool(store, host, dialogs, panels, apps);
  registerResultActions(store, host, dialogs, panels);
  registerSavedCallCommands(store, host, dialogs);
  registerUsePrompt(store, host, dialogs, panels);
  registerReadResource(store, host, dialogs);
  return { apps };
}
