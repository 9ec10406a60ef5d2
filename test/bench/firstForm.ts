/**
 * `node out/test/bench/firstForm.js <shape>`: in a fresh process (as a new window's extension host is), builds the
 * argument form of one tool schema and checks a first field and the whole arguments, printing the milliseconds as
 * JSON. What the first tool call of a window costs before the user sees the form; `npm run bench` runs it per shape.
 */
import { buildForm } from '../../src/forms/schemaForm';

const SHAPES: Record<string, () => object> = {
  // A typical tool: a few fields, one pattern.
  small: () => ({ type: 'object', properties: { path: { type: 'string', pattern: '^[^\\0]+$' }, depth: { type: 'integer', minimum: 0 } }, required: ['path'] }),
  // What a hostile (or careless) server can send: each took Ajv seconds to compile.
  '3,000 properties': () => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, { type: 'string', maxLength: 100, description: `Field ${i}` }])) }),
  '300 levels': () => {
    let s: object = { type: 'string' };
    for (let i = 0; i < 300; i++) s = { type: 'object', properties: { x: s } };
    return s;
  },
  '500 patterns': () => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`r${i}`, { type: 'string', pattern: `^(a|b|c${i})+[0-9]{2,${i + 3}}$` }])) }),
};

const shape = process.argv[2] ?? '';
const make = SHAPES[shape];
if (!make) {
  console.error(`shapes: ${Object.keys(SHAPES).join(' | ')}`);
  process.exit(2);
}
const schema = make();
const start = performance.now();
const form = buildForm(schema);
void form.schemaProblem;
if (form.fields[0]) form.validateField(form.fields[0], 'x');
form.validateArguments({});
console.log(JSON.stringify({ ms: performance.now() - start, shapes: Object.keys(SHAPES) }));
