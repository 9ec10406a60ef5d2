import * as fs from 'fs';
import * as path from 'path';

/**
 * How a stdio server's command is started on Windows. libuv looks a bare command up in the working
 * directory before PATH, so a repository holding `npx.exe` (or `npx.cmd`) would run it in place of the
 * real one; and it finds only `.exe`/`.com`, so `npx` (`npx.cmd`) is not found at all. We look the
 * command up ourselves, on PATH with PATHEXT, never in the working directory, and spawn the absolute
 * file; a batch file runs through cmd.exe with its arguments escaped for cmd.exe.
 */

const win = path.win32;
const DEFAULT_PATHEXT = ['.com', '.exe', '.bat', '.cmd'];

export interface WindowsLookup {
  /** The child's environment (names compared case-insensitively, as Windows does). */
  readonly env: Readonly<Record<string, string>>;
  /** The server's working directory: only a command written with a path (`.\bin\x`) is resolved against it. */
  readonly cwd?: string | undefined;
  readonly isFile?: (file: string) => boolean;
}

export interface SpawnTarget {
  readonly command: string;
  readonly args: readonly string[];
  /** Arguments are already quoted for cmd.exe and must be passed as they are. */
  readonly windowsVerbatimArguments: boolean;
}

function envValue(env: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(env).find(k => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function isFileOnDisk(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The files `base` may name: as written when it has a runnable extension, then with each PATHEXT extension. */
function candidates(base: string, extensions: readonly string[]): string[] {
  const ext = win.extname(base).toLowerCase();
  const withExt = extensions.map(e => base + e);
  return ext && extensions.includes(ext) ? [base, ...withExt] : withExt;
}

/**
 * The absolute file a command names on Windows, or undefined when there is none. A bare name is looked
 * up in each absolute PATH entry in order (relative and empty entries, which would mean the working
 * directory, are skipped); a name with a path is taken as written, relative to `cwd`.
 */
export function resolveWindowsCommand(command: string, lookup: WindowsLookup): string | undefined {
  const isFile = lookup.isFile ?? isFileOnDisk;
  const extensions = (envValue(lookup.env, 'PATHEXT') ?? '')
    .split(';')
    .map(e => e.trim().toLowerCase())
    .filter(e => /^\.[a-z0-9]+$/.test(e));
  const exts = extensions.length ? extensions : DEFAULT_PATHEXT;
  const hasPath = /[\\/]/.test(command) || /^[a-zA-Z]:/.test(command);
  if (hasPath) {
    if (!win.isAbsolute(command) && !(lookup.cwd && win.isAbsolute(lookup.cwd))) return undefined;
    return candidates(win.resolve(lookup.cwd ?? '', command), exts).find(isFile);
  }
  for (const entry of (envValue(lookup.env, 'PATH') ?? '').split(';')) {
    const dir = entry.trim().replace(/^"(.*)"$/, '$1');
    if (!dir || !win.isAbsolute(dir) || /^[\\/](?![\\/])/.test(dir)) continue;
    const found = candidates(win.join(dir, command), exts).find(isFile);
    if (found) return found;
  }
  return undefined;
}

/** cmd.exe's special characters, escaped with `^` outside and inside quotes alike. */
const CMD_META = /[()[\]%!^"`<>&|;, *?]/g;

function caretEscape(text: string): string {
  return text.replace(CMD_META, '^$&');
}

/**
 * One argument for a batch file run by `cmd.exe /d /s /c`: quoted the way the C runtime splits a command
 * line (backslashes before a quote or the end doubled, quotes backslash-escaped), then caret-escaped twice,
 * once for the `/c` line and once more for the line in the batch file that passes it on (`%*`, `%1`).
 * `%VAR%` and `!VAR!` thus stay literal.
 */
export function escapeBatchArgument(arg: string): string {
  if (/[\r\n\0]/.test(arg)) throw new Error('an argument with a line break or NUL cannot be passed to a batch file');
  const quoted = `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
  return caretEscape(caretEscape(quoted));
}

/** What to spawn for `file` (absolute) on Windows: the file itself, or cmd.exe running a batch file. */
export function windowsSpawnTarget(file: string, args: readonly string[], env: Readonly<Record<string, string>>): SpawnTarget {
  if (!/\.(cmd|bat)$/i.test(file)) return { command: file, args, windowsVerbatimArguments: false };
  const comspec = envValue(env, 'COMSPEC');
  const cmd = comspec && win.isAbsolute(comspec) ? comspec : win.join(envValue(env, 'SYSTEMROOT') ?? 'C:\\Windows', 'System32', 'cmd.exe');
  const line = [caretEscape(file), ...args.map(escapeBatchArgument)].join(' ');
  return { command: cmd, args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}
