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
  async run<T>(task: (controller: AbortController) => PromiseLike<T>): Promise<T> {
    const controller = this.free.pop() ?? pooledController();
    try {
      return await task(controller);
    } finally {
      this.release(controller);
    }
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

type AbortListener = (event: Event) => void;

class SignalRelay {
  private listeners: AbortListener[] = [];
  /**
   * Set by the relay's own listener, the signal's first: nothing runs between the abort and it. A field, as the SDK
   * reads it twice per request (the signal's own getter checks its receiver each time).
   */
  aborted = false;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', event => {
      this.aborted = true;
      const listeners = this.listeners;
      this.listeners = [];
      for (const listener of listeners) listener(event);
    });
  }

  get reason(): unknown {
    return this.signal.reason;
  }

  /** Whether no listener is left (every request it was given to has settled). */
  get idle(): boolean {
    return this.listeners.length === 0;
  }

  throwIfAborted(): void {
    this.signal.throwIfAborted();
  }

  /** Every listener runs at most once: the signal aborts once. As on an EventTarget, a listener added twice is kept once. */
  addEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort' && !this.aborted && !this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
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
