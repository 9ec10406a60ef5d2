import * as os from 'node:os';
import * as path from 'node:path';
import { hasHiddenCharacters } from '../common/untrustedText';
import { localFiles, npxInfluences, type LocalFiles } from './localPackage';
import type { ServerDefinition } from './types';
import { envReference, looksSecretName, parseEnvFile, VARIABLE } from './variables';

/**
 * What a server definition will run, or where it will connect and what it sends, as the trust dialog shows it
 * before anything starts. Built without asking the user or reading their environment: the workspace's own
 * variables are expanded, the env file's entries are included, and values that come from the user's
 * environment or inputs stay as their `${env:…}` / `${input:…}` reference (so they are never shown, but the
 * user sees where they come from). Values under names that look secret are masked. A Claude Code default
 * (`${env:NAME:-default}`) is the config's own text: it is shown as what is used when NAME is not set.
 */
export type LaunchPreview = StdioPreview | RemotePreview;

export interface StdioPreview {
  readonly type: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The definition's `env` and the env file's entries (the definition's win), in that order. */
  readonly env: readonly PreviewVariable[];
  /** The env file as resolved; `read` is false when it could not be read (the server will fail to start), absent when not tried. */
  readonly envFile?: { readonly path: string; readonly read?: boolean };
  /** Loud warnings: overrides that change which program runs or what code it loads. */
  readonly warnings: readonly string[];
  /** What the workspace decides about what its `npx` runs (`npxInfluences`), as the approval is bound to it. */
  readonly localInfluence?: string;
  /** The config's defaults (`${env:NAME:-default}`): what is used when NAME is not set. */
  readonly defaults: readonly PreviewDefault[];
}

export interface RemotePreview {
  readonly type: 'http' | 'sse';
  readonly url: string;
  /** The host data goes to; absent when the URL is not a valid URL as written. */
  readonly host?: string;
  readonly headers: readonly PreviewVariable[];
  /** What leaves the machine besides the request itself, in plain words ("the value of your environment variable X"). */
  readonly sends: readonly string[];
  readonly warnings: readonly string[];
  /** When the URL as written is not one but is with the config's defaults: the host it connects to when those variables are not set. */
  readonly defaultHost?: string;
  /** The config's defaults (`${env:NAME:-default}`): what is used when NAME is not set. */
  readonly defaults: readonly PreviewDefault[];
}

export interface PreviewDefault {
  /** The environment variable. */
  readonly variable: string;
  /** The default as shown: `***` when it sits in a secret-looking value. */
  readonly value: string;
  /** Where it is written: `args[2]`, `env DEBUG`, `header X`, `URL`. */
  readonly where: string;
}

export interface PreviewVariable {
  readonly name: string;
  /** As shown: `***` when masked, `null` when the definition removes an inherited variable. */
  readonly value: string | null;
  readonly from: 'definition' | 'envFile';
  readonly masked: boolean;
  /** Why overriding this variable is risky, when it is. */
  readonly risk?: string;
}

export interface PreviewContext {
  /** The folder the definition belongs to (`${workspaceFolder}`, relative `envFile` and the default cwd). */
  readonly workspaceFolder?: string | undefined;
  readonly userHome: string;
  readonly pathSeparator: string;
  /** The env file's text, read by the caller; `null` when it could not be read, `undefined` when not read. */
  readonly envFileText?: string | null | undefined;
  /** Reads the workspace's files: what decides what an `npx` server runs (`npxInfluences`). Absent: not looked at. */
  readonly localFiles?: LocalFiles;
}

/**
 * The context on this machine: the definition's folder, this user's home and path separator. A workspace server's
 * folders are looked at for what decides what its npx runs unless `lookAtFolders` is false (that walk reads up to
 * NODE_MODULES_BUDGET entries: only where the answer is used).
 */
export function localPreviewContext(def: ServerDefinition, envFileText?: string | null, lookAtFolders = true): PreviewContext {
  return { workspaceFolder: def.origin.folder, userHome: os.homedir(), pathSeparator: path.sep, envFileText, ...(lookAtFolders && def.origin.kind !== 'userSettings' ? { localFiles } : {}) };
}

/**
 * What the workspace decides about what a workspace server's `npx` runs (its own copy of the package, its `.npmrc`),
 * or undefined when nothing. Part of what a trust approval is bound to (`trustHash`).
 */
export function npxLocalInfluence(def: ServerDefinition): string | undefined {
  const preview = previewLaunch(def, localPreviewContext(def));
  return preview.type === 'stdio' ? preview.localInfluence : undefined;
}

/** Expands the workspace's own variables; `${env:…}`, `${input:…}` and anything unknown stay as written. */
function expand(value: string, ctx: PreviewContext): string {
  return value.replace(VARIABLE, (match, written: string) => {
    // A workspace file's `${workspaceFolder:name}` launches only as its own folder (`resolveDefinition`), so it is that.
    const name = ctx.workspaceFolder !== undefined ? written.replace(/^(workspaceFolder(?:Basename)?):.*$/s, '$1') : written;
    switch (name) {
      case 'workspaceFolder':
        return ctx.workspaceFolder ?? match;
      case 'workspaceFolderBasename':
        return ctx.workspaceFolder ? (ctx.workspaceFolder.split(/[\\/]+/).filter(Boolean).pop() ?? match) : match;
      case 'userHome':
        return ctx.userHome;
      case 'pathSeparator':
      case '/':
        return ctx.pathSeparator;
      default:
        return match;
    }
  });
}

/** `${env:NAME}` (and `${env:NAME:-default}`) and `${input:id}` references in a value. */
function references(value: string): { env: string[]; inputs: string[]; defaults: Array<{ variable: string; fallback: string }> } {
  const env: string[] = [];
  const inputs: string[] = [];
  const defaults: Array<{ variable: string; fallback: string }> = [];
  for (const [, name] of value.matchAll(VARIABLE)) {
    if (name!.startsWith('env:') && name!.length > 4) {
      const { variable, fallback } = envReference(name!.slice(4));
      if (!variable) continue;
      env.push(variable);
      if (fallback !== undefined) defaults.push({ variable, fallback });
    }
    if (name!.startsWith('input:') && name!.length > 6) inputs.push(name!.slice(6));
  }
  return { env, inputs, defaults };
}

/** A value with each `${env:NAME:-default}` as its default (the other references left out): what is used when those variables are not set. */
function withDefaults(value: string): string {
  return value.replace(VARIABLE, (_match, name: string) => (name.startsWith('env:') ? (envReference(name.slice(4)).fallback ?? '') : ''));
}

/** The defaults written in a value, masked when the value (under `name`) holds a secret or the variable's name looks secret. */
function defaultsIn(value: string, where: string, name: string | undefined): PreviewDefault[] {
  return references(value).defaults.map(({ variable, fallback }) => ({
    variable,
    value: looksSecretName(variable) || (name !== undefined && holdsSecret(name, value)) || CREDENTIAL_IN_VALUE.test(fallback) ? '***' : fallback,
    where,
  }));
}

/** A credential written into a value: a `Bearer`/`Basic`/`token` scheme, or a URL's `user:password@`. */
const CREDENTIAL_IN_VALUE = /^(?:bearer|basic|token)\s+\S|:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Whether a value holds secret text itself, beyond `${env:…}`/`${input:…}` references and a scheme word. */
function holdsSecret(name: string, value: string): boolean {
  // A default (`${env:NAME:-text}`) is text written in the config, as a literal is.
  const literal = withDefaults(value).replace(/^(?:bearer|basic|token)\s*/i, '').trim();
  return literal !== '' && (looksSecretName(name) || CREDENTIAL_IN_VALUE.test(value));
}

function shown(name: string, value: string, from: PreviewVariable['from'], risk: string | undefined): PreviewVariable {
  // References to the user's environment or inputs are shown as written: they say where a value comes from, not what it is.
  const masked = holdsSecret(name, value);
  return { name, value: masked ? '***' : value, from, masked, ...(risk ? { risk } : {}) };
}

export function previewLaunch(def: ServerDefinition, ctx: PreviewContext): LaunchPreview {
  if (def.type !== 'stdio') return previewRemote(def, ctx);
  const fromFile = typeof ctx.envFileText === 'string' ? parseEnvFile(ctx.envFileText) : {};
  const env: PreviewVariable[] = [];
  const warnings: string[] = [];
  const add = (name: string, raw: string | null, from: PreviewVariable['from']) => {
    const risk = riskOf(name);
    if (raw === null) {
      env.push({ name, value: null, from, masked: false, ...(risk ? { risk } : {}) });
      return;
    }
    const entry = shown(name, from === 'definition' ? expand(raw, ctx) : raw, from, risk);
    env.push(entry);
    if (risk) warnings.push(`${name} is set${from === 'envFile' ? ' by the env file' : ''} (${entry.value}): ${risk}.`);
  };
  for (const [name, value] of Object.entries(def.env)) add(name, value, 'definition');
  const defaults = [
    ...defaultsIn(def.command, 'command', undefined),
    ...def.args.flatMap((arg, i) => defaultsIn(arg, `args[${i}]`, /^--?([\w.-]+)=/.exec(arg)?.[1] ?? /^--?([\w.-]+)$/.exec(def.args[i - 1] ?? '')?.[1])),
    ...Object.entries(def.env).flatMap(([name, value]) => (value === null ? [] : defaultsIn(value, `env ${name}`, name))),
    ...(def.envFile !== undefined ? defaultsIn(def.envFile, 'envFile', undefined) : []),
    ...(def.cwd !== undefined ? defaultsIn(def.cwd, 'cwd', undefined) : []),
  ];
  for (const [name, value] of Object.entries(fromFile)) if (!(name in def.env)) add(name, value, 'envFile');
  const envFile =
    def.envFile !== undefined
      ? (() => {
          const file = expand(def.envFile, ctx);
          const resolved = ctx.workspaceFolder !== undefined && !path.isAbsolute(file) && !/^[A-Za-z]:[\\/]/.test(file) ? path.join(ctx.workspaceFolder, file) : file;
          return { path: resolved, ...(ctx.envFileText !== undefined ? { read: ctx.envFileText !== null } : {}) };
        })()
      : undefined;
  const command = expand(def.command, ctx);
  // A command written as a path (`./bin/npx`) runs a file the workspace may have put there.
  if (/[\\/]/.test(def.command) && !path.isAbsolute(command)) warnings.push(`The command is a relative path (${command}): it runs a file from the workspace.`);
  const cwd = def.cwd !== undefined ? expand(def.cwd, ctx) : ctx.workspaceFolder;
  const args = def.args.map(a => expand(a, ctx));
  // npx runs the folder's own node_modules copy of a package before the registry's: a repository can ship one.
  const runsIn = cwd !== undefined && ctx.workspaceFolder !== undefined && !path.isAbsolute(cwd) ? path.join(ctx.workspaceFolder, cwd) : cwd;
  const influences = ctx.localFiles ? npxInfluences(command, args, runsIn, ctx.workspaceFolder, ctx.localFiles) : [];
  for (const i of influences) warnings.push(i.warning);
  const localInfluence = influences.length ? influences.map(i => i.bound).join('\n') : undefined;
  return {
    type: 'stdio',
    command,
    args,
    ...(cwd !== undefined ? { cwd } : {}),
    env,
    ...(envFile ? { envFile } : {}),
    warnings,
    ...(localInfluence !== undefined ? { localInfluence } : {}),
    defaults,
  };
}

function previewRemote(def: Extract<ServerDefinition, { type: 'http' | 'sse' }>, ctx: PreviewContext): RemotePreview {
  const url = expand(def.url, ctx);
  const parse = (u: string) => {
    try {
      const parsed = new URL(u);
      return { host: parsed.host, secure: parsed.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) };
    } catch {
      return undefined;
    }
  };
  const urlDefaults = references(url).defaults;
  const asWritten = parse(url);
  // `${env:API_BASE:-https://…}/mcp`: where it goes when the variables are not set is the config's own text.
  const byDefault = asWritten === undefined && urlDefaults.length ? parse(withDefaults(url)) : undefined;
  const host = asWritten?.host;
  const secure = (asWritten ?? byDefault)?.secure ?? true;
  const to = host ?? 'the server';
  const sends: string[] = [];
  const describeRefs = (value: string, where: string) => {
    const { env, inputs } = references(value);
    for (const name of env) sends.push(`the value of your environment variable ${name} (${where}) to ${to}`);
    for (const id of inputs) sends.push(`the value you enter for input '${id}' (${where}) to ${to}`);
  };
  describeRefs(def.url, 'in the URL');
  const headers = Object.entries(def.headers).map(([name, value]) => {
    describeRefs(value, `header ${name}`);
    const entry = shown(name, expand(value, ctx), 'definition', undefined);
    if (entry.masked) sends.push(`a credential written in the config (header ${name}) to ${to}`);
    return entry;
  });
  for (const [name, value] of queryParameters(url)) if (holdsSecret(name, value)) sends.push(`a credential written in the config (URL parameter ${name}) to ${to}`);
  const variables = [...new Set(urlDefaults.map(d => d.variable))].join(', ');
  const warnings = [
    ...(host === undefined && byDefault !== undefined
      ? [`Where it connects depends on your environment (${variables}): when not set, the config's default URL ${maskUrl(withDefaults(url))} is used.`]
      : host === undefined
        ? [`The URL is not a complete URL as written (${url}); where it connects depends on values filled in at start.`]
        : []),
    ...(secure ? [] : [`The connection to ${host ?? byDefault?.host ?? 'the server'} is not encrypted (http): what is sent can be read on the network.`]),
  ];
  const defaults = [
    ...defaultsIn(def.url, 'URL', undefined).map(d => ({ ...d, value: maskUrl(d.value) })),
    ...Object.entries(def.headers).flatMap(([name, value]) => defaultsIn(value, `header ${name}`, name)),
  ];
  return {
    type: def.type,
    url: maskUrl(url),
    ...(host !== undefined ? { host } : {}),
    headers,
    sends,
    warnings,
    ...(byDefault !== undefined ? { defaultHost: byDefault.host } : {}),
    defaults,
  };
}

