import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { boundedJson, budgetResult, CHAT_BUDGET, describeCuts, keepCutValues, maskedPrefix, type ResultBudget } from '../../../src/mcp/resultBudget';
import { ResultFiles, type SavedValue } from '../../../src/mcp/resultFiles';

const small: ResultBudget = { textChars: 10, totalChars: 25, mediaBytes: 6, structuredChars: 30 };
const text = (r: CallToolResult, i: number) => (r.content[i] as { text: string }).text;

describe('result budget', () => {
  describe('boundedJson', () => {
    const values: unknown[] = [
      null,
      0,
      -1.5e-7,
      'é"\\\n',
      [],
      {},
      [[], {}, [1, [2, { a: [] }]]],
      { a: 1, b: [true, false, null], c: { d: 'x', e: {} }, '2': 'numeric key first', u: undefined },
      [undefined, 3],
      Array.from({ length: 50 }, (_, i) => ({ i, s: 'v'.repeat(i) })),
    ];
    it('writes what JSON.stringify writes, pretty or compact', () => {
      for (const v of values) {
        assert.deepStrictEqual(boundedJson(v, 1e6), { text: JSON.stringify(v, null, 2), complete: true });
        assert.deepStrictEqual(boundedJson(v, 1e6, ''), { text: JSON.stringify(v), complete: true });
      }
    });

    it('stops at the limit with a prefix of the full text, and does not walk the rest', () => {
      const v = values[values.length - 1];
      for (const max of [0, 1, 7, 100, 1000]) {
        const r = boundedJson(v, max);
        assert.strictEqual(r.complete, false);
        assert.ok(r.text.length <= max);
        assert.ok(JSON.stringify(v, null, 2).startsWith(r.text));
      }
      let touched = 0;
      const huge = new Proxy(Array.from({ length: 100_000 }, (_, i) => i), {
        get: (t, k) => {
          if (typeof k === 'string' && /^\d+$/.test(k)) touched++;
          return Reflect.get(t, k);
        },
      });
      boundedJson(huge, 100);
      assert.ok(touched < 100, `touched ${touched} items`);
      assert.strictEqual(boundedJson('x'.repeat(10_000_000), 20).text, `"${'x'.repeat(19)}`);
    });
  });

  describe('budgetResult', () => {
    it('keeps a result within its budget as it is, masked', () => {
      const r: CallToolResult = { content: [{ type: 'text', text: 'a secret' }], structuredContent: { s: 'secret' } };
      const b = budgetResult(r, small, { mask: t => t.replaceAll('secret', '***') });
      assert.deepStrictEqual(b.cuts, []);
      assert.strictEqual(text(b.result, 0), 'a ***');
      assert.strictEqual(b.structuredText, '{\n  "s": "***"\n}');
    });

    it('cuts each text to its share and all texts to the total, saying what was cut', () => {
      const r: CallToolResult = {
        content: [
          { type: 'text', text: 'x'.repeat(50) },
          { type: 'resource', resource: { uri: 'u:1', text: 'y'.repeat(8) } },
          { type: 'text', text: 'z'.repeat(12) },
        ],
      };
      const b = budgetResult(r, small);
      assert.strictEqual(text(b.result, 0), 'x'.repeat(10));
      assert.strictEqual((b.result.content[1] as { resource: { text: string } }).resource.text, 'y'.repeat(8));
      assert.strictEqual(text(b.result, 2), 'z'.repeat(7));
      assert.deepStrictEqual(b.cuts, [
        { block: 0, kind: 'text', keptChars: 10, fullBytes: 50 },
        { block: 2, kind: 'text', keptChars: 7, fullBytes: 12 },
      ]);
    });

    it('masks a secret that straddles the cut instead of showing half of it', () => {
      const secret = 'SECRET-TOKEN-123';
      const r: CallToolResult = { content: [{ type: 'text', text: `${'.'.repeat(5)}${secret}${'.'.repeat(100)}` }] };
      const b = budgetResult(r, small, { mask: t => t.replaceAll(secret, '***') });
      assert.strictEqual(text(b.result, 0), '.....***..');
      assert.strictEqual(maskedPrefix(`ab😀`, 3), 'ab', 'never half a surrogate pair');
    });

    it('leaves out media over the budget, and counts a value kept on disk by its full size', () => {
      const saved: SavedValue[] = [{ path: ['content', 1, 'text'], bytes: 50_000_000, id: '0123456789abcdef', part: 0 }];
      const r: CallToolResult = {
        content: [
          { type: 'image', data: 'AAAAAAAAAAAA', mimeType: 'image/png' },
          { type: 'text', text: 'short' },
        ],
      };
      const b = budgetResult(r, small, { saved });
      assert.strictEqual(b.result.content[0]!.type, 'text');
      assert.match(text(b.result, 0), /image \(image\/png, 9 bytes\) left out/);
      assert.strictEqual(text(b.result, 1), 'short');
      assert.deepStrictEqual(b.cuts, [
        { block: 0, kind: 'media', keptChars: 0, fullBytes: 9 },
        { block: 1, kind: 'text', keptChars: 5, fullBytes: 50_000_000, saved: saved[0] },
      ]);
      assert.match(describeCuts(b.cuts, s => `/results/${s.id}/${s.part}`), /content block 2 cut to its first 5 characters \(in full: 50000000 bytes\); the full value is in \/results\/0123456789abcdef\/0/);
    });

    it('cuts structured content to its share without walking all of it', () => {
      const r: CallToolResult = { content: [], structuredContent: { rows: Array.from({ length: 100_000 }, (_, i) => ({ i })) } };
      const t0 = performance.now();
      const b = budgetResult(r, CHAT_BUDGET);
      assert.ok(performance.now() - t0 < 500);
      assert.ok(b.structuredText!.length <= CHAT_BUDGET.structuredChars);
      assert.strictEqual(b.cuts[0]!.block, 'structuredContent');
    });
  });

  describe('keepCutValues', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keeps on disk, masked, what a budget cuts from a result held in memory, and nothing else', async () => {
      const files = new ResultFiles(dir);
      const r: CallToolResult = { content: [{ type: 'text', text: `key=s3cret ${'x'.repeat(40)}` }, { type: 'text', text: 'fits' }], structuredContent: { long: 'q'.repeat(100) } };
      const kept = await keepCutValues(files, r, small, [], t => t.replaceAll('s3cret', '***'));
      assert.deepStrictEqual(kept.map(k => k.path), [['content', 0, 'text'], ['structuredContent']]);
      assert.strictEqual(fs.readFileSync(files.file(kept[0]!.id, kept[0]!.part)!, 'utf8'), `key=*** ${'x'.repeat(40)}`);
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(files.file(kept[1]!.id, kept[1]!.part)!, 'utf8')), r.structuredContent);
      const b = budgetResult(r, small, { saved: kept });
      assert.ok(b.cuts.every(c => c.saved));
    });
  });
});
