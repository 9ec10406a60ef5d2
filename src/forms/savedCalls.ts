import { asObjectSchema, displaySchema, isObject } from './schemaForm';
import { setOwn } from '../common/ownKey';

/**
 * Saved calls: a tool's filled arguments kept under a name, for this workspace or for the user, to run
 * again (always through consent) or edit. No `vscode` here: the two stores are anything with a Memento's
 * `get`/`update`. Values the schema marks as secret are never kept.
 */

export type SavedCallScope = 'workspace' | 'user';

export interface SavedCall {
  readonly name: string;
  readonly scope: SavedCallScope;
  readonly server: string;
  readonly tool: string;
  /** The tool's title when it was saved, to show beside its name. */
  readonly title?: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** Where secret values were left out (JSON pointers): a run asks for them again. */
  readonly leftOut: readonly string[];
  /** ISO time of the last save. */
  readonly savedAt: string;
}

/** The part of a `vscode.Memento` the store uses. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const SAVED_CALLS_KEY = 'mcpHost.savedCalls';

/** The most saved calls kept per scope: a list to pick from, not a database. */
export const MAX_SAVED_CALLS = 200;

export class SavedCallStore {
  private listeners = new Set<() => void>();

  constructor(private readonly stores: Readonly<Record<SavedCallScope, KeyValueStore>>) {}

  /** Every saved call, this workspace's first, each scope by name. */
  list(): SavedCall[] {
    return (['workspace', 'user'] as const).flatMap(scope => this.read(scope).sort((a, b) => a.name.localeCompare(b.name)));
  }

  forTool(server: string, tool: string): SavedCall[] {
    return this.list().filter(c => c.server === server && c.tool === tool);
  }

  find(scope: SavedCallScope, name: string): SavedCall | undefined {
    return this.read(scope).find(c => c.name === name);
  }

  /** Saves (or replaces, by scope and name) a call; secret values are dropped first. */
  async save(call: { name: string; scope: SavedCallScope; server: string; tool: string; title?: string; args: Readonly<Record<string, unknown>>; schema: unknown }, now = new Date()): Promise<SavedCall> {
    const name = call.name.trim();
    if (!name) throw new Error('A saved call needs a name.');
    const { args, leftOut } = withoutSecrets(call.schema, call.args);
    const saved: SavedCall = { name, scope: call.scope, server: call.server, tool: call.tool, ...(call.title ? { title: call.title } : {}), args, leftOut, savedAt: now.toISOString() };
    const others = this.read(call.scope).filter(c => c.name !== name);
    if (others.length >= MAX_SAVED_CALLS) throw new Error(`There are already ${MAX_SAVED_CALLS} saved calls ${call.scope === 'user' ? 'for you' : 'in this workspace'}; delete some first.`);
    await this.stores[call.scope].update(SAVED_CALLS_KEY, [...others, saved]);
    this.changed();
    return saved;
  }

  async remove(scope: SavedCallScope, name: string): Promise<boolean> {
    const calls = this.read(scope);
    const kept = calls.filter(c => c.name !== name);
    if (kept.length === calls.length) return false;
    await this.stores[scope].update(SAVED_CALLS_KEY, kept);
    this.changed();
    return true;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** What a scope holds, read defensively: state written by another version, or edited by hand, may be anything. */
  private read(scope: SavedCallScope): SavedCall[] {
    const raw = this.stores[scope].get<unknown>(SAVED_CALLS_KEY);
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((c): SavedCall[] =>
      isObject(c) && typeof c.name === 'string' && typeof c.server === 'string' && typeof c.tool === 'string' && isObject(c.args)
        ? [{
            name: c.name,
            scope,
            server: c.server,
            tool: c.tool,
            ...(typeof c.title === 'string' ? { title: c.title } : {}),
            args: c.args,
            leftOut: Array.isArray(c.leftOut) ? c.leftOut.filter((p): p is string => typeof p === 'string') : [],
            savedAt: typeof c.savedAt === 'string' ? c.savedAt : '',
          }]
        : [],
    );
  }
}

/** Property names that hold secrets whatever the schema says (a server rarely marks them). */
const SECRET_NAME = /passw(or)?d|passphrase|secret|token|api[-_]?key|credential|private[-_]?key/i;

/** Whether a property's schema (or its name) says its value is a secret: `format: "password"`, `writeOnly`, or a secret's name. */
export function isSecretField(name: string, schema: unknown): boolean {
  if (SECRET_NAME.test(name)) return true;
  return isObject(schema) && (schema.format === 'password' || schema.writeOnly === true);
}

/** The arguments without secret values (at any depth, in objects and lists), and where they were. */
export function withoutSecrets(schema: unknown, args: Readonly<Record<string, unknown>>): { args: Record<string, unknown>; leftOut: string[] } {
  const root = asObjectSchema(schema);
  const leftOut: string[] = [];
  const walk = (value: unknown, s: unknown, pointer: string, depth: number): unknown => {
    if (depth > 32) return value;
    const shown = isObject(s) ? displaySchema(s, root) : {};
    if (Array.isArray(value)) return value.map((v, i) => walk(v, isObject(shown.items) ? shown.items : undefined, `${pointer}/${i}`, depth + 1));
    if (!isObject(value)) return value;
    const props = isObject(shown.properties) ? shown.properties : {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const at = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const propSchema = props[k] !== undefined ? displaySchema(props[k], root) : undefined;
      if (isSecretField(k, propSchema)) {
        leftOut.push(at);
        continue;
      }
      setOwn(out, k, walk(v, propSchema, at, depth + 1));
    }
    return out;
  };
  return { args: walk(args, root, '', 0) as Record<string, unknown>, leftOut };
}
