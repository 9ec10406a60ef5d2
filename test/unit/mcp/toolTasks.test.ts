import * as assert from 'assert';
import { getEventListeners } from 'events';
import type { ClientRequestHandlers } from '../../../src/mcp/clientRequests';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { RequestCancelledError } from '../../../src/mcp/diagnosis';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import type { ToolTaskStatus } from '../../../src/mcp/toolTask';
import { everythingServer, fixtureServer } from '../servers';

function connection(args: string[], handlers: ClientRequestHandlers = { roots: () => [] }, log = new MemoryLog()): ServerConnection {
  return new ServerConnection({
    name: 'tasks',
    plan: async () => ({ launch: { type: 'stdio', command: process.execPath, args, env: {} }, timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [] }),
    log,
    clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
    handlers,
    grace: { stdinMs: 300, termMs: 300 },
  });
}

function text(result: { content?: unknown }): string {
  return ((result.content ?? []) as { type: string; text?: string }[]).map(c => c.text ?? '').join('\n');
}

describe('tool calls run as tasks (2025-11-25 experimental tasks, through the SDK request API)', function () {
  this.timeout(40_000);
  let conn: ServerConnection;
  const log = new MemoryLog();

  /** A task that would run a minute, cancelled through `abort` once the server says it is working; its statuses. */
  const cancelledWhileWorking = async (abort: AbortController): Promise<ToolTaskStatus[]> => {
    const seen: ToolTaskStatus[] = [];
    const call = conn.callTool('task_job', { ms: 60_000 }, consentForTests(conn, 'task_job'), {
      signal: abort.signal,
      onTask: s => {
        seen.push(s);
        if (s.status === 'working') abort.abort();
      },
    });
    await assert.rejects(call, RequestCancelledError);
    return seen;
  };

  before(async () => {
    conn = connection([fixtureServer('tasks'), '--poll-ms', '50'], undefined, log);
    await conn.start();
  });
  after(() => conn.shutdown());

  it('a tool that requires a task: the call becomes one, its statuses are reported, its result is the call result', async () => {
    const seen: ToolTaskStatus[] = [];
    const outcome = await conn.callTool('task_job', { ms: 400 }, consentForTests(conn, 'task_job'), { onTask: s => seen.push(s) });
    assert.strictEqual(text(outcome.result), 'job done after 400 ms');
    assert.ok(!outcome.result.isError);
    assert.strictEqual(seen[0]!.status, 'working');
    assert.ok(seen.every(s => s.taskId === seen[0]!.taskId), 'one task throughout');
    assert.ok(seen.some(s => /^step \d\/4$/.test(s.statusMessage ?? '')), `status messages reach the host: ${JSON.stringify(seen)}`);
    assert.strictEqual(seen.at(-1)!.status, 'completed');
    assert.ok(log.lines.some(l => l.message.includes(`runs it as task ${seen[0]!.taskId}`)));
  });

  it('a tool that only allows a task is run as one too; a tool error completes the task with an isError result', async () => {
    const seen: ToolTaskStatus[] = [];
    const outcome = await conn.callTool('task_maybe', { ms: 40, outcome: 'tool_error' }, consentForTests(conn, 'task_maybe'), { onTask: s => seen.push(s) });
    assert.strictEqual(outcome.result.isError, true);
    assert.strictEqual(text(outcome.result), 'the job reported an error');
    assert.strictEqual(seen.at(-1)!.status, 'completed');
  });

  it('a failed task reports failed, and its error result is the outcome', async () => {
    const seen: ToolTaskStatus[] = [];
    const outcome = await conn.callTool('task_job', { ms: 40, outcome: 'fail' }, consentForTests(conn, 'task_job'), { onTask: s => seen.push(s) });
    assert.strictEqual(seen.at(-1)!.status, 'failed');
    assert.strictEqual(outcome.result.isError, true);
    assert.strictEqual(text(outcome.result), 'the job failed at its last step');
  });

  it('cancelling the call cancels the task on the server (tasks/cancel), reported as a cancellation', async () => {
    const seen = await cancelledWhileWorking(new AbortController());
    const last = seen.at(-1)!;
    assert.strictEqual(last.status, 'cancelled', 'the status the server answered tasks/cancel with');
    assert.strictEqual(last.taskId, seen[0]!.taskId);
  });

  it("leaves nothing on the caller's signal once the task ends, so a reused controller carries no trace of it", async () => {
    // The palette reuses a call's controller for later calls (src/common/abortPool.ts). `AbortSignal.any` would keep
    // each combined signal in the caller's signal's dependants for good on Node 20; a listener is removed at the end.
    const abort = new AbortController();
    const any = AbortSignal.any;
    let anyCalls = 0;
    AbortSignal.any = (signals: AbortSignal[]) => {
      anyCalls++;
      return any.call(AbortSignal, signals);
    };
    try {
      const outcome = await conn.callTool('task_job', { ms: 20 }, consentForTests(conn, 'task_job'), { signal: abort.signal });
      assert.strictEqual(text(outcome.result), 'job done after 20 ms');
    } finally {
      AbortSignal.any = any;
    }
    assert.strictEqual(anyCalls, 0, 'AbortSignal.any made a signal that depends on the caller\'s for good');
    assert.strictEqual(getEventListeners(abort.signal, 'abort').length, 0, 'a listener was left on the caller\'s signal');
    // Still linked while it runs: the same controller, used again, cancels the next task (the test above, with a fresh one).
    const seen = await cancelledWhileWorking(abort);
    assert.strictEqual(seen.at(-1)!.status, 'cancelled');
  });

  it('one permit is one call: polling needs no second permit, and a permit cannot be used twice', async () => {
    const permit = consentForTests(conn, 'task_job');
    await conn.callTool('task_job', { ms: 20 }, permit);
    await assert.rejects(conn.callTool('task_job', { ms: 20 }, permit), /already used/);
  });
});

describe('a task that needs input (server-everything simulate-research-query)', function () {
  this.timeout(60_000);

  it('asks its question through the host elicitation handler (delivered by tasks/result) and completes with the answer', async () => {
    const asked: string[] = [];
    const conn = connection([everythingServer], {
      roots: () => [],
      async elicitation(_server, params) {
        asked.push(params.message);
        return { action: 'accept', content: { interpretation: 'historical' } };
      },
    });
    try {
      await conn.start();
      const seen: ToolTaskStatus[] = [];
      const outcome = await conn.callTool('simulate-research-query', { topic: 'tides', ambiguous: true }, consentForTests(conn, 'simulate-research-query'), { onTask: s => seen.push(s) });
      assert.strictEqual(asked.length, 1, 'asked once');
      assert.match(asked[0]!, /tides/);
      assert.match(text(outcome.result), /historical/i);
      assert.ok(seen.some(s => s.status === 'input_required'), `statuses: ${seen.map(s => s.status).join(', ')}`);
      assert.strictEqual(seen.at(-1)!.status, 'completed');
    } finally {
      await conn.shutdown();
    }
  });
});
