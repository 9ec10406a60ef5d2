import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a workspace decides about an `npx <package>` server besides its command line (checked with npm 10):
 * - npm exec runs the project's own copy of the package when the folder has one: a `node_modules/.bin/<name>`
 *   committed to a repository is enough, no install;
 * - npm reads the project's `.npmrc` (in the folder it runs in, or the folder's project root): it sets the registry
 *   the package is downloaded from, and `node-options` that Node loads into the package's process.
 * A workspace server runs in its folder, so a cloned repository can choose the code behind
 * `npx -y @modelcontextprotocol/server-filesystem` while the command line reads as the registry's package.
 */

/** The package an `npx` command line runs, as written (`@scope/name`, its version left off), or undefined. */
export function npxPackage(command: string, args: readonly string[]): string | undefined {
  const program = (command.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.(cmd|exe|ps1)$/, '');
  if (program !== 'npx') return undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // `--package <spec>` / `-p <spec>` / `--package=<spec>` names the package whatever the command after it.
    if (arg === '-p' || arg === '--package') return packageName(args[i + 1]);
    if (arg.startsWith('--package=')) return packageName(arg.slice('--package='.length));
    if (arg === '--') return packageName(args[i + 1]);
    if (arg.startsWith('-')) continue;
    return packageName(arg);
  }
  return undefined;
}

/** `@scope/name@1.2.3` → `@scope/name`; `name@latest` → `name`; anything that is not a registry name → undefined. */
function packageName(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  const m = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)(?:@.*)?$/i.exec(spec);
  return m?.[1];
}

/** Reads a file of the workspace: its text, or undefined when there is none. */
export type ReadLocalFile = (file: string) => string | undefined;

export const readLocalFile: ReadLocalFile = file => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** What the workspace decides about an npx server: the warning the trust dialog shows, and what the approval is bound to. */
export interface NpxInfluence {
  readonly warning: string;
  /** The file and what in it counts (an `.npmrc`'s text): a change asks again. */
  readonly bound: string;
}

/**
 * What the workspace decides about what `npx` runs from `folder` (the server's cwd) within `workspaceFolder`: its
 * own copy of the package, its `.npmrc`. Empty when the command is not `npx` or the folder has neither.
 */
export function npxInfluences(command: string, args: readonly string[], folder: string | undefined, workspaceFolder: string | undefined, read: ReadLocalFile = readLocalFile): NpxInfluence[] {
  const name = npxPackage(command, args);
  if (!name || !folder) return [];
  const found: NpxInfluence[] = [];
  const bin = name.split('/').pop()!;
  for (const relative of [path.join('node_modules', '.bin', bin), path.join('node_modules', ...name.split('/'), 'package.json')]) {
    if (read(path.join(folder, relative)) === undefined) continue;
    const shown = relative.split(path.sep).join('/');
    found.push({ warning: `npx runs the workspace's own ${shown}, not the package ${name} from the registry: the repository chooses that code.`, bound: shown });
    break;
  }
  // The folder's .npmrc, or the workspace folder's when the server runs below it (npm reads its project root's).
  for (const dir of [...new Set([folder, workspaceFolder].filter((d): d is string => d !== undefined))]) {
    const text = read(path.join(dir, '.npmrc'));
    if (text === undefined) continue;
    const where = dir === workspaceFolder ? '.npmrc' : path.join(path.relative(workspaceFolder ?? dir, dir), '.npmrc').split(path.sep).join('/');
    found.push({ warning: `npx reads the workspace's ${where}: it can set the registry ${name} is downloaded from and options Node loads into it; the repository chooses them.`, bound: `${where}\n${text}` });
  }
  return found;
}
