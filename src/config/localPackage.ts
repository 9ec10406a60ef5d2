import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a workspace decides about an `npx <package>` server besides its command line. npm exec (libnpmexec, npm 10 and
 * 11, checked by running them) runs, before the registry's package:
 * - a `bin` of the project's own `package.json` named like the command;
 * - a `node_modules/.bin/<command>` in the project or any folder above it (for `@scope/name` that is
 *   `.bin/@scope/name`), committed to a repository is enough, no install;
 * - the package anywhere in the project's `node_modules` tree (`node_modules/a/node_modules/@scope/name` too).
 * And it reads the project's `.npmrc`: the registry the package is downloaded from, `node-options` Node loads into it.
 * The "project" is the nearest folder above the server's cwd with a `package.json` or `node_modules`; rather than
 * model that, every folder from the cwd up to the workspace folder is looked at. A workspace server runs in its
 * folder, so a cloned repository can choose the code behind `npx -y @modelcontextprotocol/server-filesystem` while
 * the command line reads as the registry's package.
 */

/**
 * The package an `npx` command line runs, as written (`@scope/name`, its version left off), or undefined. `npm exec`
 * and `npm x` are npx; `bunx` also runs a project's own `node_modules/.bin` first. `pnpm dlx` (`pnpx`) and `yarn dlx`
 * run a registry's package too.
 */
export function npxPackage(command: string, args: readonly string[]): string | undefined {
  return npxSpec(command, args)?.name;
}

/**
 * Which program fetches and runs a registry's package, as each was checked by running it (offline, against a
 * folder holding every kind of local copy; pnpm 10.34, yarn 4.18, npm 10/11):
 * - `npx` (`npm exec`, `npm x`): the project's own bin or copy before the registry's, and its `.npmrc`;
 * - `bunx` (Bun 1.4.4): a `node_modules/.bin` entry or copy in the cwd or above before the registry's; the registry
 *   of the project's `.npmrc` and `bunfig.toml` was not used, nor a `package.json` bin (both still bound, as npx's, in
 *   case another version reads them); `bunx --bun` (or a package whose bin runs under Bun) loads the cwd's
 *   `bunfig.toml`, whose `preload` scripts run first: the repository's code;
 * - `pnpm` (`pnpm dlx`, `pnpx`): always the registry's package (no local bin or copy), from the registry the
 *   project's `.npmrc` names;
 * - `yarn` (`yarn dlx`, Yarn 2 and later): the registry's package, but a `.yarnrc.yml` with `yarnPath` (Yarn 1's
 *   `.yarnrc` with `yarn-path`) in the folder or above makes yarn run that file, the repository's, in place of itself.
 */
type Runner = 'npx' | 'bunx' | 'pnpm' | 'yarn';

/** What an `npx`-like command line names: the spec as written (`name@latest`: npm looks for a `.bin` entry of exactly that), its package name, and what runs it. */
function npxSpec(command: string, args: readonly string[], runner: Runner = 'npx'): { written: string; name: string; runner: Runner } | undefined {
  const program = (command.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.(cmd|exe|ps1|js|cjs)$/, '');
  const sub = args.findIndex(a => !a.startsWith('-'));
  if (program === 'npm') return sub >= 0 && (args[sub] === 'exec' || args[sub] === 'x') ? npxSpec('npx', args.slice(sub + 1)) : undefined;
  if (program === 'pnpm') return sub >= 0 && args[sub] === 'dlx' ? npxSpec('npx', args.slice(sub + 1), 'pnpm') : undefined;
  if (program === 'yarn' || program === 'yarnpkg') return sub >= 0 && args[sub] === 'dlx' ? npxSpec('npx', args.slice(sub + 1), 'yarn') : undefined;
  if (program === 'pnpx') return npxSpec('npx', args, 'pnpm');
  if (program === 'bunx' && runner === 'npx') return npxSpec('npx', args, 'bunx');
  if (program !== 'npx') return undefined;
  const spec = (written: string | undefined) => {
    const name = packageName(written);
    if (name === undefined) return undefined;
    // A version with a path in it (`name@../x`) is no file name npm would look for.
    return { written: /[\\/]/.test(written!.slice(name.length)) ? name : written!, name, runner };
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // `--package <spec>` / `-p <spec>` / `--package=<spec>` names the package whatever the command after it.
    if (arg === '-p' || arg === '--package') return spec(args[i + 1]);
    if (arg.startsWith('--package=')) return spec(arg.slice('--package='.length));
    if (arg === '--') return spec(args[i + 1]);
    if (arg.startsWith('-')) continue;
    return spec(arg);
  }
  return undefined;
}

/** `@scope/name@1.2.3` → `@scope/name`; `name@latest` → `name`; anything that is not a registry name → undefined. */
function packageName(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  const m = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)(?:@.*)?$/i.exec(spec);
  return m?.[1];
}

