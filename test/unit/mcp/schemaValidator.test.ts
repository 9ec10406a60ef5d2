import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildForm, formSchemaCompiles } from '../../../src/forms/schemaForm';
import { SCHEMA_BUDGET, SchemaValidator, overSchemaBudget } from '../../../src/mcp/schemaValidator';
import { root } from '../servers';
// The generator of src/mcp/metaSchema2020.js (plain JS, run with the installed Ajv).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const metaSchemaCode = require('../../harness/metaSchemaValidator.js') as { generate(): string };

/**
 * Schemas come from servers. With V8's backtracking engine, `^(a+)+$` against 28 `a`s and a `!` takes
 * seconds to minutes (24 took 114 ms here, ×4 per 2 more) and blocks the thread; on the linear engine it
 * takes well under a millisecond. The bound below is generous for a loaded machine and far below the
 * backtracking time, so these tests fail (late) on a backtracking engine.
 */
const REDOS = '^(a+)+$';
const EVIL = `${'a'.repeat(28)}!`;
const BOUND_MS = 2000;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

describe('SchemaValidator: schemas from servers cannot freeze the host', () => {
  it('matches a catastrophic-backtracking pattern in linear time, and still enforces it', () => {
    const check = new SchemaValidator().compile({ type: 'string', pattern: REDOS });
    const evil = timed(() => check(EVIL));
    assert.match(evil.value ?? '', /must match pattern/);
    assert.ok(evil.ms < BOUND_MS, `took ${evil.ms} ms`);
    assert.strictEqual(check('aaaa'), undefined);
    const long = timed(() => check(`${'a'.repeat(100_000)}!`));
    assert.match(long.value ?? '', /must match pattern/);
    assert.ok(long.ms < BOUND_MS, `100,000 characters took ${long.ms} ms`);
  });

  it('runs patternProperties and propertyNames patterns on the same engine', () => {
    const check = new SchemaValidator().compile({
      type: 'object',
      patternProperties: { [REDOS]: { type: 'number' } },
      propertyNames: { pattern: '^(a|aa)+$|^b$' },
    });
    const evil = timed(() => check({ [EVIL]: 1 }));
    assert.match(evil.value ?? '', /must match pattern/);
    assert.ok(evil.ms < BOUND_MS, `took ${evil.ms} ms`);
    assert.match(check({ aaa: 'x' }) ?? '', /must be number/);
    assert.strictEqual(check({ aaa: 1, b: 2 }), undefined);
  });

  it('keeps each pattern of a schema apart, with JSON Schema (ECMA-262, unicode) syntax', () => {
    const check = new SchemaValidator().compile({
      type: 'object',
      properties: {
        digits: { type: 'string', pattern: '^\\d{3}-\\d{4}$' },
        letters: { type: 'string', pattern: '^\\p{L}+$' },
        named: { type: 'string', pattern: '^(?<year>\\d{4})$' },
        escaped: { type: 'string', pattern: '^\\u00e9/$' },
      },
    });
    assert.strictEqual(check({ digits: '555-1234', letters: 'élan', named: '2026', escaped: 'é/' }), undefined);
    const problems = check({ digits: 'élan', letters: '555', named: 'x', escaped: 'e/' }) ?? '';
    for (const field of ['digits', 'letters', 'named', 'escaped']) assert.match(problems, new RegExp(`/${field} must match pattern`));
  });

  it('calls a schema with a pattern that is not ECMA-262 invalid, as before', () => {
    assert.match(new SchemaValidator().compile({ type: 'string', pattern: '(' })('x') ?? '', /the schema itself is invalid/);
    // Valid for RE2, not for JSON Schema.
    assert.match(new SchemaValidator().compile({ type: 'string', pattern: '(?i)x' })('x') ?? '', /the schema itself is invalid/);
  });

  it('leaves patterns the linear engine cannot run (lookaround, backreferences) to the server', () => {
    const check = new SchemaValidator().compile({ type: 'string', pattern: '^(?!x)(a)\\1' });
    assert.strictEqual(check('xyz'), undefined);
    const evil = timed(() => new SchemaValidator().compile({ type: 'string', pattern: '^(?=(a+)+$)' })(EVIL));
    assert.ok(evil.ms < BOUND_MS, `took ${evil.ms} ms`);
  });
});

