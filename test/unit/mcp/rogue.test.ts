import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitForEvent } from '../../../src/common/event';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { isAlive, waitForExit } from '../../../src/mcp/transports/processTree';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { AskGuard, ASK_AGAIN_LIMIT, QUIET_MS } from '../../../src/serverRequests/askGuard';
import { ElicitationHandler } from '../../../src/serverRequests/elicitation';
import { SamplingHandler } from '../../../src/serverRequests/sampling';
import { fixtureServer } from '../servers';

/**
 * The core against the `rogue` fixture: a server that abuses JSON-RPC and its own process where an SDK
 * server cannot. For each attack: a clear error that names the server, nothing hangs past its timeout,
 * the server (or the next one) keeps working, and no process is left behind.
 */
/** The rogue fixture's tools, in its order. */
const ROGUE_TOOLS = ['echo', 'wrong_id', 'twice', 'phantom', 'ask_loop', 'ask_again', 'log_flood', 'close_stdout', 'orphan_stdout', 'ask_during', 'huge_error', 'cancel_question', 'junk_stdout', 'notify_flood', 'progress_forever', 'cancel_ours', 'silent_lists'];
const rogue = (...args: string[]): ResolvedLaunch => ({ type: 'stdio', command: process.execPath, args: [fixtureServer('rogue'), ...args], env: {} });

