import * as assert from 'assert';
import { execFile } from 'child_process';
import * as path from 'path';
import { buildForm, formSchemaCompiles } from '../../../src/forms/schemaForm';
import { SchemaValidator } from '../../../src/mcp/schemaValidator';
import { ValidationWorker, disposeValidationWorker, validationWorker } from '../../../src/mcp/validationClient';
import { root } from '../servers';

const WORKER = path.join(root, 'out', 'test', 'fixtures', 'bin', 'validationWorker.js');
const MISBEHAVING = path.join(root, 'out', 'test', 'fixtures', 'bin', 'misbehavingValidationWorker.js');
const OWNER = path.join(root, 'out', 'test', 'fixtures', 'bin', 'validationOwner.js');

/** The schemas of the validator and form tests (patterns, $id/$ref isolation, formats, unions, budget, invalid ones), with values around them. */
const CASES: { schema: Record<string, unknown>; values: unknown[] }[] = [
  { schema: { type: 'string', pattern: '^(a+)+$' }, values: ['aaaa', `${'a'.repeat(28)}!`, 3] },
  { schema: { type: 'object', patternProperties: { '^(a+)+$': { type: 'number' } }, propertyNames: { pattern: '^[a-z!]+$' } }, values: [{ aaa: 1 }, { aaa: 'x' }, { 'B!': 1 }] },
  {
    schema: { type: 'object', properties: { digits: { type: 'string', pattern: '^\\d{3}-\\d{4}$' }, letters: { type: 'string', pattern: '^\\p{L}+$' }, named: { type: 'string', pattern: '^(?<year>\\d{4})$' } } },
    values: [{ digits: '555-1234', letters: 'éa', named: '2024' }, { digits: '5551234', letters: 'a1', named: '24' }],
  },
  { schema: { type: 'string', pattern: '(' }, values: ['x'] },
  { schema: { type: 'string', pattern: '^(?!x)(a)\\1' }, values: ['x', 'aa'] },
  { schema: { $id: 'urn:example:shared', type: 'object', properties: { value: { type: 'string' } }, required: ['value'] }, values: [{ value: 'x' }, { value: 1 }, {}] },
  { schema: { type: 'object', properties: { value: { $ref: 'urn:example:shared' } } }, values: [{ value: 'x' }] },
  { schema: { $id: 'urn:example:self', $defs: { n: { type: 'number' } }, type: 'array', items: { $ref: 'urn:example:self#/$defs/n' } }, values: [[1, 2], [1, 'x']] },
  { schema: { type: 'string', minLength: 'x' }, values: ['a'] },
  { schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'integer', minimum: 3 } }, required: ['n'] }, values: [{ n: 4 }, { n: 1 }, {}] },
  {
    schema: {
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date' },
        mail: { type: 'string', format: 'email' },
        mode: { anyOf: [{ enum: ['fast', 'slow'] }, { type: 'integer', minimum: 1 }] },
        tags: { type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 2 },
        nested: { type: 'object', properties: { deep: { type: 'boolean' } }, required: ['deep'], additionalProperties: false },
      },
      required: ['when', 'mode'],
    },
    values: [{ when: '2025-01-31', mode: 'fast' }, { when: '2025-02-30', mail: 'no', mode: 'medium', tags: ['abcd', 'a', 'b'], nested: { deep: 1, other: 2 } }, {}],
  },
  { schema: { type: 'object', properties: Object.fromEntries(Array.from({ length: 1_100 }, (_, i) => [`p${i}`, { type: 'string' }])) }, values: [{ p1: 1 }] },
  { schema: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'number' } }] }, values: ['x', [1], [true], {}] },
];

