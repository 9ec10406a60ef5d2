/** Polls `check` until it is truthy; fails with what was awaited after `timeoutMs` (generous: the test machine is shared and loaded). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Must match EXPECT_TAG in test/harness/logCheck.js. */
const EXPECT_TAG = '[expect-log] ';

/**
 * Declares a log entry this suite provokes on purpose (a server that crashes, a call that fails), so the
 * harness's log check does not fail the suite for it. `pattern` is matched against `<source>: [<level>] <text>`,
 * where the source is an output channel's name (its log file name (`MCP crashy` for `MCP: crashy`)), `extension host` or `console`.
 */
export function expectLogEntry(pattern: RegExp): void {
  console.log(`${EXPECT_TAG}${pattern.toString()}`);
}

/** Must match REPORT_TAG in test/integration/runner.ts. */
const REPORT_TAG = '[mocha] ';

/** Prints a line with the mocha report (figures a test measured), so the harness shows it. */
export function report(line: string): void {
  console.log(`${REPORT_TAG}      ${line}`);
}
