import * as assert from 'assert';
import { describeSchema, describeSchemaAsync } from '../../../src/forms/formEditor';
import { fillForm, type ArgumentAnswer, type ArgumentQuestion } from '../../../src/forms/formFlow';
import { buildForm, buildFormAsync } from '../../../src/forms/schemaForm';
import { atOnce, inSlices, SLICE_UNITS, type Sliced } from '../../../src/forms/slices';
import { schemaText } from '../../../src/mcp/schemaValidator';

/**
 * A form for a schema of thousands of properties is built without holding the extension host's thread: in
 * slices of at most SLICE_UNITS fields (or editor nodes), with a turn of the event loop between them. Pinned by
 * counts, not times (the stall itself is the bench's row "3,000-property first call", from the integration tier).
 */
const FIELDS = 3000;
const huge = (n = FIELDS) => ({
  type: 'object',
  properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`field${i}`, { type: 'string', pattern: `^v${i}-[a-z]+$`, description: `Field ${i}` }])),
  required: ['field7'],
});
/** A nested one: objects of lists of objects, and a choice of shapes, 3 × 40 × 40 nodes and more. */
const nested = () => ({
  type: 'object',
  properties: Object.fromEntries(
    Array.from({ length: 3 }, (_, i) => [
      `group${i}`,
      {
        type: 'object',
        properties: Object.fromEntries(
          Array.from({ length: 40 }, (_, j) => [`list${j}`, { type: 'array', items: { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`v${k}`, k % 2 ? { type: 'integer' } : { oneOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { enum: [1, 2] } } }] }])) } }]),
        ),
      },
    ]),
  ),
});

/** A pause that counts, and the number of turns the event loop really had meanwhile. */
function countingPause() {
  const counts = { pauses: 0 };
  return { counts, pause: async () => void counts.pauses++ };
}

/** Runs `f` with `performance.now()` standing still (what `inSlices` reads to end a slice by time), then restores it. */
async function withFrozenClock<T>(f: () => Promise<T>): Promise<T> {
  const own = Object.getOwnPropertyDescriptor(performance, 'now');
  const at = performance.now();
  performance.now = () => at;
  try {
    return await f();
  } finally {
    if (own) Object.defineProperty(performance, 'now', own);
    else delete (performance as { now?: unknown }).now;
  }
}

