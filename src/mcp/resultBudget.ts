import type { CallToolResult } from '@modelcontextprotocol/client';
import type { SavedValue } from './resultFiles';

/**
 * How much of a tool result each consumer takes: the result panel shows a preview, chat passes the model a
 * smaller one, the history keeps a line. Whatever is left out is said (`Cut`), with where the full value
 * is on disk when it is there, so a consumer can offer it. Pure and linear in what it keeps: a 50 MB text
 * costs no more than its preview.
 */
export interface ResultBudget {
  /** Characters of one text block (or embedded text resource). */
  readonly textChars: number;
  /** Characters of all text blocks together; blocks after it is spent keep nothing. */
  readonly totalChars: number;
  /** Decoded bytes of one image, audio clip or embedded blob; a larger one is left out. */
  readonly mediaBytes: number;
  /** Characters of structured content as pretty JSON. */
  readonly structuredChars: number;
}

/** What the result panel renders; the rest opens as a document. */
export const PANEL_BUDGET: ResultBudget = { textChars: 100_000, totalChars: 400_000, mediaBytes: 8 * 1024 * 1024, structuredChars: 100_000 };
/** What a language model is given (see TEAM.md, "Result budget (API)"). */
export const CHAT_BUDGET: ResultBudget = { textChars: 20_000, totalChars: 40_000, mediaBytes: 1024 * 1024, structuredChars: 20_000 };

/** A part of a result left out, or shown only in part. */
export interface Cut {
  /** The content block, or the structured content. */
  readonly block: number | 'structuredContent';
  readonly kind: 'text' | 'media' | 'structured';
  /** Characters kept (0 for media, which is kept whole or not at all). */
  readonly keptChars: number;
  /** The full size in UTF-8 bytes (decoded bytes for media). */
  readonly fullBytes: number;
  /** Where the full value is on disk, when the host saved it there. */
  readonly saved?: SavedValue;
}

export interface BudgetedResult {
  /** The result with text cut to the budget and media over it removed (its block becomes a text note). */
  readonly result: CallToolResult;
  /** The structured content as pretty JSON, cut to the budget. */
  readonly structuredText?: string;
  readonly cuts: readonly Cut[];
}

/**
 * Characters masked past a cut point before cutting, so a secret that straddles the cut is masked whole
 * rather than half shown. Secrets longer than this are not expected (tokens and keys are far shorter).
 */
const MASK_MARGIN = 16 * 1024;

/** The first `chars` characters of `text`, masked, never ending inside a secret or a surrogate pair. */
export function maskedPrefix(text: string, chars: number, mask: (text: string) => string = t => t): string {
  if (text.length <= chars) return mask(text);
  let kept = mask(text.slice(0, chars + MASK_MARGIN)).slice(0, chars);
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return kept;
}

