/** Automatic restarts after a running server crashes: exponential backoff, bounded. */
export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Crashes in a row after which the host stops restarting and waits for the user. */
  readonly maxAttempts: number;
  /** A run this long counts as stable: the next crash starts the backoff from the beginning. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 5, stableAfterMs: 60_000 };

/** The delay before restart number `attempt + 1`, or undefined when the policy gives up. */
export function restartDelay(policy: RestartPolicy, attempt: number): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}
