import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitForEvent } from '../../../src/common/event';
import { AbortControllerPool } from '../../../src/common/abortPool';
import type { ServerDefinition } from '../../../src/config/types';
import { ApprovalMemento, ApprovalStore } from '../../../src/consent/approvalStore';
import { CallHistory } from '../../../src/consent/callHistory';
import { ConsentSettings, DEFAULT_CONSENT_SETTINGS } from '../../../src/consent/policy';
import { ConsentGate } from '../../../src/consent/toolCallGate';
import type { ConsentAnswer, GatedCallResult, ToolCallRequest, ToolConsentRequest } from '../../../src/consent/types';
import type { LaunchPlan, ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import type { ServerEntry } from '../../../src/mcp/registry';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { everythingServer, fixtureServer } from '../servers';

const SECRET = 's3cr3t-value';
const everything: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [everythingServer], env: {} };
const paging: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [fixtureServer('paging')], env: {} };
const tasks: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [fixtureServer('tasks'), '--poll-ms', '50'], env: {} };

class MapMemento implements ApprovalMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue: T): T {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

/** Real servers behind plain registry entries; the gate needs only `get(name)`. */
class Servers {
  readonly entries = new Map<string, ServerEntry>();
  /** Each server's log, stderr included. */
  readonly logs = new Map<string, MemoryLog>();

  add(name: string, launches: () => ResolvedLaunch, options: { origin?: ServerDefinition['origin']; disabledTools?: string[] } = {}): ServerConnection {
    const log = new MemoryLog();
    this.logs.set(name, log);
    const connection = new ServerConnection({
      name,
      plan: async (): Promise<LaunchPlan> => ({ launch: launches(), timeouts: { startupMs: 15_000, requestMs: 15_000 }, secrets: [SECRET] }),
      log,
      clientInfo: { name: 'mcp-host-tests', version: '0.0.0' },
      grace: { stdinMs: 300, termMs: 300 },
    });
    const definition: ServerDefinition = {
      name,
      type: 'stdio',
      command: process.execPath,
      args: [],
      env: {},
      origin: options.origin ?? { kind: 'workspaceVscode', label: '.vscode/mcp.json', file: '/ws/.vscode/mcp.json', folder: '/ws' },
      disabled: false,
      timeouts: { startupMs: 15_000, requestMs: 15_000 },
      disabledTools: options.disabledTools ?? [],
    };
    this.entries.set(name, { name, definition, hash: name, problems: [], connection });
    return connection;
  }

