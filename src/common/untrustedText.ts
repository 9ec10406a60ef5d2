/**
 * Text we did not write (server names and messages, tool descriptions, errors, repository config) made
 * inert for the surface that shows it. No `vscode` here; the VS Code adapters are `ui/window.ts` (messages,
 * progress, quick picks, input boxes) and `ui/markdown.ts` (MarkdownString).
 *
 * What each surface would otherwise do with hostile text:
 * - notifications, progress messages and input-box prompts turn `[label](command:…)` into a link that runs
 *   the command with its arguments, no questions asked;
 * - quick-pick labels, descriptions and details, and input-box prompts, render `$(icon)` as icons;
 * - markdown turns `https://…` into a live link even when escaped, and renders images and formatting;
 * - everywhere, zero-width and bidi-control characters hide text or reverse it ("invoice‮txt.exe").
 */

declare const safeBrand: unique symbol;

/**
 * A string that may be shown in a message, progress notification, quick pick or input box: our own words
 * with any untrusted text in it made inert. Only `safe`, `inertLine` and `inertBlock` make one, so the
 * compiler finds any untrusted string on its way to those surfaces (`ui/window.ts` takes only this).
 */
export type SafeText = string & { readonly [safeBrand]: true };

declare const detailBrand: unique symbol;

/**
 * Multi-line text for a modal dialog's `detail`, which VS Code shows as plain text (no links, no icons):
 * only hidden characters are revealed, so what the user reads there is exactly what it says — a tool
 * call's arguments included. Not accepted where links or icons render.
 */
export type DetailText = string & { readonly [detailBrand]: true };

/** Longest piece of untrusted text one `safe` value shows; longer text belongs in a modal's detail or the log. */
export const VALUE_MAX = 200;
/** Longest untrusted line (`inertLine`) by default: a notification shows about this much. */
export const LINE_MAX = 400;
/** Longest untrusted block (`inertBlock`) by default: a modal dialog's detail. */
export const BLOCK_MAX = 8_000;

/**
 * Characters that render as nothing or rearrange what is around them: controls, every default-ignorable
 * code point (zero-width space/joiners, bidi marks, embeddings, overrides and isolates, word joiner,
 * BOM, variation selectors, tag characters, Hangul fillers), the line/paragraph separators, and lone UTF-16
 * surrogates (half an emoji: each surface draws it its own way, and a URI or file name with one cannot be encoded).
 */
const HIDDEN = /[\p{Cc}\p{Cs}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;
const VARIATION_SELECTOR = /^[\ufe0e\ufe0f]$/u;
const PICTOGRAPH = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]$/u;

