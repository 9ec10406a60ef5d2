import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitForEvent } from '../../../src/common/event';
import type { ConnectionState } from '../../../src/mcp/connectionState';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { isAlive } from '../../../src/mcp/transports/processTree';
import { ConnectionOptions, ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { fixtureServer, root } from '../servers';

/** The core against our own well-behaved and hostile fixture servers (real child processes). */

const fixture = (name: string, ...args: string[]): ResolvedLaunch => ({ type: 'stdio', command: process.execPath, args: [fixtureServer(name), ...args], env: {} });

const open: ServerConnection[] = [];
function connect(launch: ResolvedLaunch, opts: { startupMs?: number; requestMs?: number; log?: MemoryLog } & Partial<ConnectionOptions> = {}) {
  const { startupMs = 10_000, requestMs = 10_000, log = new MemoryLog(), ...rest } = opts;
  const conn = new ServerConnection({
    name: 'fixture',
    plan: async () => ({ launch, timeouts: { startupMs, requestMs }, secrets: [] }),
    log,
    clientInfo: { name: 'tests', version: '0' },
    handlers: { roots: () => [{ uri: 'file:///tmp/root-one', name: 'one' }] },
    grace: { stdinMs: 300, termMs: 300 },
    ...rest,
  });
  open.push(conn);
  return { conn, log };
}

function expectState<K extends ConnectionState['kind']>(conn: ServerConnection, kind: K): Extract<ConnectionState, { kind: K }> {
  assert.strictEqual(conn.state.kind, kind, JSON.stringify(conn.state));
  return conn.state as Extract<ConnectionState, { kind: K }>;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map(c => c.shutdown()));
});