describe('SchemaValidator: one schema cannot reach another', () => {
  const A = { $id: 'urn:example:shared', type: 'object', properties: { value: { type: 'string' } }, required: ['value'] };
  const B = { $id: 'urn:example:shared', type: 'object', properties: { value: { type: 'number' } }, required: ['value'] };

  it('compiles two schemas with the same $id, in one scope or two, each as written', () => {
    const one = new SchemaValidator();
    assert.strictEqual(one.compile(A)({ value: 'x' }), undefined);
    assert.strictEqual(one.compile(B)({ value: 1 }), undefined, 'the second $id clashed with the first');
    assert.match(one.compile(B)({ value: 'x' }) ?? '', /must be number/);
    assert.strictEqual(new SchemaValidator().compile(B)({ value: 1 }), undefined);
  });

  it('does not resolve a $ref to another schema\'s $id', () => {
    const validator = new SchemaValidator();
    validator.compile(A);
    const redirected = validator.compile({ $ref: 'urn:example:shared' });
    assert.match(redirected({ value: 'x' }) ?? '', /the schema itself is invalid: can't resolve reference urn:example:shared/);
  });

  it('resolves references inside one schema ($defs, its own $id)', () => {
    const check = new SchemaValidator().compile({ $id: 'urn:example:self', $defs: { n: { type: 'number' } }, type: 'array', items: { $ref: 'urn:example:self#/$defs/n' } });
    assert.strictEqual(check([1, 2]), undefined);
    assert.match(check([1, 'x']) ?? '', /must be number/);
  });

  it('keeps at most maxCompiled schemas, dropping the least recently used', () => {
    const validator = new SchemaValidator(4);
    const schema = (n: number) => ({ type: 'integer', minimum: n });
    for (let n = 0; n < 10; n++) validator.compile(schema(n));
    assert.strictEqual(validator.size, 4);
    assert.match(validator.compile(schema(9))(0) ?? '', /must be >= 9/);
  });

  it('reports an invalid schema instead of throwing', () => {
    assert.match(new SchemaValidator().compile({ type: 'string', minLength: 'x' })('a') ?? '', /the schema itself is invalid: schema is invalid/);
  });
});

describe('argument form: the same protections on every keystroke', () => {
  it('checks a field and the whole arguments against a catastrophic pattern in linear time', () => {
    const form = buildForm({ type: 'object', properties: { text: { type: 'string', pattern: REDOS } }, required: ['text'] });
    const field = form.fields[0]!;
    const typed = timed(() => form.validateField(field, EVIL));
    assert.match(typed.value ?? '', /must match the pattern/i);
    assert.ok(typed.ms < BOUND_MS, `a keystroke took ${typed.ms} ms`);
    const whole = timed(() => form.validateArguments({ text: EVIL }));
    assert.ok(whole.value, 'the whole arguments passed');
    assert.ok(whole.ms < BOUND_MS, `took ${whole.ms} ms`);
    assert.strictEqual(form.validateArguments({ text: 'aaa' }), undefined);
  });

  it('does not let one schema\'s $id break another form', () => {
    const a = buildForm({ $id: 'urn:example:form', type: 'object', properties: { x: { type: 'string' } } });
    const b = buildForm({ $id: 'urn:example:form', type: 'object', properties: { x: { type: 'number' } } });
    assert.strictEqual(a.validateArguments({ x: 's' }), undefined);
    assert.strictEqual(b.schemaProblem, undefined);
    assert.strictEqual(b.validateArguments({ x: 1 }), undefined);
  });
});

/**
 * Ajv compiles on the extension host's only thread, in time that grows with the schema, and cannot be
 * interrupted: 3,000 properties took seconds, 300 levels of nesting too. These tests pin the work, not the time
 * (timings: `npm run bench`, row *first call*): what is over the budget is never compiled, what is within it is
 * compiled once, and the meta-schema is never compiled at run time.
 */
describe('schema budget: a schema from a server cannot freeze the host', () => {
  const props = (n: number, field: (i: number) => object = () => ({ type: 'string' })) => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, field(i)])) });
  const nested = (levels: number) => {
    let s: object = { type: 'string' };
    for (let i = 0; i < levels; i++) s = { type: 'object', properties: { x: s } };
    return s;
  };

  it('measures keywords, nesting and patterns, and stops at the first excess', () => {
    assert.strictEqual(overSchemaBudget({ type: 'object', properties: { a: { type: 'string', pattern: '^a$' } }, required: ['a'] }), undefined);
    assert.strictEqual(overSchemaBudget(props(300)), undefined);
    assert.match(overSchemaBudget(props(3000)) ?? '', /more than 1,000 keywords/);
    assert.strictEqual(overSchemaBudget(nested(SCHEMA_BUDGET.depth / 2 - 1)), undefined);
    assert.match(overSchemaBudget(nested(300)) ?? '', /nested deeper than/);
    assert.match(overSchemaBudget(props(SCHEMA_BUDGET.patterns + 1, i => ({ pattern: `^${i}$` }))) ?? '', /more than 100 patterns/);
    assert.match(overSchemaBudget({ patternProperties: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`^${i}$`, true])) }) ?? '', /patterns/);
  });

  it('counts what Ajv compiles, not data: a 50,000-value enum is in budget, a schema under a property named "enum" is not hidden', () => {
    const bigEnum = { type: 'object', properties: { pick: { enum: Array.from({ length: 50_000 }, (_, i) => `v${i}`) } } };
    assert.strictEqual(overSchemaBudget(bigEnum), undefined);
    const check = new SchemaValidator().compile(bigEnum);
    assert.strictEqual(check({ pick: 'v49999' }), undefined);
    assert.match(check({ pick: 'nope' }) ?? '', /must be equal to one of the allowed values/);
    assert.match(overSchemaBudget({ type: 'object', properties: { enum: props(3000), default: nested(300) } }) ?? '', /more than|nested deeper/);
  });

  it('does not compile a schema over the budget, says why, and decides once per schema', () => {
    const validator = new SchemaValidator();
    const huge = props(3000, i => ({ type: 'string', pattern: `^v${i}$` }));
    for (let i = 0; i < 5; i++) assert.strictEqual(validator.compile(huge)({ p0: 42 }), undefined, 'over budget, the host checks nothing');
    assert.match(validator.notChecked(huge) ?? '', /too big for MCP Host to check \(more than 1,000 keywords/);
    assert.strictEqual(validator.compiles, 1);
    const small = { type: 'object', properties: { n: { type: 'number' } } };
    assert.strictEqual(validator.notChecked(small), undefined);
    for (let i = 0; i < 5; i++) assert.match(validator.compile(small)({ n: 'x' }) ?? '', /must be number/);
    assert.strictEqual(validator.compiles, 2, 'a schema within the budget was compiled again');
  });

  it('says a schema nested thousands deep is over the budget, in the worker path too (it read "the schema itself is invalid: Maximum call stack size exceeded")', async () => {
    const depth = 20_000;
    const deep = JSON.parse(`{"type":"object","properties":{"x":${'{"type":"object","properties":{"y":'.repeat(depth)}{}${'}}'.repeat(depth)}}}`) as object;
    const verdict = await new SchemaValidator().check(deep, { x: 1 });
    assert.deepStrictEqual(verdict, { notChecked: `the schema is too big for MCP Host to check (nested deeper than ${SCHEMA_BUDGET.depth} levels)` });
  });

  it('leaves a value nested thousands deep unchecked, saying so, and keeps checking later values against its schema (the schema was called invalid and never used again)', async () => {
    const validator = new SchemaValidator();
    const schema = { type: 'object', properties: { n: { type: 'number' } } };
    const deep = JSON.parse(`{"n":1,"d":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as unknown;
    assert.deepStrictEqual(await validator.check(schema, deep), { notChecked: 'the value is nested too deeply to check' });
    assert.match((await validator.check(schema, { n: 'x' })).problem ?? '', /must be number/);
    assert.deepStrictEqual(await validator.check(schema, { n: 2 }), {});
  });

  it('gives the argument form of a huge schema a visible note, type checks per field, and no compile', () => {
    const huge = props(3000, i => ({ type: i % 2 ? 'number' : 'string', pattern: `^v${i}$` }));
    const before = formSchemaCompiles();
    const form = buildForm(huge);
    assert.match(form.schemaProblem ?? '', /too big for MCP Host to check .*fields are checked for their type only; the server checks the rest\./);
    const numberField = form.fields.find(f => f.name === 'p1')!;
    assert.match(form.validateField(numberField, 'abc') ?? '', /number/i, 'the field\'s type is still checked');
    assert.strictEqual(form.validateArguments({ p0: 'x' }), undefined);
    assert.strictEqual(buildForm(huge).schemaProblem, form.schemaProblem);
    assert.strictEqual(formSchemaCompiles() - before, 1, 'the budget was decided more than once for one schema');
  });

  it('compiles a form\'s schema once for its fields and its whole arguments, and again never', () => {
    const schema = { type: 'object', properties: { name: { type: 'string', minLength: 2 }, count: { type: 'integer', minimum: 1 } }, required: ['name', 'count'], additionalProperties: false };
    const before = formSchemaCompiles();
    const form = buildForm(schema);
    const [name, count] = form.fields;
    assert.match(form.validateField(name!, 'a') ?? '', /at least 2/);
    assert.strictEqual(form.validateField(count!, '3'), undefined, 'a field was judged by the other, missing, field');
    assert.match(form.validateArguments({ name: 'ab' }) ?? '', /count/);
    assert.strictEqual(buildForm(structuredClone(schema)).validateArguments({ name: 'ab', count: 1 }), undefined);
    assert.strictEqual(formSchemaCompiles() - before, 1);
  });

  it('ships the meta-schema validator Ajv generates (no meta-schema compile at run time)', () => {
    assert.strictEqual(fs.readFileSync(path.join(root, 'src', 'mcp', 'metaSchema2020.js'), 'utf8'), metaSchemaCode.generate(), 'src/mcp/metaSchema2020.js is stale: run node test/harness/metaSchemaValidator.js');
  });
});
