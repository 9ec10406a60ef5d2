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
    const controller = this.free.pop() ?? new AbortController();
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
    if (!signal.aborted && this.free.length < this.max && getEventListeners(signal, 'abort').length === 0) this.free.push(controller);
  }
}

/** The controllers of calls run under a progress notification (the palette, saved calls, the history's re-run). */
export const callControllers = new AbortControllerPool(64);
