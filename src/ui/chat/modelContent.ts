import type { ContentView, ToolResultView } from '../results/resultHtml';
import { formatSize } from '../results/resultHtml';

/**
 * What of a tool result goes to the model: text (budgeted), and images only to models that accept them.
 * No `vscode` here; the tool loop turns these parts into language-model parts.
 */
export type ModelPart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'image'; readonly mimeType: string; readonly data: string };

export interface ModelContent {
  readonly parts: readonly ModelPart[];
  /** Characters of text left out by the budget (0 when nothing was cut). */
  readonly cut: number;
}

/**
 * Cuts `text` to `max` characters, ending with a marker that says how much was left out and where the
 * rest is. Never splits a surrogate pair.
 */
export function budgetText(text: string, max: number): { text: string; cut: number } {
  if (text.length <= max) return { text, cut: 0 };
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  const cut = text.length - end;
  return {
    text: `${text.slice(0, end)}\n[MCP Host left out the remaining ${cut.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters of this result to stay within the output budget. The user can open the full result from the chat response.]`,
    cut,
  };
}

function describe(c: ContentView, images: boolean): string | undefined {
  switch (c.kind) {
    case 'text':
      return c.text;
    case 'image':
      return images ? undefined : `[An image (${c.mimeType}, ${formatSize(c.bytes)}) was shown to the user; this model does not accept images.]`;
    case 'audio':
      return `[Audio (${c.mimeType}, ${formatSize(c.bytes)}) was returned; the user can play it from the full result.]`;
    case 'link':
      return `Resource link: ${c.name} <${c.uri}>${c.mimeType ? ` (${c.mimeType})` : ''}${c.description ? ` — ${c.description}` : ''}`;
    case 'resource':
      return c.text !== undefined ? `Resource ${c.uri}${c.mimeType ? ` (${c.mimeType})` : ''}:\n${c.text}` : `[Binary resource ${c.uri} (${c.mimeType ?? 'unknown type'}, ${formatSize(c.blobBytes ?? 0)}); the user can open it from the full result.]`;
    case 'unsupported':
      return `[Unsupported ${c.what}.]`;
  }
}

/**
 * The model's view of a gated call. A call that did not complete (denied, cancelled, failed) is an error
 * result with the reason, so the model can tell the user instead of retrying blindly. Structured content
 * goes as JSON only when the tool sent no text.
 */
export function toolResultForModel(view: ToolResultView, options: { readonly images: boolean; readonly maxChars: number }): ModelContent {
  if (view.status === 'denied' || view.status === 'cancelled' || view.status === 'failed') {
    const label = { denied: 'The user denied this tool call', cancelled: 'The tool call was cancelled', failed: 'The tool call failed' }[view.status];
    return { parts: [{ kind: 'text', text: `Error: ${label}. ${view.message ?? ''}`.trim() }], cut: 0 };
  }
  const lines: string[] = [];
  if (view.status === 'toolError') lines.push('The tool reported an error:');
  for (const c of view.content) {
    const line = describe(c, options.images);
    if (line !== undefined) lines.push(line);
  }
  if (view.structuredText !== undefined && !view.content.some(c => c.kind === 'text')) lines.push(view.structuredText);
  if (view.outputError) lines.push(`[MCP Host: ${view.outputError}]`);
  if (lines.length === 0) lines.push('(The tool returned no content.)');
  const { text, cut } = budgetText(lines.join('\n'), options.maxChars);
  const images: ModelPart[] = options.images ? view.content.flatMap(c => (c.kind === 'image' ? [{ kind: 'image' as const, mimeType: c.mimeType, data: c.data }] : [])) : [];
  return { parts: [{ kind: 'text', text }, ...images], cut };
}
