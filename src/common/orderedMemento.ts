/** The shape of a `vscode.Memento` (kept here so this runs, and is tested, in plain Node). */
export interface Memento {
  keys(): readonly string[];
  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  update(key: string, value: unknown): PromiseLike<void>;
}

/**
 * The extension's global state with its writes made one at a time, each after the one before has been stored.
 *
 * VS Code sends a write to the global state to the workbench, which echoes the whole state (every key) back to
 * the extension host, and the extension host takes the echo as its state. An echo read after a newer write
 * undoes that write there until the newer write's own echo comes; read before the newer write was sent (VS Code
 * sends from a timer), it undoes it for good, since the write then sends the state as the echo left it.
 * Writes from different parts of the extension interleave (a protocol-era verdict as a server starts, then the
 * approval of the next server): the approval of a server added a moment after another was lost this way, and
 * its start was refused as "its definition changed after you approved the server". Once a write is stored, its
 * echo has arrived (the workbench echoes before it answers), so a write made only then cannot be undone by it.
 * Until then, reads see the waiting value.
 */
export class OrderedMemento implements Memento {
  /** Per key, the newest value written and not yet stored, and how many of its writes are still waiting. */
  private readonly waiting = new Map<string, { value: unknown; writes: number }>();
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly inner: Memento) {}

  keys(): readonly string[] {
    const keys = new Set(this.inner.keys());
    for (const [key, { value }] of this.waiting) {
      if (value === undefined) keys.delete(key);
      else keys.add(key);
    }
    return [...keys];
  }

  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    const waiting = this.waiting.get(key);
    if (!waiting) return this.inner.get<T>(key, defaultValue as T);
    return waiting.value === undefined ? defaultValue : (waiting.value as T);
  }

  update(key: string, value: unknown): Promise<void> {
    // A copy, as VS Code keeps one: a caller changing its object afterwards changes nothing stored.
    const copy: unknown = value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
    const waiting = this.waiting.get(key);
    this.waiting.set(key, { value: copy, writes: (waiting?.writes ?? 0) + 1 });
    const write = this.last.then(() => this.inner.update(key, copy));
    const settled = () => {
      const w = this.waiting.get(key);
      if (w && --w.writes === 0) this.waiting.delete(key);
    };
    // A failed write is the caller's to see; the next one still goes.
    this.last = write.then(settled, settled);
    return write;
  }
}