/** `⟨U+200B⟩`: a hidden character, shown. */
function token(ch: string): string {
  return `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

function codePointBefore(text: string, offset: number): string | undefined {
  if (offset <= 0) return undefined;
  const low = text.charCodeAt(offset - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && offset >= 2 ? offset - 2 : offset - 1;
  return String.fromCodePoint(text.codePointAt(start)!);
}

function codePointAfter(text: string, offset: number, ch: string): string | undefined {
  const next = text.codePointAt(offset + ch.length);
  return next === undefined ? undefined : String.fromCodePoint(next);
}

/**
 * The hidden characters that are part of ordinary text and stay: one emoji/text presentation selector
 * right after a visible character (❤️), and a zero-width joiner inside an emoji sequence (👩‍💻).
 */
function benign(ch: string, offset: number, text: string): boolean {
  const before = codePointBefore(text, offset);
  if (VARIATION_SELECTOR.test(ch)) return before !== undefined && !isHidden(before) && !/\s/u.test(before);
  if (ch === '\u200d') {
    const after = codePointAfter(text, offset, ch);
    return before !== undefined && after !== undefined && PICTOGRAPH.test(before) && /^\p{Extended_Pictographic}$/u.test(after);
  }
  return false;
}

function isHidden(ch: string): boolean {
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(ch);
}

/**
 * Every hidden character shown as `⟨U+XXXX⟩`, except tabs and line breaks when `keepLines` (they are
 * visible as layout). CR LF and lone CRs become LF.
 */
export function revealHidden(text: string, keepLines = false): string {
  const normalized = keepLines ? text.replace(/\r\n?/g, '\n') : text;
  return normalized.replace(HIDDEN, (ch: string, offset: number, whole: string) => {
    if (keepLines && (ch === '\n' || ch === '\t')) return ch;
    return benign(ch, offset, whole) ? ch : token(ch);
  });
}

/** Whether text holds characters that hide or rearrange text (what `revealHidden` would show); line breaks and tabs count. */
export function hasHiddenCharacters(text: string): boolean {
  return revealHidden(text) !== text;
}

/** Whitespace, but not U+FEFF, which JavaScript's `\s` includes and which is revealed instead. */
const SPACES = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** Line breaks, tabs and runs of spaces as one space, trimmed: for surfaces that show one line. */
function oneLine(text: string): string {
  return text.replace(SPACES, ' ').trim();
}

/**
 * At most `max` characters, ending in `…` when cut. Never splits a surrogate pair or a `⟨U+…⟩` marker.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const high = text.charCodeAt(end - 1);
  if (high >= 0xd800 && high <= 0xdbff) end--;
  const open = text.lastIndexOf('⟨', end - 1);
  if (open >= 0 && text.indexOf('⟩', open) >= end) end = open;
  // A zero-width joiner whose emoji was cut off joins nothing: it would be a hidden character left at the end.
  if (text.charCodeAt(end - 1) === 0x200d) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * The part of `text` that can reach the first `max` characters of a surface that cuts: revealing, breaking links and
 * escaping icons only keep or lengthen text (a CR LF becoming LF at most halves it), so nothing past `2 × max` shows.
 * A 1 MB error shown in a notification costs what the notification shows, not a pass over the megabyte per step.
 */
function head(text: string, max: number): string {
  const keep = 2 * max + 64;
  return text.length > keep ? text.slice(0, keep) : text;
}

/** `[label](target)` → `[label] (target)`: VS Code's message renderer no longer sees a link (it needs `](`). */
function breakLinks(text: string): string {
  return text.replace(/\]\(/g, '] (');
}

/** `$(icon)` → `\$(icon)`: quick picks and input prompts show it as typed instead of as an icon. */
function escapeIcons(text: string): string {
  return text.replace(/(?<!\\)\$\((?=[A-Za-z0-9-]+(?:~[A-Za-z0-9-]+)?\))/g, '\\$(');
}

function inert(text: string, max: number): string {
  return cut(escapeIcons(breakLinks(revealHidden(head(oneLine(text), max)))), max);
}

/** The text of an untrusted value: an Error's message, a string as is, anything else as JSON or `String()`. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * A message in our words with untrusted values in it:
 * `safe\`Could not read ${uri} from '${server}': ${err}\``. The literal parts are ours and kept as
 * written (our own `$(icon)`s work); each value is made inert on one line and cut at `VALUE_MAX`.
 */
export function safe(strings: TemplateStringsArray, ...values: unknown[]): SafeText {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += inert(textOf(value), VALUE_MAX) + (strings[i + 1] ?? '');
  });
  return out as SafeText;
}

/** One untrusted line (a label, a description, a title, an error) made inert and cut at `max`. */
export function inertLine(value: unknown, max = LINE_MAX): SafeText {
  return inert(textOf(value), max) as SafeText;
}

/** Untrusted multi-line text for a modal dialog's detail (plain text): lines kept, hidden characters shown, cut at `max`. */
export function inertBlock(value: unknown, max = BLOCK_MAX): DetailText {
  return cut(revealHidden(head(textOf(value), max), true), max) as DetailText;
}

/**
 * Untrusted text as a plain-text label (a tree item's label or description, a webview's text before HTML
 * escaping): hidden characters shown, one line, cut at `max`. Icons and links are left alone: these surfaces
 * render neither.
 */
export function plainLabel(value: unknown, max = LINE_MAX): string {
  return cut(revealHidden(head(oneLine(textOf(value)), max)), max);
}

/**
 * Untrusted text as one segment of a virtual document's path, which VS Code shows as the editor tab's title and in
 * the breadcrumbs: plain and on one line (U+202E reversed the tab), no `/` or `\\` that would make more segments
 * (only the last is the tab's title), never empty or only dots, cut at `max`.
 */
