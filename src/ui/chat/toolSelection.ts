import type { CatalogTool } from '../../mcp/catalog';

/** The tools offered to the model for one request, and the ones left out (never silently). */
export interface ToolSelection {
  readonly offered: readonly CatalogTool[];
  readonly leftOut: readonly CatalogTool[];
}

const STOP_WORDS = new Set(
  'a an and are as at be by can could do does for from get give has have how i in into is it its me my of on or please show tell that the their them then there these this to use using was what when where which who why will with would you your'.split(' '),
);

/** Lower-case word stems of `text`: identifiers split at `_`, `-`, `.` and camelCase, stop words dropped. */
export function terms(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(w => w.length > 1 && !STOP_WORDS.has(w))
    .map(stem);
}

/** A crude stem, enough to match "files" with "file" and "listing" with "list". */
function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('ing') || word.endsWith('ed')) return word.slice(0, word.endsWith('ing') ? -3 : -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function toolText(t: CatalogTool): { name: string[]; rest: string[] } {
  return { name: terms(`${t.server} ${t.tool.name} ${t.tool.title ?? ''}`), rest: terms(t.tool.description ?? '') };
}

/**
 * Chooses at most `limit` tools for a request. A tool the request names (its own or its qualified name)
 * always comes first; the rest are ranked by how many of the request's terms their names (weighted
 * higher) and descriptions share, rarer terms counting more (an IDF weight over the candidates), then by
 * catalog order, so the choice is stable. Everything not chosen is returned in `leftOut`.
 */
export function selectTools(tools: readonly CatalogTool[], request: string, limit: number): ToolSelection {
  if (tools.length <= limit) return { offered: tools, leftOut: [] };
  const wanted = new Set(terms(request));
  const lowered = request.toLowerCase();
  const texts = tools.map(toolText);
  const documentFrequency = new Map<string, number>();
  for (const t of texts) for (const w of new Set([...t.name, ...t.rest])) documentFrequency.set(w, (documentFrequency.get(w) ?? 0) + 1);
  const idf = (w: string) => Math.log(1 + tools.length / (documentFrequency.get(w) ?? tools.length));
  const scored = tools.map((tool, index) => {
    const named = mentions(lowered, tool.tool.name) || mentions(lowered, tool.qualifiedName);
    let score = 0;
    for (const w of new Set(texts[index]!.name)) if (wanted.has(w)) score += 3 * idf(w);
    for (const w of new Set(texts[index]!.rest)) if (wanted.has(w)) score += idf(w);
    return { tool, index, score: named ? Number.POSITIVE_INFINITY : score };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  const chosen = new Set(scored.slice(0, Math.max(0, limit)).map(s => s.index));
  return { offered: tools.filter((_, i) => chosen.has(i)), leftOut: tools.filter((_, i) => !chosen.has(i)) };
}

/** Whether `name` appears in the request as a whole word (not inside a longer identifier). */
function mentions(lowered: string, name: string): boolean {
  const n = name.toLowerCase();
  let at = lowered.indexOf(n);
  while (at >= 0) {
    const before = lowered[at - 1];
    const after = lowered[at + n.length];
    if (!isIdentifierChar(before) && !isIdentifierChar(after)) return true;
    at = lowered.indexOf(n, at + 1);
  }
  return false;
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_-]/u.test(c);
}
