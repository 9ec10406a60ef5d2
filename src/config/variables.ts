import * as path from 'node:path';
import type { ServerDefinition } from './types';

/**
 * `${name}`; the name cannot hold `$`, `{` or `}`, so `${env:${input:x}}` is caught as nesting, not misread. After a
 * `:-` (a default, `${env:NAME:-default}`) a `$` is text.
 */
export const VARIABLE = /\$\{([^${}]*(?::-[^{}]*)?)\}/g;
const NESTED = /\$\{[^}]*\$\{/;

/**
 * The first variable written inside another in `value` (`${A:-${B}}`, as far as its braces close, at most 100
 * characters), or undefined: what `resolveDefinition` refuses as nested.
 */
export function nestedVariable(value: string): string | undefined {
  const at = NESTED.exec(value)?.index;
  if (at === undefined) return undefined;
  let depth = 0;
  for (let i = at; i < value.length && i - at < 100; i++) {
    if (value.startsWith('${', i)) {
      depth++;
      i++;
    } else if (value[i] === '}' && --depth === 0) return value.slice(at, i + 1);
  }
  return value.slice(at, at + 100);
}

/** What `resolveDefinition` needs from the world; the caller supplies it so this module stays pure. */
export interface VariableContext {
  /**
   * The folder the definition belongs to (a workspace file's): its `${workspaceFolder}`. Absent for the user's own
   * servers, whose `${workspaceFolder}` is the one open folder (VS Code's reading), or names one: `${workspaceFolder:api}`.
   */
  readonly workspaceFolder?: string | undefined;
  /** The open workspace folders, by name (for the user's own servers). */
  readonly workspaceFolders?: ReadonlyArray<{ readonly name: string; readonly path: string }>;
  readonly userHome: string;
  readonly pathSeparator: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the user (or secret storage) for an input's value; `undefined` means the user cancelled. */
  resolveInput(id: string): Promise<string | undefined>;
  /** Reads `envFile`. */
  readFile(file: string): Promise<string>;
}

/**
 * A definition ready to launch: every variable substituted, and for stdio servers `env` already holding
 * the variables of `envFile` (explicit `env` entries win). `secrets` lists the values a log must never show.
 */
export type ResolvedDefinition = ServerDefinition & { readonly secrets: readonly string[] };

/** Variables that could not be resolved; the server cannot start until its config is fixed. */
export class VariableError extends Error {
  constructor(
    readonly server: string,
    readonly problems: readonly string[],
  ) {
    super(`Cannot resolve the configuration of '${server}': ${problems.join('; ')}`);
    this.name = 'VariableError';
  }
}

/** The user dismissed an input prompt; starting the server is abandoned, which is not an error. */
export class InputCancelledError extends Error {
  constructor(readonly inputId: string) {
    super(`Input '${inputId}' was cancelled`);
    this.name = 'InputCancelledError';
  }
}

/** Ids of `${input:id}` references in `value`, in order. */
export function inputReferences(value: string): string[] {
  return [...value.matchAll(VARIABLE)].flatMap(m => (m[1]!.startsWith('input:') ? [m[1]!.slice('input:'.length)] : []));
}

/** Ids of the inputs a definition references, each once, in the order they appear. */
export function collectInputIds(def: ServerDefinition): string[] {
  const ids = new Set<string>();
  mapStrings(def, value => {
    for (const id of inputReferences(value)) if (id) ids.add(id);
    return value;
  });
  return [...ids];
}

/**
 * Whether a definition names a workspace folder (`${workspaceFolder}`, `${workspaceFolderBasename}`, either with a
 * folder's name) in a string expanded at launch. A user's own server that does runs what the open folder holds (its
 * script, env file, `node_modules/.bin` in its cwd), so in Restricted Mode it waits for trust like the workspace's own.
 */
export function namesWorkspaceFolder(def: ServerDefinition): boolean {
  let found = false;
  mapStrings(def, value => {
    for (const m of value.matchAll(VARIABLE)) if (/^workspaceFolder(?:Basename)?(?::|$)/.test(m[1]!)) found = true;
    return value;
  });
  return found;
}

/**
 * Substitutes variables in every string of `def`. Inputs are asked for first, in order, so a cancelled
 * prompt stops before anything else happens. Substituted values are never expanded again: an input
 * answered with `${env:SECRET}` stays literal. All unresolvable variables are reported together.
 */
export async function resolveDefinition(def: ServerDefinition, ctx: VariableContext): Promise<ResolvedDefinition> {
  const inputs = new Map<string, string>();
  for (const id of collectInputIds(def)) {
    const value = await ctx.resolveInput(id);
    if (value === undefined) throw new InputCancelledError(id);
    inputs.set(id, value);
  }

  const problems: string[] = [];
  const secrets = new Set<string>(inputs.values());
  const expand = (value: string, field: string): string => {
    if (NESTED.test(value)) {
      problems.push(`${field}: nested variables are not supported`);
      return value;
    }
    return value.replace(VARIABLE, (match, name: string) => {
      const result = lookup(name, ctx, inputs);
      if ('error' in result) {
        problems.push(`${field}: ${result.error}`);
        return match;
      }
      if (result.secret) secrets.add(result.value);
      return result.value;
    });
  };
  let resolved = mapStrings(def, expand);

  if (resolved.type === 'stdio' && resolved.envFile !== undefined) {
    const file =
      ctx.workspaceFolder !== undefined && !path.isAbsolute(resolved.envFile)
        ? path.join(ctx.workspaceFolder, resolved.envFile)
        : resolved.envFile;
    try {
      const fromFile = parseEnvFile(await ctx.readFile(file));
      resolved = { ...resolved, envFile: file, env: { ...fromFile, ...resolved.env } };
    } catch (err) {
      problems.push(`envFile: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length) throw new VariableError(def.name, problems);

  const named = resolved.type === 'stdio' ? resolved.env : resolved.headers;
  for (const [name, value] of Object.entries(named)) {
    if (value === null || !looksSecretName(name)) continue;
    secrets.add(value);
    // A log may show the credential without its scheme, e.g. after splitting "Bearer abc".
    const credential = /^(?:bearer|basic|token)\s+(\S.*)$/i.exec(value)?.[1];
    if (credential) secrets.add(credential);
  }
  // A client secret written into the config itself (not through an input) is masked as well.
  if (resolved.type !== 'stdio' && resolved.oauth?.clientSecret) secrets.add(resolved.oauth.clientSecret);
  secrets.delete('');
  return { ...resolved, secrets: [...secrets] };
}

type Lookup = { value: string; secret: boolean } | { error: string };

function lookup(name: string, ctx: VariableContext, inputs: ReadonlyMap<string, string>): Lookup {
  const colon = name.indexOf(':');
  const arg = name.slice(colon + 1);
  // `env:NAME` and `input:id` switch on their scheme, the others on the whole name.
  switch (colon < 0 ? name : name.slice(0, colon + 1)) {
    case 'workspaceFolder':
    case 'workspaceFolderBasename':
    case 'workspaceFolder:':
    case 'workspaceFolderBasename:': {
      const folder = folderOf(name, colon < 0 ? undefined : arg, ctx);
      if ('error' in folder) return folder;
      return { value: name.startsWith('workspaceFolderBasename') ? basename(folder.path) : folder.path, secret: false };
    }
    case 'userHome':
      return { value: ctx.userHome, secret: false };
    case 'pathSeparator':
    case '/':
      return { value: ctx.pathSeparator, secret: false };
    case 'env:': {
      const { variable, fallback } = envReference(arg);
      if (!variable) return { error: '${env:} needs a variable name' };
      const value = ctx.env[variable];
      // Claude Code's `${NAME:-default}`: the default when the variable is not set (an empty value is used as it is,
      // as Claude Code does). The default is the config's own text, not a secret; the variable's value may be one.
      if (value === undefined && fallback !== undefined) return { value: fallback, secret: false };
      // A missing variable is empty, as in VS Code.
      return { value: value ?? '', secret: looksSecretName(variable) };
    }
    case 'input:': {
      const value = inputs.get(arg);
      return value === undefined ? { error: '${input:} needs an input id' } : { value, secret: true };
    }
    default:
      return { error: `unknown variable \${${name}}` };
  }
}

/**
 * The folder `${workspaceFolder}` (or `${workspaceFolder:name}`) means. A workspace file's server: its own folder; it
 * may name only that one, since its approval is bound to what its own folder holds. The user's own server: the one
 * open folder, or the one it names when several are open (VS Code asks for the name there too).
 */
function folderOf(variable: string, named: string | undefined, ctx: VariableContext): { path: string } | { error: string } {
  const folders = ctx.workspaceFolders ?? [];
  const names = folders.map(f => `'${f.name}'`).join(', ');
  if (ctx.workspaceFolder !== undefined) {
    const own = folders.find(f => f.path === ctx.workspaceFolder);
    if (named === undefined || named === own?.name) return { path: ctx.workspaceFolder };
    return { error: `\${${variable}} names another workspace folder than this config file's ('${own?.name ?? basename(ctx.workspaceFolder)}'); a workspace's server uses its own folder: write \${${variable.split(':')[0]}}` };
  }
  if (named !== undefined) {
    const folder = folders.find(f => f.name === named);
    return folder ?? { error: `\${${variable}}: no open workspace folder is named '${named}'${folders.length ? ` (open: ${names})` : ''}` };
  }
  if (folders.length === 1) return folders[0]!;
  if (folders.length === 0) return { error: `\${${variable}} needs an open workspace folder` };
  return { error: `\${${variable}} is ambiguous with ${folders.length} workspace folders open (${names}): name one, as in \${${variable}:${folders[0]!.name}}` };
}

/** `NAME` or `NAME:-default` (the part of `${env:…}` after `env:`): the variable's name and its default, if written. */
export function envReference(arg: string): { variable: string; fallback?: string } {
  const at = arg.indexOf(':-');
  return at < 0 ? { variable: arg } : { variable: arg.slice(0, at), fallback: arg.slice(at + 2) };
}

/** The last segment of a path written with either separator, whatever platform this runs on. */
function basename(folder: string): string {
  return folder.split(/[\\/]+/).filter(Boolean).pop() ?? folder;
}

/** Applies `fn` to every string of a definition that is expanded at launch; `field` names it for messages. */
function mapStrings(def: ServerDefinition, fn: (value: string, field: string) => string): ServerDefinition {
  if (def.type === 'stdio') {
    return {
      ...def,
      command: fn(def.command, 'command'),
      args: def.args.map((arg, i) => fn(arg, `args[${i}]`)),
      env: Object.fromEntries(Object.entries(def.env).map(([k, v]) => [k, v === null ? null : fn(v, `env.${k}`)])),
      ...(def.envFile !== undefined ? { envFile: fn(def.envFile, 'envFile') } : {}),
      ...(def.cwd !== undefined ? { cwd: fn(def.cwd, 'cwd') } : {}),
    };
  }
  return {
    ...def,
    url: fn(def.url, 'url'),
    headers: Object.fromEntries(Object.entries(def.headers).map(([k, v]) => [k, fn(v, `headers.${k}`)])),
    ...(def.oauth
      ? { oauth: { ...def.oauth, clientId: fn(def.oauth.clientId, 'oauth.clientId'), ...(def.oauth.clientSecret !== undefined ? { clientSecret: fn(def.oauth.clientSecret, 'oauth.clientSecret') } : {}) } }
      : {}),
  };
}

/** `KEY=VALUE` or `export KEY=VALUE`; a double-quoted value may span lines and use escapes. */
const ENV_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*=[ \t]*("(?:\\.|[^"\\])*"|'[^']*'|[^\n]*)/gm;

/** Parses a dotenv file. Comment lines, blank lines and lines that are not assignments are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  // A byte order mark (Notepad, PowerShell 5's UTF8) would hide the first variable from the line pattern.
  for (const [, key, raw] of text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').matchAll(ENV_LINE)) {
    env[key!] = envValue(raw!);
  }
  return env;
}

function envValue(raw: string): string {
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
    return raw.slice(1, -1).replace(/\\(.)/g, (_, ch: string) => escapes[ch] ?? ch);
  }
  // Unquoted: a ` #` starts a comment.
  return raw.replace(/\s+#.*$/, '').trim();
}

/** Words that mark a variable or header name as holding a credential. */
const SECRET_WORDS = new Set([
  'token', 'tokens', 'key', 'keys', 'apikey', 'secret', 'secrets', 'password', 'passwords', 'passwd', 'passphrase',
  'pwd', 'pat', 'auth', 'authorization', 'credential', 'credentials', 'cookie', 'bearer', 'session',
]);
/** Run-together words such as `ACCESSTOKEN` or `clientsecret`. */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'apikey', 'accesskey', 'privatekey', 'secretkey'];

/**
 * Whether a variable or header name looks like it holds a credential. Names are split into words
 * (`_`, `-`, `.`, camelCase) so that `PATH` or `AUTHOR` do not match `pat` or `auth`.
 */
export function looksSecretName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = hasSecretWord(name);
    // Names repeat call after call (every argument of every tool call is checked): each is split into words once.
    if (name.length <= MAX_REMEMBERED_NAME) {
      if (secretNames.size >= MAX_REMEMBERED_NAMES) secretNames.clear();
      secretNames.set(name, secret);
    }
  }
  return secret;
}

const secretNames = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 1_000;
const MAX_REMEMBERED_NAME = 100;

function hasSecretWord(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some(w => SECRET_WORDS.has(w) || SECRET_SUFFIXES.some(s => w.endsWith(s)));
}

/** Replaces every occurrence of each secret in `text` (longest first, so overlapping secrets are fully hidden). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secretMasker(secrets)(text);
}

/**
 * `maskSecrets` for one list of secrets, ordered once instead of on every text: a connection masks every
 * argument, message and result summary of every call with the same list.
 */
export function secretMasker(secrets: readonly string[]): (text: string) => string {
  const ordered = [...new Set(secrets)].filter(Boolean).sort((a, b) => b.length - a.length);
  if (!ordered.length) return text => text;
  return text => ordered.reduce((masked, secret) => (masked.includes(secret) ? masked.split(secret).join('***') : masked), text);
}

/** Variable names VS Code and MCP Host know without a scheme; Claude Code's `${NAME}` is an env variable otherwise. */
const BARE_VARIABLES = new Set(['workspaceFolder', 'workspaceFolderBasename', 'userHome', 'pathSeparator']);

/**
 * Rewrites Claude Code's `${VAR}` as `${env:VAR}` and `${VAR:-default}` as `${env:VAR:-default}` (the default is used
 * when VAR is not set, as Claude Code documents). `defaults` lists the `${VAR:-default}` references as written.
 */
export function translateClaudeVariables(value: string): { value: string; defaults: string[] } {
  const defaults: string[] = [];
  const translated = value.replace(/\$\{([A-Za-z_]\w*)(:-[^}]*)?\}/g, (match, name: string, fallback?: string) => {
    if (fallback === undefined && BARE_VARIABLES.has(name)) return match;
    if (fallback !== undefined) defaults.push(match);
    return `\${env:${name}${fallback ?? ''}}`;
  });
  return { value: translated, defaults };
}
