import * as assert from 'assert';
import { JsonShrinker, JsonStringDecoder, safeCut } from '../../../src/mcp/jsonShrinker';

/** A generator of random values, seeded so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

/** Text with everything JSON escapes or encodes in several bytes: quotes, backslashes, controls, accents, emoji (lone surrogates: see the decoder test). */
const ALPHABET = ['a', 'b', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '\u001f', 'é', '€', '中', '😀', '}', '{', ':', ','];

function text(r: ReturnType<typeof random>, length: number): string {
  let out = '';
  while (out.length < length) out += r.next() < 0.7 ? 'x'.repeat(r.int(40)) : r.pick(ALPHABET);
  return out;
}

function value(r: ReturnType<typeof random>, depth: number): unknown {
  const kind = depth > 3 ? r.int(4) : r.int(7);
  switch (kind) {
    case 0:
      return text(r, r.next() < 0.3 ? 200 + r.int(3000) : r.int(30));
    case 1:
      return r.int(1e6) - 5e5 + r.next();
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return '';
    case 4:
    case 5:
      return Array.from({ length: r.int(5) }, () => value(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [text(r, r.int(12)), value(r, depth + 1)]));
  }
}

/** Runs a JSON text through the shrinker in chunks of the given sizes. */
function shrink(json: string, chunkSizes: () => number, options: { keepBytes?: number; budgetBytes?: number; tailKeepBytes?: number } = {}) {
  const sinks: Buffer[][] = [];
  const shrinker = new JsonShrinker({
    keepBytes: options.keepBytes ?? 100,
    budgetBytes: options.budgetBytes ?? 1e9,
    tailKeepBytes: options.tailKeepBytes ?? 10,
    marker: 'cut:test',
    openSink: index => {
      sinks[index] = [];
      return { write: b => sinks[index]!.push(Buffer.from(b)) };
    },
  });
  const bytes = Buffer.from(json, 'utf8');
  for (let i = 0; i < bytes.length; ) {
    const n = Math.max(1, chunkSizes());
    shrinker.push(bytes.subarray(i, i + n));
    i += n;
  }
  const { text: reduced, cuts } = shrinker.finish();
  return { reduced, cuts, parts: sinks.map(s => Buffer.concat(s)) };
}

/** Puts the full values back where the shrinker cut them. */
function restore(reduced: string, parts: Buffer[]): unknown {
  return JSON.parse(reduced, (_key, v: unknown) => {
    if (typeof v !== 'string') return v;
    const m = /\u0000cut:test:(\d+)$/.exec(v);
    return m ? parts[Number(m[1])]!.toString('utf8') : v;
  });
}

