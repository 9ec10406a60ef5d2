import { findNodeAtLocation, getNodeValue, parseTree, type ParseError } from 'jsonc-parser';
import { planImport, type MovedSecret } from './importers';
import { trustHash } from './hash';
import { parseConfigText, parseConfigValue, withoutDeepValues } from './parse';
import { LineMap } from './positions';
import type { ConfigOrigin, ServerDefinition, ServerEntry, SourcePosition } from './types';

/**
 * "Add Server…" without the dialogs: the answers become a config entry, and the entry is written into the
 * text of `.vscode/mcp.json` with comments and formatting kept.
 */
export type NewServerAnswers =
  /** An npm package run with `npx -y <package> [args]`. */
  | { readonly kind: 'npm'; readonly package: string; readonly args?: readonly string[] }
  /** A Python package run with `uvx <package> [args]`. */
  | { readonly kind: 'pip'; readonly package: string; readonly args?: readonly string[] }
  /** A command line as typed, split like a shell would (quotes, backslashes; no expansion). */
  | { readonly kind: 'command'; readonly commandLine: string }
  /** A remote server (Streamable HTTP, with SSE fallback), with an optional header such as `Authorization`. */
  | { readonly kind: 'http'; readonly url: string; readonly header?: { readonly name: string; readonly value: string } };

export function buildServerEntry(answers: NewServerAnswers): ServerEntry {
  switch (answers.kind) {
    case 'npm':
      return { type: 'stdio', command: 'npx', args: ['-y', requireText(answers.package, 'package name'), ...(answers.args ?? [])] };
    case 'pip':
      return { type: 'stdio', command: 'uvx', args: [requireText(answers.package, 'package name'), ...(answers.args ?? [])] };
    case 'command': {
      const [command, ...args] = splitCommandLine(answers.commandLine);
      if (!command) throw new Error('The command is empty.');
      return { type: 'stdio', command, args };
    }
    case 'http': {
      const problem = validateServerUrl(answers.url);
      if (problem) throw new Error(problem);
      const header = answers.header?.name.trim() ? { [answers.header.name.trim()]: answers.header.value } : undefined;
      return { type: 'http', url: answers.url.trim(), ...(header ? { headers: header } : {}) };
    }
  }
}

function requireText(value: string, what: string): string {
  const v = value.trim();
  if (!v) throw new Error(`The ${what} is empty.`);
  return v;
}

/** Why a URL cannot be a remote server's, or undefined when it can. */
export function validateServerUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'Enter a full URL, such as https://example.com/mcp.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'The URL must start with http:// or https://.';
  return undefined;
}

/** Why a name cannot be used for a new server, or undefined when it can. */
export function validateServerName(name: string, taken: Iterable<string>): string | undefined {
  const n = name.trim();
  if (!n) return 'Enter a name.';
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'The name cannot contain control characters.';
  for (const t of taken) if (t === n) return `A server named '${n}' already exists.`;
  return undefined;
}

/** The server names already in a config text (none when it is missing or unreadable). */
export function serverNamesIn(text: string | undefined): string[] {
  if (!text?.trim()) return [];
  const root = parseTree(withoutDeepValues(text).readable, [], { allowTrailingComma: true });
  const servers = root && findNodeAtLocation(root, ['servers']);
  const value: unknown = servers && getNodeValue(servers);
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/**
 * Splits a command line into words: whitespace separates, single quotes keep everything literal, double
 * quotes keep spaces (a backslash escapes `"` and `\` inside them), and a backslash outside quotes escapes
 * the next character. Nothing is expanded.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`The command line has an unclosed ${quote === '"' ? 'double' : 'single'} quote.`);
  if (inWord) words.push(word);
  return words;
}

export interface AddedServer {
  readonly newText: string;
  /** Where the new entry's name is, to put the cursor there. */
  readonly position: SourcePosition;
  /** Plaintext secrets (e.g. an `Authorization` header) replaced by `${input:…}`; store them in secret storage. */
  readonly movedSecrets: readonly MovedSecret[];
}

/**
 * Adds `entry` as `servers[name]` to a `.vscode/mcp.json` text (or a new one). Secrets in headers and env
 * become password inputs, as on import. Throws when the name is taken or the text is not a config object.
 */
