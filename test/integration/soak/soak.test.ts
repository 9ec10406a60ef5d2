import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as v8 from 'v8';
import * as vm from 'vm';
import type { GatedCallResult } from '../../../src/consent/types';
import { isAlive } from '../../../src/mcp/transports/processTree';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, report, until } from '../util';

/**
 * `npm run soak`: 10,000 tool calls across 5 servers in the real extension host while servers are killed
 * (SIGKILL to the process group) and restarted at random, and one server is removed from the config and
 * added back mid-run. Every call must end in a result or a clear error within a deadline (a hang fails),
 * approvals and history must survive, no server process may be left, and the heap after the run must be
 * within 10% of the heap after warm-up.
 */
const CALLS = Number(process.env.MCP_HOST_SOAK_CALLS ?? 10_000);
const WARM_UP = 500;
const IN_FLIGHT = 8;
const SERVERS = ['s1', 's2', 's3', 's4', 's5'];
/** A call that has not settled by then counts as a hang. */
const CALL_DEADLINE_MS = 90_000;
/** What a call may fail with while its server is killed, restarted or removed: each says what happened. */
const CLEAR_ERRORS = [
  /^Server 's\d' is not running \(\w+\)\. Start it and try again\.$/,
  /^Server 's\d' is still starting; try again when it is running\.$/,
  /^Server 's\d' is stopping or restarting; try again when it is running\.$/,
  /^No MCP server named 's\d' is configured\.$/,
  /^tools\/call got no answer: the server closed the connection \(it exited or was stopped\)$/,
  /^Not connected: the server process has exited$/,
];

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Handles (sockets, pipes, timers, child processes) keeping the extension host's event loop alive. */
function activeHandles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

/**
 * From /proc: live processes whose parent is the extension host (servers, the reaper, other extensions' helpers),
 * and live processes anywhere running `script` (a server orphaned to PID 1 counts too).
 */
async function processCounts(script: string): Promise<{ children: number; servers: number }> {
  let children = 0;
  let servers = 0;
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!stat || state === 'Z') continue;
    if (Number(ppid) === process.pid) children++;
    const cmdline = await fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(script)) servers++;
  }
  return { children, servers };
}

