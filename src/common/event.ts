import { IDisposable } from './disposable';

/** A subscription function: the shape of `vscode.Event`, without importing it. */
export type Event<T> = (listener: (e: T) => void) => IDisposable;

/** A minimal event emitter. A throwing listener is reported through `onListenerError` and does not stop the others. */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<(e: T) => void>();
  private disposed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = err => console.error(err)) {}

  readonly event: Event<T> = listener => {
    if (this.disposed) return { dispose() {} };
    const wrapped = (e: T) => listener(e);
    this.listeners.add(wrapped);
    return { dispose: () => this.listeners.delete(wrapped) };
  };

  fire(e: T): void {
    // Most events fire with nobody listening (a tool call's history entry, say): no copy of the set then.
    if (this.listeners.size === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/** Resolves with the next event that passes `filter`, or rejects after `timeoutMs`. */
export function waitForEvent<T>(event: Event<T>, filter: (e: T) => boolean, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for an event`));
    }, timeoutMs);
    const sub = event(e => {
      if (!filter(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/**
 * Runs `run` once in a microtask however often `schedule` is called before it (the registry fires a state change and
 * a tool change for one server event: one render for both). Nothing runs once disposed.
 */
export class MicrotaskBatch implements IDisposable {
  private queued = false;
  private disposed = false;

  constructor(private readonly run: () => void) {}

  readonly schedule = (): void => {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (!this.disposed) this.run();
    });
  };

  dispose(): void {
    this.disposed = true;
  }
}
