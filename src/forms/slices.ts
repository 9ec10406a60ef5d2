/**
 * Work on the extension host's thread in slices. A form is built from the server's schema one field (or, in the
 * editor's tree, one node) at a time, as a generator that yields once per unit; `inSlices` gives the event loop a
 * turn between units, so a schema of any size never holds the thread for long: 3,000 properties held it for
 * 13–100 ms in one piece. `atOnce` runs the same generator without stopping (tests, and small callers).
 */

/** At most this many units between two turns of the event loop (what the unit tests pin)… */
export const SLICE_UNITS = 200;
/** …and no more than about this long (what keeps a slice short when its units are big: a huge enum, say). */
export const SLICE_MS = 8;

/** Gives the event loop a turn: timers, I/O and other extensions' work run before the next slice. */
export type Pause = () => Promise<void>;
export const toEventLoop: Pause = () => new Promise<void>(resolve => setImmediate(resolve));

/** Work that yields between its units and returns its result at the end. */
export type Sliced<T> = Generator<void, T, void>;

/** Runs `work` to its end, pausing once `SLICE_UNITS` units have been done or `SLICE_MS` have passed since the last pause. */
export async function inSlices<T>(work: Sliced<T>, pause: Pause = toEventLoop): Promise<T> {
  let units = 0;
  let started = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (++units >= SLICE_UNITS || performance.now() - started > SLICE_MS) {
      await pause();
      units = 0;
      started = performance.now();
    }
  }
}

/** Runs `work` to its end in one piece. */
export function atOnce<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}
