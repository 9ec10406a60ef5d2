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
 * of the file do not count. `npxInfluence`: what the workspace decides about what its `npx` runs (its own copy of the package, its `.npmrc`).
 */
export function trustHash(def: ServerDefinition, envFileText?: string, npxInfluence?: string): string {
  const hashed = {
    ...launchFields(def),
    origin: { kind: def.origin.kind, folder: def.origin.folder ?? null, file: def.origin.file ?? null },
    // Only for definitions with an env file, so the hashes (and approvals) of all others stay as they were.
    ...(def.type === 'stdio' && def.envFile !== undefined ? { envFileEnv: envFileText === undefined ? null : parseEnvFile(envFileText) } : {}),
    // Only when the workspace decides what its npx runs (`npxLocalInfluence`): a pull that adds or changes that asks again.
    ...(npxInfluence !== undefined ? { npxInfluence } : {}),
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

/**
 * JSON with object keys sorted at every depth (by UTF-16 code units); array order is kept, `undefined` members
 * are left out. For JSON data (what a server or a config file sends): approvals are bound to its hash, so this text
 * must never change for the same data. V8's own serializer does the work (~3× faster than a walk in script:
 * ~50 ms for a 500 KB tool definition), with each out-of-order object copied in sorted order; an object with
 * array-index keys (which V8 always enumerates first, in numeric order) cannot be reordered, so such a value
 * takes the walk in script, as does one nested too deeply for V8's serializer.
 */
export function canonicalJson(value: unknown): string {
  let indexKeys = false;
  let text = '';
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || indexKeys) return v;
      const keys = Object.keys(v);
      if (inOrder(keys)) return v;
      if (keys.some(isArrayIndex)) {
        indexKeys = true;
        return v;
      }
      keys.sort();
      // No prototype, so a `__proto__` key stays a key.
      const sorted = Object.create(null) as Record<string, unknown>;
      for (const key of keys) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    });
  } catch (error) {
    // Nested a few thousand deep (a server's schema: JSON.parse reads it, V8's serializer recurses and overflows): the
    // walk in script writes the same text without recursion. Before, that tool's approval check threw RangeError.
    if (!(error instanceof RangeError)) throw error;
    indexKeys = true;
  }
  if (!indexKeys) return text;
  const walk = new CanonicalWalk(value);
  walk.run(() => false);
  return walk.take();
}

/**
 * SHA-256 (hex) of `canonicalJson(value)`, computed in slices of about `sliceMs` with a yield to the event loop
 * between them: a 500 KB tool definition costs ~100 ms of script, which on the extension host's thread froze
 * the window on the first call of such a tool. A small value is done in the first slice.
 */
export async function canonicalJsonHash(value: unknown, sliceMs = 4): Promise<string> {
  const hash = createHash('sha256');
  const walk = new CanonicalWalk(value);
  for (;;) {
    const started = performance.now();
    const done = walk.run(() => performance.now() - started > sliceMs);
    // Chunks end between JSON tokens (JSON.stringify escapes lone surrogates), so their UTF-8 is the whole text's.
    hash.update(walk.take());
    if (done) return hash.digest('hex');
    await new Promise<void>(resolve => setImmediate(resolve));
  }
}

/** `canonicalJson` as a walk in script that can stop between any two values and go on later. */
class CanonicalWalk {
  private readonly stack: ({ array: readonly unknown[]; next: number } | { object: Record<string, unknown>; keys: string[]; next: number })[] = [];
  private out: string[] = [];

  constructor(value: unknown) {
    this.visit(value);
  }

  /** Walks until done (true) or until `stop()`, asked every 256 values, says so (false). */
  run(stop: () => boolean): boolean {
    let steps = 0;
    while (this.stack.length) {
      if (++steps % 256 === 0 && stop()) return false;
      const top = this.stack[this.stack.length - 1]!;
      if ('array' in top) {
        if (top.next === top.array.length) {
          this.out.push(']');
          this.stack.pop();
        } else {
          if (top.next > 0) this.out.push(',');
          this.visit(top.array[top.next++]);
        }
      } else if (top.next === top.keys.length) {
        this.out.push('}');
        this.stack.pop();
      } else {
        const key = top.keys[top.next++]!;
        this.out.push(`${top.next > 1 ? ',' : ''}${JSON.stringify(key)}:`);
        this.visit(top.object[key]);
      }
    }
    return true;
  }

  /** The text walked since the last call. */
  take(): string {
    const text = this.out.join('');
    this.out = [];
    return text;
  }

  private visit(value: unknown): void {
    if (Array.isArray(value)) {
      this.out.push('[');
      this.stack.push({ array: value, next: 0 });
    } else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      this.out.push('{');
      this.stack.push({ object, keys: Object.keys(object).filter(k => object[k] !== undefined).sort(), next: 0 });
    } else {
      // `undefined` in an array is written as nothing, as `[…].map(canonicalJson).join(',')` always did.
      const text = JSON.stringify(value) as string | undefined;
      if (text !== undefined) this.out.push(text);
    }
  }
}

function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** A key V8 enumerates before all others, in numeric order: a canonical array index (0 … 2³² − 2). */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}
