import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The integration tier's log check (test/harness/logCheck.js), against log folders laid out as code-server writes them. */
interface LogCheck {
  findProblems(userDataDir: string, opts: { extensionId: string; ownCode: string[]; expected?: RegExp[] }): { source: string; text: string }[];
  parseExpectation(line: string): RegExp | undefined;
  EXPECT_TAG: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const logCheck = require('../../harness/logCheck') as LogCheck;

const EXT = 'mcp-host.mcp-host';
const OWN = '/repo/dist';

describe('integration log check', () => {
  let userData: string;
  let exthost: string;
  beforeEach(() => {
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'logcheck-'));
    exthost = path.join(userData, 'logs', '20261128T081000', 'exthost1');
    fs.mkdirSync(path.join(exthost, EXT), { recursive: true });
  });
  afterEach(() => fs.rmSync(userData, { recursive: true, force: true }));

  const hostLog = (...lines: string[]) => fs.writeFileSync(path.join(exthost, 'remoteexthost.log'), lines.join('\n') + '\n');
  const channel = (name: string, ...lines: string[]) => fs.writeFileSync(path.join(exthost, EXT, `${name}.log`), lines.join('\n') + '\n');
  const problems = (expected: RegExp[] = []) => logCheck.findProblems(userData, { extensionId: EXT, ownCode: [OWN], expected }).map(p => p.text);

  it('passes clean logs, info and warnings from others, and a built-in extension failing at shutdown', () => {
    hostLog(
      '2026-11-28 08:10:00.001 [info] Extension host started',
      '2026-11-28 08:10:00.002 [warning] [vscode.git] some warning',
      '2026-11-28 08:10:00.003 [error] Error: Channel closed',
      '    at /usr/lib/code-server/lib/vscode/extensions/typescript-language-features/dist/extension.js:1:2',
      // A built-in language client names itself, and its stack follows in an entry of its own.
      '2026-11-28 08:10:00.004 [error] [vscode.json-language-features] provider FAILED',
      '2026-11-28 08:10:00.005 [error] Error: Channel has been closed',
      '    at NT.error (/usr/lib/code-server/lib/vscode/extensions/json-language-features/client/dist/node/jsonClientMain.js:14:276)',
    );
    channel('MCP Host', '2026-11-28 08:10:00.004 [info] ready', '2026-11-28 08:10:00.005 [warning] a server warned');
    assert.deepStrictEqual(problems(), []);
  });

  it('passes VS Code cancelling a tree refresh (the window closing after the last recorded call), not other tree errors', () => {
    hostLog('2026-11-28 08:10:00.001 [error] Unable to refresh tree view mcpHost.history: Canceled', '2026-11-28 08:10:00.002 [error] Unable to refresh tree view mcpHost.servers: Error: boom');
    assert.deepStrictEqual(problems(), ['extension host: [error] Unable to refresh tree view mcpHost.servers: Error: boom']);
  });

  it('fails an unhandled rejection, with its stack, wherever it was raised', () => {
    hostLog('2026-11-28 08:10:00.001 [error] Error: boom', '    at somewhere (/other/place.js:1:1)');
    const found = problems();
    assert.strictEqual(found.length, 1);
    assert.match(found[0], /^extension host: \[error\] Error: boom\n {4}at somewhere/);
  });

  it('fails a warning raised in our own code (a deprecation such as zod’s PendingMigrationError)', () => {
    hostLog('2026-11-28 08:10:00.001 [warning] PendingMigrationError: navigator is now a global in nodejs', `    at get (${OWN}/extension.js:10:20)`);
    assert.strictEqual(problems().length, 1);
  });

  it('fails an error-level line in one of our channels unless a test declared it', () => {
    channel('MCP broken', '2026-11-28 08:10:00.001 [error] Failed to start: The server exited with code 3');
    assert.deepStrictEqual(problems(), ['MCP broken: [error] Failed to start: The server exited with code 3']);
    const declared = logCheck.parseExpectation(`${logCheck.EXPECT_TAG}${/MCP broken: \[error\] Failed to start/.toString()}`);
    assert.ok(declared);
    assert.deepStrictEqual(problems([declared]), []);
  });

  it('reads only expectations a test printed with the tag', () => {
    assert.strictEqual(logCheck.parseExpectation('/x/'), undefined);
    assert.deepStrictEqual(logCheck.parseExpectation(`${logCheck.EXPECT_TAG}/a\\/b/i`), /a\/b/i);
  });
});
