import { DisposableStore } from '../common/disposable';
import { ResultPanels } from '../ui/results/resultPanel';
import type { McpHost } from '../workspace/mcpHost';
import { registerReadResource } from './readResource';
import { registerRunTool } from './runTool';
import { registerUsePrompt } from './usePrompt';

/** "Run Tool…", "Use Prompt…", "Read Resource…" and the result panels they share. */
export function registerPaletteCommands(store: DisposableStore, host: McpHost): void {
  const panels = store.add(new ResultPanels());
  registerRunTool(store, host, panels);
  registerUsePrompt(store, host, panels);
  registerReadResource(store, host);
}
