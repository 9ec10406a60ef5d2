import { codeBlock, escapeMarkdown, inertLine, plainLabel } from '../../common/untrustedText';
import type { ContentView, ToolResultView } from '../results/resultHtml';
import { describeModelCut, type ModelCut } from './modelContent';

/**
 * Server text in a chat response. A participant's markdown is untrusted by VS Code (no command links, no
 * HTML); on top of that, everything a server or config controls is escaped so it shows as typed: no
 * formatting, no links, no images. The only links and buttons in a response are MCP Host's own.
 */

/** The most of one server string a chat response shows inline (the whole is in Open Result, the log, the tree). */
const INLINE_MAX = 1_000;
const NAME_MAX = 200;

/**
 * A name, description or message from a server, inline: one line, escaped, cut at 1,000 characters (a 1 MB tool title
 * was a 1 MB line). One parameter only: callers pass it to `map`.
 */
export function inline(text: string): string {
  return inlineCut(text, INLINE_MAX);
}

/** A name as inline code-like text that cannot break out of its span; cut at 200 characters. One parameter only (`map`). */
export function name(text: string): string {
  return `**${inlineCut(text, NAME_MAX)}**`;
}

function inlineCut(text: string, max: number): string {
  const head = text.length > 2 * max + 64 ? text.slice(0, 2 * max + 64) : text;
  return escapeMarkdown(head.replace(/\s+/g, ' ').trim(), max);
}

/** Multi-line server text (a tool result, a resource) as a fenced block. */
export function block(text: string, language = 'text'): string {
  return codeBlock(text, language);
}

/** Server text on a progress line (markdown): one line, hidden characters shown, cut at `max`, escaped. */
export function line(text: string, max = 200): string {
  return escapeMarkdown(plainLabel(text, max));
}

/**
 * Server or config text in a response button's title (a server's name, a prompt's title, a resource link's name).
 * VS Code draws a button's title with `$(icon)`s (its Button has `supportIcons`), as plain text otherwise: icons
 * escaped, hidden and bidi characters shown, one line, cut at `max`.
 */
export function buttonTitle(text: string, max = 60): string {
  return inertLine(text, max);
}

/**
 * The tools a request left out, by server, for the response: the first `max` names, then counts — a server past
 * them is counted ("**firecrawl**: 18 tools"), never "**firecrawl**: and 18 more".
 */
export function leftOutList(tools: ReadonlyArray<{ readonly server: string; readonly tool: string }>, max: number): string {
  const byServer = new Map<string, string[]>();
  for (const t of tools) byServer.set(t.server, [...(byServer.get(t.server) ?? []), t.tool]);
  const listed: string[] = [];
  let shown = 0;
  for (const [server, names] of byServer) {
    const some = names.slice(0, Math.max(0, max - shown)).map(inline);
    shown += some.length;
    const more = names.length - some.length;
    listed.push(`${name(server)}: ${some.length ? `${some.join(', ')}${more ? ` and ${more} more` : ''}` : `${names.length} tool${names.length === 1 ? '' : 's'}`}`);
  }
  return listed.join('; ');
}

const STATUS: Record<ToolResultView['status'], string> = { completed: '✓', toolError: '⚠ tool error:', denied: '✗ denied:', cancelled: '✗ cancelled:', failed: '✗ failed:' };

/** A chat response's line for one call the model made: outcome, tool, server, time, the server's message, what the model did not get. */
export function callLine(view: ToolResultView, cut: ModelCut | undefined): string {
  const duration = view.durationMs !== undefined ? ` (${view.durationMs} ms)` : '';
  const message = view.message ? ` ${inline(view.message)}` : '';
  const note = cut ? `\n\n_${describeModelCut(cut)}_` : '';
  return `\n\n${STATUS[view.status]} ${name(view.label)} on ${name(view.server)}${duration}${message}${note}\n\n`;
}

/** What a call's content shows under its line: an image (a checked base64 `data:` URI of an image type), or a value too large to show. */
export function contentMarkdown(label: string, c: ContentView): string | undefined {
  if (c.kind === 'image') return `![image from ${inline(label)}](data:${c.mimeType};base64,${c.data})\n\n`;
  if (c.kind === 'text' && c.cut?.kind === 'media') return `_Too large to show here: ${inline(c.text)}. Open Result has it._\n\n`;
  return undefined;
}