export function addServerToConfig(existingText: string | undefined, name: string, entry: ServerEntry): AddedServer {
  const problem = validateServerName(name, serverNamesIn(existingText));
  if (problem) throw new Error(problem);
  const plan = planImport(existingText, [{ name: name.trim(), entry }]);
  if (plan.added[0] !== name.trim()) throw new Error(`Could not add '${name}' to mcp.json.`);
  const errors: ParseError[] = [];
  const root = parseTree(plan.newText, errors, { allowTrailingComma: true });
  const node = root && findNodeAtLocation(root, ['servers', name.trim()]);
  const keyOffset = node?.parent?.children?.[0]?.offset ?? node?.offset ?? 0;
  return { newText: plan.newText, position: new LineMap(plan.newText).position(keyOffset), movedSecrets: plan.movedSecrets };
}

/** A short default name: the package without scope or `server-`/`mcp-` prefixes, the command's file name, or the host. */
export function suggestServerName(answers: NewServerAnswers, taken: Iterable<string> = []): string {
  let base: string;
  switch (answers.kind) {
    case 'npm':
    case 'pip':
      base = answers.package.trim().replace(/^@[^/]+\//, '').replace(/[@=<>~!].*$/, '');
      break;
    case 'command': {
      let words: string[] = [];
      try {
        words = splitCommandLine(answers.commandLine);
      } catch {
        // An unclosed quote: no suggestion from it.
      }
      const meaningful = words.filter(w => !w.startsWith('-')).at(-1) ?? words[0] ?? '';
      base = meaningful.split(/[\\/]/).at(-1)!.replace(/\.(m?js|cjs|ts|py|exe|cmd|bat|sh)$/i, '');
      break;
    }
    case 'http':
      try {
        base = new URL(answers.url.trim()).hostname.replace(/^(www|api|mcp)\./, '').split('.')[0] ?? '';
      } catch {
        base = '';
      }
      break;
  }
  base = base.replace(/^(mcp-server-|server-|mcp-)/i, '').replace(/(-mcp-server|-mcp|-server)$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '-') || 'server';
  const names = new Set(taken);
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** `Name: value` as typed for an optional HTTP header; undefined when blank, an error message when malformed. */
export function parseHeaderLine(line: string): { name: string; value: string } | undefined | string {
  if (!line.trim()) return undefined;
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(line);
  if (!m) return 'Write the header as Name: value, e.g. Authorization: Bearer <token>.';
  return { name: m[1]!, value: m[2]! };
}

/**
 * The definition "Add Server…" wrote, as the config loader will read it from `newText` in `origin`, when it is exactly
 * what the user's answers describe (only the secrets moved to secret storage replaced by their `${input:…}` references);
 * undefined otherwise (the file's own text made the entry read as something else, or it has an env file).
 * What this returns is what "Add Server…" approves without asking.
 */
export function writtenDefinition(newText: string, origin: ConfigOrigin, name: string, answers: NewServerAnswers, movedSecrets: readonly MovedSecret[]): ServerDefinition | undefined {
  const key = name.trim();
  const inFile = parseConfigText(newText, origin, 'vscode').servers.find(s => s.name === key);
  const typed = parseConfigValue({ servers: { [key]: buildServerEntry(answers) } }, origin, 'vscode').servers.find(s => s.name === key);
  if (!inFile || !typed || (inFile.type === 'stdio' && inFile.envFile !== undefined)) return undefined;
  const restore = (text: string) => movedSecrets.reduce((t, s) => t.split(`\${input:${s.inputId}}`).join(s.value), text);
  const restored: ServerDefinition =
    inFile.type === 'stdio'
      ? {
          ...inFile,
          command: restore(inFile.command),
          args: inFile.args.map(restore),
          env: Object.fromEntries(Object.entries(inFile.env).map(([k, v]) => [k, v === null ? null : restore(v)])),
          ...(inFile.cwd !== undefined ? { cwd: restore(inFile.cwd) } : {}),
        }
      : { ...inFile, url: restore(inFile.url), headers: Object.fromEntries(Object.entries(inFile.headers).map(([k, v]) => [k, restore(v)])) };
  return trustHash(restored) === trustHash(typed) ? inFile : undefined;
}