describe('JsonShrinker', () => {
  it('keeps short values as they are, byte for byte', () => {
    const json = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'héllo "world" \\ 😀' }], n: [1, 2.5, -3e7, true, null] } });
    const { reduced, cuts } = shrink(json, () => 3);
    assert.strictEqual(reduced, json);
    assert.deepStrictEqual(cuts, []);
  });

  it('cuts a long string to a prefix that parses, and hands over its whole decoded value', () => {
    const long = 'a"b\\c\n€😀'.repeat(1000);
    const json = JSON.stringify({ result: { content: [{ type: 'text', text: long }] }, id: 1 });
    const { reduced, cuts, parts } = shrink(json, () => 4096, { keepBytes: 50 });
    const parsed = JSON.parse(reduced) as { result: { content: { text: string }[] } };
    const cutText = parsed.result.content[0]!.text;
    assert.match(cutText, /\u0000cut:test:0$/);
    const prefix = cutText.replace(/\u0000cut:test:0$/, '');
    assert.ok(long.startsWith(prefix) && prefix.length > 20, `kept ${JSON.stringify(prefix)}`);
    assert.ok(Buffer.byteLength(JSON.stringify(prefix)) <= 52);
    assert.strictEqual(parts[0]!.toString('utf8'), long);
    assert.deepStrictEqual(cuts, [{ index: 0, bytes: Buffer.byteLength(long) }]);
  });

  it('restores any value exactly, however the bytes are chunked (random values, chunks of 1 byte to 64 KiB)', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = random(seed);
      const original = value(r, 0);
      const json = JSON.stringify(original);
      const sizes = [() => 1, () => 1 + r.int(7), () => 1 + r.int(300), () => 65536];
      const { reduced, parts } = shrink(json, r.pick(sizes), { keepBytes: 1 + r.int(300) });
      assert.deepStrictEqual(restore(reduced, parts), JSON.parse(json), `seed ${seed}`);
    }
  });

  it('keeps only a short beginning of strings once the reduced copy reaches its budget', () => {
    const json = JSON.stringify(Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(1000, 'z')));
    const { reduced, parts } = shrink(json, () => 1000, { keepBytes: 500, budgetBytes: 5000, tailKeepBytes: 20 });
    assert.ok(reduced.length < 5000 + 100 * 60, `reduced to ${reduced.length} bytes`);
    assert.deepStrictEqual(restore(reduced, parts), JSON.parse(json));
  });

  it('scans a 20 MiB string with escapes in linear time', () => {
    const long = 'line of text\n'.repeat(1_600_000);
    const json = JSON.stringify({ text: long });
    let written = 0;
    const shrinker = new JsonShrinker({ keepBytes: 1000, budgetBytes: 1e6, tailKeepBytes: 10, marker: 'm', openSink: () => ({ write: b => (written += b.length) }) });
    const bytes = Buffer.from(json);
    const t0 = performance.now();
    for (let i = 0; i < bytes.length; i += 65536) shrinker.push(bytes.subarray(i, i + 65536));
    shrinker.finish();
    const ms = performance.now() - t0;
    assert.strictEqual(written, long.length);
    // Linear is well under a second here; the quadratic scan this guards against took minutes.
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
  });

  it('says so when the text ends inside a string', () => {
    const shrinker = new JsonShrinker({ keepBytes: 10, budgetBytes: 100, tailKeepBytes: 1, marker: 'm', openSink: () => ({ write: () => undefined }) });
    shrinker.push(Buffer.from('{"a":"unterminated'));
    assert.throws(() => shrinker.finish(), /ends inside a string/);
  });
});

describe('safeCut', () => {
  const enc = (s: string) => Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8');
  it('never ends inside an escape, a UTF-8 sequence or a surrogate pair', () => {
    const encoded = enc('ab\n€😀\u0001x');
    for (let limit = 0; limit <= encoded.length; limit++) {
      const n = safeCut(encoded, limit);
      assert.ok(n <= limit);
      const kept = JSON.parse(`"${encoded.subarray(0, n).toString('utf8')}"`) as string;
      assert.ok('ab\n€😀\u0001x'.startsWith(kept), `limit ${limit}: ${JSON.stringify(kept)}`);
    }
    // The emoji is escaped as a surrogate pair by some encoders: both halves stay together.
    const pair = Buffer.from('a\\ud83d\\ude00b');
    assert.strictEqual(safeCut(pair, 8), 1);
    assert.strictEqual(safeCut(pair, 13), 13);
  });
});

describe('JsonStringDecoder', () => {
  it('decodes escapes split anywhere, and lone surrogates as U+FFFD like Buffer.from does', () => {
    const original = 'q"\\/\b\f\n\r\t\u0000é😀\ud800x\udc00';
    const encoded = Buffer.from(JSON.stringify(original).slice(1, -1).replace('😀', '\\ud83d\\ude00'), 'utf8');
    for (let split = 0; split <= encoded.length; split++) {
      const out: Buffer[] = [];
      const d = new JsonStringDecoder({ write: b => out.push(Buffer.from(b)) });
      d.push(encoded.subarray(0, split));
      d.push(encoded.subarray(split));
      const bytes = d.end();
      assert.deepStrictEqual(Buffer.concat(out), Buffer.from(original, 'utf8'), `split at ${split}`);
      assert.strictEqual(bytes, Buffer.byteLength(original));
    }
  });
});