  get(name: string): ServerEntry | undefined {
    return this.entries.get(name);
  }
}

describe('the consent gate against real servers', function () {
  this.timeout(60_000);
  const servers = new Servers();
  const asked: ToolConsentRequest[] = [];
  let answers: ConsentAnswer[] = [];
  let settings: ConsentSettings = DEFAULT_CONSENT_SETTINGS;
  let confirmError: Error | undefined;
  let dir: string;
  let history: CallHistory;
  let approvals: ApprovalStore;
  let memento: MapMemento;
  let gate: ConsentGate;
  let swapTo: ResolvedLaunch = paging;

  const call = (server: string, tool: string, args: Record<string, unknown> = {}, extra: Partial<ToolCallRequest> = {}) => gate.call({ server, tool, args, origin: 'palette', ...extra });
  const ask = (...next: ConsentAnswer[]) => {
    answers = next;
    asked.length = 0;
  };
  const completed = (r: GatedCallResult) => {
    assert.strictEqual(r.kind, 'completed', JSON.stringify(r));
    return r as Extract<GatedCallResult, { kind: 'completed' }>;
  };
  const textOf = (r: GatedCallResult) => completed(r).outcome.result.content.map(c => (c.type === 'text' ? c.text : '')).join('\n');

  function makeGate(): ConsentGate {
    return new ConsentGate({
      servers,
      approvals,
      settings: () => settings,
      confirm: async request => {
        asked.push(request);
        if (confirmError) throw confirmError;
        const answer = answers.shift();
        if (!answer) throw new Error(`unexpected consent question for ${request.tool}`);
        return answer;
      },
      history,
    });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-gate-'));
    history = new CallHistory(path.join(dir, 'tool-calls.jsonl'));
    memento = new MapMemento();
    approvals = new ApprovalStore(memento);
    gate = makeGate();
    servers.add('everything', () => everything);
    servers.add('paging', () => paging);
    servers.add('swap', () => swapTo);
    servers.add('mine', () => everything, { origin: { kind: 'userSettings', label: 'User Settings' }, disabledTools: ['get-env'] });
    servers.add('stopped', () => everything);
    servers.add('tasks', () => tasks);
    // A paging server of its own for the pooled-controller test, so its log holds only that test's cancellations.
    servers.add('pool', () => paging);
    await Promise.all(['everything', 'paging', 'swap', 'mine', 'tasks', 'pool'].map(n => servers.get(n)!.connection.start()));
    for (const n of ['everything', 'paging', 'swap', 'mine', 'tasks', 'pool']) assert.strictEqual(servers.get(n)!.connection.state.kind, 'running', n);
  });

  after(async () => {
    await Promise.all([...servers.entries.values()].map(e => e.connection.shutdown()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('"Allow Once" runs the call and asks again next time', async () => {
    ask('once', 'once');
    assert.match(textOf(await call('everything', 'echo', { message: 'one' })), /one/);
    assert.match(textOf(await call('everything', 'echo', { message: 'two' })), /two/);
    assert.strictEqual(asked.length, 2);
    assert.deepStrictEqual(approvals.all(), []);
  });

  it('shows the tool, server, origin, annotations and masked, truncated arguments in the question', async () => {
    ask('once');
    await call('everything', 'echo', { message: `key ${SECRET} ${'x'.repeat(300)}` }, { origin: 'chat' });
    const q = asked[0]!;
    assert.strictEqual(q.server, 'everything');
    assert.strictEqual(q.serverOrigin, '.vscode/mcp.json');
    assert.strictEqual(q.tool, 'echo');
    assert.strictEqual(q.origin, 'chat');
    assert.strictEqual(q.annotations.readOnlyHint, true);
    assert.doesNotMatch(q.argumentsText, new RegExp(SECRET));
    assert.match(q.argumentsText, /key \*\*\* x+… \(\d+ more characters\)/);
    assert.strictEqual(q.changedSince, undefined);
  });

  it('offers the whole arguments, secrets still masked, when the question had to cut them (§7 Show Full Arguments)', async () => {
    ask('once', 'once');
    await call('everything', 'echo', { message: `key ${SECRET} ${'x'.repeat(300)}` });
    const cut = asked[0]!;
    assert.strictEqual(cut.fullArgumentsText, JSON.stringify({ message: `key *** ${'x'.repeat(300)}` }, null, 2));
    await call('everything', 'echo', { message: 'short' });
    assert.strictEqual(asked[1]!.fullArgumentsText, undefined, 'nothing was cut, so nothing more to show');
  });

  it('"Allow for This Session" asks once, and concurrent calls share the one dialog', async () => {
    ask('session');
    const results = await Promise.all([1, 2, 3].map(i => call('everything', 'get-sum', { a: i, b: 1 })));
    assert.deepStrictEqual(results.map(r => r.kind), ['completed', 'completed', 'completed']);
    assert.strictEqual(asked.length, 1);
    completed(await call('everything', 'get-sum', { a: 5, b: 5 }));
    assert.strictEqual(asked.length, 1);
    assert.deepStrictEqual(approvals.all().map(a => `${a.tool}:${a.scope}`), ['get-sum:session']);
    // A new window (a new store over the same workspace state) has forgotten it.
    assert.deepStrictEqual(new ApprovalStore(memento).all(), []);
  });

  it('"Always Allow in This Workspace" persists in workspace state and survives a reload', async () => {
    ask('always');
    completed(await call('everything', 'get-tiny-image'));
    assert.strictEqual(asked.length, 1);
    const reloaded = new ApprovalStore(memento);
    assert.deepStrictEqual(reloaded.all().map(a => `${a.tool}:${a.scope}`), ['get-tiny-image:always']);
    approvals = reloaded;
    gate = makeGate();
    ask();
    completed(await call('everything', 'get-tiny-image'));
  });

  it('Deny returns a clear result, and the server never sees the call', async () => {
    ask('deny');
    const denied = await call('paging', 'mutate', { list: 'tools', action: 'add' });
    assert.deepStrictEqual(denied, { kind: 'denied', message: "Denied by user: 'Mutate lists' on server 'paging' was not called." });
    // Had the denied call reached the server, this one would add dynamic_tool_2.
    ask('once');
    const changed = waitForEvent(servers.get('paging')!.connection.onDidChangeTools, tools => tools.some(t => t.name.startsWith('dynamic_tool_')), 10_000);
    assert.match(textOf(await call('paging', 'mutate', { list: 'tools', action: 'add' })), /added dynamic_tool_1;/);
    await changed;
  });

  it('asks through the confirmer a call brings, with the same policy and remembered approvals', async () => {
    const inline: ToolConsentRequest[] = [];
    const inlineAnswers: ConsentAnswer[] = ['session'];
    const confirm = async (request: ToolConsentRequest) => {
      inline.push(request);
      return inlineAnswers.shift() ?? 'deny';
    };
    ask();
    completed(await call('everything', 'get-annotated-message', { messageType: 'success' }, { origin: 'chat', confirm }));
    assert.deepStrictEqual(inline.map(r => `${r.tool}:${r.origin}`), ['get-annotated-message:chat']);
    assert.strictEqual(asked.length, 0, 'the modal dialog was asked');
    // Approved for the session inline: the palette's modal path does not ask either.
    completed(await call('everything', 'get-annotated-message', { messageType: 'error' }));
    assert.strictEqual(asked.length, 0);
    // A denial inline is the gate's denial, reported as such.
    const denied = await call('paging', 'mutate', { list: 'tools', action: 'remove' }, { origin: 'chat', confirm });
    assert.strictEqual(denied.kind, 'denied');
    assert.strictEqual(inline.length, 2);
    await approvals.revokeAll();
  });

  it('never lets a confirmer that waits for an answer hold up calls asked elsewhere', async () => {
    let answerInline!: (a: ConsentAnswer) => void;
    const abort = new AbortController();
    const confirm = () => new Promise<ConsentAnswer>(resolve => (answerInline = resolve));
    const waiting = call('everything', 'echo', { message: 'inline' }, { origin: 'chat', confirm, signal: abort.signal });
    ask('once');
    assert.match(textOf(await call('everything', 'echo', { message: 'modal' })), /modal/);
    // The chat response was stopped while its question was open: a cancellation, not a denial.
    abort.abort();
    answerInline('deny');
    assert.deepStrictEqual(await waiting, { kind: 'cancelled', message: 'Cancelled before the call was sent.' });
  });

  it('does not hold a call the user already approved behind a question open for another call', async () => {
    ask('session');
    completed(await call('paging', 'echo', { text: 'approved' }));
    let answer: ((a: ConsentAnswer) => void) | undefined;
    const confirm = () => new Promise<ConsentAnswer>(resolve => (answer = resolve));
    const waiting = call('paging', 'touch_resource', { uri: 'fixture://static/readme.md' }, { confirm });
    while (!answer) await new Promise(resolve => setImmediate(resolve));
    // The question is open, and stays open until the approved call, through the same confirmer, has completed.
    assert.match(textOf(await call('paging', 'echo', { text: 'not held up' }, { confirm })), /not held up/);
    answer('deny');
    assert.strictEqual((await waiting).kind, 'denied');
  });

  it('sees tools a server adds and removes (list_changed), and refuses a tool that is gone', async () => {
    ask('once');
    completed(await call('paging', 'dynamic_tool_1'));
    ask('once');
    const removed = waitForEvent(servers.get('paging')!.connection.onDidChangeTools, tools => !tools.some(t => t.name === 'dynamic_tool_1'), 10_000);
    completed(await call('paging', 'mutate', { list: 'tools', action: 'remove' }));
    await removed;
    ask();
    assert.deepStrictEqual(await call('paging', 'dynamic_tool_1'), { kind: 'failed', message: "Server 'paging' has no tool named 'dynamic_tool_1'." });
  });

  it('asks again, saying what changed, when the server changes a tool after approval', async () => {
    ask('always');
    assert.match(textOf(await call('swap', 'echo', { text: 'from paging' })), /from paging/);
    swapTo = everything;
    await servers.get('swap')!.connection.restart();
    ask('session');
    assert.match(textOf(await call('swap', 'echo', { message: 'from everything' })), /from everything/);
    assert.strictEqual(asked.length, 1);
    const changed = asked[0]!.changedSince;
    assert.ok(changed, 'the second question did not say the tool changed');
    assert.deepStrictEqual(changed.changes.map(c => c.field), ['title', 'description', 'inputSchema', 'annotations']);
    assert.match(changed.changes.find(c => c.field === 'description')!.before!, /Echoes `text` back/);
    // Approved for this session now; the old definition's "always" stays, for if the server goes back to it.
    ask();
    completed(await call('swap', 'echo', { message: 'again' }));
  });

  it('keeps approvals with the server identity that earned them: the same name defined elsewhere asks again', async () => {
    const connection = servers.add('twin', () => everything);
    await connection.start();
    const here = servers.get('twin')!;
    const clone: ServerEntry = { ...here, definition: { ...here.definition!, origin: { kind: 'workspaceVscode', label: '.vscode/mcp.json (clone)', file: '/clone/.vscode/mcp.json', folder: '/clone' } } };
    const rewritten: ServerEntry = { ...here, definition: { ...here.definition!, command: '/clone/bin/node' } as ServerDefinition };
    ask('always');
    completed(await call('twin', 'echo', { message: 'a' }));
    assert.deepStrictEqual(approvals.all().filter(a => a.server === 'twin').map(a => `${a.tool}:${a.scope}:${a.serverOriginLabel}`), ['echo:always:.vscode/mcp.json']);
    for (const other of [clone, rewritten]) {
      servers.entries.set('twin', other);
      ask('once');
      completed(await call('twin', 'echo', { message: 'b' }));
      assert.strictEqual(asked.length, 1, 'a same-named server with another identity used the approval');
      // Only the same entry of the same file, redefined, is said to have changed since the approval.
      assert.strictEqual(asked[0]!.changedSince?.serverRedefined, other === rewritten ? true : undefined);
    }
    servers.entries.set('twin', here);
    ask();
    completed(await call('twin', 'echo', { message: 'c' }));
  });

  it('sends a call only to the connection and start the user was asked about', async () => {
    const here = servers.get('twin')!;
    const restartFirst = async () => {
      await here.connection.restart();
      return 'once' as const;
    };
    const restarted = await call('twin', 'get-sum', { a: 1, b: 2 }, { confirm: restartFirst });
    assert.deepStrictEqual(restarted, { kind: 'failed', message: "Server 'twin' restarted or its definition changed while you were deciding; run the call again." });
    const redefineFirst = async () => {
      servers.entries.set('twin', { ...here, definition: { ...here.definition!, args: ['--other'] } as ServerDefinition });
      return 'session' as const;
    };
    assert.strictEqual((await call('twin', 'get-sum', { a: 1, b: 2 }, { confirm: redefineFirst })).kind, 'failed');
    servers.entries.set('twin', here);
    // Unchanged while asked: the call goes through.
    completed(await call('twin', 'get-sum', { a: 1, b: 2 }, { confirm: async () => 'once' }));
  });

  it('auto-approves read-only tools only when the user setting says so', async () => {
    settings = { autoApproveReadOnly: true, trustedServers: [] };
    try {
      ask();
      completed(await call('everything', 'echo', { message: 'ro' }));
      ask('deny');
      assert.strictEqual((await call('paging', 'touch_resource', { uri: 'fixture://static/readme.md' })).kind, 'denied');
      assert.strictEqual(asked.length, 1);
    } finally {
      settings = DEFAULT_CONSENT_SETTINGS;
    }
    ask('once');
    completed(await call('everything', 'echo', { message: 'asks again' }));
    assert.strictEqual(asked.length, 1);
  });

  it('trusts a server named in the user setting only when the user settings define it', async () => {
    settings = { autoApproveReadOnly: false, trustedServers: ['mine', 'everything'] };
    try {
      ask();
      completed(await call('mine', 'get-resource-links', { count: 1 }));
      ask('deny');
      assert.strictEqual((await call('everything', 'get-resource-links', { count: 1 })).kind, 'denied', 'a workspace server under a trusted name was trusted');
      assert.strictEqual(asked.length, 1);
    } finally {
      settings = DEFAULT_CONSENT_SETTINGS;
    }
  });

  it('reports unknown servers and tools, stopped servers and disabled tools as failures, without asking', async () => {
    ask();
    assert.deepStrictEqual(await call('nope', 'echo'), { kind: 'failed', message: "No MCP server named 'nope' is configured." });
    assert.deepStrictEqual(await call('everything', 'nope'), { kind: 'failed', message: "Server 'everything' has no tool named 'nope'." });
    assert.deepStrictEqual(await call('stopped', 'echo'), { kind: 'failed', message: "Server 'stopped' is not running (stopped). Start it and try again." });
    assert.deepStrictEqual(await call('mine', 'get-env'), { kind: 'failed', message: "Tool 'get-env' is disabled for server 'mine' in its config." });
    assert.strictEqual(asked.length, 0);
  });

  it('says a server is starting or stopping, not that it lacks the tool, and names the call a dying server cut short', async () => {
    ask();
    const conn = servers.get('stopped')!.connection;
    try {
      const started = conn.start();
      while (conn.state.kind !== 'starting') await new Promise(r => setImmediate(r));
      assert.deepStrictEqual(await call('stopped', 'echo'), { kind: 'failed', message: "Server 'stopped' is still starting; try again when it is running." });
      await started;
      // Stopping: the state says "running" until the process is gone, but the server's lists are gone already.
      const stopped = conn.stop();
      assert.deepStrictEqual(await call('stopped', 'echo'), { kind: 'failed', message: "Server 'stopped' is stopping or restarting; try again when it is running." });
      await stopped;
      assert.strictEqual(asked.length, 0);

      await conn.start();
      ask('once');
      const pending = call('stopped', 'trigger-long-running-operation', { duration: 30, steps: 3 });
      while (asked.length === 0) await new Promise(r => setTimeout(r, 10));
      // Past consent, the call is on its way; then the server dies under it.
      await new Promise(r => setTimeout(r, 300));
      process.kill(conn.pid!, 'SIGKILL');
      assert.deepStrictEqual(await pending, { kind: 'failed', message: 'tools/call got no answer: the server closed the connection (it exited or was stopped)' });
    } finally {
      await conn.stop();
    }
  });

  it('maps a tool error result, a protocol error and a cancellation', async () => {
    ask('once', 'once', 'once');
    const toolError = completed(await call('paging', 'fail', { mode: 'tool' }));
    assert.strictEqual(toolError.outcome.result.isError, true);
    const protocol = await call('paging', 'fail', { mode: 'protocol' });
    assert.strictEqual(protocol.kind, 'failed');
    const abort = new AbortController();
    const slow = call('paging', 'slow', { ms: 5000 }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    assert.deepStrictEqual(await slow, { kind: 'cancelled', message: 'Cancelled.' });
  });

  it("a palette controller reused after its call settled cancels only the call now running with it", async () => {
    const pool = new AbortControllerPool(4);
    const log = servers.logs.get('pool')!;
    const cancellations = () => log.lines.filter(l => l.message.includes('slow: cancelled')).length;
    ask('once', 'once', 'once');
    let first: AbortController | undefined;
    completed(await pool.run(c => ((first = c), call('pool', 'echo', { text: 'one' }, { signal: c.signal }))));
    assert.strictEqual(pool.idle, 1, 'a call that settled without a Cancel gives its controller back');
    let reused: AbortController | undefined;
    let other: AbortController | undefined;
    const long = pool.run(c => ((reused = c), call('pool', 'slow', { ms: 5000 }, { signal: c.signal })));
    const short = pool.run(c => ((other = c), call('pool', 'slow', { ms: 600 }, { signal: c.signal })));
    assert.strictEqual(reused, first, 'the next call reuses it');
    assert.notStrictEqual(other, first, 'a call running at the same time gets a controller of its own');
    setTimeout(() => reused!.abort(), 300);
    assert.deepStrictEqual(await long, { kind: 'cancelled', message: 'Cancelled.' });
    assert.match(textOf(await short), /waited 600 ms/);
    await until(() => cancellations() === 1, 'the server saw the cancellation');
    assert.strictEqual(cancellations(), 1, 'the server saw exactly one cancellation');
    assert.strictEqual(pool.idle, 1, 'the aborted controller is never reused');
    await pool.run(async c => assert.strictEqual(c, other));
  });

  it('does not send a call cancelled while its dialog was open, nor one whose dialog failed', async () => {
    const abort = new AbortController();
    answers = ['once'];
    asked.length = 0;
    abort.abort();
    assert.deepStrictEqual(await call('paging', 'slow', { ms: 10 }, { signal: abort.signal }), { kind: 'cancelled', message: 'Cancelled before the call was sent.' });
    confirmError = new Error('no window');
    try {
      assert.deepStrictEqual(await call('paging', 'slow', { ms: 10 }), { kind: 'failed', message: 'Could not ask for consent: no window' });
    } finally {
      confirmError = undefined;
    }
  });

  it('records every call in the history with masked arguments, consent, outcome and a summary', async () => {
    ask('once');
    await call('everything', 'echo', { message: `secret ${SECRET}`, apiToken: 'tok-123' }, { origin: 'tree' });
    const [latest] = await history.list();
    assert.strictEqual(latest!.tool, 'echo');
    assert.strictEqual(latest!.origin, 'tree');
    assert.deepStrictEqual(latest!.args, { message: 'secret ***', apiToken: '***' });
    assert.strictEqual(latest!.argsExact, false);
    assert.deepStrictEqual(latest!.consent, { asked: true, answer: 'once' });
    assert.strictEqual(latest!.outcome, 'completed');
    assert.ok(typeof latest!.durationMs === 'number');
    assert.match(latest!.summary!, /Echo: secret \*\*\*/);
    assert.deepStrictEqual(history.argsForRerun(latest!), { message: `secret ${SECRET}`, apiToken: 'tok-123' });
    const file = fs.readFileSync(history.file, 'utf8');
    assert.doesNotMatch(file, new RegExp(`${SECRET}|tok-123`));
    const all = await history.list();
    const kinds = new Set(all.map(e => e.outcome));
    assert.deepStrictEqual([...kinds].sort(), ['cancelled', 'completed', 'denied', 'failed']);
    assert.ok(all.some(e => e.outcome === 'completed' && e.isError), 'the tool error was not flagged');
    assert.ok(all.some(e => e.consent && !e.consent.asked && e.consent.reason === 'readOnly'));
    assert.ok(all.some(e => e.outcome === 'denied' && e.durationMs === undefined));
    assert.strictEqual(file.trimEnd().split('\n').length, all.length);
  });

  it('a call the server runs as a task: asked once, shown as running with its status until it ends, recorded with its task id and full result', async () => {
    ask('once');
    const statuses: string[] = [];
    const shown: string[] = [];
    const watching = history.onDidChange(() => shown.push(...history.runningTasks().map(c => `${c.tool} ${c.task.status}`)));
    try {
      const result = await call('tasks', 'task_job', { ms: 300 }, { onTask: s => statuses.push(s.status) });
      assert.strictEqual(textOf(result), 'job done after 300 ms');
    } finally {
      watching.dispose();
    }
    assert.strictEqual(asked.length, 1, 'consent is for the call, not for each poll');
    assert.strictEqual(statuses[0], 'working');
    assert.strictEqual(statuses.at(-1), 'completed');
    assert.ok(shown.includes('task_job working'), `the history showed it running: ${shown.join(', ')}`);
    assert.deepStrictEqual(history.runningTasks(), [], 'no longer running once recorded');
    const [entry] = await history.list();
    assert.strictEqual(entry!.tool, 'task_job');
    assert.strictEqual(entry!.outcome, 'completed');
    assert.match(entry!.taskId ?? '', /\S/);
    assert.match(textOf(history.resultOf(entry!)!), /job done/, 'the full result is kept to open from the history');
  });

  it('cancelling a running task from its history row ends the call as cancelled (tasks/cancel) and records it', async () => {
    ask('once');
    const pending = call('tasks', 'task_job', { ms: 60_000 });
    await waitForEvent(history.onDidChange, () => history.runningTasks().length === 1, 20_000);
    const [running] = history.runningTasks();
    assert.strictEqual(running!.task.status, 'working');
    running!.cancel();
    const result = await pending;
    assert.strictEqual(result.kind, 'cancelled', JSON.stringify(result));
    const [entry] = await history.list();
    assert.strictEqual(entry!.outcome, 'cancelled');
    assert.strictEqual(entry!.taskId, running!.task.taskId);
    assert.deepStrictEqual(history.runningTasks(), []);
  });
});

async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
