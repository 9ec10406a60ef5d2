import * as assert from 'assert';
import { z } from 'zod';
import { randomBytes } from 'crypto';
import type { Tool } from '@modelcontextprotocol/client';
import { buildForm } from '../../../src/forms/schemaForm';
import { describeSchema, isComplex, MAX_MESSAGE_CHARS, prefersEditor, promptArgumentsSchema, promptPrefersEditor, readPageMessage, type SpecNode } from '../../../src/forms/formEditor';
import { formPageHtml, newNonce } from '../../../src/ui/forms/formPage';
import { everythingServer, fixtureServer, memoryServer, sequentialThinkingServer, toolsOf } from '../servers';


const prop = (spec: SpecNode, name: string): SpecNode => {
  assert.strictEqual(spec.kind, 'object');
  const p = (spec as Extract<SpecNode, { kind: 'object' }>).properties.find(x => x.name === name);
  assert.ok(p, `no property ${name}`);
  return p.node;
};

describe('the form editor model', () => {
  let memory: Tool[];
  let thinking: Tool[];
  let everything: Tool[];
  let order: Tool;
  before(async function () {
    this.timeout(60_000);
    [memory, thinking, everything, [order]] = (await Promise.all([toolsOf(memoryServer, { MEMORY_FILE_PATH: '/dev/null' }), toolsOf(sequentialThinkingServer), toolsOf(everythingServer), toolsOf(fixtureServer('forms'))])) as [Tool[], Tool[], Tool[], Tool[]];
  });

  it('lays out server-memory’s create_entities as a list of objects with each item’s fields', () => {
    const create = memory.find(t => t.name === 'create_entities')!;
    const entities = prop(describeSchema(create.inputSchema), 'entities');
    assert.strictEqual(entities.kind, 'array');
    const item = (entities as Extract<SpecNode, { kind: 'array' }>).items;
    assert.deepStrictEqual(item.kind === 'object' && item.properties.map(p => [p.name, p.required, p.node.kind]), [
      ['name', true, 'string'],
      ['entityType', true, 'string'],
      ['observations', true, 'array'],
    ]);
  });

  it('offers a list of simple types as a choice of type, each with its own control (sequential thinking’s nextThoughtNeeded; walk14 A)', () => {
    const tool = thinking.find(t => t.name === 'sequentialthinking')!;
    const spec = describeSchema(tool.inputSchema);
    for (const name of ['nextThoughtNeeded', 'isRevision', 'needsMoreThoughts']) {
      const node = prop(spec, name);
      assert.strictEqual(node.kind, 'choice', `${name} was a JSON text box`);
      const choice = node as Extract<SpecNode, { kind: 'choice' }>;
      assert.strictEqual(choice.of, 'type');
      assert.deepStrictEqual(choice.branches.map(b => [b.kind, b.label]), [['boolean', 'true or false'], ['string', 'text']]);
      assert.strictEqual(choice.hint, 'true or false, or text');
    }
    // Each type keeps the keywords that apply to it (null is what an optional field left out means); a list with a complex member stays JSON.
    const count = describeSchema({ type: 'object', properties: { n: { type: ['integer', 'string', 'null'], minimum: 1, maxLength: 3 }, j: { type: ['object', 'string'] } } });
    const n = prop(count, 'n') as Extract<SpecNode, { kind: 'choice' }>;
    assert.deepStrictEqual(n.branches.map(b => [b.kind, b.hint]), [['integer', 'a whole number, at least 1'], ['string', 'text, at most 3 characters']]);
    assert.strictEqual(prop(count, 'j').kind, 'json');
    // One field, not a nested form: a small tool with one stays in the quick input.
    const small = { type: 'object', properties: { a: { type: ['boolean', 'string'] }, b: { type: 'string' } } };
    assert.strictEqual(isComplex(small, buildForm(small)), false);
  });

  it('names a discriminated union’s forms by their tag (zod 4), a union of simple types by its types; drops a readOnly field; shows deprecated and an example', () => {
    const schema = z.toJSONSchema(
      z.object({
        shape: z.discriminatedUnion('kind', [z.object({ kind: z.literal('circle'), r: z.number() }), z.object({ kind: z.literal('square'), side: z.number() })]),
        id: z.union([z.number(), z.string()]),
        pair: z.union([z.string().min(2), z.string().max(1)]),
        old: z.string().optional().meta({ deprecated: true, examples: ['hi'] }),
        made: z.string().optional().meta({ readOnly: true }),
      }),
      { io: 'input' },
    );
    const spec = describeSchema(schema);
    const shape = prop(spec, 'shape') as Extract<SpecNode, { kind: 'choice' }>;
    assert.deepStrictEqual(shape.branches.map(b => b.label), ['circle', 'square'], 'was Option 1, Option 2');
    assert.strictEqual(shape.hint, 'one of 2 forms: circle, square', 'was "one of 2 forms"');
    const tag = (shape.branches[0] as Extract<SpecNode, { kind: 'object' }>).properties.find(p => p.name === 'kind')!;
    assert.deepStrictEqual([tag.required, tag.node.kind, (tag.node as Extract<SpecNode, { kind: 'enum' }>).options.length], [true, 'enum', 1], 'the page fills a required one-value tag itself');
    const id = prop(spec, 'id') as Extract<SpecNode, { kind: 'choice' }>;
    assert.deepStrictEqual([id.of, id.branches.map(b => b.label)], ['type', ['a number', 'text']]);
    const pair = prop(spec, 'pair') as Extract<SpecNode, { kind: 'choice' }>;
    assert.deepStrictEqual(pair.branches.map(b => b.label), ['Option 1', 'Option 2'], 'two forms of one type are not told apart by it');
    const old = prop(spec, 'old');
    assert.deepStrictEqual([old.hint, old.exampleText], ['text, deprecated', 'hi']);
    assert.ok(!(spec as Extract<SpecNode, { kind: 'object' }>).properties.some(p => p.name === 'made'), 'an optional readOnly field is not asked for');
  });

  it('lays out a map (additionalProperties) as name/value rows of its values’ kind, and dates as the browser’s pickers', () => {
    // pydantic's dict[str, str], zod 4's record (propertyNames beside it), a map of objects; formats with a picker.
    const spec = describeSchema({
      type: 'object',
      properties: {
        labels: { additionalProperties: { type: 'string' }, default: {}, title: 'Labels', type: 'object' },
        counts: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'integer', minimum: 0 } },
        people: { type: 'object', additionalProperties: { type: 'object', properties: { age: { type: 'integer' } } } },
        open: { type: 'object', additionalProperties: true },
        any: { type: 'object', additionalProperties: { description: 'anything' } },
        mixed: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
        day: { type: 'string', format: 'date' },
        at: { type: 'string', format: 'time' },
        when: { type: 'string', format: 'date-time' },
      },
    });
    const labels = prop(spec, 'labels') as Extract<SpecNode, { kind: 'map' }>;
    assert.deepStrictEqual([labels.kind, labels.values.kind, labels.hint], ['map', 'string', 'names and values, each text'], 'was a JSON box');
    const counts = prop(spec, 'counts') as Extract<SpecNode, { kind: 'map' }>;
    assert.deepStrictEqual([counts.kind, counts.values.kind, counts.hint], ['map', 'integer', 'names and values, each a whole number, at least 0']);
    const people = prop(spec, 'people') as Extract<SpecNode, { kind: 'map' }>;
    assert.deepStrictEqual([people.kind, people.values.kind, people.hint], ['map', 'object', 'names and values, each an object']);
    assert.deepStrictEqual([prop(spec, 'open').kind, prop(spec, 'any').kind], ['json', 'json'], 'any value at all: JSON');
    assert.strictEqual(prop(spec, 'mixed').kind, 'object', 'named properties are fields, as before');
    assert.deepStrictEqual(['day', 'at', 'when'].map(k => (prop(spec, k) as Extract<SpecNode, { kind: 'string' | 'number' | 'integer' }>).inputType), ['date', 'time', 'datetime-local'], 'a date and time was a text box');
    assert.deepStrictEqual(['day', 'at', 'when'].map(k => prop(spec, k).hint), ['a date', 'a time', 'a date and time'], 'no "like 2025-01-31" beside a picker that shows 01/31/2025');
    // A map does not make a tool "complex" (it was JSON in the quick input, and still is there).
    const flat = { type: 'object', properties: { q: { type: 'string' }, headers: { type: 'object', additionalProperties: { type: 'string' } } } };
    assert.strictEqual(isComplex(flat, buildForm(flat)), false);
  });

  it('follows $ref and offers a oneOf as a choice of shapes (fixture place_order)', () => {
    const spec = describeSchema(order!.inputSchema);
    const delivery = prop(spec, 'delivery');
    assert.strictEqual(delivery.kind, 'choice');
    const [ship, pickup] = (delivery as Extract<SpecNode, { kind: 'choice' }>).branches;
    assert.deepStrictEqual([ship!.label, pickup!.label], ['Ship to an address', 'Pick up in a store']);
    assert.strictEqual(delivery.hint, 'one of 2 forms: Ship to an address, Pick up in a store');
    assert.deepStrictEqual(prop(prop(ship!, 'address'), 'street').kind, 'string');
    assert.deepStrictEqual(prop(pickup!, 'store').kind, 'enum');
    const line = (prop(spec, 'lines') as Extract<SpecNode, { kind: 'array' }>).items;
    assert.strictEqual(prop(line, 'quantity').defaultText, '1', 'a default is shown, not filled in');
    assert.match(prop(line, 'sku').hint, /matching \^\[A-Z\]\{3\}-\\d\+\$/);
  });

  it('explains invalid values at the pointer of the field they are about', () => {
    const form = buildForm(order!.inputSchema);
    const byPointer = (a: { pointer: string }, b: { pointer: string }) => a.pointer.localeCompare(b.pointer);
    assert.deepStrictEqual(form.problemsAt({ delivery: { store: 'east' }, lines: [{ sku: 'abc' }, {}] }).slice().sort(byPointer), [
      // A value matching neither shape is explained at the choice; each branch's own complaints would be noise.
      { pointer: '/delivery', message: 'Must match one of the allowed forms.' },
      { pointer: '/lines/0/sku', message: 'Must match the pattern ^[A-Z]{3}-\\d+$.' },
      { pointer: '/lines/1/sku', message: 'Is required.' },
    ]);
    assert.deepStrictEqual(form.problemsAt({ delivery: { store: 'north' }, lines: [{ sku: 'ABC-1' }] }), []);
    assert.deepStrictEqual(form.problemsAt({ delivery: { store: 'north' } }), [{ pointer: '/lines', message: 'Is required.' }]);
  });

  it('uses the editor for complex tools and the quick input for simple ones (complexOnly)', () => {
    const use = (t: Tool, p: 'always' | 'complexOnly' | 'never' = 'complexOnly') => prefersEditor(p, t.inputSchema, buildForm(t.inputSchema));
    assert.strictEqual(use(memory.find(t => t.name === 'create_entities')!), true, 'a list of objects');
    assert.strictEqual(use(order!), true, 'a oneOf of shapes');
    assert.strictEqual(use(thinking[0]!), true, `${buildForm(thinking[0]!.inputSchema).fields.length} fields`);
    assert.strictEqual(use(everything.find(t => t.name === 'echo')!), false);
    assert.strictEqual(use(memory.find(t => t.name === 'search_nodes')!), false);
    assert.strictEqual(use(everything.find(t => t.name === 'echo')!, 'always'), true);
    assert.strictEqual(use(order!, 'never'), false);
    assert.strictEqual(use(memory.find(t => t.name === 'read_graph')!, 'always'), false, 'nothing to ask');
  });

  it('decides "complex" from the kinds the tree would give its top two levels, without making the tree (no field\'s choices are read)', () => {
    // The reference: the editor's whole tree, as the decision was made before.
    const fromTree = (schema: unknown, fields: number, wholeObject: boolean): boolean => {
      if (fields > 5 || wholeObject) return true;
      const spec = describeSchema(schema);
      if (spec.kind !== 'object') return spec.kind !== 'json' || fields > 0;
      // A choice of simple types (["string", "number"]) is one field, not a nested form.
      const nested = (n: SpecNode) => n.kind === 'object' || (n.kind === 'choice' && n.of !== 'type');
      return spec.properties.some(p => nested(p.node) || (p.node.kind === 'array' && nested(p.node.items)));
    };
    const schemas: unknown[] = [
      ...[...memory, ...everything, ...thinking, order!].map(t => t.inputSchema),
      { type: 'object', properties: { mode: { enum: [] }, tag: { const: 'x' }, pick: { anyOf: [{ const: 1 }, { const: 2, title: 'two' }] } } },
      { type: 'object', properties: { list: { type: 'array', items: { oneOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'number' } } }] } } } },
      { type: 'object', properties: { list: { type: 'array', items: { enum: ['a', 'b'] } }, nested: { $ref: '#/$defs/n' } }, $defs: { n: { type: 'object', properties: { x: { type: 'string' } } } } },
      { type: 'object', properties: { any: {}, two: { type: ['string', 'number'] }, tuple: { type: 'array', prefixItems: [{ type: 'string' }] } } },
    ];
    for (const schema of schemas) {
      const form = buildForm(schema);
      assert.strictEqual(isComplex(schema, form), fromTree(schema, form.fields.length, form.wholeObject), JSON.stringify(schema).slice(0, 200));
    }
    // One field of 100,000 choices: their number is enough here; the labels are made once, by the editor, in slices.
    let iterated = 0;
    const values = new Proxy(Array.from({ length: 100_000 }, (_, i) => `v${i}`), {
      get: (target, key, receiver) => {
        if (key === Symbol.iterator || key === 'entries' || key === 'map' || key === 'forEach') iterated++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const huge = { type: 'object', properties: { choice: { type: 'string', enum: values }, note: { type: 'string' } } };
    assert.strictEqual(isComplex(huge, { fields: [{}, {}], wholeObject: false } as unknown as ReturnType<typeof buildForm>), false);
    assert.strictEqual(iterated, 0, 'the choices were read');
  });

  it('takes prompts with arguments to the editor when the setting says always, or many arguments without completions', () => {
    assert.strictEqual(promptPrefersEditor('always', 2, true), true);
    assert.strictEqual(promptPrefersEditor('always', 0, false), false, 'nothing to ask');
    assert.strictEqual(promptPrefersEditor('complexOnly', 2, false), false, 'a handful stays in the quick input');
    assert.strictEqual(promptPrefersEditor('complexOnly', 6, false), true);
    assert.strictEqual(promptPrefersEditor('complexOnly', 6, true), false, 'completions are offered only by the quick input');
    assert.strictEqual(promptPrefersEditor('never', 6, false), false);
    const schema = promptArgumentsSchema([{ name: 'city', description: 'Name of the city', required: true }, { name: 'state' }]);
    assert.deepStrictEqual(schema, { type: 'object', properties: { city: { type: 'string', description: 'Name of the city' }, state: { type: 'string' } }, required: ['city'] });
    const form = buildForm(schema);
    assert.deepStrictEqual(form.problemsAt({ state: 'WA' }), [{ pointer: '/city', message: 'Is required.' }]);
  });

  it('accepts from the page only check, submit, save and cancel, with plain object values', () => {
    assert.deepStrictEqual(readPageMessage({ type: 'cancel' }), { type: 'cancel' });
    assert.deepStrictEqual(readPageMessage({ type: 'check', value: { a: 1 }, seq: 7 }), { type: 'check', value: { a: 1 }, seq: 7 }, 'a numbered check: its answer says which');
    assert.deepStrictEqual(readPageMessage({ type: 'save', value: { a: 1 } }), { type: 'save', value: { a: 1 } });
    assert.deepStrictEqual(readPageMessage({ type: 'submit', value: { a: [1, { b: 'c' }] } }), { type: 'submit', value: { a: [1, { b: 'c' }] } });
    for (const bad of [
      null,
      'submit',
      { type: 'run', value: {} },
      { type: 'submit' },
      { type: 'submit', value: [] },
      { type: 'submit', value: 'x' },
      { type: 'submit', value: {}, command: 'workbench.action.terminal.new' },
      { type: 'cancel', value: {} },
      { type: 'save', value: {}, name: 'x' },
      { type: 'saved', status: 'Saved' },
      { type: 'check', value: {}, seq: -1 },
      { type: 'check', value: {}, seq: 1.5 },
      { type: 'check', value: {}, seq: '1' },
      { type: 'cancel', seq: 1 },
      { type: 'check', value: { big: 'x'.repeat(MAX_MESSAGE_CHARS) } },
    ]) {
      assert.strictEqual(readPageMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });

  it('builds a page that runs only our script, with a fresh nonce, loads nothing remote, and escapes the form data', () => {
    const nonce = newNonce(randomBytes);
    assert.notStrictEqual(nonce, newNonce(randomBytes));
    const html = formPageHtml({ cspSource: 'vscode-webview://x', nonce, scriptUri: 'vscode-webview://x/formEditor.js', styleUri: 'vscode-webview://x/formEditor.css', init: { title: '"><script>alert(1)</script>' } });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replaceAll('&#39;', "'"); // as the browser reads the attribute
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/=]/g, c => `\\${c}`)}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.deepStrictEqual([...html.matchAll(/<script\b[^>]*>/g)].map(m => m[0]), [`<script nonce="${nonce}" src="vscode-webview://x/formEditor.js">`]);
    assert.ok(!html.includes('<script>alert'), 'form data broke out of its attribute');
    assert.match(html, /data-init="\{&quot;title&quot;:&quot;\\&quot;&gt;&lt;script&gt;/);
  });
});
