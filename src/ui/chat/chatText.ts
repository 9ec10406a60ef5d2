import { codeBlock, escapeMarkdown, inertLine, plainLabel } from '../../common/untrustedText';

/**
 * Server text in a chat response. A participant's markdown is untrusted by VS Code (no command links, no
 * HTML); on top of that, everything a server or config controls is escaped so it shows as typed: no
 * formatting, no links, no images. The only links and buttons in a response are MCP Host's own.
 */

/** A name, description or message from a server, inline. */
export function inline(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, ' ').trim());
}

/** A name as inline code-like text that cannot break out of its span. */
export function name(text: string): string {
  return `**${inline(text)}**`;
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
