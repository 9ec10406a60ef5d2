import type { CallToolResult } from '@modelcontextprotocol/client';
import { looksSecretName } from '../config/variables';
import { boundedJson, maskedPrefix } from '../mcp/resultBudget';
import { setOwn } from '../common/ownKey';

/** Longest string value shown or recorded as is; longer ones are cut. */
export const MAX_VALUE_CHARS = 200;
/** Longest argument text shown in a dialog or recorded in the history. */
export const MAX_ARGUMENTS_CHARS = 4_000;
const CUT = { MAX_VALUE_CHARS, MAX_ITEMS: 50, MAX_DEPTH: 8 };
/** Nothing cut (only a pathological nesting), secrets still masked: what "Show Full Arguments" opens. */
const UNCUT = { MAX_VALUE_CHARS: Infinity, MAX_ITEMS: Infinity, MAX_DEPTH: 100 };

/** Arguments made safe to show or keep: secrets masked, long values cut, and whether anything was changed. */
export interface SafeArguments {
  readonly value: unknown;
  /** False when something was masked or truncated, so the value is not the call as sent. */
  readonly exact: boolean;
}

/**
 * Arguments as the user may see and the history may keep them: values of keys that look like
 * credentials (`token`, `password`, …) become `***`, the server's own secrets are masked wherever they
 * appear, long strings and arrays are cut.
 */
export function safeArguments(args: Record<string, unknown>, mask: (text: string) => string, limits = CUT): SafeArguments {
  const { MAX_VALUE_CHARS, MAX_ITEMS, MAX_DEPTH } = limits;
  let exact = true;
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      let text = mask(value);
      if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)`;
      if (text !== value) exact = false;
      return text;
    }
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_DEPTH) {
      exact = false;
      return '…';
    }
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map(v => visit(v, depth + 1));
      if (value.length > MAX_ITEMS) {
        exact = false;
        items.push(`… (${value.length - MAX_ITEMS} more items)`);
      }
      return items;
    }
    const out: Record<string, unknown> = {};
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const v = object[key];
      let shown: unknown;
      if (looksSecretName(key) && v !== null && v !== undefined && v !== '') {
        exact = false;
        shown = '***';
      } else {
        shown = visit(v, depth + 1);
      }
      // An argument named `__proto__` is sent like any other, so the consent dialog and the history show it.
      setOwn(out, key, shown);
    }
    return out;
  };
  const value = visit(args, 0);
  return { value, exact };
}

/** Pretty JSON of safe arguments, cut at `MAX_ARGUMENTS_CHARS`. */
export function argumentsText(safe: SafeArguments): string {
  const text = JSON.stringify(safe.value, null, 2) ?? '{}';
  return text.length > MAX_ARGUMENTS_CHARS ? `${text.slice(0, MAX_ARGUMENTS_CHARS)}\n… (${text.length - MAX_ARGUMENTS_CHARS} more characters)` : text;
}

/** The arguments as pretty JSON, secrets masked as in `safeArguments` but nothing cut. */
export function fullArgumentsText(args: Record<string, unknown>, mask: (text: string) => string): string {
  return JSON.stringify(safeArguments(args, mask, UNCUT).value, null, 2) ?? '{}';
}

const SUMMARY_CHARS = 200;

/** One line about a result for the history: its first text, or what kinds of content it holds. */
export function summarizeResult(result: CallToolResult, mask: (text: string) => string): string {
  const content = result.content ?? [];
  const text = content.find(c => c.type === 'text');
  // Only the beginning is read: a 50 MB text costs what the line shows.
  const read = SUMMARY_CHARS * 4;
  let summary: string;
  if (text && text.type === 'text') {
    summary = singleSpaced(maskedPrefix(text.text, read, mask));
  } else if (content.length) {
    const kinds = [...new Set(content.map(c => c.type))];
    summary = mask(`${content.length} content item${content.length === 1 ? '' : 's'} (${kinds.join(', ')})`);
  } else if (result.structuredContent !== undefined) {
    summary = maskedPrefix(boundedJson(result.structuredContent, read, '').text, read, mask);
  } else {
    summary = 'no content';
  }
  return summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS)}…` : summary;
}

/**
 * `text.replace(/\s+/g, ' ').trim()`, but without the regular expression when that would change nothing (text of one
 * line with single spaces, as most results begin): a look at each character instead of a global replace and a trim
 * (~2 K of the ~190 K instructions of a whole palette call, calls16). Whitespace is what `\s` and `trim` take.
 */
export function singleSpaced(text: string): string {
  // True at the start: a space there would be trimmed.
  let afterSpace = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      if (afterSpace) return collapse(text);
      afterSpace = true;
    } else if (c < 0x20 ? c >= 0x09 && c <= 0x0d : c >= 0xa0 && isOtherSpace(c)) {
      return collapse(text);
    } else {
      afterSpace = false;
    }
  }
  return afterSpace && text.length ? collapse(text) : text;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whitespace of `\s` above U+009F (ECMAScript WhiteSpace and LineTerminator: Zs, U+2028/2029, U+FEFF). */
function isOtherSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