/** Runs `f` while counting turns of the event loop (a setImmediate that re-arms itself). */
async function turnsDuring<T>(f: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let on = true;
  const tick = () => {
    if (!on) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await f();
  on = false;
  return { value, turns };
}

describe('forms are built in slices (no long stall on the extension host)', () => {
  it('inSlices pauses after at most SLICE_UNITS units, and returns what the work returns', async () => {
    const between: number[] = [];
    let units = 0;
    function* work(): Sliced<string> {
      for (let i = 0; i < 1000; i++) {
        units++;
        yield;
      }
      return 'done';
    }
    const result = await inSlices(work(), async () => {
      between.push(units);
      units = 0;
    });
    assert.strictEqual(result, 'done');
    assert.ok(between.length >= Math.floor(1000 / SLICE_UNITS) - 1, `${between.length} pauses`);
    assert.ok(between.every(n => n <= SLICE_UNITS), `units between pauses: ${between.join(', ')}`);
    assert.strictEqual(atOnce(work()), 'done');
  });

  it(`buildFormAsync builds a ${FIELDS}-property form with a pause every ${SLICE_UNITS} fields or sooner, and the same fields as buildForm`, async () => {
    const { counts, pause } = countingPause();
    const form = await buildFormAsync(huge(), pause);
    assert.ok(counts.pauses >= Math.floor(FIELDS / SLICE_UNITS) - 1, `${counts.pauses} pauses`);
    assert.deepStrictEqual(form.fields, buildForm(huge()).fields);
    assert.strictEqual(form.fields[0]!.name, 'field7');
    // The real pause gives the event loop its turns.
    const { value, turns } = await turnsDuring(() => buildFormAsync(huge()));
    assert.strictEqual(value.fields.length, FIELDS);
    assert.ok(turns >= Math.floor(FIELDS / SLICE_UNITS) - 1, `${turns} turns of the event loop`);
  });

  it('a small form is built in one slice: no pause', async () => {
    const { counts, pause } = countingPause();
    // What this pins is the count of units: a slice also ends at SLICE_MS, which a busy machine reaches with 199
    // fields, so the clock stands still here (then only the count can end a slice) and the check is exact at any load.
    const form = await withFrozenClock(() => buildFormAsync(huge(SLICE_UNITS - 1), pause));
    assert.strictEqual(form.fields.length, SLICE_UNITS - 1);
    assert.strictEqual(counts.pauses, 0);
    // One field more is one slice's worth of units: the same build then pauses, so the check above can fail.
    const { counts: more, pause: pauseMore } = countingPause();
    await withFrozenClock(() => buildFormAsync(huge(SLICE_UNITS), pauseMore));
    assert.strictEqual(more.pauses, 1);
  });

  it("describeSchemaAsync builds the editor's tree in slices of nodes, nested ones included, the same tree as describeSchema", async () => {
    for (const schema of [huge(), nested()]) {
      const { counts, pause } = countingPause();
      const tree = await describeSchemaAsync(schema, 'Arguments', pause);
      assert.deepStrictEqual(tree, describeSchema(schema));
      assert.strictEqual(JSON.stringify(tree), JSON.stringify(describeSchema(schema)));
      assert.ok(counts.pauses >= Math.floor(FIELDS / SLICE_UNITS) - 1, `${counts.pauses} pauses`);
    }
  });

  it('one field of 100,000 choices is no single piece either: the form and the editor read its choices in slices', async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => `value-${i}`);
    const schema = { type: 'object', properties: { pick: { enum: values }, tags: { type: 'array', items: { enum: values } } } };
    const form = countingPause();
    const built = await buildFormAsync(schema, form.pause);
    assert.ok(form.counts.pauses >= Math.floor((2 * values.length) / SLICE_UNITS) - 1, `${form.counts.pauses} pauses`);
    assert.deepStrictEqual(built.fields, buildForm(schema).fields);
    assert.strictEqual(built.fields[0]!.options!.length, values.length);
    const editor = countingPause();
    const tree = await describeSchemaAsync(schema, 'Arguments', editor.pause);
    assert.ok(editor.counts.pauses >= Math.floor((4 * values.length) / SLICE_UNITS) - 1, `${editor.counts.pauses} pauses`);
    assert.deepStrictEqual(tree, describeSchema(schema));
  });

  it(`fillForm gives the event loop a turn every ${SLICE_UNITS} questions even when the dialog answers at once`, async () => {
    const form = buildForm(huge());
    let asked = 0;
    const dialog = {
      askArgument: async (q: ArgumentQuestion): Promise<ArgumentAnswer> => {
        asked++;
        return q.name === 'field7' ? { text: 'v7-abc' } : { skip: true };
      },
    };
    const { value, turns } = await turnsDuring(() => fillForm(dialog, form, 'huge'));
    assert.deepStrictEqual(value, { kind: 'filled', args: { field7: 'v7-abc' } });
    assert.strictEqual(asked, FIELDS);
    assert.ok(turns >= Math.floor(FIELDS / SLICE_UNITS) - 1, `${turns} turns of the event loop`);
  });

  it("a schema's text (the key of every check) is made once per schema object", () => {
    const schema = huge(10);
    const real = JSON.stringify;
    let stringified = 0;
    JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
      if (value === schema) stringified++;
      return (real as (...a: unknown[]) => string)(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      const texts = [schemaText(schema), schemaText(schema), schemaText(schema)];
      assert.strictEqual(stringified, 1);
      assert.ok(texts.every(t => t === real(schema)));
      assert.strictEqual(schemaText(huge(10)), real(schema));
    } finally {
      JSON.stringify = real;
    }
  });
});
