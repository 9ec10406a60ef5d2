import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import { MemoryLog } from '../../../src/mcp/log';
import { DEFAULT_RESULT_FILES_LIMITS, MaskingWriter, ResultFiles } from '../../../src/mcp/resultFiles';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { fixtureServer } from '../servers';

const MiB = 1024 * 1024;
const big: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [fixtureServer('big')], env: {} };

describe('large results on disk (ResultFiles)', function () {
  this.timeout(120_000);
  let dir: string;
  const open: ServerConnection[] = [];
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'results-'))));
  afterEach(async () => {
    await Promise.all(open.splice(0).map(c => c.shutdown()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function connect(files: ResultFiles, secrets: string[] = []) {
    const log = new MemoryLog();
    const conn = new ServerConnection({
      name: 'big',
      plan: async () => ({ launch: big, timeouts: { startupMs: 20_000, requestMs: 120_000 }, secrets }),
      log,
      clientInfo: { name: 'tests', version: '0' },
      grace: { stdinMs: 300, termMs: 300 },
      resultFiles: files,
    });
    open.push(conn);
    return { conn, log };
  }

  const text = (r: { content: unknown[] }, i: number) => (r.content[i] as { text: string }).text;

  it('takes a 50 MiB result with a bounded heap and no long stall, keeps a preview and saves the text whole', async () => {
    const files = new ResultFiles(dir);
    const { conn } = connect(files);
    await conn.start();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 5);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    const outcome = await conn.callTool('big', { bytes: 50 * MiB }, consentForTests(conn, 'big'));
    const ms = performance.now() - t0;
    delay.disable();
    clearInterval(sampler);
    const stallMs = delay.max / 1e6;
    const heapMiB = (heapPeak - heapBefore) / MiB;
    console.log(`      50 MiB result: ${ms.toFixed(0)} ms, longest event-loop stall ${stallMs.toFixed(1)} ms, heap growth at peak ${heapMiB.toFixed(1)} MiB`);

    const preview = text(outcome.result, 0);
    assert.ok(preview.length <= DEFAULT_RESULT_FILES_LIMITS.keepBytes && preview.length > 1000, `preview of ${preview.length}`);
    assert.match(preview, /^a+$/);
    assert.strictEqual(outcome.saved?.length, 1);
    const saved = outcome.saved[0]!;
    assert.deepStrictEqual(saved.path, ['content', 0, 'text']);
    assert.strictEqual(saved.bytes, 50 * MiB);
    const file = files.file(saved.id, saved.part)!;
    assert.strictEqual(fs.statSync(file).size, 50 * MiB);
    const fd = fs.openSync(file, 'r');
    const tail = Buffer.alloc(16);
    fs.readSync(fd, tail, 0, 16, 50 * MiB - 16);
    fs.closeSync(fd);
    assert.strictEqual(tail.toString(), 'a'.repeat(16));
    assert.ok(fs.statSync(files.file(saved.id, 'message')!).size > 50 * MiB, 'the message as received is kept too');
    // Generous bounds for a loaded machine. Read whole, the same result took >100 MiB of heap here (the stall
    // bound is loose: in plain Node the parse alone stalls ~0.1 s; the seconds were in rendering, see the 'results' suite).
    assert.ok(stallMs < 1000, `the event loop stalled ${stallMs.toFixed(0)} ms`);
    assert.ok(heapMiB < 64, `the heap grew ${heapMiB.toFixed(0)} MiB`);
  });

  it('keeps the parts of a large result in order, and a spilled message with nothing long whole, leaving no folder', async () => {
    const files = new ResultFiles(dir);
    const { conn } = connect(files);
    await conn.start();
    const three = await conn.callTool('big', { bytes: 6 * MiB, parts: 3 }, consentForTests(conn, 'big'));
    assert.deepStrictEqual(three.saved?.map(s => s.path), [['content', 0, 'text'], ['content', 1, 'text'], ['content', 2, 'text']]);
    assert.deepStrictEqual(three.result.content.map((_, i) => text(three.result, i)[0]), ['a', 'b', 'c']);
    for (const s of three.saved!) assert.strictEqual(fs.statSync(files.file(s.id, s.part)!).size, 2 * MiB);
    assert.strictEqual(fs.readdirSync(dir).length, 1);

    // 2 MiB in 2,048 parts of 1 KiB: spilled (over 1 MiB), but no string is long enough to cut.
    const many = await conn.callTool('big', { bytes: 2 * MiB, parts: 2048 }, consentForTests(conn, 'big'));
    assert.strictEqual(many.saved, undefined);
    assert.strictEqual(many.result.content.length, 2048);
    assert.strictEqual(text(many.result, 2047).length, 1024);
    await new Promise(r => setTimeout(r, 100));
    assert.strictEqual(fs.readdirSync(dir).length, 1, 'nothing new kept');
  });

  it('masks the server\'s secrets in the files it keeps', async () => {
    const files = new ResultFiles(dir);
    const { conn } = connect(files, ['bbbbbbbb']);
    await conn.start();
    const outcome = await conn.callTool('big', { bytes: 4 * MiB, parts: 2 }, consentForTests(conn, 'big'));
    const second = outcome.saved!.find(s => s.path[1] === 1)!;
    const kept = fs.readFileSync(files.file(second.id, second.part)!, 'utf8');
    assert.ok(!kept.includes('bbbbbbbb'));
    assert.match(kept, /^(\*\*\*)+b{0,7}$/);
    assert.ok(!fs.readFileSync(files.file(second.id, 'message')!, 'utf8').includes('bbbbbbbb'));
  });

  it('keeps only the newest folders', async () => {
    const files = new ResultFiles(dir, { ...DEFAULT_RESULT_FILES_LIMITS, keepFolders: 2 });
    const { conn } = connect(files);
    await conn.start();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const o = await conn.callTool('big', { bytes: 2 * MiB }, consentForTests(conn, 'big'));
      ids.push(o.saved![0]!.id);
      await files.prune();
      await new Promise(r => setTimeout(r, 20));
    }
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ids.slice(2).sort());
  });

  it('names a kept value for opening: a read-only link under a safe name, and ENOENT once it is gone', async () => {
    const files = new ResultFiles(dir);
    const { id, part } = await files.save('the whole value');
    const named = await files.named(id, part, '../evil:name.txt');
    assert.strictEqual(path.dirname(path.dirname(named)), path.join(dir, id));
    assert.strictEqual(path.basename(named), '_evil_name.txt');
    assert.strictEqual(fs.readFileSync(named, 'utf8'), 'the whole value');
    assert.strictEqual(fs.statSync(named).mode & 0o222, 0);
    assert.strictEqual(await files.named(id, part, '../evil:name.txt'), named, 'a second open finds the same file');
    fs.rmSync(path.join(dir, id), { recursive: true, force: true });
    await assert.rejects(files.named(id, part, 'x.txt'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    assert.ok(!fs.existsSync(path.join(dir, id)), 'a value no longer kept leaves no folder behind');
    await assert.rejects(files.named('../../etc', 0, 'x.txt'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });

  it('claims only the cuts it made: a marker a server wrote itself stays text', () => {
    const files = new ResultFiles(dir);
    const forged = { content: [{ type: 'text', text: 'x\u0000mcp-host-cut:0123456789abcdef:0' }] };
    assert.deepStrictEqual(files.claim(forged), []);
    assert.strictEqual(forged.content[0]!.text, 'x\u0000mcp-host-cut:0123456789abcdef:0');
    assert.strictEqual(files.file('../../etc', 0), undefined);
    assert.strictEqual(files.file('0123456789abcdef', -1), undefined);
  });
});

describe('MaskingWriter', () => {
  it('masks a secret wherever the chunks split it, as written and as escaped in JSON', () => {
    const secret = 'se"cr\\et';
    const input = `a${secret}b${JSON.stringify(secret).slice(1, -1)}c${secret}`;
    for (let split = 0; split <= input.length; split++) {
      const out: Buffer[] = [];
      const w = new MaskingWriter([secret], b => out.push(Buffer.from(b)));
      w.write(Buffer.from(input.slice(0, split)));
      w.write(Buffer.from(input.slice(split)));
      w.end();
      assert.strictEqual(Buffer.concat(out).toString(), 'a***b***c***', `split at ${split}`);
    }
  });
});
