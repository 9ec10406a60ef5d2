/**
 * Items a server lists more than once under one key (a tool or prompt name, a resource URI, a URI template).
 * The host keeps the first of each key, so every name or URI is shown and addressed once; what it dropped is
 * recorded, so the tree can flag the server instead of losing an item silently. When the repeats differ from
 * the first, the key is ambiguous: a call by that name could run either definition on the server, so the
 * host does not call it at all.
 */

export type DuplicateKind = 'tool' | 'prompt' | 'resource' | 'template';

export interface Duplicate {
  readonly kind: DuplicateKind;
  /** The name, URI or URI template listed more than once. */
  readonly key: string;
  /** How many times the server listed it. */
  readonly count: number;
  /** Whether the repeats differ from the first (then, for a tool, calling it by name is refused). */
  readonly differ: boolean;
}

/** The first item of each key, in the server's order, and what was dropped. */
export function dedupe<T>(kind: DuplicateKind, items: readonly T[], keyOf: (item: T) => string): { items: T[]; duplicates: Duplicate[] } {
  const first = new Map<string, { item: T; json?: string; count: number; differ: boolean }>();
  const kept: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { item, count: 1, differ: false });
      kept.push(item);
      continue;
    }
    seen.count++;
    // Compared only when there is a repeat: the common case costs nothing.
    if (!seen.differ) {
      seen.json ??= JSON.stringify(seen.item);
      seen.differ = JSON.stringify(item) !== seen.json;
    }
  }
  const duplicates: Duplicate[] = [];
  for (const [key, s] of first) if (s.count > 1) duplicates.push({ kind, key, count: s.count, differ: s.differ });
  return { items: kept, duplicates };
}

const NOUN: Record<DuplicateKind, [string, string]> = {
  tool: ['tool named', 'tools named'],
  prompt: ['prompt named', 'prompts named'],
  resource: ['resource with URI', 'resources with URI'],
  template: ['resource template', 'resource templates'],
};

/**
 * One line for the tree and the log, with the key as given (the caller makes it safe to show):
 * "2 different tools named 'search': neither is called" or "3 identical resources with URI 'x': shown once".
 */
export function describeDuplicate(d: Duplicate, key: string = d.key): string {
  const noun = NOUN[d.kind][1];
  if (!d.differ) return `${d.count} identical ${noun} '${key}': shown once`;
  return d.kind === 'tool' ? `${d.count} different ${noun} '${key}': MCP Host will not call it (it cannot tell which one the server would run)` : `${d.count} different ${noun} '${key}': only the first is shown`;
}

/** Why a call by a name two different tools share is not made (the connection, the consent gate and Run Tool say the same). */
export function ambiguousToolMessage(server: string, tool: string): string {
  return `Server '${server}' lists different tools named '${tool}'; MCP Host does not call it, since a call by name could run either.`;
}
