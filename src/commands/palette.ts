import { DisposableStore } from '../common/disposable';
import { registerResultDocuments } from '../ui/results/resultDocuments';
import { ResultPanels } from '../ui/results/resultPanel';
import type { McpHost } from '../workspace/mcpHost';
import { registerReadResource } from './readResource';
import { registerRunTool } from './runTool';
import { registerUsePrompt } from './usePrompt';

/** "Run Tool…", "Use Prompt…", "Read Resource…", the result panels they share and the documents those link to. */
export function registerPaletteCommands(store: DisposableStore, host: McpHost): void {
  const panels = store.add(new ResultPanels());
  registerResultDocuments(store, host.resultFiles);
  registerRunTool(store, host, panels);
  registerUsePrompt(store, host, panels);
  registerReadResource(store, host);
}