function queryParameters(url: string): Array<[string, string]> {
  try {
    return [...new URL(url).searchParams.entries()];
  } catch {
    return [];
  }
}

/** Arguments with the values of secret-looking flags masked: `--api-key X`, `--token=X` (references stay). */
export function maskArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const inline = /^(--?[\w.-]+)=(.*)$/s.exec(arg);
    if (inline && holdsSecret(inline[1]!.replace(/^-+/, ''), inline[2]!)) return `${inline[1]}=***`;
    const flag = /^--?([\w.-]+)$/.exec(args[i - 1] ?? '');
    if (flag && !arg.startsWith('-') && holdsSecret(flag[1]!, arg)) return '***';
    return arg;
  });
}

/** A URL with its password and secret query values masked; written as given otherwise (no re-encoding). */
export function maskUrl(url: string): string {
  let masked = url.replace(/(:\/\/[^/\s:@]+:)[^/\s@]+@/, '$1***@');
  for (const [name, value] of queryParameters(url)) {
    if (holdsSecret(name, value)) masked = masked.replace(new RegExp(`([?&]${escapeRegExp(name)}=)[^&#]*`), '$1***');
  }
  return masked;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Variables that change which program runs or what code it loads; matched without regard to case (Windows). */
const RISKY: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(PATH|PATHEXT)$/, 'the command and everything it starts are looked up through it'],
  [/^(NODE_OPTIONS|NODE_PATH|ELECTRON_RUN_AS_NODE)$/, 'it can make Node load and run other code'],
  [/^(LD_|DYLD_)/, 'it can load other libraries into every program the server starts'],
  [/^PYTHON(PATH|STARTUP|HOME|USERBASE|INSPECT)$/, 'it can make Python load and run other code'],
  [/^(PERL5LIB|PERLLIB|PERL5OPT|RUBYLIB|RUBYOPT|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|DOTNET_STARTUP_HOOKS)$/, 'it can make the runtime load and run other code'],
  [/^(BASH_ENV|ENV|ZDOTDIR|PROMPT_COMMAND|SHELLOPTS)$/, 'it can make a shell run other code'],
  [/^(NPM_CONFIG_|YARN_|PIP_|UV_|PNPM_)/, 'it changes where packages are downloaded from or how they are installed'],
  [/^(GIT_SSH_COMMAND|GIT_EXEC_PATH|GIT_CONFIG_.*)$/, 'it can make git run other programs'],
  [/^(HOME|USERPROFILE|XDG_CONFIG_HOME|APPDATA)$/, 'programs read their configuration (and startup code) from there'],
  // GOPRIVATE/GONOPROXY/GONOSUMDB skip the checksum database, GOINSECURE allows plain http, GOENV names a file of more of these.
  [/^(GOFLAGS|GOPROXY|GONOSUMDB|GONOPROXY|GOPRIVATE|GOINSECURE|GOENV|GOSUMDB|GOTOOLCHAIN|RUSTC_WRAPPER|RUSTFLAGS|CARGO_.*|BUNDLE_GEMFILE|GEM_HOME|GEM_PATH)$/, 'it changes which code the toolchain fetches or makes it run other programs'],
  [/^(HTTPS?_PROXY|ALL_PROXY)$/, "the server's network traffic, your keys in it included, goes through that proxy"],
  [/^(NODE_TLS_REJECT_UNAUTHORIZED|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_NO_VERIFY|PYTHONHTTPSVERIFY)$/, 'it changes which https servers are trusted, so its connections can be read or changed on the way'],
];