describe('validation worker: schemas compiled and checked off the extension host thread', function () {
  this.timeout(60_000);
  let previous: string | undefined;
  before(() => {
    previous = process.env.MCP_HOST_VALIDATION_WORKER;
    process.env.MCP_HOST_VALIDATION_WORKER = WORKER;
    disposeValidationWorker();
  });
  after(() => {
    disposeValidationWorker();
    if (previous === undefined) delete process.env.MCP_HOST_VALIDATION_WORKER;
    else process.env.MCP_HOST_VALIDATION_WORKER = previous;
  });

  it('gives a server\'s output check the same verdicts as the in-thread validator', async () => {
    const starts = validationWorker()!.starts;
    for (const { schema, values } of CASES) {
      const here = new SchemaValidator();
      const there = new SchemaValidator();
      for (const value of values) {
        const notChecked = here.notChecked(schema);
        const expected = notChecked ? { notChecked } : { problem: here.compile(schema)(value) };
        const got = await there.check(schema, value);
        assert.deepStrictEqual({ problem: got.problem, notChecked: got.notChecked }, { problem: undefined, notChecked: undefined, ...expected }, `${JSON.stringify(schema).slice(0, 200)} with ${JSON.stringify(value)}`);
      }
      assert.strictEqual(there.compiles, 1, 'one compile per schema and validator, as in-thread');
    }
    assert.strictEqual(validationWorker()!.starts, starts + 1, 'all of it in one worker');
  });

  it('gives a form the same verdicts (arguments, problems at pointers, each field, the schema note) as the in-thread validator', async () => {
    for (const { schema, values } of CASES) {
      const form = buildForm(schema);
      const label = JSON.stringify(schema).slice(0, 200);
      assert.strictEqual(await form.schemaProblemAsync(), form.schemaProblem, label);
      for (const value of values) {
        assert.strictEqual(await form.validateArgumentsAsync(value), form.validateArguments(value), `${label} with ${JSON.stringify(value)}`);
        assert.deepStrictEqual(await form.problemsAtAsync(value), form.problemsAt(value), `${label} with ${JSON.stringify(value)}`);
        for (const field of form.fields) {
          const own = form.wholeObject ? value : (value as Record<string, unknown>)?.[field.name];
          if (own === undefined) continue;
          const text = typeof own === 'string' && field.kind !== 'json' ? own : JSON.stringify(own);
          assert.strictEqual(await form.validateFieldAsync(field, text), form.validateField(field, text), `${label}: field ${field.name} = ${text}`);
        }
      }
    }
  });

  it('compiles a form\'s schema once in the worker for all its checks', async () => {
    const form = buildForm({ type: 'object', properties: { a: { type: 'integer', minimum: 2, description: 'unique-to-this-test' } }, required: ['a'] });
    const before = formSchemaCompiles();
    assert.match((await form.validateFieldAsync(form.fields[0]!, '1')) ?? '', /at least 2/);
    assert.strictEqual(await form.validateArgumentsAsync({ a: 3 }), undefined);
    assert.match((await form.validateArgumentsAsync({})) ?? '', /a/);
    assert.strictEqual(formSchemaCompiles(), before + 1);
  });

  it('answers a check whose worker died as not checked, and starts a new worker for the next one', async () => {
    const worker = new ValidationWorker(MISBEHAVING, { requestMs: 20_000, idleMs: 60_000 });
    try {
      const crash = await worker.validate('server', JSON.stringify({ type: 'string', 'x-crash': true }), ['a']);
      assert.ok('unusable' in crash && crash.unusable.tooComplex, JSON.stringify(crash));
      assert.match(crash.unusable.message, /stopped MCP Host's validator \(exit code 3\)/);
      const next = await worker.validate('server', JSON.stringify({ type: 'string' }), ['a', 1]);
      assert.ok('results' in next, JSON.stringify(next));
      assert.deepStrictEqual(next.results.map(r => r === null), [true, false]);
      assert.strictEqual(worker.starts, 2);
    } finally {
      worker.dispose();
    }
  });

  it('terminates a worker stuck compiling, calls that schema too complex, and serves the checks queued behind it', async () => {
    const worker = new ValidationWorker(MISBEHAVING, { requestMs: 3_000, idleMs: 60_000 });
    try {
      const started = performance.now();
      const [hung, queued] = await Promise.all([worker.validate('form', JSON.stringify({ type: 'string', 'x-hang': true }), ['a']), worker.validate('form', JSON.stringify({ type: 'number' }), [1])]);
      assert.ok('unusable' in hung && hung.unusable.tooComplex, JSON.stringify(hung));
      assert.match(hung.unusable.message, /took longer than 3 s/);
      assert.ok(performance.now() - started >= 2_900, 'answered before the limit');
      assert.deepStrictEqual(queued, { results: [null] });
      assert.strictEqual(worker.starts, 2);
    } finally {
      worker.dispose();
    }
  });

  it('a schema whose check hung is not checked again, and says so', async () => {
    process.env.MCP_HOST_VALIDATION_WORKER = MISBEHAVING;
    disposeValidationWorker();
    try {
      const validator = new SchemaValidator();
      // The default limit is 5 s: this is the path a real hung compile takes.
      const schema = { type: 'string', 'x-hang': true };
      const first = await validator.check(schema, 'a');
      assert.match(first.notChecked ?? '', /too big for MCP Host to check \(checking against it took longer than 5 s\)/);
      const starts = validationWorker()!.starts;
      assert.deepStrictEqual(await validator.check(schema, 'b'), first);
      assert.strictEqual(validationWorker()!.starts, starts, 'the schema was sent again');
    } finally {
      process.env.MCP_HOST_VALIDATION_WORKER = WORKER;
      disposeValidationWorker();
    }
  });

  it('stops after its idle time and on dispose, and never keeps its owner alive', async () => {
    const worker = new ValidationWorker(WORKER, { requestMs: 20_000, idleMs: 200 });
    assert.deepStrictEqual(await worker.validate('server', '{"type":"number"}', [1]), { results: [null] });
    assert.strictEqual(worker.running, true);
    await new Promise(resolve => setTimeout(resolve, 600));
    assert.strictEqual(worker.running, false, 'still running after its idle time');
    assert.deepStrictEqual(await worker.validate('server', '{"type":"number"}', ['x']).then(a => 'results' in a && a.results[0] !== null), true);
    assert.strictEqual(worker.starts, 2);
    worker.dispose();
    assert.strictEqual(worker.running, false);
    assert.deepStrictEqual(await worker.validate('server', '{"type":"number"}', [1]), { unusable: { tooComplex: true, message: 'MCP Host is shutting down' } });

    // A process that uses a worker and never disposes it ends by itself once its own work is done.
    const started = performance.now();
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [OWNER, WORKER], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const { answer, running } = JSON.parse(out) as { answer: { results: unknown[] }; running: boolean };
    assert.strictEqual(running, true, 'the worker ran');
    assert.deepStrictEqual(answer.results.map(r => r === null), [true, false]);
    assert.ok(performance.now() - started < 15_000, 'the owner took too long to exit');
  });
});
