/**
 * The latest values, each under a short token (`r1`, `c2`…), for links and buttons whose arguments travel through
 * the renderer: they carry the token, never the value, and a token that names nothing (too old, guessed, forged)
 * finds nothing. In memory only; the oldest are dropped past `kept`.
 */
export class RecentTokens<T> {
  private readonly values = new Map<string, T>();
  private next = 1;

  constructor(
    private readonly prefix: string,
    private readonly kept: number,
  ) {}

  /** A new token for `value`. */
  add(value: T): string {
    const token = `${this.prefix}${this.next++}`;
    this.values.set(token, value);
    for (const old of this.values.keys()) {
      if (this.values.size <= this.kept) break;
      this.values.delete(old);
    }
    return token;
  }

  /** The value a token names, while it is kept; anything else (not a string, unknown) finds nothing. */
  get(token: unknown): T | undefined {
    return typeof token === 'string' ? this.values.get(token) : undefined;
  }

  /** Forgets every value: no token finds anything any more. */
  clear(): void {
    this.values.clear();
  }
}