function riskOf(name: string): string | undefined {
  const upper = name.toUpperCase();
  return RISKY.find(([re]) => re.test(upper))?.[1];
}

const quoteArg = (s: string) => (/[\s"'$`\\]/.test(s) || s === '' || hasHiddenCharacters(s) ? JSON.stringify(s) : s);

/**
 * A path as the trust dialog names files: relative to the workspace folder the definition belongs to (as
 * `.vscode/mcp.json (demo)` is), absolute only when it is outside that folder (or there is none).
 */
export function inFolder(file: string, folder: string | undefined): string {
  if (folder === undefined) return file;
  const relative = path.relative(folder, file);
  if (relative === '') return 'the workspace folder';
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : `${relative}, in the workspace folder`;
}

/**
 * The preview as lines of plain text for a dialog's detail (to pass through `inertBlock`, which shows hidden
 * characters). Arguments holding spaces, quotes or non-printing characters are quoted. With `folder` (the
 * definition's workspace folder), the working folder and the env file are named relative to it.
 */
export function describePreview(preview: LaunchPreview, folder?: string): string[] {
  const lines: string[] = [];
  for (const w of preview.warnings) lines.push(`⚠ ${w}`);
  if (preview.type === 'stdio') {
    lines.push(`runs: ${[preview.command, ...maskArgs(preview.args)].map(quoteArg).join(' ')}`);
    if (preview.cwd !== undefined) lines.push(`in: ${inFolder(preview.cwd, folder)}`);
    for (const v of preview.env) {
      const value = v.value === null ? '(removed)' : quoteArg(v.value);
      lines.push(`${v.risk ? '⚠ ' : ''}env ${v.name}=${value}${v.from === 'envFile' ? ' (from the env file)' : ''}`);
    }
    if (preview.envFile) lines.push(`env file: ${inFolder(preview.envFile.path, folder)}${preview.envFile.read === false ? ' (cannot be read: the server will not start)' : ''}`);
  } else {
    const host = preview.host ?? (preview.defaultHost !== undefined ? `${preview.defaultHost} (the config's default)` : '(unknown host)');
    lines.push(`connects to: ${host} — ${preview.type === 'sse' ? 'SSE' : 'HTTP'} ${preview.url}`);
    for (const h of preview.headers) lines.push(`header ${h.name}: ${h.value}`);
    for (const s of preview.sends) lines.push(`sends ${s}`);
  }
  for (const d of preview.defaults) lines.push(`default: ${d.where} uses ${quoteArg(d.value)} when ${d.variable} is not set`);
  return lines;
}
