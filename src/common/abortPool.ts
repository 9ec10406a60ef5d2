import { getEventListeners } from 'events';

/**
 * Abort controllers for calls that each need a cancellation of their own (the palette's Cancel), reused once a
 * call has settled. On Node 20 `new AbortController()` and the first 'abort' listener on its fresh signal (the
 * SDK adds one per request) cost 4–9 µs of CPU per call, as much as the consent gate itself; a controller that
 * has been used once costs ~0.4 µs for the SDK's add and remove.
 *
 * A controller goes back to the pool only when its call has settled, its signal was never aborted (an abort
 * is final) and nobody listens to it any more (the SDK removes its listener when its request settles); so a
 * Cancel always aborts the one call running with that controller, and never an earlier one.
 */
export class AbortControllerPool {
  private readonly free: AbortController[] = [];

  /** `max`: how many idle controllers are kept (about the most calls expected in flight at once). */
  constructor(private readonly max: number) {}

  /**
   * Runs `task` with a controller no other running call has. `task` must not keep the controller or its signal
   * once it has settled: the next call may get them.
   */
  run<T>(task: (controller: AbortController) => PromiseLike<T>): Promise<T> {
    const controller = this.free.pop() ?? pooledController();
    let running: Promise<T>;
    try {
      running = Promise.resolve(task(controller));
    } catch (err) {
      this.release(controller);
      return Promise.reject(err);
    }
    // Released once settled, by a reaction added before the caller's (so before the caller goes on): not by an async
    // function, whose suspended frame and promises each call in flight would keep (a palette call's path has several).
    const release = (): void => this.release(controller);
    void running.then(release, release);
    return running;
  }

  /** Idle controllers kept for reuse. */
  get idle(): number {
    return this.free.length;
  }

  private release(controller: AbortController): void {
    const { signal } = controller;
    if (signal.aborted || this.free.length >= this.max) return;
    // Nobody listens any more: not through the relay (the SDK's requests), and on the signal only the relay itself.
    const relay = relays.get(signal);
    if (relay && relay.idle && getEventListeners(signal, 'abort').length === 1) this.free.push(controller);
  }
}

/**
 * What a request gives the SDK for a pooled controller's signal: the same cancellation, without the SDK's
 * per-request listener on a Node `AbortSignal`. The SDK adds an 'abort' listener to the signal of every request
 * (with `{ once: true }`) and removes it when the request settles: on Node 20's EventTarget that pair costs
 * ~2 µs of CPU per call (measured: 50 tools/call in flight answered in process, 21 rounds × 5,000 calls, load
 * ~11: connection only 23.7 µs, with a pooled signal 26.3, with this relay 24.1), as much as the consent gate's
 * own work. The relay listens to its signal once, when the controller is made, and calls the listeners added
 * to it, in order, when the signal aborts; `aborted` and `reason` are the signal's own.
 *
 * It has what the SDK reads of a request's signal (`aborted`, `reason`, `throwIfAborted`, `addEventListener` and
 * `removeEventListener` of 'abort'), not the rest of `AbortSignal` (`AbortSignal.any` would refuse it): give it
 * only as a request's `signal` option. Any other signal is given as it is.
 */
export function requestSignal(signal: AbortSignal): AbortSignal {
  return (relays.get(signal) as unknown as AbortSignal | undefined) ?? signal;
}

type AbortListener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * What the SDK reads of a request's signal (`aborted`, `reason`, `throwIfAborted`, and 'abort' listeners), in plain
 * script: on Node 20's EventTarget the SDK's add and remove of its per-request listener cost ~2 µs of CPU per call,
 * and a fresh `AbortController` with its first listener 4–9 µs. Every listener runs at most once (a signal aborts
 * once); as on an EventTarget, a listener added twice is kept once.
 */
class LightSignal {
  private listeners: AbortListener[] = [];
  /** A field: the SDK reads it twice per request. */
  aborted = false;
  protected abortReason: unknown;

  get reason(): unknown {
    return this.abortReason;
  }

  /** Whether no listener is left (every request it was given to has settled). */
  get idle(): boolean {
    return this.listeners.length === 0;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  addEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort' && !this.aborted && !this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    const listeners = this.listeners;
    // Most often the last one added (a request's, removed when it settles): a pop, not a splice (~400 instructions).
    if (listeners[listeners.length - 1] === listener) listeners.pop();
    else {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    }
  }

  protected fire(event: Event): void {
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  }
}

class SignalRelay extends LightSignal {
  /** The relay's listener is the signal's first: nothing runs between the abort and `aborted` being set. */
  constructor(private readonly signal: AbortSignal) {
    super();
    signal.addEventListener('abort', event => this.fire(event));
  }

  override get reason(): unknown {
    return this.signal.reason;
  }

  override throwIfAborted(): void {
    this.signal.throwIfAborted();
  }
}

/**
 * A request's own cancellation, for a request only (as `requestSignal`): aborted by `abort`, without a Node
 * `AbortController` (the per-call limit of a call that follows progress made one per call, and the SDK's listener
 * on its fresh signal).
 */
export function requestAbort(): { readonly signal: AbortSignal; abort(reason: unknown): void } {
  const signal = new OwnSignal();
  return { signal: signal as unknown as AbortSignal, abort: reason => signal.abort(reason) };
}

/**
 * `requestAbort`'s signal as a class to extend: an object that is its own request signal (the call limit's CallClock)
 * needs no wrapper, closure or side table per call. Give it, as `requestSignal`, only as a request's `signal` option.
 */
export class OwnSignal extends LightSignal {
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.abortReason = reason;
    this.fire(new Event('abort'));
  }
}

const relays = new WeakMap<AbortSignal, SignalRelay>();

function pooledController(): AbortController {
  const controller = new AbortController();
  relays.set(controller.signal, new SignalRelay(controller.signal));
  return controller;
}

/** The controllers of calls run under a progress notification (the palette, saved calls, the history's re-run). */
export const callControllers = new AbortControllerPool(64);

/** A cancellation that is not a signal (VS Code's `CancellationToken` has this shape). */
export interface CancelSource {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/**
 * Runs one call with a pooled controller that `cancel` aborts: a call made under a cancellation of its own (a chat
 * response's token) gets the palette's pooled signal, whose relay spares the SDK's listener on a Node `AbortSignal`
 * per request. The link to `cancel` is removed when the call settles, before the controller can be reused.
 */
export function runCancellable<T>(cancel: CancelSource, task: (signal: AbortSignal) => PromiseLike<T>, pool: AbortControllerPool = callControllers): Promise<T> {
  return pool.run(controller => {
    const abort = (): void => controller.abort();
    const link = cancel.onCancellationRequested(abort);
    if (cancel.isCancellationRequested) abort();
    let running: Promise<T>;
    try {
      running = Promise.resolve(task(controller.signal));
    } catch (err) {
      link.dispose();
      throw err;
    }
    return running.finally(() => link.dispose());
  });
}
