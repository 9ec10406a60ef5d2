export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | undefined;
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
 * Follows `nextCursor` until the server stops sending one. A server that repeats a cursor, or pages
 * forever, is cut off with a reason instead of hanging the host.
 */
export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, limits: PageLimits = DEFAULT_PAGE_LIMITS): Promise<CollectedPages<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= limits.maxPages) return { items, stoppedEarly: `stopped after ${limits.maxPages} pages` };
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (items.length >= limits.maxItems) return { items: items.slice(0, limits.maxItems), stoppedEarly: `stopped at ${limits.maxItems} items` };
    if (page.nextCursor === undefined || page.nextCursor === '') return { items };
    if (seen.has(page.nextCursor)) return { items, stoppedEarly: `the server repeated cursor ${JSON.stringify(page.nextCursor.slice(0, 40))}` };
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
