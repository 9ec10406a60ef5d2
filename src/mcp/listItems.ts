import { PromptSchema, ResourceSchema, ResourceTemplateSchema, ToolSchema } from '@modelcontextprotocol/core';
import type { ServerLog } from './log';

/**
 * The items of one page of a list, each checked on its own. The SDK checks a page as a whole, so one tool
 * with a number for a name (or a `null` where an object belongs) cost the user every tool the server has,
 * with a JSON dump of schema errors in the log. Here a malformed item is left out with one warning line that
 * says which item and why, and the rest are kept, parsed as the SDK would have parsed them.
 */
export type ListField = 'tools' | 'prompts' | 'resourceTemplates' | 'resources';

/**
 * The SDK's schema for one item. Read when a page arrives, never as this module loads: the SDK's exports are getters
 * that load its bundle (dist/sdk.js), which activation must not do (test/integration/lazy).
 */
function itemSchema(field: ListField) {
  return field === 'tools' ? ToolSchema : field === 'prompts' ? PromptSchema : field === 'resourceTemplates' ? ResourceTemplateSchema : ResourceSchema;
}

const NOUN: Record<ListField, string> = { tools: 'tool', prompts: 'prompt', resourceTemplates: 'resource template', resources: 'resource' };

/** At most this many warnings per page; the rest are counted. */
const MAX_WARNINGS = 5;

/** A short, single-line account of what an item is, for the log (its name or URI when it has one). */
function describeItem(item: unknown, index: number): string {
  const o = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : undefined;
  const key = o ? (o.name ?? o.uri ?? o.uriTemplate) : item;
  let shown: string;
  try {
    shown = JSON.stringify(key) ?? String(key);
  } catch {
    shown = typeof key;
  }
  return `#${index + 1} (${shown.length > 60 ? `${shown.slice(0, 59)}…` : shown})`;
}

export function wellFormedItems(method: string, field: ListField, value: unknown, log: ServerLog): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`Invalid result for ${method}: '${field}' is ${value === null ? 'null' : typeof value}, not a list.`);
  const schema = itemSchema(field);
  const kept: unknown[] = [];
  let dropped = 0;
  value.forEach((item, index) => {
    let parsed: ReturnType<typeof schema.safeParse> | undefined;
    try {
      parsed = schema.safeParse(item);
    } catch {
      // The schema's check recurses: an item nested a few thousand deep overflows the stack (RangeError), which cost
      // the whole list. Such an item is left out like any other malformed one.
      parsed = undefined;
    }
    if (parsed?.success) {
      kept.push(parsed.data);
      return;
    }
    if (++dropped > MAX_WARNINGS) return;
    const why = !parsed
      ? 'nested too deeply to check'
      : parsed.error.issues
          .slice(0, 3)
          .map(i => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
          .join('; ');
    log.warn(`${method}: left out malformed ${NOUN[field]} ${describeItem(item, index)}: ${why}`);
  });
  if (dropped > MAX_WARNINGS) log.warn(`${method}: left out ${dropped - MAX_WARNINGS} more malformed items of this page.`);
  return kept;
}
