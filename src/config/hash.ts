import { createHash } from 'node:crypto';
import type { ServerDefinition } from './types';
import { parseEnvFile } from './variables';

/**
 * A stable hash of what a definition does when launched, plus where it lives (`origin.kind` and
 * `origin.folder`, so the same text in another repository is another server to trust). Key order,
 * ranges and labels do not affect it. Used to restart only changed servers and to pin trust approvals.
 */
export function definitionHash(def: ServerDefinition): string {
  const hashed = {
    ...launchFields(def),
    timeouts: def.timeouts,
    // A set, not a sequence: reordering the list changes nothing.
    disabledTools: [...def.disabledTools].sort(),
    disabled: def.disabled,
    oauth: def.type === 'stdio' ? undefined : def.oauth,
    protocol: def.protocol,
    origin: { kind: def.origin.kind, folder: def.origin.folder ?? null },
  };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

/**
 * A hash of what a user approves when trusting a server: what runs (or where it connects) and where it
 * is defined. Timeouts, `disabled`, `disabledTools` and `protocol` are left out, so tuning them does not ask again.
 * For a definition with an `envFile`, pass the file's text (`undefined` if it cannot be read): the variables
 * it sets are part of what runs, so a pull that adds `NODE_OPTIONS=…` to it asks again. Comments and layout
 * of the file do not count.
 */
export function trustHash(def: ServerDefinition, envFileText?: string): string {
  const hashed = {
    ...launchFields(def),
    origin: { kind: def.origin.kind, folder: def.origin.folder ?? null, file: def.origin.file ?? null },
    // Only for definitions with an env file, so the hashes (and approvals) of all others stay as they were.
    ...(def.type === 'stdio' && def.envFile !== undefined ? { envFileEnv: envFileText === undefined ? null : parseEnvFile(envFileText) } : {}),
  };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

const identities = new WeakMap<ServerDefinition, string>();

/**
 * Whose a tool approval is: the server's name, the file and folder that define it, and what runs or where it
 * connects (all that `trustHash` covers). The same name in another folder or file, or a rewritten command, is
 * another server and earns its own approvals. Definitions are immutable (an edit makes a new object), so the
 * hash is kept per object: the consent gate asks for it on every call.
 */
export function serverIdentity(def: ServerDefinition): string {
  let identity = identities.get(def);
  if (identity === undefined) {
    identity = createHash('sha256').update(canonicalJson({ name: def.name, trust: trustHash(def) })).digest('hex');
    identities.set(def, identity);
  }
  return identity;
}

/** What runs, or where it connects: the part of a definition both hashes cover. */
function launchFields(def: ServerDefinition): object {
  return def.type === 'stdio'
    ? { type: def.type, command: def.command, args: def.args, env: def.env, envFile: def.envFile ?? null, cwd: def.cwd ?? null }
    : { type: def.type, url: def.url, headers: def.headers };
}

/** JSON with object keys sorted at every depth; array order is kept. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
