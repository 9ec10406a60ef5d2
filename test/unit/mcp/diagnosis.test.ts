import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { tellingStderrLine } from '../../../src/mcp/diagnosis';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';

/** What `npx -y @modelcontextprotocol/server-filesytem .` (a typo) wrote to stderr, npm 11, walk14. */
const NPX_TYPO_STDERR = [
  'npm error code E404',
  'npm error 404 Not Found - GET https://registry.npmjs.org/@modelcontextprotocol%2fserver-filesytem',
  'npm error 404',
  "npm error 404  The requested resource '@modelcontextprotocol/server-filesytem@*' could not be found or you do not have permission to access it.",
  'npm error 404',
  'npm error 404 Note that you can also install from a',
  'npm error 404 tarball, folder, http url, or git url.',
  'npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-29T22_58_12_270Z-debug-0.log',
];

function stderrOf(args: string[]): string[] {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return r.stderr.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== '');
}

describe('the stderr line the tree shows for a failed server (walk14)', () => {
  it('is the error a Node server threw, not the "Node.js v20" footer under its stack', () => {
    // The way servers such as server-brave-search fail without their key, from a real Node process.
    const lines = stderrOf(['-e', "throw new Error('BRAVE_API_KEY environment variable is required')"]);
    assert.match(lines.at(-1)!, /^Node\.js v\d/, 'the last line is the version footer: what the tree showed');
    assert.strictEqual(tellingStderrLine(lines), 'Error: BRAVE_API_KEY environment variable is required');
  });

  it('is npm\'s "could not be found" line for a package name npx did not find, not its log pointer', () => {
    assert.strictEqual(tellingStderrLine(NPX_TYPO_STDERR), NPX_TYPO_STDERR[3]);
  });

  it('is the last line of a Python traceback, and the last line when none names an error', () => {
    const traceback = ['Traceback (most recent call last):', '  File "/srv/server.py", line 3, in <module>', '    import httpx', "ModuleNotFoundError: No module named 'httpx'"];
    assert.strictEqual(tellingStderrLine(traceback), "ModuleNotFoundError: No module named 'httpx'");
    assert.strictEqual(tellingStderrLine(['loading', 'listening on stdio']), 'listening on stdio');
    assert.strictEqual(tellingStderrLine([]), undefined);
  });

  it('names the package when npx finds none, in the failed start\'s hint', async function () {
    this.timeout(20_000);
    // The process npx runs fails this way: npm's E404 lines on stderr, exit code 1.
    const script = `for (const l of ${JSON.stringify(NPX_TYPO_STDERR)}) console.error(l); process.exit(1)`;
    const conn = new ServerConnection({
      name: 'typo',
      plan: async () => ({ launch: { type: 'stdio', command: process.execPath, args: ['-e', script], env: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] }),
      log: new MemoryLog(),
      clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
    });
    try {
      await conn.start();
      const state = conn.state;
      assert.ok(state.kind === 'error', JSON.stringify(state));
      assert.strictEqual(state.message, 'The server exited with code 1 before completing initialization.');
      assert.strictEqual(state.hint, "npm found no package '@modelcontextprotocol/server-filesytem' (E404): check its name in the server's \"args\".");
      assert.strictEqual(tellingStderrLine(state.stderrTail), NPX_TYPO_STDERR[3]);
    } finally {
      conn.dispose();
    }
  });
});
