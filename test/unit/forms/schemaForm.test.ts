import * as assert from 'assert';
import { z } from 'zod';
import { describeSchema, type SpecNode } from '../../../src/forms/formEditor';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Tool } from '@modelcontextprotocol/client';
import { buildForm, FormField, ArgumentForm } from '../../../src/forms/schemaForm';
import { everythingServer } from '../servers';

const field = (form: ArgumentForm, name: string): FormField => {
  const f = form.fields.find(x => x.name === name);
  if (!f) throw new Error(`no field ${name}; have ${form.fields.map(x => x.name).join(', ')}`);
  return f;
};
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
/** The form for one property `x`, and a helper that validates text typed into it. */
const one = (schema: Record<string, unknown>, required = true) => {
  const form = buildForm(obj({ x: schema }, required ? { required: ['x'] } : {}));
  const f = field(form, 'x');
  return { form, f, v: (text: string) => form.validateField(f, text), read: (text: string) => form.read(f, text) };
};

describe('argument forms from a tool input schema', () => {
  describe('fields', () => {
    it('puts required properties first, each group in schema order', () => {
      const form = buildForm(obj({ a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean' }, d: { type: 'string' } }, { required: ['d', 'b'] }));
      assert.deepStrictEqual(
        form.fields.map(f => [f.name, f.required]),
        [
          ['b', true],
          ['d', true],
          ['a', false],
          ['c', false],
        ],
      );
      assert.strictEqual(form.wholeObject, false);
    });

    it('uses the title as the label and keeps the description', () => {
      const { f } = one({ type: 'string', title: 'City name', description: 'Where to look' });
      assert.strictEqual(f.label, 'City name');
      assert.strictEqual(f.description, 'Where to look');
      assert.strictEqual(one({ type: 'string' }).f.label, 'x');
    });

    it('has no fields for a tool without arguments', () => {
      assert.deepStrictEqual(buildForm({ type: 'object' }).fields, []);
      assert.deepStrictEqual(buildForm({ type: 'object', properties: {} }).fields, []);
      assert.deepStrictEqual(buildForm(undefined).fields, []);
      assert.strictEqual(buildForm({ type: 'object' }).validateArguments({}), undefined);
    });

    it('chooses the kind of input from the type', () => {
      const form = buildForm(
        obj({
          s: { type: 'string' },
          n: { type: 'number' },
          i: { type: 'integer' },
          b: { type: 'boolean' },
          e: { type: 'string', enum: ['a', 'b'] },
          l: { type: 'array', items: { type: 'integer' } },
          o: { type: 'object', properties: { p: { type: 'string' } } },
          ao: { type: 'array', items: { type: 'object' } },
          t: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
          u: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          multi: { type: ['string', 'number'] },
          any: {},
        }),
      );
      assert.deepStrictEqual(Object.fromEntries(form.fields.map(f => [f.name, f.kind])), {
        s: 'string',
        n: 'number',
        i: 'integer',
        b: 'boolean',
        e: 'enum',
        l: 'list',
        o: 'json',
        ao: 'json',
        t: 'json',
        u: 'either',
        multi: 'either',
        any: 'json',
      });
      assert.deepStrictEqual(
        field(form, 'b').options!.map(o => o.value),
        [true, false],
      );
      assert.strictEqual(field(form, 'l').itemKind, 'integer');
    });
  });

  describe('hints in the prompt', () => {
    it('describes formats with an example', () => {
      assert.strictEqual(one({ type: 'string', format: 'date' }).f.hint, 'a date, like 2025-01-31');
      assert.strictEqual(one({ type: 'string', format: 'email' }).f.hint, 'an email address, like name@example.com');
      assert.strictEqual(one({ type: 'string', format: 'uri' }).f.hint, 'an absolute URI, like https://example.com/page');
      assert.strictEqual(one({ type: 'string', format: 'date-time' }).f.hint, 'a date and time, like 2025-01-31T09:30:00Z');
      assert.strictEqual(one({ type: 'string', format: 'color' }).f.hint, 'text (color)');
    });

    it('describes lengths, patterns, ranges and steps', () => {
      assert.strictEqual(one({ type: 'string', minLength: 2, maxLength: 8, pattern: '^[a-z]+$' }).f.hint, 'text, 2–8 characters, matching ^[a-z]+$');
      assert.strictEqual(one({ type: 'string', minLength: 1 }).f.hint, 'text, not empty');
      assert.strictEqual(one({ type: 'integer', minimum: 1, maximum: 10 }).f.hint, 'a whole number, from 1 to 10');
      assert.strictEqual(one({ type: 'number', exclusiveMinimum: 0, maximum: 1 }).f.hint, 'a number, greater than 0 and at most 1');
      assert.strictEqual(one({ type: 'number', exclusiveMaximum: 100 }).f.hint, 'a number, less than 100');
      assert.strictEqual(one({ type: 'integer', multipleOf: 5 }).f.hint, 'a whole number, a multiple of 5');
    });

    it('leaves out the safe-integer bounds zod 4 writes into every integer (server-sequential-thinking: walk14)', () => {
      // Its thoughtNumber, as server-sequential-thinking 2026.8.31 lists it.
      const thoughtNumber = { type: 'integer', minimum: 1, maximum: 9007199254740991, description: 'Current thought number (numeric value, e.g., 1, 2, 3)' };
      assert.strictEqual(one(thoughtNumber).f.hint, 'a whole number, at least 1');
      assert.strictEqual(one({ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }).f.hint, 'a whole number');
      assert.strictEqual(one({ type: 'integer', minimum: -9007199254740991, maximum: 10 }).f.hint, 'a whole number, at most 10');
      // The bound is still checked: only the hint leaves it out.
      assert.strictEqual(one(thoughtNumber).v('0'), 'Must be at least 1.');
    });

    it('describes lists, choices and JSON shapes', () => {
      assert.strictEqual(one({ type: 'array', items: { type: 'number', minimum: 0 }, maxItems: 3 }).f.hint, 'numbers separated by commas (or a JSON list), each at least 0, at most 3 items');
      assert.strictEqual(one({ type: 'array', items: { type: 'string' }, uniqueItems: true }).f.hint, 'text items separated by commas (or a JSON list), no repeats');
      assert.strictEqual(one({ enum: ['red', 'green'] }).f.hint, 'one of red, green');
      assert.strictEqual(one({ type: 'object', properties: { a: {}, b: {} }, required: ['a'] }).f.hint, 'JSON object with a*, b (* required)');
      assert.strictEqual(one({ type: 'array', items: { type: 'object' } }).f.hint, 'JSON list of objects');
      assert.strictEqual(one({ oneOf: [{ type: 'string' }, { type: 'object' }] }).f.hint, 'text, or JSON: object');
      assert.strictEqual(one({ oneOf: [{ type: 'integer' }, { type: 'object' }] }).f.hint, 'JSON matching one of the allowed forms');
    });
  });

  describe('defaults', () => {
    it('prefills the default as the field would be typed', () => {
      assert.strictEqual(one({ type: 'string', default: 'hi' }).f.initialText, 'hi');
      assert.strictEqual(one({ type: 'integer', default: 3 }).f.initialText, '3');
      assert.strictEqual(one({ type: 'boolean', default: false }).f.initialText, 'false');
      assert.strictEqual(one({ type: 'array', items: { type: 'string' }, default: ['a', 'b'] }).f.initialText, 'a, b');
      assert.strictEqual(one({ type: 'array', items: { type: 'string' }, default: ['a,b'] }).f.initialText, '["a,b"]');
      assert.strictEqual(one({ type: 'object', default: { k: 1 } }).f.initialText, '{"k":1}');
      const { f } = one({ enum: ['x', 'y'], default: 'y' });
      assert.strictEqual(f.hasDefault, true);
      assert.strictEqual(f.default, 'y');
      assert.strictEqual(one({ type: 'string' }).f.hasDefault, false);
    });

    it('starts a required object with a skeleton of its required properties, choosing nothing for the user (issue 13 item 4)', () => {
      const { form, f } = one({ type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer', minimum: 2 }, flag: { type: 'boolean' }, opt: { type: 'string' }, inner: { type: 'object', properties: { k: { enum: ['p', 'q'] } }, required: ['k'] } }, required: ['name', 'n', 'flag', 'inner'] });
      assert.deepStrictEqual(JSON.parse(f.initialText!), { name: '', n: null, flag: null, inner: { k: null } });
      // Sent unchanged, the template is explained at each value still to choose.
      assert.strictEqual(form.validateField(f, f.initialText!), "'n' must be a whole number. 'flag' must be true or false. 'inner.k' must be one of: \"p\", \"q\".");
    });

    it('prefills no invented value for a required field that is true/false or text (sequential thinking: nextThoughtNeeded)', () => {
      const { f } = one({ type: ['boolean', 'string'] });
      assert.strictEqual(f.kind, 'either');
      assert.strictEqual(f.initialText, undefined);
      assert.strictEqual(one({ type: 'boolean' }).f.initialText, undefined);
    });

    it('reads a list of simple types (or a union of them: zod 4, pydantic) as typed: true/false, a number, else text — not as JSON', () => {
      const { f, form } = one({ type: ['boolean', 'string'], description: 'Yes, no, or in words' });
      assert.deepStrictEqual([f.kind, f.hint, f.options?.map(o => o.value)], ['either', 'true or false, or text', [true, false]]);
      const read = (field: typeof f, text: string) => form.read(field, text);
      assert.deepStrictEqual(read(f, 'true'), { value: true });
      assert.deepStrictEqual(read(f, ' False '), { value: false });
      assert.deepStrictEqual(read(f, 'not yet'), { value: 'not yet' }, 'words are text, not "This is not valid JSON"');
      assert.deepStrictEqual(read(f, '"true"'), { value: 'true' }, 'in double quotes: the text true');
      assert.deepStrictEqual(read(f, '42'), { value: '42' }, 'no number type: a number is text');
      const count = one({ type: ['integer', 'string'], minimum: 1 });
      assert.strictEqual(count.f.hint, 'a whole number, at least 1, or text');
      assert.strictEqual(count.f.options, undefined, 'no true/false to pick: typed');
      assert.deepStrictEqual(read(count.f, '3'), { value: 3 });
      assert.deepStrictEqual(read(count.f, '2.5'), { value: '2.5' }, 'not a whole number: text');
      assert.deepStrictEqual(read(count.f, 'a few'), { value: 'a few' });
      assert.strictEqual(count.form.validateField(count.f, '0'), 'Must be at least 1.', 'still checked by the schema');
      const strict = one({ type: ['boolean', 'integer'] });
      assert.deepStrictEqual(read(strict.f, 'maybe'), { error: 'Enter true or false, or a whole number.' });
      // zod 4: z.union([z.number(), z.string().min(2)]) → anyOf of simple types, each keeping its keywords.
      const union = one({ anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', minLength: 2 }], title: 'Id Or Name' });
      assert.deepStrictEqual([union.f.kind, union.f.label, union.f.hint], ['either', 'Id Or Name', 'a number, at least 0, or text, at least 2 characters']);
      assert.deepStrictEqual(read(union.f, '-1.5'), { value: -1.5 });
      assert.strictEqual(union.form.validateField(union.f, 'x'), 'Must match one of the allowed forms.');
      // Not simple: a branch with a title of its own, or two branches of one type, stays as written.
      assert.strictEqual(one({ anyOf: [{ type: 'string', title: 'Name' }, { type: 'integer' }] }).f.kind, 'json');
      assert.strictEqual(one({ anyOf: [{ type: 'string', maxLength: 2 }, { type: 'string', pattern: '^x' }] }).f.kind, 'json');
      // A default text that reads as something else is given quoted, so accepting it sends the same text.
      assert.strictEqual(one({ type: ['boolean', 'string'], default: 'true' }).f.initialText, '"true"');
      assert.strictEqual(one({ type: ['boolean', 'string'], default: 'auto' }).f.initialText, 'auto');
    });

    it('shows the item shape of a list of objects and starts it with one item to fill (issue 13 item 2)', () => {
      const { f } = one({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { enum: ['a', 'b'] }, tags: { type: 'array', items: { type: 'string' } }, at: { type: 'object', properties: { x: { type: 'number' } } } }, required: ['name', 'tags'] } });
      assert.strictEqual(f.hint, 'JSON list of objects, each {name*: text, kind: one of a, b, tags*: list of text, at: {x: number}} (* required)');
      assert.deepStrictEqual(JSON.parse(f.initialText!), [{ name: '', tags: [] }]);
      assert.strictEqual(one({ type: 'array', items: { type: 'object', properties: { a: {} } } }, false).f.initialText, undefined, 'an optional list starts empty: nothing is sent unless filled');
    });
  });

  describe('reading and checking each field', () => {
    it('takes text as it is, and skips an empty optional field', () => {
      assert.deepStrictEqual(one({ type: 'string' }).read('  a b '), { value: '  a b ' });
      assert.deepStrictEqual(one({ type: 'string' }).read(''), { value: '' });
      assert.deepStrictEqual(one({ type: 'string' }, false).read(''), { skip: true });
      assert.deepStrictEqual(one({ type: 'number' }, false).read('  '), { skip: true });
      assert.strictEqual(one({ type: 'number' }, false).v(''), undefined);
    });

    it('checks string length, pattern and format', () => {
      const { v } = one({ type: 'string', minLength: 3, maxLength: 5 });
      assert.strictEqual(v('ab'), 'Must be at least 3 characters long.');
      assert.strictEqual(v('abcdef'), 'Must be at most 5 characters long.');
      assert.strictEqual(v('abcd'), undefined);
      assert.strictEqual(one({ type: 'string', minLength: 1 }).v(''), 'Must not be empty.');
      assert.strictEqual(one({ type: 'string', pattern: '^[a-z]+$' }).v('ABC'), 'Must match the pattern ^[a-z]+$.');
      const date = one({ type: 'string', format: 'date' });
      assert.strictEqual(date.v('tomorrow'), 'Must be a date, like 2025-01-31.');
      assert.strictEqual(date.v('2025-02-30'), 'Must be a date, like 2025-01-31.');
      assert.strictEqual(date.v('2024-02-29'), undefined);
      assert.strictEqual(one({ type: 'string', format: 'email' }).v('me@'), 'Must be an email address, like name@example.com.');
      assert.strictEqual(one({ type: 'string', format: 'email' }).v('me@example.org'), undefined);
      assert.strictEqual(one({ type: 'string', format: 'uri' }).v('not a uri'), 'Must be an absolute URI, like https://example.com/page.');
      assert.strictEqual(one({ type: 'string', format: 'uri' }).v('demo://resource/1'), undefined);
      assert.strictEqual(one({ type: 'string', format: 'date-time' }).v('2025-01-31T09:30:00'), 'Must be a date and time, like 2025-01-31T09:30:00Z.');
      assert.strictEqual(one({ type: 'string', format: 'date-time' }).v('2025-01-31T09:30:00+02:00'), undefined);
      assert.strictEqual(one({ type: 'string', format: 'uuid' }).v('123e4567-e89b-12d3-a456-426614174000'), undefined);
      assert.strictEqual(one({ type: 'string', format: 'ipv4' }).v('300.1.1.1'), 'Must be an IPv4 address, like 192.168.0.1.');
      assert.strictEqual(one({ type: 'string', format: 'color' }).v('anything'), undefined, 'unknown formats are annotations only');
    });

    it('reads numbers and integers, and checks ranges and steps', () => {
      const n = one({ type: 'number', minimum: 0, maximum: 10 });
      assert.deepStrictEqual(n.read(' 2.5 '), { value: 2.5 });
      assert.deepStrictEqual(n.read('-1e2'), { value: -100 });
      assert.strictEqual(n.v('abc'), 'Enter a number, like 42 or -3.5.');
      assert.strictEqual(n.v('0x10'), 'Enter a number, like 42 or -3.5.');
      assert.strictEqual(n.v(''), 'Enter a number, like 42 or -3.5.');
      assert.strictEqual(n.v('11'), 'Must be at most 10.');
      assert.strictEqual(n.v('-0.5'), 'Must be at least 0.');
      assert.strictEqual(n.v('10'), undefined);
      const x = one({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
      assert.strictEqual(x.v('0'), 'Must be greater than 0.');
      assert.strictEqual(x.v('1'), 'Must be less than 1.');
      assert.strictEqual(x.v('0.5'), undefined);
      const i = one({ type: 'integer', multipleOf: 5 });
      assert.strictEqual(i.v('x'), 'Enter a whole number, like 42.');
      assert.strictEqual(i.v('2.5'), 'Must be a whole number. Must be a multiple of 5.');
      assert.strictEqual(i.v('7'), 'Must be a multiple of 5.');
      assert.strictEqual(i.v('15'), undefined);
    });

    it('reads booleans', () => {
      const b = one({ type: 'boolean' });
      assert.deepStrictEqual(b.read('True'), { value: true });
      assert.deepStrictEqual(b.read('false'), { value: false });
      assert.strictEqual(b.v('yes'), 'Enter true or false.');
    });

    it('offers enums as choices: enum, const, and titled oneOf/anyOf consts', () => {
      const e = one({ type: 'string', enum: ['error', 'success', 'debug'] });
      assert.deepStrictEqual(e.f.options!.map(o => o.label), ['error', 'success', 'debug']);
      assert.deepStrictEqual(e.read('success'), { value: 'success' });
      assert.strictEqual(e.v('warn'), 'Choose one of: error, success, debug.');
      assert.strictEqual(e.form.check(e.f, 'warn'), 'Must be one of: "error", "success", "debug".');
      const nums = one({ enum: [1, 2, null] });
      assert.deepStrictEqual(nums.read('2'), { value: 2 });
      assert.deepStrictEqual(nums.read('null'), { value: null });
      const c = one({ const: 'only' });
      assert.strictEqual(c.f.kind, 'enum');
      assert.strictEqual(c.form.check(c.f, 'other'), 'Must be "only".');
      const titled = one({ type: 'string', oneOf: [{ const: 'sm', title: 'Small' }, { const: 'lg', title: 'Large', description: 'Big one' }] });
      assert.strictEqual(titled.f.kind, 'enum');
      assert.deepStrictEqual(titled.f.options, [
        { label: 'Small', description: 'sm', value: 'sm' },
        { label: 'Large', description: 'Big one', value: 'lg' },
      ]);
      assert.deepStrictEqual(titled.read('Large'), { value: 'lg' });
      assert.deepStrictEqual(titled.read('lg'), { value: 'lg' });
      assert.strictEqual(titled.form.check(titled.f, 'md'), 'Must be one of: "sm", "lg".');
      // Elicitation's legacy titled enum: labels from enumNames, values from enum.
      const legacy = one({ type: 'string', enum: ['pet-1', 'pet-2'], enumNames: ['Cats', 'Dogs'] });
      assert.deepStrictEqual(legacy.f.options, [
        { label: 'Cats', description: 'pet-1', value: 'pet-1' },
        { label: 'Dogs', description: 'pet-2', value: 'pet-2' },
      ]);
      assert.deepStrictEqual(legacy.read('Dogs'), { value: 'pet-2' });
      assert.deepStrictEqual(one({ type: 'string', enum: ['a', 'b'], enumNames: ['only one'] }).f.options!.map(o => o.label), ['a', 'b']);
    });

    it('reads lists separated by commas or as JSON, checking each item', () => {
      const l = one({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 3, uniqueItems: true });
      assert.deepStrictEqual(l.read('1, 2,3'), { value: [1, 2, 3] });
      assert.deepStrictEqual(l.read('[4, 5]'), { value: [4, 5] });
      assert.strictEqual(l.v('1, two'), "Item 2 ('two') is not a whole number.");
      assert.strictEqual(l.v('1, 0'), 'Item 2 must be at least 1.');
      assert.strictEqual(l.v('1,2,3,4'), 'Must have at most 3 items.');
      assert.strictEqual(l.v(''), 'Must have at least 1 item.');
      assert.strictEqual(l.v('2, 2'), 'Must not repeat items (items 1 and 2 are the same).');
      assert.match(l.v('[1,')!, /^This is not valid JSON: /);
      assert.strictEqual(l.v('{"a":1}'), `Item 1 ('{"a":1}') is not a whole number.`);
      const s = one({ type: 'array', items: { type: 'string' } });
      assert.deepStrictEqual(s.read('a b, c'), { value: ['a b', 'c'] });
      assert.deepStrictEqual(s.read('["x,y"]'), { value: ['x,y'] });
      const picks = one({ type: 'array', items: { enum: ['r', 'g', 'b'] } });
      assert.strictEqual(picks.f.kind, 'list');
      assert.strictEqual(picks.f.itemKind, 'enum');
      assert.deepStrictEqual(picks.read('r, b'), { value: ['r', 'b'] });
      assert.strictEqual(picks.v('r, y'), "Item 2 ('y') is not one of: r, g, b.");
      const bools = one({ type: 'array', items: { type: 'boolean' } });
      assert.deepStrictEqual(bools.read('true, false'), { value: [true, false] });
    });

    it('reads JSON for objects and complex shapes, and names the nested property at fault', () => {
      const o = one({
        type: 'object',
        properties: { prefix: { type: 'string' }, nested: { type: 'object', properties: { depth: { type: 'integer', maximum: 3 } }, required: ['depth'] } },
        required: ['prefix'],
        additionalProperties: false,
      });
      assert.deepStrictEqual(o.read('{"prefix":"p"}'), { value: { prefix: 'p' } });
      assert.match(o.v('{prefix')!, /^This is not valid JSON: /);
      assert.strictEqual(o.v(''), 'Enter JSON (JSON object with prefix*, nested (* required)).');
      assert.strictEqual(o.v('{}'), "'prefix' is required.");
      assert.strictEqual(o.v('{"prefix": 1}'), "'prefix' must be text.");
      assert.strictEqual(o.v('{"prefix": "p", "nested": {}}'), "'nested.depth' is required.");
      assert.strictEqual(o.v('{"prefix": "p", "nested": {"depth": 4}}'), "'nested.depth' must be at most 3.");
      assert.strictEqual(o.v('{"prefix": "p", "extra": 1}'), "'extra' is not an accepted property.");
      const list = one({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
      assert.strictEqual(list.v('[{"name": "a"}, {}]'), "Item 2: 'name' is required.");
      assert.strictEqual(list.v('[{"name": 5}]'), "Item 1: 'name' must be text.");
    });

    it('words oneOf/anyOf failures without listing every branch', () => {
      const u = one({ oneOf: [{ type: 'string' }, { type: 'integer' }] });
      // Typed, `true` would be the text "true" (a string is allowed): checked as the value true.
      assert.strictEqual(u.form.check(u.f, true), 'Must match one of the allowed forms.');
      assert.strictEqual(u.v('"s"'), undefined);
      const both = one({ oneOf: [{ type: 'number' }, { type: 'integer' }] });
      assert.strictEqual(both.v('3'), 'Must match exactly one of the allowed forms, but matches several.');
      assert.strictEqual(one({ not: { type: 'string' } }).v('"s"'), 'Must not match the excluded form.');
    });
  });

  describe('$ref, $defs and 2020-12 keywords', () => {
    it('follows $ref into $defs (and draft-07 definitions) for the kind and choices; the label is the property’s own', () => {
      const form = buildForm({
        type: 'object',
        $defs: { Color: { type: 'string', enum: ['red', 'blue'], title: 'Color' }, Point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
        definitions: { Size: { type: 'integer', minimum: 1 } },
        properties: {
          color: { $ref: '#/$defs/Color', description: 'Pen colour' },
          size: { $ref: '#/definitions/Size' },
          at: { $ref: '#/$defs/Point' },
          legacy: { allOf: [{ $ref: '#/$defs/Color' }], title: 'Old colour' },
        },
        required: ['color', 'size', 'at'],
      });
      const color = field(form, 'color');
      assert.strictEqual(color.kind, 'enum');
      // The $def's title names the type (pydantic's class name), not this property (forms16; it was 'Color').
      assert.strictEqual(color.label, 'color');
      assert.strictEqual(color.description, 'Pen colour');
      assert.strictEqual(form.check(color, 'green'), 'Must be one of: "red", "blue".');
      const size = field(form, 'size');
      assert.strictEqual(size.kind, 'integer');
      assert.strictEqual(form.validateField(size, '0'), 'Must be at least 1.');
      const at = field(form, 'at');
      assert.strictEqual(at.kind, 'json');
      assert.deepStrictEqual(JSON.parse(at.initialText!), { x: null });
      assert.strictEqual(form.validateField(at, '{"x": "1"}'), "'x' must be a number.");
      const legacy = field(form, 'legacy');
      assert.strictEqual(legacy.kind, 'enum');
      assert.strictEqual(legacy.label, 'Old colour');
      assert.strictEqual(form.validateArguments({ color: 'red', size: 2, at: { x: 1 } }), undefined);
      assert.strictEqual(form.validateArguments({ color: 'red', size: 0, at: {} }), "'size' must be at least 1. 'at.x' is required.");
    });

    it("reads Python's Optional[X] (anyOf with null) as X", () => {
      const { f, form } = one({ anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Limit' }, false);
      assert.strictEqual(f.kind, 'integer');
      assert.strictEqual(f.label, 'Limit');
      assert.strictEqual(f.initialText, undefined, 'a null default is not prefilled');
      assert.strictEqual(form.validateArguments({ x: null }), undefined);
      assert.strictEqual(form.validateArguments({ x: 'a' }), "'x' must match one of the allowed forms.");
    });

    it('validates prefixItems, unevaluatedProperties and dependentRequired as 2020-12 does', () => {
      const form = buildForm({
        type: 'object',
        properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false }, a: { type: 'string' }, b: { type: 'string' } },
        dependentRequired: { a: ['b'] },
        unevaluatedProperties: false,
      });
      const pair = field(form, 'pair');
      assert.strictEqual(pair.kind, 'json');
      assert.strictEqual(form.validateField(pair, '["x", 1]'), undefined);
      assert.strictEqual(form.validateField(pair, '["x", 1, 2]'), 'Must have at most 2 items.');
      assert.strictEqual(form.validateField(pair, '[1, 1]'), "Item 1 must be text.");
      assert.strictEqual(form.validateArguments({ a: 'x' }), "'b' is required when 'a' is given.");
      assert.strictEqual(form.validateArguments({ zzz: 1 }), "'zzz' is not an accepted property.");
      assert.strictEqual(form.validateArguments({ a: 'x', b: 'y', pair: ['p', 2] }), undefined);
    });

    it('accepts draft-07 schemas by reading them as 2020-12', () => {
      const form = buildForm({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'integer', maximum: 2 } }, required: ['n'] });
      assert.strictEqual(form.schemaProblem, undefined);
      assert.strictEqual(form.validateArguments({ n: 3 }), "'n' must be at most 2.");
    });
  });

  describe('the whole argument object', () => {
    it('reports every missing or wrong argument before anything is sent', () => {
      const form = buildForm(obj({ a: { type: 'number' }, b: { type: 'number' } }, { required: ['a', 'b'] }));
      assert.strictEqual(form.validateArguments({ a: 1, b: 2 }), undefined);
      assert.strictEqual(form.validateArguments({ a: 'one' }), "'a' must be a number. 'b' is required.");
    });

    it('falls back to one JSON field for schemas that are not a plain object of properties', () => {
      const form = buildForm({ oneOf: [obj({ url: { type: 'string' } }, { required: ['url'] }), obj({ path: { type: 'string' } }, { required: ['path'] })] });
      assert.strictEqual(form.wholeObject, true);
      assert.strictEqual(form.fields.length, 1);
      const f = form.fields[0]!;
      assert.strictEqual(f.kind, 'json');
      assert.strictEqual(f.label, 'Arguments');
      assert.strictEqual(form.validateField(f, '{"url": "u"}'), undefined);
      assert.strictEqual(form.validateField(f, '{"nope": 1}'), 'Must match one of the allowed forms.');
      const free = buildForm({ type: 'object', additionalProperties: { type: 'string' } });
      assert.strictEqual(free.wholeObject, true);
      assert.strictEqual(free.validateField(free.fields[0]!, '{"k": 1}'), "'k' must be text.");
    });

    it('reports a schema that does not compile, and leaves checking to the server', () => {
      const form = buildForm(obj({ s: { type: 'string', pattern: '(' } }));
      assert.match(form.schemaProblem ?? '', /^The tool's input schema is invalid \(/);
      assert.strictEqual(form.validateArguments({ s: 'x' }), undefined);
      assert.strictEqual(form.validateField(form.fields[0]!, 'x'), undefined);
    });

    it('handles property names that need escaping in JSON pointers', () => {
      const form = buildForm(obj({ 'a/b': { type: 'integer', maximum: 1 }, 'c~d': { type: 'string', minLength: 2 } }));
      assert.strictEqual(form.validateField(field(form, 'a/b'), '2'), 'Must be at most 1.');
      assert.strictEqual(form.validateField(field(form, 'c~d'), 'x'), 'Must be at least 2 characters long.');
      assert.strictEqual(form.validateArguments({ 'a/b': 5 }), "'a/b' must be at most 1.");
    });
  });

  describe('schemas as real servers publish them (zod 4, pydantic 2)', () => {
    it('zod 4: a format is said in words, without the 300-character pattern zod writes beside it, in the hint and in the error', () => {
      const schema = z.toJSONSchema(z.object({ when: z.string().datetime(), mail: z.string().email(), id: z.string().uuid(), code: z.string().regex(/^[A-Z]{3}$/) }), { io: 'input' });
      const form = buildForm(schema);
      const hint = (name: string) => field(form, name).hint;
      assert.deepStrictEqual([hint('when'), hint('mail'), hint('id'), hint('code')], ['a date and time, like 2025-01-31T09:30:00Z', 'an email address, like name@example.com', 'a UUID, like 123e4567-e89b-12d3-a456-426614174000', 'text, matching ^[A-Z]{3}$']);
      assert.strictEqual(form.validateField(field(form, 'when'), 'tomorrow'), 'Must be a date and time, like 2025-01-31T09:30:00Z.');
      // A date and time the format allows but zod's pattern does not (an offset): said in the format's words.
      assert.strictEqual(form.validateField(field(form, 'when'), '2025-01-31T09:30:00+02:00'), 'Must be a date and time in the form the server expects, like 2025-01-31T09:30:00Z.');
      assert.deepStrictEqual(form.problemsAt({ when: 'x', mail: 'x', id: 'x', code: 'x' }).map(p => p.message), ['Must be a date and time, like 2025-01-31T09:30:00Z.', 'Must be an email address, like name@example.com.', 'Must be a UUID, like 123e4567-e89b-12d3-a456-426614174000.', 'Must match the pattern ^[A-Z]{3}$.']);
      const long = one({ type: 'string', pattern: `^(${'a|'.repeat(40)}b)$` });
      assert.strictEqual(long.f.hint, 'text');
      assert.strictEqual(long.v('c'), 'Is not in the form the server expects.');
    });

    it('zod 4: text or a list of text (a path, or paths) takes plain text as text and a JSON list as a list', () => {
      const schema = z.toJSONSchema(z.object({ p: z.union([z.string(), z.array(z.string())]), q: z.union([z.string().min(2), z.object({ a: z.string() })]).optional() }), { io: 'input' });
      const form = buildForm(schema);
      const [p, q] = [field(form, 'p'), field(form, 'q')];
      assert.deepStrictEqual([p.kind, p.hint, q.hint], ['json', 'text, or JSON: list of text', 'text, or JSON: {a*: text}']);
      assert.deepStrictEqual(form.read(p, 'src/index.ts'), { value: 'src/index.ts' }, 'was "This is not valid JSON"');
      assert.deepStrictEqual(form.read(p, '["a", "b"]'), { value: ['a', 'b'] });
      assert.match(String(form.validateField(p, '["a",')), /^This is not valid JSON/, 'a list begun is read as JSON');
      assert.strictEqual(form.validateField(q, 'x'), 'Must match one of the allowed forms.', 'still checked by the schema');
      assert.deepStrictEqual(form.read(q, ''), { skip: true });
      const spec = describeSchema(schema) as Extract<SpecNode, { kind: 'object' }>;
      assert.deepStrictEqual((spec.properties[0]!.node as Extract<SpecNode, { kind: 'choice' }>).branches.map(b => b.label), ['text', 'a list']);
    });

    it('pydantic 2: deprecated, examples, readOnly, a map, a list of lists, a discriminated union, unions of simple types', () => {
      // Args.model_json_schema() of pydantic 2.13 (the model: notes/forms15.md), plus a computed (readOnly) id.
      const schema = {"$defs": {"Circle": {"properties": {"kind": {"const": "circle", "title": "Kind", "type": "string"}, "r": {"title": "R", "type": "number"}}, "required": ["kind", "r"], "title": "Circle", "type": "object"}, "Color": {"enum": ["red", "green"], "title": "Color", "type": "string"}, "Item": {"properties": {"name": {"title": "Name", "type": "string"}, "qty": {"default": 1, "title": "Qty", "type": "integer"}}, "required": ["name"], "title": "Item", "type": "object"}, "Node": {"properties": {"value": {"title": "Value", "type": "string"}, "children": {"default": [], "items": {"$ref": "#/$defs/Node"}, "title": "Children", "type": "array"}}, "required": ["value"], "title": "Node", "type": "object"}, "Square": {"properties": {"kind": {"const": "square", "title": "Kind", "type": "string"}, "side": {"title": "Side", "type": "number"}}, "required": ["kind", "side"], "title": "Square", "type": "object"}}, "properties": {"repo_path": {"description": "Path to the repository", "title": "Repo Path", "type": "string"}, "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Limit"}, "color": {"$ref": "#/$defs/Color", "default": "red"}, "items": {"default": [], "items": {"$ref": "#/$defs/Item"}, "title": "Items", "type": "array"}, "labels": {"additionalProperties": {"type": "string"}, "default": {}, "title": "Labels", "type": "object"}, "when": {"anyOf": [{"format": "date-time", "type": "string"}, {"type": "null"}], "default": null, "title": "When"}, "id_or_name": {"anyOf": [{"type": "integer"}, {"type": "string"}], "title": "Id Or Name"}, "old": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "deprecated": true, "title": "Old"}, "query": {"default": "", "examples": ["hello world"], "title": "Query", "type": "string"}, "shape": {"discriminator": {"mapping": {"circle": "#/$defs/Circle", "square": "#/$defs/Square"}, "propertyName": "kind"}, "oneOf": [{"$ref": "#/$defs/Circle"}, {"$ref": "#/$defs/Square"}], "title": "Shape"}, "tree": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "default": null}, "matrix": {"default": [], "items": {"items": {"type": "number"}, "type": "array"}, "title": "Matrix", "type": "array"}}, "required": ["repo_path", "id_or_name", "shape"], "title": "Args", "type": "object"};
      (schema.properties as Record<string, unknown>).id = { readOnly: true, title: 'Id', type: 'string' };
      const form = buildForm(schema);
      assert.strictEqual(form.schemaProblem, undefined);
      const rows = Object.fromEntries(form.fields.map(f => [f.name, `${f.kind} | ${f.hint}`]));
      assert.deepStrictEqual(rows, {
        repo_path: 'string | text',
        id_or_name: 'either | a whole number, or text',
        shape: 'json | JSON: one of {kind*: "circle", r*: number} or {kind*: "square", side*: number} (* required)',
        limit: 'integer | a whole number',
        color: 'enum | one of red, green',
        items: 'json | JSON list of objects, each {name*: text, qty: whole number} (* required)',
        labels: 'json | JSON object of named values (each text), like {"name": "…"}',
        when: 'string | a date and time, like 2025-01-31T09:30:00Z',
        old: 'string | text, deprecated',
        query: 'string | text, e.g. hello world',
        tree: 'json | JSON object with value*, children (* required)',
        matrix: 'json | JSON list of lists',
      }, 'the readOnly id is not asked for');
      assert.strictEqual(form.validateArguments({ repo_path: '.', id_or_name: 7, shape: { kind: 'circle', r: 1 }, id: 'x' }), undefined, 'still accepted when sent (JSON)');
      // A property titled only through its `$ref` (`tree: Optional[Node]`, `color: Color`) is labelled by its name, not its type's.
      const labels = (spec: SpecNode) => Object.fromEntries((spec as Extract<SpecNode, { kind: 'object' }>).properties.map(p => [p.name, p.node.label]));
      for (const [where, label] of [['quick input', Object.fromEntries(form.fields.map(f => [f.name, f.label]))], ['editor', labels(describeSchema(schema))]] as const) {
        assert.deepStrictEqual([label.tree, label.color, label.repo_path, label.shape], ['tree', 'color', 'Repo Path', 'Shape'], `${where}: was Node, Color`);
      }
      const tree = (describeSchema(schema) as Extract<SpecNode, { kind: 'object' }>).properties.find(p => p.name === 'tree')!.node;
      assert.deepStrictEqual((tree as Extract<SpecNode, { kind: 'object' }>).properties.map(p => p.node.label), ['Value', 'Children'], 'a property with its own title keeps it');
    });
  });

  describe('the tools of server-everything, as it lists them', () => {
    let tools: Tool[] = [];
    before(async function () {
      this.timeout(20_000);
      const client = new Client({ name: 'forms-test', version: '0' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [everythingServer], stderr: 'ignore' }));
      tools = (await client.listTools()).tools;
      await client.close();
    });
    const formOf = (name: string) => {
      const tool = tools.find(t => t.name === name);
      assert.ok(tool, `server-everything has no tool ${name}`);
      return buildForm(tool.inputSchema);
    };

    it('builds a form for every tool without a schema problem', () => {
      assert.ok(tools.length >= 10);
      for (const t of tools) assert.strictEqual(buildForm(t.inputSchema).schemaProblem, undefined, t.name);
    });

    it('asks echo for its message, get-sum for two numbers, get-tiny-image for nothing', () => {
      assert.deepStrictEqual(formOf('echo').fields.map(f => [f.name, f.kind, f.required]), [['message', 'string', true]]);
      const sum = formOf('get-sum');
      assert.deepStrictEqual(sum.fields.map(f => [f.name, f.kind, f.required, f.description]), [
        ['a', 'number', true, 'First number'],
        ['b', 'number', true, 'Second number'],
      ]);
      assert.strictEqual(sum.validateField(sum.fields[0]!, 'two'), 'Enter a number, like 42 or -3.5.');
      assert.strictEqual(sum.validateArguments({ a: 1 }), "'b' is required.");
      assert.deepStrictEqual(formOf('get-tiny-image').fields, []);
    });

    it('offers enums and booleans as choices, with defaults, and ranges as hints', () => {
      const annotated = formOf('get-annotated-message');
      assert.deepStrictEqual(annotated.fields.map(f => [f.name, f.kind, f.required]), [
        ['messageType', 'enum', true],
        ['includeImage', 'boolean', false],
      ]);
      assert.deepStrictEqual(annotated.fields[0]!.options!.map(o => o.value), ['error', 'success', 'debug']);
      assert.strictEqual(annotated.fields[1]!.default, false);
      const links = formOf('get-resource-links');
      assert.strictEqual(links.fields[0]!.hint, 'a number, from 1 to 10');
      assert.strictEqual(links.fields[0]!.initialText, '3');
      assert.strictEqual(links.validateField(links.fields[0]!, '11'), 'Must be at most 10.');
      assert.strictEqual(formOf('gzip-file-as-resource').fields.find(f => f.name === 'data')!.hint, 'an absolute URI, like https://example.com/page');
    });
  });
});
