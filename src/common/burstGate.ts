/**
 * Lets a burst of signals for one key through as at most one piece of work in flight plus one after it: the
 * first signal fires at once; those that arrive while its work is under way are remembered as one, and fire
 * once when the work is `done` (or `settleMs` passes without it, for work that never reports back). The last
 * signal is never lost: whatever arrives after a fire is followed by another fire. For `resources/updated`
 * storms: one re-read per open resource in flight, the latest version read last.
 */
export class BurstGate<K> {
  private readonly busy = new Map<K, { again: boolean; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly fire: (key: K) => void,
    private readonly settleMs: number,
  ) {}

  /** Something changed for `key`: fire now, or once the work under way for it is done. */
  signal(key: K): void {
    const busy = this.busy.get(key);
    if (busy) busy.again = true;
    else this.start(key);
  }

  /** The work the last fire for `key` caused is done: fire again if signals came meanwhile. */
  done(key: K): void {
    const busy = this.busy.get(key);
    if (!busy) return;
    clearTimeout(busy.timer);
    this.busy.delete(key);
    if (busy.again) this.start(key);
  }

  dispose(): void {
    for (const { timer } of this.busy.values()) clearTimeout(timer);
    this.busy.clear();
  }

  private start(key: K): void {
    const timer = setTimeout(() => this.done(key), this.settleMs);
    this.busy.set(key, { again: false, timer });
    this.fire(key);
  }
}