/** Reads the workspace's files: a file's text and a folder's entries, or undefined when there is none. */
export interface LocalFiles {
  read(file: string): string | undefined;
  /** The folder's entries, with whether each is a folder (a link to one counts). */
  list(dir: string): ReadonlyArray<{ readonly name: string; readonly isDir: boolean }> | undefined;
}

export const localFiles: LocalFiles = {
  read: file => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  list: dir => {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map(e => ({ name: e.name, isDir: e.isDirectory() || e.isSymbolicLink() }));
    } catch {
      return undefined;
    }
  },
};

let folderWalks = 0;

/**
 * How many times the folders of an npx server were looked through (`npxInfluences`) in this extension host: each look
 * reads every folder from the cwd up to the workspace folder and up to NODE_MODULES_BUDGET entries of each
 * `node_modules` tree, so the tests count them per start and per tree render.
 */
export function npxFolderWalks(): number {
  return folderWalks;
}

/** What the workspace decides about an npx server: the warning the trust dialog shows, and what the approval is bound to. */
export interface NpxInfluence {
  readonly warning: string;
  /** The file and what in it counts (an `.npmrc`'s text): a change asks again. */
  readonly bound: string;
}

/**
 * How much of a `node_modules` tree is looked through for a copy: folders listed (or tried: most packages have no
 * `node_modules` of their own) plus entries read. Past it the tree counts as a copy: the check runs on the extension
 * host as a server starts, and a repository can make the tree as large as it likes (links included).
 */
export const NODE_MODULES_BUDGET = 20_000;

/**
 * What the workspace decides about what `npx` runs from `folder` (the server's cwd) within `workspaceFolder`: a
 * `bin` of its own, its own copy of the package, its `.npmrc`, in `folder` and every folder above it up to the
 * workspace folder (only `folder` when it is outside). Empty when the command is not `npx` or there is none.
 */
export function npxInfluences(command: string, args: readonly string[], folder: string | undefined, workspaceFolder: string | undefined, files: LocalFiles = localFiles): NpxInfluence[] {
  const target = npxSpec(command, args);
  if (!target || !folder) return [];
  folderWalks++;
  const { name, runner } = target;
  const found: NpxInfluence[] = [];
  const who = runner === 'bunx' ? 'bunx' : 'npx';
  const shown = (file: string) => (workspaceFolder !== undefined && isInside(file, workspaceFolder) ? path.relative(workspaceFolder, file) : file).split(path.sep).join('/');
  // npm looks for a `.bin` entry named exactly as written (`name@latest` too); the bare names are checked as well.
  const commands = [...new Set([target.written, name, name.split('/').pop()!])];
  for (const dir of foldersUp(folder, workspaceFolder)) {
    if (runner === 'yarn') {
      found.push(...yarnPaths(dir, files, shown));
      continue;
    }
    const npmrc = () => {
      const file = path.join(dir, '.npmrc');
      const text = files.read(file);
      if (text === undefined) return;
      found.push({ warning: `${runner === 'pnpm' ? 'pnpm dlx' : who} reads the workspace's ${shown(file)}: it can set the registry ${name} is downloaded from and options Node loads into it; the repository chooses them.`, bound: `${shown(file)}\n${text}` });
    };
    // pnpm dlx fetches the registry's package into a folder of its own: a project's bin or copy is not run.
    if (runner === 'pnpm') {
      npmrc();
      continue;
    }
    if (runner === 'bunx' && dir === path.resolve(folder)) {
      const file = path.join(dir, 'bunfig.toml');
      const text = files.read(file);
      if (text !== undefined) {
        found.push({ warning: `bunx --bun (or a package that runs under Bun) loads the workspace's ${shown(file)}: the preload scripts it names run first, and the repository chooses them.`, bound: `${shown(file)}\n${text}` });
      }
    }
    const own = ownBin(files.read(path.join(dir, 'package.json')), commands);
    if (own) {
      found.push({ warning: `${who} runs the bin '${own.command}' of the workspace's own ${shown(path.join(dir, 'package.json'))}, not the package ${name} from the registry: the repository chooses that code.`, bound: `${shown(path.join(dir, 'package.json'))} bin ${own.command} ${own.file}` });
    }
    for (const command of commands) {
      const bin = path.join(dir, 'node_modules', '.bin', ...command.split('/'));
      if (files.read(bin) !== undefined || files.list(bin) !== undefined) {
        found.push({ warning: `${who} runs the workspace's own ${shown(bin)}, not the package ${name} from the registry: the repository chooses that code.`, bound: shown(bin) });
      }
    }
    const copy = findCopy(path.join(dir, 'node_modules'), name, files);
    if (copy !== undefined) {
      const where = copy === 'unchecked' ? path.join(dir, 'node_modules') : copy;
      found.push({
        warning:
          copy === 'unchecked'
            ? `${who} may run a copy of ${name} from the workspace's ${shown(where)} (too many packages there to check), not the package from the registry: the repository can choose that code.`
            : `${who} runs the workspace's own ${shown(where)}, not the package ${name} from the registry: the repository chooses that code.`,
        bound: copy === 'unchecked' ? `${shown(where)} unchecked` : shown(where),
      });
    }
    npmrc();
  }
  return found;
}

