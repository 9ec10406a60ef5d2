import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { CallHistory, DEFAULT_MAX_FILE_BYTES, HistoryEntry } from '../../../src/consent/callHistory';
import { argumentsText, fullArgumentsText, MAX_VALUE_CHARS, singleSpaced, safeArguments, summarizeResult } from '../../../src/consent/callText';
import { maskSecrets } from '../../../src/config/variables';

function entry(id: string, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return { id, time: new Date(2026, 0, 1, 12, 0, Number(id.replace(/\D/g, '')) || 0).toISOString(), server: 's', tool: 't', origin: 'palette', args: {}, argsExact: true, outcome: 'completed', ...extra };
}

describe('tool call history file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-history-'));
    file = path.join(dir, 'nested', 'tool-calls.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Counts the lines of each write to the history file, and how often it is opened for appending. */
  function spyOnAppends(): { appends: number[]; opened: () => number; restore(): void } {
    const appends: number[] = [];
    let opened = 0;
    const original = fs.promises.open;
    fs.promises.open = (async (...args: Parameters<typeof original>) => {
      const handle = await original(...args);
      if (args[1] === 'a') {
        opened++;
        const write = handle.write.bind(handle) as (data: string, ...rest: unknown[]) => Promise<unknown>;
        handle.write = ((data: string, ...rest: unknown[]) => {
          appends.push(String(data).split('\n').length - 1);
          return write(data, ...rest);
        }) as typeof handle.write;
        // A batch's lines are in buffers of 64 KB: a larger batch is one append of several.
        const writev = handle.writev.bind(handle);
        handle.writev = ((buffers: NodeJS.ArrayBufferView[], ...rest: [number?]) => {
          appends.push(buffers.map(b => String(b)).join('').split('\n').length - 1);
          return writev(buffers, ...rest);
        }) as typeof handle.writev;
      }
      return handle;
    }) as typeof original;
    return { appends, opened: () => opened, restore: () => (fs.promises.open = original) };
  }

  it('keeps the lines of a batch waiting for its write outside the JavaScript heap, and writes them all in order', async () => {
    // With 50 calls in flight a batch gathers for 20 ms and lives through scavenges: its lines, kept as strings, were
    // copied and then promoted by the garbage collector (calls15). Now each line is encoded into the batch's buffer as
    // it is recorded. Measured on the heap after a full collection: the old strings kept ~490 bytes per line here, now ~18.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const history = new CallHistory(file, DEFAULT_MAX_FILE_BYTES, 60_000);
    // Enough lines that what else the process allocates meanwhile (ci-run64: ~170 KB, 103 bytes a line over 2,000) is
    // small per line, and a bound far from both: ~18 bytes now, ~490 for the old strings.
    const count = 5_000;
    let perLine: number;
    try {
      void history.record(entry('c0'), {});
      gc();
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 1; i <= count; i++) void history.record(entry(`c${i}`, { summary: `result ${i}: ${'x'.repeat(100)}` }), {});
      gc();
      gc();
      perLine = (process.memoryUsage().heapUsed - before) / count;
      await history.flush();
    } finally {
      history.dispose();
    }
    assert.ok(perLine < 160, `${perLine.toFixed(0)} bytes of the JavaScript heap kept per line waiting for its write`);
    const ids = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l).id as string);
    assert.deepStrictEqual(ids, Array.from({ length: count + 1 }, (_, i) => `c${i}`));
  });

  it('reads back the entries of a batch that outgrew one buffer, when a clear made the list while it gathered (and makes the missing folder)', async () => {
    const history = new CallHistory(file, DEFAULT_MAX_FILE_BYTES, 60_000);
    const big = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `ü€😀 ${'y'.repeat(190)}`]));
    try {
      // The clear makes the in-memory list after these calls' batch began without one: the batch's entries are read back.
      const cleared = history.clear();
      // ~200 KB of lines: several of the batch's 64 KB buffers, and a line longer than one (a cut value is 200 characters,
      // but a deep object of them is not).
      for (let i = 0; i < 1000; i++) void history.record(entry(`c${i}`, i === 500 ? { args: big } : { summary: 'é'.repeat(100) }), {});
      await cleared;
      const listed = await history.list();
      assert.strictEqual(listed.length, 1000);
      assert.deepStrictEqual(listed.map(e => e.id).reverse(), Array.from({ length: 1000 }, (_, i) => `c${i}`));
      assert.deepStrictEqual(listed[499]!.args, big);
      assert.strictEqual(listed[0]!.summary, 'é'.repeat(100));
    } finally {
      history.dispose();
    }
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.strictEqual(lines.length, 1000);
    assert.deepStrictEqual(JSON.parse(lines[500]!).args, big);
  });

  it('writes bursts of calls recorded without waiting completely and in order, one append per burst, rotating between bursts', async () => {
    const history = new CallHistory(file, 20_000);
    const spy = spyOnAppends();
    try {
      for (let i = 0; i < 500; i++) void history.record(entry(`c${i}`), {});
      await history.flush();
      for (let i = 500; i < 1000; i++) void history.record(entry(`c${i}`), {});
      await history.flush();
    } finally {
      spy.restore();
      history.dispose();
    }
    assert.deepStrictEqual(spy.appends, [500, 500]);
    const ids = (f: string) => fs.readFileSync(f, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l).id as string);
    const all = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    assert.deepStrictEqual(ids(history.rotatedFile), all.slice(0, 500));
    assert.deepStrictEqual(ids(file), all.slice(500));
  });

  it('keeps the file open while calls come one at a time, and closes it on dispose', async () => {
    const history = new CallHistory(file);
    const spy = spyOnAppends();
    try {
      for (let i = 0; i < 20; i++) await history.record(entry(`c${i}`), {});
    } finally {
      spy.restore();
      history.dispose();
      await history.flush();
    }
    assert.deepStrictEqual(spy.appends, Array<number>(20).fill(1));
    assert.strictEqual(spy.opened(), 1, 'the file was opened for each call');
    assert.strictEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n').length, 20);
    if (process.platform === 'linux') {
      const open = fs.readdirSync('/proc/self/fd').filter(fd => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      });
      assert.deepStrictEqual(open, [], 'dispose left the history file open');
    }
  });

  it('has calls made one after another share a write, which reading the history makes go at once', async () => {
    // A minute's gathering: only flush and list may start these writes.
    const history = new CallHistory(file, undefined, 60_000);
    const spy = spyOnAppends();
    try {
      for (let i = 0; i < 20; i++) {
        void history.record(entry(`c${i}`), {});
        // A call's round trip between one call's end and the next.
        await new Promise(resolve => setImmediate(resolve));
      }
      assert.deepStrictEqual(spy.appends, [], 'a call was written before the history was read');
      await history.flush();
      assert.deepStrictEqual(spy.appends, [20]);
      void history.record(entry('c20'), {});
      assert.deepStrictEqual((await history.list()).map(e => e.id).slice(0, 2), ['c20', 'c19']);
      assert.deepStrictEqual(spy.appends, [20, 1]);
    } finally {
      spy.restore();
      history.dispose();
      await history.flush();
    }
    assert.deepStrictEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l).id as string), Array.from({ length: 21 }, (_, i) => `c${i}`));
  });

  it('writes calls recorded after a clear, and none from before it', async () => {
    const history = new CallHistory(file);
    void history.record(entry('c1'), {});
    const cleared = history.clear();
    void history.record(entry('c2'), {});
    await cleared;
    await history.flush();
    assert.deepStrictEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l).id), ['c2']);
    assert.deepStrictEqual((await history.list()).map(e => e.id), ['c2']);
  });

  it('appends one JSON line per call and lists newest first', async () => {
    const history = new CallHistory(file);
    assert.deepStrictEqual(await history.list(), []);
    await history.record(entry('c1'), {});
    await history.record(entry('c2', { outcome: 'denied', message: 'Denied by user' }), {});
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.strictEqual(lines.length, 2);
    assert.strictEqual(JSON.parse(lines[1]!).outcome, 'denied');
    assert.deepStrictEqual((await history.list()).map(e => e.id), ['c2', 'c1']);
    assert.deepStrictEqual((await new CallHistory(file).list()).map(e => e.id), ['c2', 'c1']);
  });

  it('keeps the full result of only the last 20 calls, in memory, and the title in the file (issue 13 item 8)', async () => {
    const history = new CallHistory(file);
    for (let i = 1; i <= 21; i++) await history.record(entry(`c${i}`, { title: 'Tee' }), {}, { kind: 'denied', message: `m${i}` });
    assert.strictEqual(history.resultOf(entry('c1')), undefined);
    assert.deepStrictEqual(history.resultOf(entry('c21')), { kind: 'denied', message: 'm21' });
    assert.strictEqual(JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!).title, 'Tee');
    assert.strictEqual(new CallHistory(file).resultOf(entry('c21')), undefined, 'another window has no results');
    await history.clear();
    assert.strictEqual(history.resultOf(entry('c21')), undefined);
  });

  it('never rewrites the file: earlier bytes stay exactly as written', async () => {
    const history = new CallHistory(file);
    await history.record(entry('c1'), {});
    const before = fs.readFileSync(file);
    const inode = fs.statSync(file).ino;
    await history.record(entry('c2'), {});
    await history.list();
    await history.record(entry('c3'), {});
    const after = fs.readFileSync(file);
    assert.ok(after.subarray(0, before.length).equals(before), 'the first line changed');
    assert.strictEqual(fs.statSync(file).ino, inode, 'the file was replaced rather than appended to');
  });

  it('skips a corrupt or foreign line and keeps reading, and later appends still work', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const good = JSON.stringify(entry('c1'));
    fs.writeFileSync(file, `${good}\n{"id": "half-written", "ti\n[1,2,3]\n\n${JSON.stringify(entry('c2'))}\n`);
    const history = new CallHistory(file);
    assert.deepStrictEqual((await history.list()).map(e => e.id), ['c2', 'c1']);
    assert.strictEqual(history.skippedLines, 2);
    await history.record(entry('c3'), {});
    assert.deepStrictEqual((await new CallHistory(file).list()).map(e => e.id), ['c3', 'c2', 'c1']);
  });

  it('keeps arguments that were masked only in memory, for re-running in this window', async () => {
    const history = new CallHistory(file);
    const sent = { token: 'hunter2', path: '/tmp' };
    await history.record(entry('c1', { args: { token: '***', path: '/tmp' }, argsExact: false }), sent);
    await history.record(entry('c2', { args: { path: '/x' } }), { path: '/x' });
    const [c2, c1] = await history.list();
    assert.deepStrictEqual(history.argsForRerun(c1!), sent);
    assert.deepStrictEqual(history.argsForRerun(c2!), { path: '/x' });
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /hunter2/);
    const [, c1Reloaded] = await new CallHistory(file).list();
    assert.strictEqual(new CallHistory(file).argsForRerun(c1Reloaded!), undefined, 'masked arguments cannot be re-run from the file');
  });

  it('keeps a call recorded while the file is first being read', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(entry('old'))}\n`);
    const history = new CallHistory(file);
    const loading = history.list();
    const recorded = history.record(entry('new'), {});
    const first = await loading;
    await recorded;
    assert.strictEqual((await history.list())[0]?.id, 'new', 'the call recorded during the first read is missing from the list');
    assert.strictEqual(first[0]?.id, 'new', 'the list being loaded missed the call recorded meanwhile');
    assert.strictEqual((await history.list()).filter(e => e.id === 'new').length, 1);
  });

  it('shows nothing recorded before a clear that was asked for first', async () => {
    const history = new CallHistory(file);
    await history.record(entry('c1'), {});
    const cleared = history.clear();
    const recorded = history.record(entry('c2'), {});
    await Promise.all([cleared, recorded]);
    assert.deepStrictEqual((await history.list()).map(e => e.id), ['c2']);
    assert.deepStrictEqual((await new CallHistory(file).list()).map(e => e.id), ['c2'], 'the file and the list disagree');
  });

  it('leaves out an entry that is not JSON without failing its call, and writes the calls around it', async () => {
    const history = new CallHistory(file);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      void history.record(entry('c1'), {});
      // The gate records after the call: a throw here would turn a call that ran into a failure.
      assert.doesNotThrow(() => void history.record(entry('c2', { args: { n: BigInt(1) } }), {}));
      void history.record(entry('c3'), {});
      await history.flush();
    } finally {
      console.error = original;
      history.dispose();
    }
    assert.deepStrictEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l).id), ['c1', 'c3']);
    assert.strictEqual(errors.length, 1);
  });

  it('clears by deleting the file, and fires change events', async () => {
    const history = new CallHistory(file);
    let changes = 0;
    history.onDidChange(() => changes++);
    await history.record(entry('c1'), {});
    await history.clear();
    assert.ok(!fs.existsSync(file));
    assert.deepStrictEqual(await history.list(), []);
    assert.strictEqual(changes, 2);
  });

  it('rotates the file at its size limit, keeping one earlier file as it was written', async () => {
    const limit = 2000;
    const history = new CallHistory(file, limit);
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const written: string[] = [];
    for (const id of ids) {
      const e = entry(id, { summary: 'x'.repeat(100) });
      written.push(`${JSON.stringify(e)}\n`);
      await history.record(e, {});
    }
    const current = fs.readFileSync(file, 'utf8');
    const rotated = fs.readFileSync(history.rotatedFile, 'utf8');
    assert.strictEqual(path.basename(history.rotatedFile), 'tool-calls.1.jsonl');
    assert.ok(current.length <= limit && rotated.length <= limit, `${current.length} + ${rotated.length} bytes`);
    // Both files are runs of whole lines, in order, ending with the newest call.
    assert.ok(written.join('').endsWith(rotated + current));
    assert.ok(current.length > 0 && rotated.length > 0);
    const listed = (await new CallHistory(file, limit).list()).map(e => e.id);
    assert.deepStrictEqual(listed, ids.slice(-listed.length).reverse());
    assert.ok(listed.length > current.split('\n').length - 1, 'the rotated file was not read');
    await history.clear();
    assert.ok(!fs.existsSync(file) && !fs.existsSync(history.rotatedFile));
  });

  it('reads only the tail of a file larger than the limit (one written before rotation), then rotates it', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = Array.from({ length: 5000 }, (_, i) => `${JSON.stringify(entry(`c${i}`, { summary: 'y'.repeat(200) }))}\n`);
    fs.writeFileSync(file, lines.join(''));
    const limit = 64 * 1024;
    const history = new CallHistory(file, limit);
    const listed = await history.list();
    assert.strictEqual(history.skippedLines, 0, 'the cut first line was counted as corrupt');
    assert.strictEqual(listed[0]!.id, 'c4999');
    assert.ok(listed.length < 5000 && listed.length >= Math.floor(limit / lines[0]!.length) - 1, `${listed.length} entries`);
    await history.record(entry('new'), {});
    assert.strictEqual(fs.readFileSync(history.rotatedFile, 'utf8'), lines.join(''));
    assert.deepStrictEqual((await new CallHistory(file, limit).list()).slice(0, 2).map(e => e.id), ['new', 'c4999']);
  });
});

describe('arguments and results made safe to show and keep', () => {
  const mask = (text: string) => maskSecrets(text, ['s3cr3t-value']);

  it('masks the server secrets anywhere and credential-named keys, and says the value is no longer exact', () => {
    const safe = safeArguments({ query: 'use s3cr3t-value here', apiKey: 'abc', nested: { password: 'pw', list: ['s3cr3t-value'] }, count: 3, empty: '' }, mask);
    assert.deepStrictEqual(safe.value, { query: 'use *** here', apiKey: '***', nested: { password: '***', list: ['***'] }, count: 3, empty: '' });
    assert.strictEqual(safe.exact, false);
    assert.deepStrictEqual(safeArguments({ path: '/tmp', n: 1, flag: true, none: null }, mask), { value: { path: '/tmp', n: 1, flag: true, none: null }, exact: true });
  });

  it('shows an argument named __proto__ like any other: it is sent, so the dialog and the history show it', () => {
    // JSON.parse (a language model's or a saved call's arguments) makes `__proto__` an own key, which the call sends.
    const args = JSON.parse('{"path":"/tmp/a","__proto__":{"recursive":true,"token":"t0k"}}') as Record<string, unknown>;
    const safe = safeArguments(args, mask);
    assert.deepStrictEqual(JSON.parse(argumentsText(safe)), JSON.parse('{"path":"/tmp/a","__proto__":{"recursive":true,"token":"***"}}'));
    assert.strictEqual(safe.exact, false);
    assert.strictEqual(Object.getPrototypeOf(safe.value), Object.prototype);
    assert.match(fullArgumentsText(JSON.parse('{"__proto__":"rm -rf /"}') as Record<string, unknown>, mask), /"__proto__": "rm -rf \/"/);
  });

  it('cuts long strings and long arrays, saying how much was left out', () => {
    const safe = safeArguments({ text: 'x'.repeat(5000), items: Array.from({ length: 60 }, (_, i) => i) }, mask);
    const value = safe.value as { text: string; items: unknown[] };
    assert.strictEqual(value.text, `${'x'.repeat(MAX_VALUE_CHARS)}… (${5000 - MAX_VALUE_CHARS} more characters)`);
    assert.strictEqual(value.items.length, 51);
    assert.strictEqual(value.items.at(-1), '… (10 more items)');
    assert.strictEqual(safe.exact, false);
    const text = argumentsText(safeArguments(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'y'.repeat(150)])), mask));
    assert.match(text, /\n… \(\d+ more characters\)$/);
  });

  it('summarises a result by its first text, or its kinds of content, masking secrets', () => {
    assert.strictEqual(summarizeResult({ content: [{ type: 'text', text: 'token s3cr3t-value\n ok' }] }, mask), 'token *** ok');
    assert.strictEqual(summarizeResult({ content: [{ type: 'image', data: '', mimeType: 'image/png' }, { type: 'image', data: '', mimeType: 'image/png' }] }, mask), '2 content items (image)');
    assert.strictEqual(summarizeResult({ content: [], structuredContent: { a: 1 } }, mask), '{"a":1}');
    assert.strictEqual(summarizeResult({ content: [{ type: 'text', text: 'z'.repeat(500) }] }, mask).length, 201);
  });

  it('summarises a huge result by reading only its beginning', () => {
    const seen: number[] = [];
    const counting = (text: string) => (seen.push(text.length), mask(text));
    const huge = 'a'.repeat(10 * 1024 * 1024);
    assert.strictEqual(summarizeResult({ content: [{ type: 'text', text: huge }] }, counting).length, 201);
    assert.strictEqual(summarizeResult({ content: [], structuredContent: { value: huge, more: [huge, huge] } }, counting).length, 201);
    // What it keeps, plus the margin a secret cut at the edge needs (resultBudget.ts): not the 10 MiB.
    assert.ok(Math.max(...seen) <= 200 * 4 + 16 * 1024, `masked ${Math.max(...seen)} characters of a 10 MiB result`);
  });

  it('puts a summary on one line exactly as replace(/\\s+/g, " ").trim() does, for every UTF-16 code unit', () => {
    const reference = (text: string) => text.replace(/\s+/g, ' ').trim();
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [ch, `a${ch}b`, ` ${ch}`, `${ch} `, `a ${ch}b`, `a${ch} b`, `${ch}${ch}x`]) {
        if (singleSpaced(text) !== reference(text)) assert.fail(`U+${c.toString(16).padStart(4, '0')} in ${JSON.stringify(text)}: ${JSON.stringify(singleSpaced(text))}`);
      }
    }
    for (const text of ['', ' ', 'a', 'one line with single spaces', 'two  spaces', 'tab\there', 'line\nbreak', ' lead', 'trail ', '\u00a0nbsp', 'x\u3000y', 'emoji 😀 ok', '\ud800 lone', 'a\u0085b', 'a\u180eb']) {
      assert.strictEqual(singleSpaced(text), reference(text), JSON.stringify(text));
    }
  });

  it('summarises one line of text without a regular expression replace', () => {
    const replace = String.prototype.replace;
    let replaced = 0;
    String.prototype.replace = function (this: string, ...args: Parameters<typeof replace>) {
      replaced++;
      return replace.apply(this, args);
    } as typeof replace;
    try {
      assert.strictEqual(summarizeResult({ content: [{ type: 'text', text: 'filler_0050 called with {"value":"x"}' }] }, mask), 'filler_0050 called with {"value":"x"}');
      assert.strictEqual(replaced, 0, 'a one-line summary ran a replace');
      assert.strictEqual(summarizeResult({ content: [{ type: 'text', text: ' two\n lines ' }] }, mask), 'two lines');
      assert.strictEqual(replaced, 1);
    } finally {
      String.prototype.replace = replace;
    }
  });
});