export function pathSegment(value: unknown, max = 80): string {
  const name = plainLabel(value, max).replace(/[/\\]/g, '_');
  return /^\.*$/.test(name) ? `_${name}` : name;
}

/** Untrusted multi-line plain text (a result panel's text, a log line): hidden characters shown, lines kept. */
export function plainBlock(value: unknown): string {
  return revealHidden(textOf(value), true);
}

/**
 * Untrusted text for markdown, shown as typed: hidden characters revealed, every markdown character
 * escaped, and `:` escaped too, so `https://…`, `www.…` and e-mail addresses are not turned into links
 * (GFM autolinks ignore backslash escapes and showed them as `attacker\.invalid`). With `max`, cut to that many
 * characters first (a tooltip or hover: a 1 MB description is not a 1 MB hover built on every render).
 */
export function escapeMarkdown(text: string, max?: number): string {
  return shownBlock(text, max).replace(/[\\`*_{}[\]()#+\-.!|<>$~&:@=]/g, '\\$&');
}

/** Lines kept, hidden characters shown; cut at `max` (before escaping) when given, reading only what can show. */
function shownBlock(text: string, max: number | undefined): string {
  return max === undefined ? revealHidden(text, true) : cut(revealHidden(head(text, max), true), max);
}

/** Untrusted text as a fenced code block whose fence no backtick run inside can close; hidden characters revealed; cut at `max` when given. */
export function codeBlock(text: string, language = 'text', max?: number): string {
  const shown = shownBlock(text, max);
  const fence = '`'.repeat(Math.max(3, ...[...shown.matchAll(/`+/g)].map(m => m[0].length + 1)));
  return `${fence}${language}\n${shown}\n${fence}`;
}

/**
 * A markdown link of ours that runs `command` with JSON `args`, for markdown trusted with exactly the commands its
 * links may run (`isTrusted: { enabledCommands }`). The label is ours (escaped all the same); the arguments may hold
 * untrusted text (a server's name) and are percent-encoded whole, parentheses included, so nothing in them can end
 * the link, start another or reach the markdown as markup.
 */
export function commandLink(label: string, command: string, args: readonly unknown[]): string {
  if (!/^[A-Za-z][\w.-]*$/.test(command)) throw new Error(`not a command id: ${command}`);
  const query = encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${escapeMarkdown(label)}](command:${command}?${query})`;
}

/** A run of Unicode tag characters (U+E0000–U+E007F): each shadows an ASCII character and renders as nothing. */
const TAG_RUN = /[\u{e0000}-\u{e007f}]+/gu;
/** The tags of an emoji flag of a subdivision (🏴 then `gbsct` in tags, then CANCEL TAG): the one use of tags in text. */
const FLAG_TAGS = /^[\u{e0030}-\u{e0039}\u{e0061}-\u{e007a}]{1,6}\u{e007f}$/u;

/**
 * Untrusted text for a language model (a tool's description, a tool result, a prompt's or resource's text): as sent,
 * but for Unicode tag characters, which no surface shows and models read as the ASCII they shadow — words a server
 * hides from the user for the model alone ("ASCII smuggling"). Each run of them is replaced by a note saying so; an
 * emoji flag's tags (🏴 + tags + CANCEL TAG) stay. The user sees them as `⟨U+E0049⟩…` wherever MCP Host shows the text.
 */
export function forModel(text: string): string {
  // Tag characters are astral: their high surrogate is U+DB40. Text without one is returned as is, without a pass.
  if (!text.includes('\udb40')) return text;
  return text.replace(TAG_RUN, (run: string, offset: number, whole: string) => {
    if (FLAG_TAGS.test(run) && whole.codePointAt(offset - 2) === 0x1f3f4) return run;
    const n = run.length / 2;
    return `[MCP Host: ${n} invisible Unicode tag character${n === 1 ? '' : 's'} removed]`;
  });
}

/** Safe parts joined by a separator of ours. */
export function joinSafe(parts: readonly SafeText[], separator = ' '): SafeText {
  return parts.join(separator) as SafeText;
}