/** Base64 text's decoded size, without decoding. */
function base64Size(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/** A result within `budget`, masked with `mask`, and what was left out. `saved` are the values the host keeps in full on disk. */
export function budgetResult(result: CallToolResult, budget: ResultBudget, options: { saved?: readonly SavedValue[]; mask?: (text: string) => string } = {}): BudgetedResult {
  const mask = options.mask ?? (t => t);
  const savedAt = (block: number | 'structuredContent', ...rest: string[]) =>
    options.saved?.find(s => (block === 'structuredContent' ? s.path[0] === 'structuredContent' : s.path[0] === 'content' && s.path[1] === block && rest.every((k, i) => s.path[2 + i] === k)));
  const cuts: Cut[] = [];
  let left = budget.totalChars;
  const cutText = (text: string, block: number, saved: SavedValue | undefined): string => {
    const room = Math.max(0, Math.min(budget.textChars, left));
    // A value the transport already cut is cut again here even when it fits: its full size is what counts.
    if (text.length <= room && !saved) {
      left -= text.length;
      return mask(text);
    }
    const kept = maskedPrefix(text, room, mask);
    left -= kept.length;
    cuts.push({ block, kind: 'text', keptChars: kept.length, fullBytes: saved?.bytes ?? Buffer.byteLength(text), ...(saved ? { saved } : {}) });
    return kept;
  };
  const content = (result.content ?? []).map((c, block): CallToolResult['content'][number] => {
    switch (c.type) {
      case 'text':
        return { ...c, text: cutText(c.text, block, savedAt(block, 'text')) };
      case 'image':
      case 'audio': {
        const saved = savedAt(block, 'data');
        const fullBytes = saved ? Math.floor((saved.bytes * 3) / 4) : base64Size(c.data);
        if (!saved && fullBytes <= budget.mediaBytes) return c;
        cuts.push({ block, kind: 'media', keptChars: 0, fullBytes, ...(saved ? { saved } : {}) });
        return { type: 'text', text: `[${c.type} (${mask(c.mimeType)}, ${fullBytes} bytes) left out: larger than ${budget.mediaBytes} bytes]` };
      }
      case 'resource': {
        const r = c.resource;
        if ('text' in r && typeof r.text === 'string') return { ...c, resource: { ...r, text: cutText(r.text, block, savedAt(block, 'resource', 'text')) } };
        if ('blob' in r && typeof r.blob === 'string') {
          const saved = savedAt(block, 'resource', 'blob');
          const fullBytes = saved ? Math.floor((saved.bytes * 3) / 4) : base64Size(r.blob);
          if (!saved && fullBytes <= budget.mediaBytes) return c;
          cuts.push({ block, kind: 'media', keptChars: 0, fullBytes, ...(saved ? { saved } : {}) });
          return { ...c, resource: { ...r, blob: '' } };
        }
        return c;
      }
      default:
        return c;
    }
  });
  let structuredText: string | undefined;
  if (result.structuredContent !== undefined) {
    const saved = savedAt('structuredContent');
    const bounded = boundedJson(result.structuredContent, budget.structuredChars);
    structuredText = maskedPrefix(bounded.text, budget.structuredChars, mask);
    if (!bounded.complete || saved) cuts.push({ block: 'structuredContent', kind: 'structured', keptChars: structuredText.length, fullBytes: bounded.complete ? Buffer.byteLength(bounded.text) : NaN, ...(saved ? { saved } : {}) });
  }
  return { result: { ...result, content }, ...(structuredText !== undefined ? { structuredText } : {}), cuts };
}

/**
 * JSON of `value` as `JSON.stringify(value, null, indent)` writes it, at most `maxChars` long: it stops walking
 * once the text is long enough, so a huge value costs no more than the part shown. `complete` is false
 * when it stopped early.
 */
export function boundedJson(value: unknown, maxChars: number, indent = '  '): { text: string; complete: boolean } {
  const nl = indent ? '\n' : '';
  const colon = indent ? ': ' : ':';
  const parts: string[] = [];
  let length = 0;
  const STOP = Symbol('stop');
  const put = (s: string) => {
    parts.push(s);
    length += s.length;
    if (length > maxChars) throw STOP;
  };
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      // Only what can be shown is encoded: a 50 MB string costs its first characters.
      put(v.length > maxChars ? JSON.stringify(v.slice(0, maxChars + 1)) : JSON.stringify(v));
      return;
    }
    if (v === null || typeof v !== 'object') {
      put(JSON.stringify(v) ?? 'null');
      return;
    }
    const inner = `${at}${indent}`;
    const array = Array.isArray(v);
    let first = true;
    const item = (key: string | undefined, x: unknown) => {
      if (x === undefined || typeof x === 'function') {
        if (array) x = null;
        else return;
      }
      put(`${first ? '' : `,${nl}`}${inner}${key !== undefined ? `${JSON.stringify(key)}${colon}` : ''}`);
      first = false;
      walk(x, inner);
    };
    put(`${array ? '[' : '{'}${nl}`);
    if (array) for (let i = 0; i < v.length; i++) item(undefined, v[i]);
    else for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) item(key, (v as Record<string, unknown>)[key]);
    if (first) {
      // Empty: `[]` / `{}` on one line, as JSON.stringify writes them.
      parts[parts.length - 1] = array ? '[' : '{';
      length -= nl.length;
      put(array ? ']' : '}');
      return;
    }
    put(`${nl}${at}${array ? ']' : '}'}`);
  };
  try {
    walk(value, '');
    return { text: parts.join(''), complete: true };
  } catch (err) {
    if (err !== STOP) throw err;
    return { text: parts.join('').slice(0, maxChars), complete: false };
  }
}

/** One line per cut, for a reader who sees only the budgeted result (a language model, a log): what was left out and where it is. */
export function describeCuts(cuts: readonly Cut[], fileOf: (saved: SavedValue) => string | undefined = () => undefined): string {
  return cuts
    .map(c => {
      const where = c.block === 'structuredContent' ? 'structured content' : `content block ${c.block + 1}`;
      const size = Number.isFinite(c.fullBytes) ? `${c.fullBytes} bytes` : 'larger';
      const file = c.saved ? fileOf(c.saved) : undefined;
      const what = c.kind === 'media' ? `left out (${size})` : `cut to its first ${c.keptChars} characters (in full: ${size})`;
      return `[MCP Host: ${where} ${what}${file ? `; the full value is in ${file}` : ''}]`;
    })
    .join('\n');
}

/** Where a consumer keeps the full values it cuts (a `ResultFiles`). */
export interface ValueStore {
  save(text: string): Promise<{ id: string; part: number }>;
}

/**
 * Keeps in full, on disk, every text value (and the structured content) that `budget` cuts from `result`
 * and that is not kept yet: a result below the spill size is only in memory. Returns every kept value,
 * for `budgetResult`'s `saved`, so whoever shows a cut can offer the whole. Masked like what is shown.
 */
export async function keepCutValues(store: ValueStore, result: CallToolResult, budget: ResultBudget, saved: readonly SavedValue[] = [], mask: (text: string) => string = t => t): Promise<SavedValue[]> {
  const kept = [...saved];
  const { cuts } = budgetResult(result, budget, { saved });
  for (const cut of cuts) {
    if (cut.saved || cut.kind === 'media') continue;
    let path: (string | number)[];
    let text: string;
    if (cut.block === 'structuredContent') {
      path = ['structuredContent'];
      text = JSON.stringify(result.structuredContent, null, 2);
    } else {
      const block = result.content[cut.block]!;
      if (block.type === 'text') {
        path = ['content', cut.block, 'text'];
        text = block.text;
      } else if (block.type === 'resource' && 'text' in block.resource) {
        path = ['content', cut.block, 'resource', 'text'];
        text = block.resource.text;
      } else {
        continue;
      }
    }
    const masked = mask(text);
    const { id, part } = await store.save(masked);
    kept.push({ path, bytes: Buffer.byteLength(masked), id, part });
  }
  return kept;
}
