import type { CallToolResult } from '@modelcontextprotocol/client';
import { budgetResult, describeCuts, type ResultBudget } from '../mcp/resultBudget';
import type { SavedValue } from '../mcp/resultFiles';

/**
 * What an app is sent of its tool's result. The app is the server's own UI, so it gets far more than a model
 * (it renders data, it does not pay for tokens), but a 50 MB result is not posted whole into a webview.
 */
export const APP_BUDGET: ResultBudget = { textChars: 1_000_000, totalChars: 4_000_000, mediaBytes: 8 * 1024 * 1024, structuredChars: 4_000_000 };

/**
 * The result within `APP_BUDGET`. Structured content is data the app parses, so it is sent whole or not at
 * all: when it is over the budget (or the connection already had to keep it on disk) it is left out. Each
 * cut is said in a last text block, so the app (and whoever looks at it) knows the result is not whole.
 */
export function appToolResult(result: CallToolResult, saved: readonly SavedValue[] = []): CallToolResult {
  const { result: budgeted, cuts } = budgetResult(result, APP_BUDGET, { saved });
  if (cuts.length === 0) return result;
  const structuredCut = cuts.find(c => c.kind === 'structured');
  // A value the connection kept on disk is only a stand-in here: its size is the one on disk.
  const structuredBytes = structuredCut?.saved?.bytes ?? structuredCut?.fullBytes ?? NaN;
  const { structuredContent: _dropped, ...rest } = budgeted;
  const notes = [
    describeCuts(cuts.filter(c => c.kind !== 'structured')),
    structuredCut
      ? `[MCP Host: structured content left out for the app: ${Number.isFinite(structuredBytes) ? `${structuredBytes} bytes` : 'too large'}, over the limit of ${APP_BUDGET.structuredChars} characters]`
      : '',
  ].filter(Boolean);
  return { ...(structuredCut ? rest : budgeted), content: [...budgeted.content, { type: 'text', text: notes.join('\n') }] };
}
