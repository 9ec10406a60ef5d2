import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `npx <package>` runs the project's own copy of the package when the folder it runs in has one (npm exec looks in
 * the local `node_modules` first: a `node_modules/.bin/<name>` committed to a repository is enough), not the package
 * from the registry. A workspace server runs in its folder, so a cloned repository could swap the code behind
 * `npx -y @modelcontextprotocol/server-filesystem` for its own while the command line reads as the registry's package.
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

/**
 * The workspace's own copy that `npx` would run instead of the registry's package, as a path relative to `folder`
 * (`node_modules/.bin/server-filesystem`), or undefined when there is none (or the command is not `npx`).
 */
export function localPackageShadow(command: string, args: readonly string[], folder: string | undefined, exists: (file: string) => boolean = fs.existsSync): string | undefined {
  const name = npxPackage(command, args);
  if (!name || !folder) return undefined;
  const bin = name.split('/').pop()!;
  for (const relative of [path.join('node_modules', '.bin', bin), path.join('node_modules', ...name.split('/'), 'package.json')]) {
    if (exists(path.join(folder, relative))) return relative.split(path.sep).join('/');
  }
  return undefined;
}
