/**
 * Wraps an asynchronous check so that only the answer to the latest call counts: an earlier call's answer,
 * arriving after a later call started, comes back as undefined. For checks run as the user types (the answer
 * for text they have since changed must not be shown, nor accepted).
 */
export function latestOnly<A, R>(run: (arg: A) => Promise<R>): { (arg: A): Promise<{ readonly value: R } | undefined>; cancel(): void } {
  let latest = 0;
  const call = async (arg: A) => {
    const ticket = ++latest;
    const value = await run(arg);
    return ticket === latest ? { value } : undefined;
  };
  /** Makes every call under way stale (the input closed). */
  const cancel = () => void latest++;
  return Object.assign(call, { cancel });
}
