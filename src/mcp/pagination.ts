import { createHash } from 'crypto';

export interface Page<T> {
  readonly items: readonly T[];
  /** As the server sent it: read through `nextCursor`. */
  readonly nextCursor?: unknown;
}

export interface CollectedPages<T> {
  readonly items: T[];
  /** Why collection stopped early, when it did: a repeated cursor, or a limit. */
  readonly stoppedEarly?: string;
}

export interface PageLimits {
  readonly maxPages: number;
  readonly maxItems: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = { maxPages: 1000, maxItems: 100_000 };

/**
 * The longest cursor followed. A cursor is sent back with the next request, and every one seen is kept to
 * notice a loop: a server sending a new 1 MB cursor per page made the host send and hold 1 GB.
 */
export const MAX_CURSOR_CHARS = 64 * 1024;

/** A cursor as remembered: its hash (a loop of long cursors costs 32 bytes a page, not the cursor). */
function cursorKey(cursor: string): string {
  return cursor.length <= 64 ? cursor : createHash('sha256').update(cursor).digest('base64');
}

/** Why a next cursor is not followed (not a string, too long, one given before); undefined when it is. */
function cursorProblem(next: unknown, seen: ReadonlySet<string>): string | undefined {
  if (typeof next !== 'string') return `the server sent a cursor that is not a string (${next === null ? 'null' : typeof next})`;
  if (next.length > MAX_CURSOR_CHARS) return `the server sent a cursor of ${next.length.toLocaleString('en-US')} characters (at most ${MAX_CURSOR_CHARS.toLocaleString('en-US')} are followed)`;
  if (seen.has(cursorKey(next))) return `the server repeated cursor ${JSON.stringify(next.slice(0, 40))}`;
  return undefined;
}

/**
 * What a page's `nextCursor` says: the cursor to follow, or none, with `stop` saying why when it is not the end.
 * Absent, `null` and `""` are the end of the list, quietly: `null` is not the spec's, but it is what "no cursor"
 * serialises to in many languages.
 */
function readCursor(next: unknown, seen: ReadonlySet<string>): { readonly cursor?: string; readonly stop?: string } {
  if (next === undefined || next === null || next === '') return {};
  const stop = cursorProblem(next, seen);
  return stop ? { stop } : { cursor: next as string };
}

/**
 * The cursors one list is paged with, and the one reading of each page's `nextCursor` for every reader of a list
 * (the core's collectPages, the tree's "Load more…"/"Load all", "Read Resource…"): `next` gives the cursor to ask
 * for next and remembers it, so one the server gives again is a loop (A → B → A as much as A → A), not more pages.
 */
export class CursorTrail {
  private readonly seen = new Set<string>();

  /** The cursor to request next, or none: the end of the list, or a stop (`stop` says why; the list may be incomplete). */
  next(nextCursor: unknown): { readonly cursor?: string; readonly stop?: string } {
    const read = readCursor(nextCursor, this.seen);
    if (read.cursor !== undefined) this.seen.add(cursorKey(read.cursor));
    return read;
  }
}

/**
 * Follows `nextCursor` until the server stops sending one. A server that repeats a cursor, pages forever,
 * or sends a cursor that is not a string or is too long, is cut off with a reason instead of hanging the host.
 */
export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, limits: PageLimits = DEFAULT_PAGE_LIMITS): Promise<CollectedPages<T>> {
  const items: T[] = [];
  const trail = new CursorTrail();
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= limits.maxPages) return { items, stoppedEarly: `stopped after ${limits.maxPages} pages` };
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (items.length >= limits.maxItems) return { items: items.slice(0, limits.maxItems), stoppedEarly: `stopped at ${limits.maxItems} items` };
    const next = trail.next(page.nextCursor);
    if (next.stop) return { items, stoppedEarly: next.stop };
    if (next.cursor === undefined) return { items };
    cursor = next.cursor;
  }
}
