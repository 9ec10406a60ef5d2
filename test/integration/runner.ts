import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { format } from 'util';

/** Tags mocha's report so the harness can tell it apart from the workbench's own console chatter. */
export const REPORT_TAG = '[mocha] ';

/**
 * Runs every `*.test.js` beside a suite's compiled entry with mocha, inside the extension host.
 * The workbench's test driver calls the exported `run()` and reports its outcome to the harness.
 */
export function runSuite(dir: string): Promise<void> {
  (Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void }).consoleLog = (...args) =>
    console.log(REPORT_TAG + format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.test.js')).sort();
  if (files.length === 0) return Promise.reject(new Error(`no tests in ${dir}`));
  for (const f of files) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    mocha.run(failures => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