describe('core vs. fixture servers', function () {
  this.timeout(30_000);

  describe('paging', () => {
    it('follows every cursor of every list', async () => {
      const { conn } = connect(fixture('paging', '--tools', '25', '--prompts', '7', '--templates', '3', '--resources', '30', '--page-size', '4'));
      await conn.start();
      expectState(conn, 'running');
      assert.strictEqual(conn.tools.length, 11 + 25);
      assert.strictEqual(conn.prompts.length, 1 + 7);
      assert.strictEqual(conn.resourceTemplates.length, 1 + 3);
      assert.strictEqual((await conn.listAllResources()).length, 2 + 30);
      const first = await conn.listResourcesPage();
      assert.strictEqual(first.items.length, 4);
      assert.ok(first.nextCursor);
    });

    it('stops on a repeated cursor and on a server that pages forever, and says so', async () => {
      const loop = connect(fixture('paging', '--bad-cursor', 'loop'));
      await loop.conn.start();
      expectState(loop.conn, 'running');
      assert.match(loop.log.text(), /tools\/list: the server repeated cursor/);

      const endless = connect(fixture('paging', '--bad-cursor', 'endless'), { pageLimits: { maxPages: 20, maxItems: 10_000 } });
      await endless.conn.start();
      expectState(endless.conn, 'running');
      assert.match(endless.log.text(), /tools\/list: stopped after 20 pages/);
    });

    it('validates structured output with JSON Schema 2020-12 for tools on every page', async () => {
      // One tool per page: the SDK's own validator forgets earlier pages; ours does not.
      const { conn } = connect(fixture('paging', '--page-size', '1'));
      await conn.start();
      const good = await conn.callTool('add', { a: 2, b: 3 }, consentForTests(conn, 'add'));
      assert.deepStrictEqual(good.result.structuredContent, { sum: 5, operands: [2, 3] });
      assert.strictEqual(good.outputError, undefined, 'a correct 2020-12 result was rejected');
      const wrongType = await conn.callTool('lie_output', { how: 'type' }, consentForTests(conn, 'lie_output'));
      assert.match(wrongType.outputError ?? '', /does not match the tool's output schema/);
      const wrongTuple = await conn.callTool('lie_output', { how: 'prefixItems' }, consentForTests(conn, 'lie_output'));
      assert.match(wrongTuple.outputError ?? '', /does not match/, 'a prefixItems violation passed: the validator is not 2020-12');
    });

    it('validates each server\'s output in its own scope, with linear-time patterns', async () => {
      // Both servers define output schema $id urn:fixture:schemas:shared, differently.
      const a = connect(fixture('schemas', '--flavour', 'a', '--huge')).conn;
      const b = connect(fixture('schemas', '--flavour', 'b')).conn;
      await Promise.all([a.start(), b.start()]);
      for (const conn of [a, b]) {
        const claimed = await conn.callTool('claim_id', {}, consentForTests(conn, 'claim_id'));
        assert.strictEqual(claimed.outputError, undefined, `${JSON.stringify(claimed.result.structuredContent)}: ${claimed.outputError}`);
      }
      // Schemas over the host's budget are not compiled (that took seconds); the result says it was not checked.
      const huge = await a.callTool('huge', { field0: 'not-matching' }, consentForTests(a, 'huge'));
      assert.strictEqual(huge.outputError, undefined);
      assert.match(huge.outputNotChecked ?? '', /too big for MCP Host to check \(more than 1,000 keywords/);
      assert.deepStrictEqual(huge.result.structuredContent, { field0: 'not-matching' });
      const started = performance.now();
      const evil = await a.callTool('redos', { text: `${'a'.repeat(28)}!` }, consentForTests(a, 'redos'));
      assert.match(evil.outputError ?? '', /must match pattern/);
      assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
    });

    it('updates tools on list_changed and delivers resource updates to subscribers', async () => {
      const { conn } = connect(fixture('paging'));
      await conn.start();
      const before = conn.tools.length;
      const changed = waitForEvent(conn.onDidChangeTools, tools => tools.length === before + 1, 5000);
      await conn.callTool('mutate', { list: 'tools', action: 'add' }, consentForTests(conn, 'mutate'));
      await changed;
      assert.ok(conn.tools.some(t => t.name.startsWith('dynamic_tool_')));

      const uri = 'fixture://static/readme.md';
      const sub = conn.subscribe(uri);
      await new Promise(r => setTimeout(r, 100));
      const updated = waitForEvent(conn.onDidUpdateResource, u => u === uri, 5000);
      await conn.callTool('touch_resource', { uri }, consentForTests(conn, 'touch_resource'));
      await updated;
      sub.dispose();
    });

    it('delivers the last progress notification even when it shares a write with the response', async () => {
      const { conn, log } = connect(fixture('paging'));
      await conn.start();
      const seen: number[] = [];
      await conn.callTool('progress', { steps: 5, sameChunk: true }, consentForTests(conn, 'progress'), { onProgress: p => seen.push(p.progress) });
      assert.deepStrictEqual(seen, [1, 2, 3, 4, 5]);
      assert.ok(!/unknown token/.test(log.text()));
    });

    it('asks the server for log messages at the log channel\'s level', async () => {
      const { conn, log } = connect(fixture('paging'), { log: new MemoryLog('warn') });
      await conn.start();
      await conn.callTool('log', { message: 'level-check' }, consentForTests(conn, 'log'));
      await new Promise(r => setTimeout(r, 200));
      const server = log.lines.filter(l => l.message.startsWith('[server') && l.message.includes('level-check'));
      assert.ok(server.length > 0, 'no server log message arrived');
      assert.ok(server.every(l => l.level === 'warn' || l.level === 'error'), JSON.stringify(server));
    });

    it('answers roots/list and announces root changes', async () => {
      const { conn, log } = connect(fixture('paging'));
      await conn.start();
      const r = await conn.callTool('list_roots', {}, consentForTests(conn, 'list_roots'));
      assert.match(JSON.stringify(r.result.content), /file:\/\/\/tmp\/root-one/);
      await conn.notifyRootsChanged();
      await new Promise(r2 => setTimeout(r2, 300));
      assert.match(log.text(), /roots/);
    });

    it('takes results larger than the SDK\'s 10 MiB default', async () => {
      const { conn } = connect(fixture('big'));
      await conn.start();
      const r = await conn.callTool('big', { bytes: 12 * 1024 * 1024 }, consentForTests(conn, 'big'));
      const text = (r.result.content[0] as { text: string }).text;
      assert.strictEqual(text.length, 12 * 1024 * 1024);
    });
  });

  it('takes a server with resources but no resources/templates/list as having no templates, without an error', async () => {
    const contentServer = path.join(root, 'test', 'fixtures', 'workspaces', 'resources', 'servers', 'content-server.js');
    const { conn, log } = connect({ type: 'stdio', command: process.execPath, args: [contentServer], env: { NODE_PATH: path.join(root, 'node_modules') } });
    await conn.start();
    expectState(conn, 'running');
    assert.deepStrictEqual(conn.resourceTemplates, []);
    assert.ok((await conn.listAllResources()).length > 0);
    assert.deepStrictEqual(log.lines.filter(l => l.level === 'error'), []);
    assert.match(log.text(), /\[info\] resources\/templates\/list: the server does not implement it/);
  });

  describe('crashing servers', () => {
    it('reports exit code and stderr of a server that dies before initialize', async () => {
      const { conn } = connect(fixture('crash', '--when', 'before-init', '--code', '7'));
      await conn.start();
      const s = expectState(conn, 'error');
      assert.strictEqual(s.exitCode, 7);
      assert.ok(s.stderrTail.length >= 3, JSON.stringify(s.stderrTail));
      assert.match(s.message, /exited with code 7 before completing initialization/);
    });

    it('restarts a server that crashes after starting', async () => {
      const { conn } = connect(fixture('crash', '--when', 'after-init', '--after-ms', '300'), {
        restart: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts: 2, stableAfterMs: 60_000 },
      });
      await conn.start();
      const errored = await waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 5000);
      assert.ok(errored.kind === 'error' && errored.restartAt, JSON.stringify(errored));
      await waitForEvent(conn.onDidChangeState, s => s.kind === 'running', 5000);
      // After maxAttempts crashes in a row it gives up and says so.
      const gaveUp = await waitForEvent(conn.onDidChangeState, s => s.kind === 'error' && s.restartAt === undefined, 10_000);
      assert.match(gaveUp.kind === 'error' ? (gaveUp.hint ?? '') : '', /Gave up after 2 attempts/);
    });
  });

  describe('restarts that fail', () => {
    it('keeps the backoff going when an automatic restart fails before initializing', async () => {
      let launches = 0;
      const log = new MemoryLog();
      const conn = new ServerConnection({
        name: 'flaky',
        // The first launch runs and then crashes; every later one dies before initialize.
        plan: async () => ({
          launch: ++launches === 1 ? fixture('crash', '--when', 'after-init', '--after-ms', '300') : fixture('crash', '--when', 'before-init'),
          timeouts: { startupMs: 10_000, requestMs: 10_000 },
          secrets: [],
        }),
        log,
        clientInfo: { name: 'tests', version: '0' },
        grace: { stdinMs: 300, termMs: 300 },
        restart: { initialDelayMs: 100, maxDelayMs: 200, maxAttempts: 3, stableAfterMs: 60_000 },
      });
      open.push(conn);
      await conn.start();
      expectState(conn, 'running');
      const gaveUp = await waitForEvent(conn.onDidChangeState, st => st.kind === 'error' && st.restartAt === undefined, 15_000);
      assert.strictEqual(launches, 3, 'a failed automatic restart should have been retried');
      assert.match(gaveUp.kind === 'error' ? (gaveUp.hint ?? '') : '', /Gave up after 3 attempts/);
    });

    it('does not retry a first start that fails, and a user start begins the count anew', async () => {
      const { conn } = connect(fixture('crash', '--when', 'before-init'), { restart: { initialDelayMs: 50, maxDelayMs: 50, maxAttempts: 3, stableAfterMs: 60_000 } });
      await conn.start();
      const first = expectState(conn, 'error');
      assert.strictEqual(first.restartAt, undefined);
      await conn.start();
      assert.strictEqual(expectState(conn, 'error').attempt, 1);
    });
  });

  describe('hanging servers', () => {
    it('gives up on a server that never answers initialize, within its start-up timeout', async () => {
      const { conn } = connect(fixture('hang', '--when', 'init'), { startupMs: 800 });
      await conn.start();
      assert.match(expectState(conn, 'error').message, /did not complete initialization within 1 s/);
    });

    it('kills a server that ignores stdin EOF and SIGTERM', async () => {
      const { conn } = connect(fixture('hang', '--when', 'call', '--ignore-sigterm', '--ignore-stdin-close'));
      await conn.start();
      const pid = conn.pid!;
      await conn.stop();
      assert.ok(!isAlive(pid), 'the stubborn server survived stop()');
    });
  });

  describe('servers that print garbage', () => {
    it('runs a server with a banner on stdout and names the problem in its log', async () => {
      const { conn, log } = connect(fixture('garbage', '--mode', 'banner'));
      await conn.start();
      expectState(conn, 'running');
      assert.match(log.text(), /Not MCP on stdout .*Starting server v1\.2\.3/);
    });

    it('explains a server that never speaks MCP', async () => {
      const { conn } = connect(fixture('garbage', '--mode', 'only'), { startupMs: 3000 });
      await conn.start();
      const s = expectState(conn, 'error');
      assert.match(s.hint ?? '', /not MCP to stdout/);
    });

    it('keeps draining stderr so a chatty server never stalls', async () => {
      const { conn } = connect(fixture('stderr-flood', '--bytes', String(4 * 1024 * 1024), '--when', 'both'));
      await conn.start();
      expectState(conn, 'running');
    });

    it('keeps at most 16 K characters of a stderr line, however long the server writes without a newline', async () => {
      const { conn, log } = connect(fixture('stderr-flood', '--one-line', '--bytes', String(8 * 1024 * 1024), '--when', 'none'));
      await conn.start();
      await conn.callTool('flood', {}, consentForTests(conn, 'flood'));
      // stderr and the response travel on different pipes.
      for (let waited = 0; waited < 5000 && !log.text().includes('[stderr] x'); waited += 50) await new Promise(r => setTimeout(r, 50));
      const floods = log.lines.filter(l => l.message.startsWith('[stderr] x'));
      assert.strictEqual(floods.length, 1, `${floods.length} lines of x`);
      const expected = `[stderr] ${'x'.repeat(16 * 1024)}… (${8 * 1024 * 1024 - 1 - 16 * 1024} more characters)`;
      assert.ok(floods[0]!.message === expected, `a stderr line of ${floods[0]!.message.length} characters`);
    });
  });

  describe('process trees', () => {
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spawner-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const variant of [[], ['--detached'], ['--ignore-sigterm', '--children-stdio', 'inherit']]) {
      it(`leaves no process behind on stop (${variant.join(' ') || 'plain'})`, async () => {
        const pidFile = path.join(tmp, `pids-${variant.join('') || 'plain'}.json`);
        const { conn } = connect(fixture('spawner', '--children', '2', '--pid-file', pidFile, ...variant));
        await conn.start();
        expectState(conn, 'running');
        const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { server: number; children: number[] };
        assert.strictEqual(pids.children.length, 2);
        for (const p of pids.children) assert.ok(isAlive(p));
        await conn.stop();
        for (const p of [pids.server, ...pids.children]) assert.ok(!isAlive(p), `process ${p} outlived its server`);
      });
    }

    // Children that left its process group and session (--detached) are found only while the server runs (Stop) or by
    // the reaper's snapshot when the host dies: once their server is gone, nothing links them to it.
    for (const variant of [[]]) {
      it(`leaves no process behind when the server exits by itself, leaving its children running (${variant.join(' ') || 'plain'})`, async () => {
        const pidFile = path.join(tmp, `pids-exit-${variant.join('') || 'plain'}.json`);
        const { conn } = connect(fixture('spawner', '--children', '2', '--pid-file', pidFile, '--exit-after', '700', ...variant), {
          restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
        });
        await conn.start();
        expectState(conn, 'running');
        const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { server: number; children: number[] };
        for (const p of pids.children) assert.ok(isAlive(p));
        for (let i = 0; i < 100 && isAlive(pids.server); i++) await new Promise(r => setTimeout(r, 50));
        assert.ok(!isAlive(pids.server), 'the server did not exit');
        // Before the connection is stopped or restarted: a crashed server's children must not live on (each restart added more).
        const left = () => pids.children.filter(isAlive);
        for (let i = 0; i < 60 && left().length; i++) await new Promise(r => setTimeout(r, 50));
        const survivors = left();
        for (const p of survivors) process.kill(p, 'SIGKILL');
        assert.deepStrictEqual(survivors, [], `processes outlived their server (state ${conn.state.kind})`);
      });
    }
  });
});
