import { setOwn } from '../../common/ownKey';

/**
 * What follows a slash command, read as a person would type it: a target (`server.name`, or a name that is
 * unique across servers), then `name=value` arguments (values may be quoted) or JSON. No `vscode` here.
 */

/** The first word of `text` (quoted with "…" when it has spaces, as `quoteArgument` writes it) and the rest, trimmed. */
export function splitFirstWord(text: string): { first: string; rest: string } {
  const trimmed = text.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (quoted) return { first: quoted[1]!.replace(/\\(.)/g, '$1'), rest: (quoted[2] ?? '').trim() };
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return m ? { first: m[1]!, rest: m[2]!.trim() } : { first: '', rest: '' };
}

/**
 * `name=value` pairs separated by spaces. A value may be quoted with "…" or '…' (a backslash escapes the
 * quote or a backslash inside); an unquoted value runs to the next space. Returns what is wrong, in the
 * user's words, when the text is not of that form.
 */
export function parseNamedArguments(text: string): { args: Record<string, string> } | { error: string } {
  const args: Record<string, string> = {};
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t' || s[i] === '\n') i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    const space = s.slice(i).search(/\s/);
    if (eq < 0 || (space >= 0 && i + space < eq)) {
      const word = s.slice(i, space < 0 ? undefined : i + space);
      return { error: `Expected name=value, found '${word}'. Quote values that contain spaces: name="two words".` };
    }
    const name = s.slice(i, eq);
    if (!name) return { error: 'An argument is missing its name before "=".' };
    i = eq + 1;
    let value = '';
    const quote = s[i];
    if (quote === '"' || quote === "'") {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i]!;
        if (c === '\\' && (s[i + 1] === quote || s[i + 1] === '\\')) {
          value += s[i + 1];
          i += 2;
        } else if (c === quote) {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return { error: `The value of '${name}' has no closing ${quote}.` };
      if (i < s.length && !/\s/.test(s[i]!)) return { error: `Put a space after the quoted value of '${name}'.` };
    } else {
      const end = s.slice(i).search(/\s/);
      value = s.slice(i, end < 0 ? undefined : i + end);
      i = end < 0 ? s.length : i + end;
    }
    if (Object.prototype.hasOwnProperty.call(args, name)) return { error: `'${name}' is given twice.` };
    setOwn(args, name, value);
  }
  return { args };
}

/** A JSON object of tool arguments; empty text is `{}`. */
export function parseJsonArguments(text: string): { args: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { args: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `The arguments are not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The arguments must be a JSON object, e.g. {"name": "value"}.' };
  return { args: value as Record<string, unknown> };
}

export interface Named {
  readonly server: string;
  readonly name: string;
}

/**
 * Finds what `target` names: `server.name` (a server's name may itself contain dots, so every split is
 * tried), or a bare name that exactly one server has. Returns the match, or every candidate when the bare
 * name is ambiguous, or nothing.
 */
export function resolveTarget<T extends Named>(target: string, items: readonly T[]): { found: T } | { ambiguous: T[] } | { missing: true } {
  for (let dot = target.indexOf('.'); dot > 0; dot = target.indexOf('.', dot + 1)) {
    const server = target.slice(0, dot);
    const name = target.slice(dot + 1);
    const hit = items.find(i => i.server === server && i.name === name);
    if (hit) return { found: hit };
  }
  const bare = items.filter(i => i.name === target);
  if (bare.length === 1) return { found: bare[0]! };
  if (bare.length > 1) return { ambiguous: bare };
  return { missing: true };
}

/** Quotes a value for `name=value` when it has to be, the inverse of `parseNamedArguments`. */
export function quoteArgument(value: string): string {
  return value !== '' && !/[\s"'\\]/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** What to type in chat to run a prompt: `@mcp /prompt server.name arg=value …`, read back by the parsers above. */
export function promptQuery(server: string, prompt: string, args: Readonly<Record<string, string>> = {}): string {
  const pairs = Object.entries(args).map(([k, v]) => `${k}=${quoteArgument(v)}`);
  return ['@mcp /prompt', quoteArgument(`${server}.${prompt}`), ...pairs].join(' ');
}
