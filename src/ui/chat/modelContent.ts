import { cut as cutText, forModel } from '../../common/untrustedText';
import { CHAT_BUDGET, describeCuts, type Cut, type ResultBudget } from '../../mcp/resultBudget';
import type { ContentView, CutView, ToolResultView } from '../results/resultHtml';
import { formatSize } from '../results/resultHtml';

/**
 * What of a tool result goes to the model: text (budgeted), and images only to models that accept them.
 * No `vscode` here; the tool loop turns these parts into language-model parts.
 */
export type ModelPart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'image'; readonly mimeType: string; readonly data: string };

/** What the budget left out of the text the model got, for the user's note; undefined when nothing was cut. */
export interface ModelCut {
  /** Characters of the cut values the model got. */
  readonly keptChars: number;
  /** Their full size, in bytes (NaN when unknown: structured content too large to measure cheaply). */
  readonly fullBytes: number;
}

export interface ModelContent {
  readonly parts: readonly ModelPart[];
  readonly cut?: ModelCut;
}

/**
 * The budget of what one tool result gives the model: `maxToolOutput` characters of text (per value and in
 * all), and media as `CHAT_BUDGET` allows. The tool loop builds its view of a result within it, so a 50 MB
 * result costs no more than what the model gets.
 */
export function chatBudget(maxToolOutput: number): ResultBudget {
  return { ...CHAT_BUDGET, textChars: maxToolOutput, totalChars: maxToolOutput, structuredChars: maxToolOutput };
}

const FULL_RESULT = 'The user can open the full result from the chat response.';

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
 * The model's view of a gated call, built (`toolResultView`) within `chatBudget`. A call that did not complete
 * (denied, cancelled, failed) is an error result with the reason, so the model can tell the user instead of
 * retrying blindly. Structured content goes as JSON only when the tool sent no text. Each value the budget
 * cut is followed by one `[MCP Host: …]` line saying how much was left out.
 */
export function toolResultForModel(view: ToolResultView, options: { readonly images: boolean; readonly maxChars: number }): ModelContent {
  if (view.status === 'denied' || view.status === 'cancelled' || view.status === 'failed') {
    const label = { denied: 'The user denied this tool call', cancelled: 'The tool call was cancelled', failed: 'The tool call failed' }[view.status];
    return { parts: [{ kind: 'text', text: forModel(`Error: ${label}. ${view.message ?? ''}`.trim()) }] };
  }
  const lines: string[] = [];
  const cuts: Cut[] = [];
  const noteCut = (block: Cut['block'], cut: CutView | undefined) => cut && cuts.push({ block, kind: cut.kind, keptChars: cut.keptChars, fullBytes: cut.fullBytes });
  if (view.status === 'toolError') lines.push('The tool reported an error:');
  view.content.forEach((c, block) => {
    const line = describe(c, options.images);
    if (line !== undefined && !(c.kind === 'text' && c.cut?.keptChars === 0)) lines.push(line);
    if (c.kind === 'text' || c.kind === 'resource') noteCut(block, c.cut);
  });
  if (view.structuredText !== undefined && !view.content.some(c => c.kind === 'text')) {
    lines.push(view.structuredText);
    noteCut('structuredContent', view.structuredCut);
  }
  if (view.outputError) lines.push(`[MCP Host: ${view.outputError}]`);
  if (view.outputNotChecked) lines.push(`[MCP Host: structured output not checked against the output schema: ${view.outputNotChecked}]`);
  if (lines.length === 0) lines.push('(The tool returned no content.)');
  // The values are within the budget already (newlines apart); what surrounds them (link lines, notes) is cut here if it adds up.
  const all = lines.join('\n');
  const joined = budgetText(all, options.maxChars + lines.length - 1);
  // A value the budget kept nothing of is said to be left out, like media, rather than "cut to 0 characters".
  const marker = cuts.length ? `\n${describeCuts(cuts.map(c => (c.keptChars === 0 ? { ...c, kind: 'media' as const } : c)))}\n[MCP Host: ${FULL_RESULT}]` : '';
  const images: ModelPart[] = options.images ? view.content.flatMap(c => (c.kind === 'image' ? [{ kind: 'image' as const, mimeType: c.mimeType, data: c.data }] : [])) : [];
  const cut = summarise(cuts, joined, all);
  return { parts: [{ kind: 'text', text: forModel(`${joined.text}${marker}`) }, ...images], ...(cut ? { cut } : {}) };
}

function summarise(cuts: readonly Cut[], joined: { text: string; cut: number }, all: string): ModelCut | undefined {
  const text = cuts.filter(c => c.kind !== 'media');
  if (text.length) return { keptChars: text.reduce((n, c) => n + c.keptChars, 0), fullBytes: text.reduce((n, c) => n + c.fullBytes, 0) };
  // Only what surrounds the values was cut: report that text.
  return joined.cut ? { keptChars: all.length - joined.cut, fullBytes: Buffer.byteLength(all) } : undefined;
}

/** The most of a tool's description the model is given (the rest is cut with `…`). */
export const MODEL_DESCRIPTION_MAX = 1024;

/**
 * A tool's description as the model is given it: its server named, cut at `MODEL_DESCRIPTION_MAX` without splitting a
 * surrogate pair (a cut through an emoji left half of it), hidden tag characters removed (`forModel`).
 */
export function modelToolDescription(server: string, description: string): string {
  return `[MCP server ${server}] ${forModel(cutText(description, MODEL_DESCRIPTION_MAX + 1))}`;
}

const schemasForModel = new WeakMap<object, object>();

/**
 * A tool's input schema as the model gets it: words hidden in Unicode tag characters in its descriptions, titles,
 * enums, defaults or property names are removed, as in the tool's description (the schema's text is the server's too).
 * Made once per schema object; a schema without tag characters is passed as it is.
 */
export function modelToolSchema(schema: object): object {
  const made = schemasForModel.get(schema);
  if (made) return made;
  let forIt = schema;
  try {
    const text = JSON.stringify(schema);
    const cleaned = forModel(text);
    // The marker forModel writes has no quote or backslash: the text stays the JSON of an object.
    if (cleaned !== text) forIt = JSON.parse(cleaned) as object;
  } catch {
    // Nested too deep to write as JSON: VS Code could not send it to the model either; it fails there, as before.
  }
  schemasForModel.set(schema, forIt);
  return forIt;
}

/** The user's note on what the model did not get, in a chat response. */
export function describeModelCut(cut: ModelCut): string {
  const full = Number.isFinite(cut.fullBytes) ? ` of ${formatSize(cut.fullBytes)}` : '';
  return `The model got part of this result: ${cut.keptChars.toLocaleString('en-US')} characters${full} (the \`mcpHost.chat.maxToolOutput\` setting); Open Result shows all of it.`;
}