describe('core vs. a rogue server', function () {
  this.timeout(30_000);
  const open: ServerConnection[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map(c => c.shutdown()));
  });

  function connect(
    launch: ResolvedLaunch,
    { startupMs = 10_000, requestMs = 10_000, totalMs = undefined as number | undefined, maxCallMs = undefined as number | undefined, workspaceDefined = false } = {},
  ) {
    const log = new MemoryLog('debug');
    const conn = new ServerConnection({
      name: 'rogue',
      plan: async () => ({ launch, timeouts: { startupMs, requestMs, ...(totalMs !== undefined ? { totalMs } : {}) }, secrets: [], ...(workspaceDefined ? { workspaceDefined } : {}) }),
      ...(maxCallMs !== undefined ? { maxCallMs: () => maxCallMs } : {}),
      log,
      clientInfo: { name: 'tests', version: '0' },
      handlers: { roots: () => [{ uri: 'file:///tmp/root-one', name: 'one' }] },
      grace: { stdinMs: 300, termMs: 300 },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 1, stableAfterMs: 60_000 },
    });
    open.push(conn);
    return { conn, log };
  }
  const call = (conn: ServerConnection, name: string, args: Record<string, unknown> = {}) => conn.callTool(name, args, consentForTests(conn, name));
  const textOf = (r: Awaited<ReturnType<typeof call>>) => (r.result.content[0] as { text: string }).text;

  it('a response under an id the host never used: the call ends at its timeout, named as one, and the server keeps working', async () => {
    const { conn } = connect(rogue(), { requestMs: 1000 });
    await conn.start();
    await assert.rejects(call(conn, 'wrong_id'), /^RequestTimeoutError: tools\/call got no answer within 1 s$/);
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
  });

  // Progress resets the request timeout; the spec: a client SHOULD enforce a maximum regardless. Before, such a call never ended.
  for (const [where, limits] of [
    ['the user setting', { maxCallMs: 3000 }],
    ["the server entry's timeout.total, over the setting", { totalMs: 3000, maxCallMs: 0 }],
    // A cloned repository's entry cannot lift the user's limit: neither "no limit" nor a request timeout longer than it.
    ['the user setting, over a workspace entry asking for no limit and a long request timeout', { totalMs: 0, requestMs: 600_000, maxCallMs: 3000, workspaceDefined: true }],
  ] as const) {
    it(`a call whose server reports progress forever: cancelled at the total limit (${where}), saying so; the server is told`, async () => {
      const { conn, log } = connect(rogue(), { requestMs: 1500, ...limits });
      await conn.start();
      let progress = 0;
      const outcome = conn.callTool('progress_forever', { intervalMs: 50 }, consentForTests(conn, 'progress_forever'), { onProgress: () => progress++ });
      let watchdog: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => (watchdog = setTimeout(() => reject(new Error('the call was still running after 15 s')), 15_000)));
      try {
        await assert.rejects(
          Promise.race([outcome, stuck]),
          /^CallTimeLimitError: tools\/call was still running after 3 s, the most one call may take even while the server reports progress, so MCP Host cancelled it\. To allow longer, raise the mcpHost\.calls\.maxMinutes setting \(or, for a server in your user settings, set "timeout": \{ "total": <ms> \} in its entry; a workspace's entry can only shorten the limit\)\.$/,
        );
      } finally {
        clearTimeout(watchdog);
      }
      assert.ok(progress > 1, `progress reached the call ${progress} times`);
      // notifications/cancelled, with the reason: the server stops its work.
      const cancelled = /progress_forever: cancelled \(MCP Host: tools\/call ran for 3 s, the most one call may take\)/;
      for (let i = 0; i < 100 && !cancelled.test(log.text()); i++) await new Promise(r => setTimeout(r, 50));
      assert.match(log.text(), cancelled);
      assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    });
  }

  it('a JSON-RPC error with a 4 MB message: the call fails with it cut to 16 K characters, saying how much was left out; the server keeps working', async () => {
    const { conn } = connect(rogue());
    await conn.start();
    // Before: the whole 4 MB message, which went into the chat model's prompt and the history file.
    await assert.rejects(call(conn, 'huge_error', { bytes: 4 * 1024 * 1024 }), (error: Error) => {
      assert.strictEqual(error.name, 'ProtocolError');
      assert.ok(error.message.length < 20_000, `${error.message.length} characters`);
      assert.match(error.message, /^\[Sign in\]\(command:workbench\.action\.terminal\.sendSequence\?%7B%7D\) e+… \(4177920 more characters\)$/);
      assert.strictEqual(error.message.length, 16 * 1024 + '… (4177920 more characters)'.length);
      return true;
    });
    // Its data is not shown anywhere; the message stays as it came when short.
    await assert.rejects(call(conn, 'huge_error', { where: 'data' }), /^ProtocolError: failed$/);
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
  });

  it("a cancellation of the host's own request (only the requester may cancel): ignored, the call gets its answer, the server keeps working", async () => {
    const { conn } = connect(rogue());
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'cancel_ours')), 'answered after cancelling');
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    assert.strictEqual(conn.state.kind, 'running');
  });

  it('answers initialize, then nothing more: the start fails within its start-up time, saying what it waited for', async () => {
    const { conn } = connect(rogue('--init', 'then-silent'), { startupMs: 2000, requestMs: 60_000 });
    const started = Date.now();
    await conn.start();
    const state = conn.state;
    assert.strictEqual(state.kind, 'error', JSON.stringify(state));
    // Before: "starting" for the request timeout (here 60 s), then "running" with no tools.
    assert.ok(Date.now() - started < 6000, `${Date.now() - started} ms`);
    assert.strictEqual(state.kind === 'error' ? state.message : '', 'The server answered the handshake, then did not answer its first requests (its lists) within 2 s.');
    await conn.shutdown();
  });

  it('three answers to one request: the first counts, the others are dropped', async () => {
    const { conn } = connect(rogue());
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'twice')), 'first');
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    assert.strictEqual(conn.state.kind, 'running');
  });

  it('answers to requests never sent, progress for tokens never given, cancellations of requests never received: logged at debug, nothing else', async () => {
    const { conn, log } = connect(rogue());
    await conn.start();
    let progress = 0;
    const r = await conn.callTool('phantom', {}, consentForTests(conn, 'phantom'), { onProgress: () => progress++ });
    assert.strictEqual(textOf(r), 'still answering');
    assert.strictEqual(progress, 0, "another request's progress reached this call");
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    assert.strictEqual(conn.state.kind, 'running');
    const noise = log.lines.filter(l => /unknown message ID|unknown token|Unknown message type/.test(l.message));
    assert.strictEqual(noise.length, 5, log.text());
    assert.ok(noise.every(l => l.level === 'debug'));
  });

  it('notifications and a request of its own before it answers initialize: it starts and works', async () => {
    const { conn } = connect(rogue('--early'));
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
  });

  it('10,000 roots/list requests in one write: each answered, and the server keeps working', async () => {
    const { conn } = connect(rogue());
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'ask_loop', { count: 10_000 })), 'the host answered 10000 roots/list requests');
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
  });

  it('log messages of 1 MB each: each kept to 16 K characters in the log, as a stderr line is', async () => {
    const { conn, log } = connect(rogue());
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'log_flood', { count: 20, bytes: 1024 * 1024 })), 'sent 20 log messages');
    const lines = log.lines.filter(l => l.message.startsWith('[server flood '));
    assert.strictEqual(lines.length, 20);
    for (const l of lines) assert.match(l.message, /^\[server flood \d+\] \[Sign in\]\(command:[^]{16000,16384}… \(\d{7} more characters\)$/);
  });

  it('a log message cut to 16 K ends on a whole character: an emoji is not split into a lone surrogate', async () => {
    const { conn, log } = connect(rogue());
    await conn.start();
    // Loggers "flood 0".."flood 9" and "flood 10".."flood 19" put the 16 K cut on both halves of the emoji pairs.
    assert.strictEqual(textOf(await call(conn, 'log_flood', { count: 20, bytes: 64 * 1024, fill: '😀' })), 'sent 20 log messages');
    const lines = log.lines.filter(l => l.message.startsWith('[server flood '));
    assert.strictEqual(lines.length, 20);
    for (const l of lines) {
      assert.match(l.message, /😀… \(\d+ more characters\)$/);
      assert.doesNotMatch(l.message, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, `lone surrogate in ${l.message.slice(-40)}`);
    }
  });

  it('a resource blob that is not base64: the read fails with one line naming the part, and the server keeps working', async () => {
    const { conn } = connect(rogue());
    await conn.start();
    // The SDK checks base64; before, its error was a multi-line JSON dump of the schema issue.
    await assert.rejects(conn.readResource('rogue://not-base64'), /^MalformedAnswerError: The server's answer to resources\/read is malformed: contents\.0\.blob: Invalid Base64 string\.$/);
    await assert.rejects(conn.readResource('rogue://parts'), /^MalformedAnswerError: .*contents\.0\.blob: Invalid Base64 string\.$/);
    assert.deepStrictEqual((await conn.readResource('rogue://one')).contents, [{ uri: 'rogue://one', mimeType: 'text/plain', text: 'one' }]);
  });

  it('a null cursor: the end of the list, quietly, as in the tree and the resource pick (the SDK refused the whole page)', async () => {
    const { conn, log } = connect(rogue('--cursor', 'null'));
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running', JSON.stringify(conn.state));
    assert.strictEqual(conn.tools.length, ROGUE_TOOLS.length);
    const page = await conn.listResourcesPage();
    assert.deepStrictEqual(page.items.map(r => r.uri), ['rogue://one']);
    assert.strictEqual(page.nextCursor ?? undefined, undefined, 'no next page');
    assert.deepStrictEqual(log.lines.filter(l => l.level === 'warn' || l.level === 'error'), []);
  });

  it('a new 1 MB cursor on every page: paging stops at the first, saying why, and the server runs with what it listed', async () => {
    const { conn, log } = connect(rogue('--cursor', 'huge'));
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running');
    assert.strictEqual(conn.tools.length, ROGUE_TOOLS.length);
    // Before: 1,000 pages, 1 GB sent back and held as cursors seen (21 s and +1 GB of RSS in this test).
    assert.ok(log.lines.some(l => l.level === 'warn' && /^tools\/list: the server sent a cursor of 1,048,576 characters \(at most 65,536 are followed\); the list may be incomplete\.$/.test(l.message)), log.text());
  });

  const malformedInit: Record<string, RegExp> = {
    'bad-capabilities': /^The server's answer to initialize is malformed: capabilities\.logging: expected record, received array; capabilities\.resources: expected object, received number; capabilities\.tools: expected object, received string\.$/,
    'no-server-info': /^The server's answer to initialize is malformed: serverInfo: expected object, received undefined\.$/,
    'number-version': /^The server's answer to initialize is malformed: protocolVersion: expected string, received number\.$/,
    // Dropped by the SDK as an unknown message before: the start waited for its whole timeout.
    'string-result': /^The server's answer is malformed: its result is "initialized!", not an object\.$/,
  };
  for (const [init, expected] of Object.entries(malformedInit)) {
    it(`a malformed answer to initialize (${init}): at once, one line that says what was wrong`, async () => {
      // A start-up timeout beyond the test's: the failure must not be a timeout.
      const { conn } = connect(rogue('--init', init), { startupMs: 120_000 });
      await conn.start();
      const state = conn.state;
      assert.strictEqual(state.kind, 'error');
      assert.match(state.kind === 'error' ? state.message : '', expected);
    });
  }



  it('a list with malformed items: the well-formed ones are kept, each one left out is named in the log', async () => {
    const { conn, log } = connect(rogue('--lists', 'malformed'));
    await conn.start();
    assert.strictEqual(conn.state.kind, 'running');
    // Before, the SDK refused the page whole: 0 tools, and a JSON dump of schema errors in the log.
    assert.deepStrictEqual(conn.tools.map(t => t.name), ROGUE_TOOLS);
    const warnings = log.lines.filter(l => l.level === 'warn').map(l => l.message);
    const n = ROGUE_TOOLS.length;
    assert.deepStrictEqual(
      warnings.map(w => w.slice(0, w.indexOf('): ') + 1)),
      [`#${n + 1} (42)`, `#${n + 2} ("no_schema")`, `#${n + 3} ("typed_wrong")`, `#${n + 4} (null)`, `#${n + 5} ("just a string")`].map(t => `tools/list: left out malformed tool ${t}`),
    );
    assert.match(warnings[0]!, /\): name: /);
    assert.match(warnings[2]!, /title: .*expected string, received object/);
    for (const w of warnings) assert.doesNotMatch(w, /\n/, 'one line each');
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
  });

  // Guards (each passed before this test was written): what a rogue server does that the host already handles.
  it('exits after reading initialize, before answering it: at once, the exit code and its stderr line', async () => {
    const { conn } = connect(rogue('--init', 'exit'), { startupMs: 120_000 });
    await conn.start();
    const state = conn.state;
    assert.strictEqual(state.kind, 'error');
    if (state.kind !== 'error') return;
    assert.strictEqual(state.message, 'The server exited with code 4 before completing initialization.');
    assert.deepStrictEqual(state.stderrTail, ['[fixture:rogue] initialize: giving up, exiting 4']);
  });

  it('stdout that is not JSON-RPC after a good start (binary, half a message, a bare array, a wrong method type): the call is answered, the server runs on', async () => {
    const { conn, log } = connect(rogue());
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'junk_stdout')), 'answered after the junk');
    assert.strictEqual(conn.state.kind, 'running');
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    assert.ok(log.lines.every(l => l.message.length <= 20_000), 'a log line holds the 200 KB junk line whole');
  });

  it('5,000 notifications of every kind in one write during a call (list_changed, log, resources/updated, its progress): all reach their places, the call is answered', async () => {
    const { conn, log } = connect(rogue());
    await conn.start();
    let progress = 0;
    const r = await conn.callTool('notify_flood', { count: 5000 }, consentForTests(conn, 'notify_flood'), { onProgress: () => progress++ });
    assert.strictEqual(textOf(r), 'sent 5000 of each');
    assert.strictEqual(progress, 5000);
    assert.strictEqual(log.lines.filter(l => /^\[server\] flood \d+$/.test(l.message)).length, 5000);
    assert.strictEqual(textOf(await call(conn, 'echo', { text: 'after' })), 'after');
    assert.strictEqual(conn.tools.length, ROGUE_TOOLS.length);
  });

  it('withdraws its question (notifications/cancelled) while the user answers: the question sees the cancellation, and the host sends no answer to it', async () => {
    let withdrawn: boolean | undefined;
    const elicitation = new ElicitationHandler({
      editorPreference: () => 'never',
      dialogs: () => ({
        confirmElicitation: async () => {
          // Answered after the server withdrew the question (at 300 ms), before it answers the call (at 800 ms).
          await new Promise(r => setTimeout(r, 500));
          return 'accept';
        },
        openUrl: async () => false,
        askArgument: async () => undefined,
        editForm: async () => ({ kind: 'dismissed' }),
      }),
    });
    const conn = new ServerConnection({
      name: 'rogue',
      plan: async () => ({ launch: rogue(), timeouts: { startupMs: 10_000, requestMs: 10_000 }, secrets: [] }),
      log: new MemoryLog('debug'),
      clientInfo: { name: 'tests', version: '0' },
      handlers: {
        roots: () => [],
        elicitation: async (server, p, signal) => {
          const answer = await elicitation.handle(server, p, signal);
          withdrawn = signal.aborted;
          return answer;
        },
      },
      grace: { stdinMs: 300, termMs: 300 },
    });
    open.push(conn);
    await conn.start();
    assert.strictEqual(textOf(await call(conn, 'cancel_question', { ms: 300 })), 'the host answered the withdrawn question with: nothing');
    assert.strictEqual(withdrawn, true);
  });

  describe('questions asked again the moment the user says no', () => {
    // The real handlers; only the dialogs (the replaceable piece) are scripted, and they always say no.
    let dialogs = 0;
    const elicitation = new ElicitationHandler({
      editorPreference: () => 'never',
      dialogs: () => ({
        confirmElicitation: async () => (dialogs++, dialogs % 2 ? 'decline' : 'cancel'),
        openUrl: async () => false,
        askArgument: async () => undefined,
        editForm: async () => ({ kind: 'dismissed' }),
      }),
    });
    const sampling = new SamplingHandler({
      identify: name => ({ key: `workspace:${name}`, fromUserSettings: false, originLabel: '.vscode/mcp.json' }),
      settings: () => ({ allowedServers: [], model: '' }),
      remembered: { has: () => false, add: async () => {} },
      confirm: async () => (dialogs++, 'deny'),
      models: async () => [{ id: 'm', vendor: 'v', family: 'f', name: 'M' }],
      run: async () => assert.fail('sampling ran without a yes'),
    });
    beforeEach(() => (dialogs = 0));

    for (const kind of ['elicitation', 'sampling'] as const) {
      it(`${kind}: three dialogs, then refused without asking while the server keeps asking`, async () => {
        const log = new MemoryLog('debug');
        const conn = new ServerConnection({
          name: 'rogue',
          plan: async () => ({ launch: rogue(), timeouts: { startupMs: 10_000, requestMs: 10_000 }, secrets: [] }),
          log,
          clientInfo: { name: 'tests', version: '0' },
          handlers: { roots: () => [], elicitation: (server, p, signal) => elicitation.handle(server, p, signal), sampling: (server, p, signal) => sampling.handle(server, p, signal) },
          grace: { stdinMs: 300, termMs: 300 },
        });
        open.push(conn);
        await conn.start();
        // Before: 50 modal dialogs, one after the other, each the moment the last was answered.
        const outcomes = textOf(await call(conn, 'ask_again', { kind, count: 50 })).split(',');
        assert.strictEqual(dialogs, ASK_AGAIN_LIMIT);
        assert.deepStrictEqual(outcomes.slice(0, ASK_AGAIN_LIMIT), kind === 'elicitation' ? ['decline', 'cancel', 'decline'] : ['error', 'error', 'error']);
        assert.deepStrictEqual(new Set(outcomes.slice(ASK_AGAIN_LIMIT)), new Set(['error']));
        assert.strictEqual(outcomes.length, 50);
        assert.strictEqual(log.lines.filter(l => /refused without asking: it asked again on its own right after the user said no, \d+ times in a row/.test(l.message)).length, 50 - ASK_AGAIN_LIMIT);
      });
    }

    it("counts only the user's requests as what a question may follow: not resource reads, not its own app's calls (both of which the server can cause)", async () => {
      const seen: number[] = [];
      const conn = new ServerConnection({
        name: 'rogue',
        plan: async () => ({ launch: rogue(), timeouts: { startupMs: 10_000, requestMs: 10_000 }, secrets: [] }),
        log: new MemoryLog('debug'),
        clientInfo: { name: 'tests', version: '0' },
        handlers: { roots: () => [], elicitation: (server, p, signal) => (seen.push(server.requestsSent()), elicitation.handle(server, p, signal)) },
        grace: { stdinMs: 300, termMs: 300 },
      });
      open.push(conn);
      await conn.start();
      // A resources/updated makes VS Code read an open document again; an app reads and calls through the bridge.
      await conn.readResource('rogue://one');
      await conn.readResource('rogue://one');
      await conn.callTool('ask_again', { kind: 'elicitation', count: 1 }, consentForTests(conn, 'ask_again'), { byApp: true });
      await call(conn, 'ask_again', { kind: 'elicitation', count: 1 });
      assert.deepStrictEqual(seen, [0, 1], 'two reads and an app call made no user request; the palette call made one');
    });

    it('asks again once the server has gone quiet, after the next request the host sends it, and after a yes', () => {
      let now = 0;
      let requests = 0;
      const guard = new AskGuard(() => now);
      const asks = (n: number) => Array.from({ length: n }, () => (guard.refusal('s', requests) === undefined ? (guard.answered('s', false, requests), 'asked') : 'refused'));
      assert.deepStrictEqual(asks(5), ['asked', 'asked', 'asked', 'refused', 'refused']);
      assert.strictEqual(guard.refusal('other', requests), undefined, 'another server is asked');
      now += QUIET_MS - 1;
      assert.deepStrictEqual(asks(1), ['refused'], 'a refused question counts as asking: the loop stays refused');
      now += QUIET_MS + 1;
      assert.deepStrictEqual(asks(4), ['asked', 'asked', 'asked', 'refused']);
      // The user runs a tool (or reads a resource, gets a prompt): its question is a new one.
      requests++;
      assert.deepStrictEqual(asks(1), ['asked']);
      requests++;
      assert.deepStrictEqual(asks(1), ['asked']);
      guard.answered('s', true, requests);
      assert.deepStrictEqual(asks(4), ['asked', 'asked', 'asked', 'refused']);
    });
  });

  describe('its process', () => {
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rogue-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('closes its stdout and keeps running: the call fails at once, the server is stopped and shows why', async () => {
      // requestMs far above the test's timeout: before, the call waited for it, the server showing as running.
      const { conn } = connect(rogue(), { requestMs: 120_000 });
      await conn.start();
      const pid = conn.pid!;
      const errored = waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 10_000);
      await assert.rejects(call(conn, 'close_stdout'), /closed the connection/);
      const state = await errored;
      assert.match(state.kind === 'error' ? state.message : '', /closed its stdout but kept running.*stopped it/);
      assert.ok(!isAlive(pid), 'the server was left running');
    });

    it('exits while a child it started holds its stdout: the server shows the exit, and Stop leaves no process behind', async () => {
      const pidFile = path.join(tmp, 'pids.json');
      const { conn } = connect(rogue('--pid-file', pidFile), { requestMs: 120_000 });
      await conn.start();
      const errored = waitForEvent(conn.onDidChangeState, s => s.kind === 'error', 10_000);
      await assert.rejects(call(conn, 'orphan_stdout'), /closed the connection/);
      const state = await errored;
      assert.match(state.kind === 'error' ? state.message : '', /exited with code 3, but a process it started kept its stdout open/);
      const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { server: number; children: number[] };
      try {
        await conn.stop();
        // The crash's own teardown stops what is left (SIGTERM, which the child ignores, then SIGKILL).
        assert.ok(await waitForExit([pids.server, ...pids.children], 5000), `a process outlived its server: ${[pids.server, ...pids.children].filter(isAlive)}`);
      } finally {
        for (const p of pids.children) if (isAlive(p)) process.kill(p, 'SIGKILL');
      }
    });
  });
});