describe('soak', function () {
  this.timeout(60 * 60_000);
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const config = workspaceFile('.vscode', 'mcp.json');
  const script = repoPath('out', 'test', 'fixtures', 'servers', 'paging.js');
  const server = () => ({ type: 'stdio', command: process.execPath, args: [script, '--resources', '0'] });
  const writeConfig = (names: readonly string[]) => writeFile(config, JSON.stringify({ servers: Object.fromEntries(names.map(n => [n, server()])) }, null, 2));
  const running = (name: string) => host.registry.get(name)?.connection.state.kind === 'running';

  before(async () => {
    const api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    await writeConfig(SERVERS);
    await until(() => SERVERS.every(running), 'every server to run', 60_000);
  });

  it('ends every one of 10,000 calls in a result or a clear error while servers are killed, restarted, removed and added back', async () => {
    // One approval per server, for the workspace: the soak then runs without a question, and must stay so.
    dialogs.toolCallAnswer = 'always';
    for (const s of SERVERS) assert.strictEqual((await call(s, -1)).kind, 'completed');
    dialogs.toolCallAnswer = 'deny';
    const asked = dialogs.toolCallsAsked.length;
    // Killing servers on purpose: a start or a list request cut short, and a server the policy gives up on, log errors.
    expectLogEntry(/^MCP s[1-5]: \[error\] (Failed to start: |Not restarting: |\w+\/list failed: )/);
    // The file is rotated at 4 MiB: the calls are counted across it and the one before.
    const historyLines = async () => {
      await host.history.flush();
      const files = [host.history.rotatedFile, host.history.file];
      const texts = await Promise.all(files.map(f => fs.readFile(f, 'utf8').catch(() => '')));
      return texts.join('').split('\n').filter(Boolean);
    };
    const linesBefore = (await historyLines()).length;
    const handlesBefore = activeHandles();
    const processesBefore = await processCounts(script);

    const pids = new Set<number>();
    const notePids = () => SERVERS.forEach(s => host.registry.get(s)?.connection.pid && pids.add(host.registry.get(s)!.connection.pid!));
    const counts = { completed: 0, failed: 0, denied: 0, cancelled: 0, kills: 0, restarts: 0, hung: 0 };
    const failures = new Map<string, number>();
    let heapAfterWarmUp = 0;
    let next = 0;
    let done = 0;
    let chaos = true;
    const t0 = Date.now();

    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        const s = SERVERS[i % SERVERS.length]!;
        const r = await call(s, i);
        counts[r.kind]++;
        if (r.kind === 'failed') {
          const reason = CLEAR_ERRORS.some(re => re.test(r.message)) ? r.message.replace(/\d+/g, 'N').slice(0, 80) : `UNCLEAR: ${r.message.slice(0, 200)}`;
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
        done++;
        if (done === WARM_UP) heapAfterWarmUp = settledHeap();
      }
    };

    // Kills a random server's whole process group now and then; restarts servers the policy gave up on.
    const chaosLoop = async () => {
      while (chaos) {
        await sleep(300 + Math.random() * 700);
        notePids();
        const s = SERVERS[Math.floor(Math.random() * SERVERS.length)]!;
        const conn = host.registry.get(s)?.connection;
        if (conn?.pid && Math.random() < 0.5) {
          try {
            process.kill(-conn.pid, 'SIGKILL');
            counts.kills++;
          } catch {
            // already gone
          }
        }
        for (const name of SERVERS) {
          const st = host.registry.get(name)?.connection.state;
          if (st?.kind === 'error' && st.restartAt === undefined) {
            counts.restarts++;
            void host.registry.start(name);
          } else if (st?.kind === 'running' && Math.random() < 0.05) {
            counts.restarts++;
            void host.registry.restart(name);
          }
        }
      }
    };

    // Halfway, s5 leaves the config and comes back.
    const reconfigure = async () => {
      await until(() => done >= CALLS / 2, 'half the calls', 30 * 60_000);
      await writeConfig(SERVERS.slice(0, 4));
      await until(() => !host.registry.get('s5'), 's5 to be removed', 60_000);
      await sleep(2000);
      await writeConfig(SERVERS);
      await until(() => !!host.registry.get('s5'), 's5 to be back', 60_000);
    };

    const chaosDone = chaosLoop();
    const reconfigured = reconfigure();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    chaos = false;
    await chaosDone;
    await reconfigured;
    const seconds = (Date.now() - t0) / 1000;

    // Every server comes back and answers without a question: nothing the chaos did sticks.
    for (const s of SERVERS) if (host.registry.get(s)?.connection.state.kind === 'error') void host.registry.start(s);
    await until(() => SERVERS.every(running), 'every server to run again', 60_000);
    const after = await Promise.all(SERVERS.map(s => call(s, CALLS)));
    notePids();
    const heapEnd = settledHeap();
    const heapRatio = heapEnd / heapAfterWarmUp;

    const lines = await historyLines();
    const recorded = lines.length - linesBefore;
    const unreadable = lines.filter(l => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    }).length;

    // Remove every server: each process it ever ran must be gone.
    await writeConfig([]);
    await until(() => SERVERS.every(s => !host.registry.get(s)), 'every server to be removed', 60_000);
    await sleep(500);
    const alive = [...pids].filter(isAlive);
    const handlesEnd = activeHandles();
    const processesEnd = await processCounts(script);

    report(`soak: ${CALLS} calls across ${SERVERS.length} servers in ${seconds.toFixed(0)} s (${IN_FLIGHT} in flight)`);
    report(`  results ${counts.completed}, clear errors ${counts.failed}, denied ${counts.denied}, cancelled ${counts.cancelled}, hung ${counts.hung}`);
    report(`  servers killed ${counts.kills}, restarted ${counts.restarts}, one removed and re-added; server processes seen ${pids.size}, left ${alive.length}`);
    report(`  history: ${recorded} calls recorded, ${unreadable} unreadable lines; consent questions during the run: ${dialogs.toolCallsAsked.length - asked}`);
    report(`  heap after warm-up ${(heapAfterWarmUp / 2 ** 20).toFixed(1)} MiB, at the end ${(heapEnd / 2 ** 20).toFixed(1)} MiB (${((heapRatio - 1) * 100).toFixed(1)}%)`);
    report(`  extension host: active handles ${handlesBefore} before the run, ${handlesEnd} after (servers removed); child processes ${processesBefore.children} before, ${processesEnd.children} after; server processes ${processesBefore.servers} before, ${processesEnd.servers} after`);
    for (const [reason, n] of [...failures].sort((a, b) => b[1] - a[1])) report(`  error ×${n}: ${reason}`);

    assert.strictEqual(counts.hung, 0, 'calls that never ended');
    assert.strictEqual(counts.completed + counts.failed, CALLS);
    assert.deepStrictEqual([...failures.keys()].filter(r => r.startsWith('UNCLEAR')), [], 'errors that do not say what happened');
    assert.deepStrictEqual(after.map(r => r.kind), SERVERS.map(() => 'completed'), 'a server did not answer after the run');
    assert.strictEqual(counts.denied, 0, 'an approval was lost: a call was asked again and denied');
    assert.strictEqual(dialogs.toolCallsAsked.length, asked, 'no consent question during the run');
    assert.strictEqual(recorded, CALLS + SERVERS.length, 'every call is in the history');
    assert.strictEqual(unreadable, 0);
    assert.deepStrictEqual(alive, [], 'server processes left behind');
    assert.strictEqual(processesEnd.servers, 0, 'server processes left behind (anywhere, orphans included)');
    assert.ok(handlesEnd <= handlesBefore, `handles grew from ${handlesBefore} to ${handlesEnd}`);
    assert.ok(heapRatio <= 1.1, `the heap grew ${((heapRatio - 1) * 100).toFixed(1)}% after warm-up`);
  });

  /** One call through the consent gate (origin palette), with a deadline that turns a hang into a count. */
  async function call(server: string, i: number): Promise<GatedCallResult | { kind: 'hung' }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<{ kind: 'hung' }>(resolve => (timer = setTimeout(() => resolve({ kind: 'hung' }), CALL_DEADLINE_MS)));
    try {
      return await Promise.race([host.gate.call({ server, tool: 'echo', args: { text: `call ${i}` }, origin: 'palette' }), hung]);
    } finally {
      clearTimeout(timer);
    }
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}