/**
 * A folder's yarn settings, which choose code yarn runs: `yarnPath` in `.yarnrc.yml` (Yarn 2 and later) or `yarn-path`
 * in `.yarnrc` (Yarn 1) runs that file in place of yarn; `plugins` in `.yarnrc.yml` are loaded, by `yarn dlx` too (checked
 * with yarn 4.18 and 1.22, from the folder and a subfolder). Bound to the file's text (what else yarn reads in it is not
 * modelled).
 */
function yarnPaths(dir: string, files: LocalFiles, shown: (file: string) => string): NpxInfluence[] {
  const found: NpxInfluence[] = [];
  for (const [rc, setting] of [['.yarnrc.yml', /^\s*["']?yarnPath["']?\s*:\s*["']?([^"'#\r\n]*)/m], ['.yarnrc', /^\s*["']?yarn-path["']?\s+["']?([^"'#\r\n]*)/m]] as const) {
    const file = path.join(dir, rc);
    const text = files.read(file);
    if (text === undefined) continue;
    const runs = setting.exec(text)?.[1]?.trim();
    found.push({
      warning: runs
        ? `yarn runs the workspace's own ${shown(path.resolve(dir, runs))} in place of yarn itself (${rc === '.yarnrc' ? 'yarn-path' : 'yarnPath'} in ${shown(file)}): the repository chooses that code.`
        : `yarn reads the workspace's ${shown(file)}: the plugins it names are code yarn loads${rc === '.yarnrc' ? '' : ' (yarn dlx too)'}, and the repository chooses them.`,
      bound: `${shown(file)}\n${text}`,
    });
  }
  return found;
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** `folder`, then each folder above it up to and with `workspaceFolder`; only `folder` when it is not inside. */
function foldersUp(folder: string, workspaceFolder: string | undefined): string[] {
  const dirs = [path.resolve(folder)];
  if (workspaceFolder === undefined || !isInside(dirs[0]!, path.resolve(workspaceFolder))) return dirs;
  const top = path.resolve(workspaceFolder);
  for (let dir = dirs[0]!; dir !== top; ) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dirs.push((dir = parent));
  }
  return dirs;
}

/** The bin of a project's `package.json` text that is named like one of `commands` (npm names a string bin after the package), or undefined. */
function ownBin(text: string | undefined, commands: readonly string[]): { command: string; file: string } | undefined {
  if (text === undefined) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!manifest || typeof manifest !== 'object') return undefined;
  const { bin, name } = manifest as { bin?: unknown; name?: unknown };
  const bins: Array<[string, unknown]> =
    typeof bin === 'string' ? (typeof name === 'string' ? [[name.split('/').pop()!, bin]] : []) : bin && typeof bin === 'object' ? Object.entries(bin) : [];
  const hit = bins.find(([command]) => commands.includes(command));
  return hit ? { command: hit[0], file: String(hit[1]) } : undefined;
}

/**
 * Where `name` is in the `node_modules` tree at `root` (`…/node_modules/a/node_modules/@scope/name`), at any depth
 * as npm's tree has it; 'unchecked' when it is larger than NODE_MODULES_BUDGET; undefined
 * when it is not there.
 */
function findCopy(root: string, name: string, files: LocalFiles): string | 'unchecked' | undefined {
  const [scope, bare] = name.includes('/') ? name.split('/') : [undefined, name];
  const queue = [root];
  let budget = NODE_MODULES_BUDGET;
  for (let next = 0; next < queue.length; next++) {
    const modules = queue[next]!;
    const entries = files.list(modules);
    budget -= 1 + (entries?.length ?? 0);
    if (budget < 0) return 'unchecked';
    if (!entries) continue;
    const packages: string[] = [];
    for (const entry of entries) {
      if (!entry.isDir || entry.name === '.bin') continue;
      if (entry.name.startsWith('@')) {
        const scoped = files.list(path.join(modules, entry.name)) ?? [];
        budget -= 1 + scoped.length;
        if (budget < 0) return 'unchecked';
        for (const inner of scoped) {
          if (!inner.isDir) continue;
          if (entry.name === scope && inner.name === bare) return path.join(modules, entry.name, inner.name);
          packages.push(path.join(modules, entry.name, inner.name));
        }
      } else {
        if (scope === undefined && entry.name === bare) return path.join(modules, entry.name);
        packages.push(path.join(modules, entry.name));
      }
    }
    for (const pkg of packages) queue.push(path.join(pkg, 'node_modules'));
  }
  return undefined;
}
