import { isIPv4, isIPv6 } from 'node:net';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { SchemaTooComplexError, WorkerSchemas, compileIsolated, compiledOrError, lru } from '../mcp/schemaValidator';
import { validationWorker } from '../mcp/validationClient';
import { atOnce, inSlices, type Pause, type Sliced } from './slices';

/**
 * A tool's `inputSchema` (or an elicitation's `requestedSchema`) as a form: one field per top-level property (required ones first), each with
 * a kind the UI knows how to ask for, a hint in the user's words, and validation that explains problems
 * the way a person would. JSON Schema 2020-12 with Ajv's 2020 dialect, like the output check in
 * `SchemaValidator` and with its protections (linear-time patterns, one Ajv per schema); this module
 * keeps its own options because it needs the raw errors to word them, and checks common `format`s (a date
 * typed as "tomorrow" is caught here, not by the server).
 */

type SchemaObject = { readonly [key: string]: unknown };

/**
 * How a field is asked for: typed text, a pick, a comma-separated list, JSON for anything richer, or `either` for a
 * list of simple types (`["boolean", "string"]`): true/false picked, or a number or text typed, read as what it looks like.
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'either' | 'json';
export type ItemKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum';
export type SimpleType = 'string' | 'number' | 'integer' | 'boolean';

export interface FieldOption {
  readonly label: string;
  readonly description?: string;
  readonly value: unknown;
}

export interface FormField {
  /** The property name; '' for the whole-arguments field of a schema that cannot be split into fields. */
  readonly name: string;
  /** The schema's `title`, else the property name. */
  readonly label: string;
  readonly description?: string;
  readonly required: boolean;
  readonly kind: FieldKind;
  /** For `enum` and `boolean` fields, and `list` fields whose items are an enum. */
  readonly options?: readonly FieldOption[];
  /** For `list` fields. */
  readonly itemKind?: ItemKind;
  /** For `either` fields: the types a value may have, in the schema's order. */
  readonly types?: readonly SimpleType[];
  /**
   * For `json` fields whose schema also takes plain text (zod's `z.union([z.string(), z.array(z.string())])`): only
   * what starts with `[` or `{` is read as JSON, anything else is the text as typed.
   */
  readonly textToo?: true;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  /** What the input starts with: the default as this field's text, or a JSON skeleton. */
  readonly initialText?: string;
  /** What to enter, in the user's words: type, format, range, length, pattern. */
  readonly hint: string;
}

/** The outcome of reading what the user typed into one field. */
export type FieldAnswer = { readonly value: unknown } | { readonly skip: true } | { readonly error: string };

/**
 * A tool's (or an elicitation's) form. The checks come twice: on this thread (`check`, `validateField`,
 * `validateArguments`, `problemsAt`, `schemaProblem`: compiling the schema here blocks the extension host for the
 * first one, so the product uses them only in tests, as the reference the worker's answers are compared with),
 * and in the validation worker (the `…Async` ones: what every surface uses).
 */
export interface ArgumentForm {
  readonly fields: readonly FormField[];
  /** True when the schema could not be split into fields: the single field's value is the whole argument object. */
  readonly wholeObject: boolean;
  /** Set when the schema itself does not compile; arguments are then only checked field by field. */
  readonly schemaProblem: string | undefined;
  /** Reads a field's text: its value, a skip (empty optional field), or what is wrong with it. */
  read(field: FormField, text: string): FieldAnswer;
  /** Checks a value (typed or picked) against the field's schema. */
  check(field: FormField, value: unknown): string | undefined;
  /** `read` then `check`: undefined when the text is acceptable. For `validateInput`. */
  validateField(field: FormField, text: string): string | undefined;
  /** Checks the whole argument object against the schema; undefined when it may be sent. */
  validateArguments(args: unknown): string | undefined;
  /** The same check, each problem at the JSON pointer of the value it is about (a missing property: where it would go). */
  problemsAt(args: unknown): readonly FieldProblem[];
  /**
   * The same checks in the validation worker, off the extension host's thread (on it where there is no
   * worker): what every surface a user types into uses, so the first compile of a window does not block.
   */
  schemaProblemAsync(): Promise<string | undefined>;
  checkAsync(field: FormField, value: unknown): Promise<string | undefined>;
  validateFieldAsync(field: FormField, text: string): Promise<string | undefined>;
  validateArgumentsAsync(args: unknown): Promise<string | undefined>;
  problemsAtAsync(args: unknown): Promise<readonly FieldProblem[]>;
}

/** A problem with one value of a form: `pointer` is its JSON pointer (`/entities/0/name`), `message` a sentence. */
export interface FieldProblem {
  readonly pointer: string;
  readonly message: string;
}

const MAX_MESSAGES = 5;
/**
 * A longer pattern is no help to read: zod 4 writes a 300-character one beside every `format` it knows (`.email()`,
 * `.datetime()`, `.uuid()`), which the hint and the error showed in full. The format's words say it; else "the form the server expects".
 */
const MAX_PATTERN_SHOWN = 60;
const MAX_LISTED = 10;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface FormatInfo {
  readonly noun: string;
  readonly example: string;
  readonly check: (s: string) => boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
const validDate = (s: string): boolean => {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1]!;
};
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}\\.?$)${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);

/** The formats checked before sending; any other `format` is only an annotation, as JSON Schema says. */
export const FORMATS: Readonly<Record<string, FormatInfo>> = {
  date: { noun: 'a date', example: '2025-01-31', check: validDate },
  time: { noun: 'a time', example: '09:30:00', check: s => TIME.test(s) },
  'date-time': {
    noun: 'a date and time',
    example: '2025-01-31T09:30:00Z',
    check: s => {
      const m = /^(\d{4}-\d{2}-\d{2})[Tt](.+)$/.exec(s);
      return !!m && validDate(m[1]!) && TIME.test(m[2]!) && /([Zz]|[+-]\d{2}:\d{2})$/.test(m[2]!);
    },
  },
  duration: { noun: 'an ISO 8601 duration', example: 'PT1H30M', check: s => /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(s) },
  email: { noun: 'an email address', example: 'name@example.com', check: s => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) },
  hostname: { noun: 'a host name', example: 'example.com', check: s => HOSTNAME.test(s) },
  ipv4: { noun: 'an IPv4 address', example: '192.168.0.1', check: s => isIPv4(s) },
  ipv6: { noun: 'an IPv6 address', example: '2001:db8::1', check: s => isIPv6(s) },
  uri: { noun: 'an absolute URI', example: 'https://example.com/page', check: s => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(s) },
  'uri-reference': { noun: 'a URI or relative reference', example: '/docs/page', check: s => !/\s/.test(s) },
  uuid: { noun: 'a UUID', example: '123e4567-e89b-12d3-a456-426614174000', check: s => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) },
  regex: {
    noun: 'a regular expression',
    example: '^[a-z]+$',
    check: s => {
      try {
        new RegExp(s, 'u');
        return true;
      } catch {
        return false;
      }
    },
  },
};

/** Ajv options for a form's schema (the validation worker compiles with them too). */
export const FORM_AJV_OPTIONS: Options = {
  // verbose: errors carry the failing keyword's schema, to word `anyOf` enums as a list of choices.
  verbose: true,
  logger: false,
  formats: Object.fromEntries(Object.entries(FORMATS).map(([name, info]) => [name, { type: 'string', validate: info.check }])),
};

/** Draft-07 `$schema` ids would make Ajv2020 refuse the schema; MCP says such schemas are read as 2020-12 where compatible. */
export function asObjectSchema(schema: unknown): SchemaObject {
  if (!isObject(schema)) return { type: 'object' };
  const { $schema, ...rest } = schema;
  return typeof $schema === 'string' && !$schema.includes('2020-12') ? rest : schema;
}

export function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `$ref` (`#/$defs/Name`, `#/definitions/Name`, any JSON pointer) in `root`. */
function lookup(root: SchemaObject, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * The schema a field is shown from: local `$ref`s followed (the referring schema's own keywords win),
 * a lone `allOf` branch merged in, and `anyOf`/`oneOf` with one non-null branch (Python's `Optional[X]`)
 * read as that branch. Only for choosing how to ask; validation always uses the schema as written.
 */
export function displaySchema(schema: unknown, root: SchemaObject, depth = 0): SchemaObject {
  if (!isObject(schema) || depth > 20) return isObject(schema) ? schema : {};
  const { $ref, allOf, anyOf, oneOf, ...rest } = schema;
  if (typeof $ref === 'string') {
    const target = lookup(root, $ref);
    if (target === undefined || target === root) return schema;
    return displaySchema({ ...displaySchema(target, root, depth + 1), ...rest, ...(allOf ? { allOf } : {}), ...(anyOf ? { anyOf } : {}), ...(oneOf ? { oneOf } : {}) }, root, depth + 1);
  }
  if (Array.isArray(allOf) && allOf.length === 1) {
    return displaySchema({ ...displaySchema(allOf[0], root, depth + 1), ...rest, ...(anyOf ? { anyOf } : {}), ...(oneOf ? { oneOf } : {}) }, root, depth + 1);
  }
  const union = anyOf ?? oneOf;
  if (Array.isArray(union) && !allOf) {
    const branches = union.map(b => displaySchema(b, root, depth + 1));
    const nonNull = branches.filter(b => !(b.type === 'null' || (b.const === null && Object.keys(b).length === 1)));
    if (nonNull.length === 1 && branches.length === 2) return displaySchema({ ...nonNull[0], ...rest }, root, depth + 1);
    if (nonNull.length > 0 && nonNull.every(b => 'const' in b)) return { ...rest, [anyOf ? 'anyOf' : 'oneOf']: nonNull };
    const merged = typeListOf(nonNull);
    if (merged) return { ...rest, ...merged };
  }
  return schema;
}

/**
 * A property's own title: on its schema as written, or on the one branch of an `Optional[X]` / lone `allOf` wrapper,
 * but never through a `$ref`: the target's title names the type (pydantic's class name "Node" for `tree: Optional[Node]`),
 * not the property, so such a property is labelled by its name.
 */
export function ownTitle(schema: unknown, depth = 0): string | undefined {
  if (!isObject(schema) || depth > 20) return undefined;
  if (typeof schema.title === 'string' && schema.title.trim()) return schema.title;
  if ('$ref' in schema) return undefined;
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return ownTitle(schema.allOf[0], depth + 1);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union) && union.length === 2) {
    const nonNull = union.filter(b => !(isObject(b) && b.type === 'null'));
    if (nonNull.length === 1) return ownTitle(nonNull[0], depth + 1);
  }
  return undefined;
}

/** The keywords that apply to each simple type: what a branch of a union of simple types may hold and still be read as a type list. */
export const SIMPLE_TYPE_KEYWORDS: Readonly<Record<SimpleType, readonly string[]>> = {
  boolean: [],
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
};

/**
 * `anyOf: [{type: "boolean"}, {type: "string"}]` (zod 4's `z.union([z.boolean(), z.string()])`, pydantic's
 * `bool | str`) as the type list `["boolean", "string"]` it means, with each branch's own keywords: asked as one field
 * of either type rather than "JSON matching one of the allowed forms" (quick input) or "Option 1 / Option 2" (editor).
 * Only branches of distinct simple types holding nothing but their type's keywords, none of them twice.
 */
function typeListOf(branches: readonly SchemaObject[]): SchemaObject | undefined {
  if (branches.length < 2) return undefined;
  const types: SimpleType[] = [];
  const keywords: Record<string, unknown> = {};
  for (const b of branches) {
    const t = b.type;
    if (typeof t !== 'string' || !Object.hasOwn(SIMPLE_TYPE_KEYWORDS, t) || types.includes(t as SimpleType)) return undefined;
    for (const [k, v] of Object.entries(b)) {
      if (k === 'type') continue;
      if (!SIMPLE_TYPE_KEYWORDS[t as SimpleType].includes(k) || Object.hasOwn(keywords, k)) return undefined;
      keywords[k] = v;
    }
    types.push(t as SimpleType);
  }
  return { ...keywords, type: types };
}

/** A type list of two or more simple types (`null` aside), if the schema has one: asked as an `either` field. */
export function simpleTypeList(schema: SchemaObject): SimpleType[] | undefined {
  const types = typesOf(schema);
  return types.length >= 2 && types.every(t => Object.hasOwn(SIMPLE_TYPE_KEYWORDS, t)) ? (types as SimpleType[]) : undefined;
}

/**
 * An optional property marked `readOnly` (pydantic's computed fields, an `id` the server assigns): the server owns
 * it and may ignore or refuse a value, so a form does not ask for it (the JSON tab and the schema still allow it).
 */
export function isReadOnly(schema: unknown, root: SchemaObject): boolean {
  return displaySchema(schema, root).readOnly === true;
}

/** What a field's annotations add to its hint: that it is deprecated, and its first example ("e.g. …", cut short). */
export function annotationHint(s: SchemaObject, withExample = true): string[] {
  const example = Array.isArray(s.examples) && s.examples.length > 0 ? s.examples[0] : undefined;
  const exampleText = example === undefined ? undefined : typeof example === 'string' ? example : JSON.stringify(example);
  return [
    s.deprecated === true ? 'deprecated' : undefined,
    withExample && exampleText !== undefined ? `e.g. ${exampleText.length > 40 ? `${exampleText.slice(0, 39)}…` : exampleText}` : undefined,
  ].filter((x): x is string => !!x);
}

export function typesOf(schema: SchemaObject): string[] {
  const t = schema.type;
  const list = Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : [];
  return list.filter(x => x !== 'null');
}

function valueLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Choices from `enum` (titled by the legacy `enumNames` elicitation schemas use), `const`, or `anyOf`/`oneOf` branches that are all `const` (titled enums). */
export function enumOptions(schema: SchemaObject): FieldOption[] | undefined {
  return atOnce(enumOptionSteps(schema));
}

/** `enumOptions`, yielding after each choice: an enum of 100,000 values is not one piece of work. */
export function* enumOptionSteps(schema: SchemaObject): Sliced<FieldOption[] | undefined> {
  if (Array.isArray(schema.enum)) {
    const values = schema.enum;
    const names = Array.isArray(schema.enumNames) && schema.enumNames.length === values.length && schema.enumNames.every(n => typeof n === 'string') ? (schema.enumNames as string[]) : undefined;
    const options: FieldOption[] = [];
    for (const [i, value] of values.entries()) {
      options.push(names ? { label: names[i]!, description: valueLabel(value), value } : { label: valueLabel(value), value });
      yield;
    }
    return options;
  }
  if ('const' in schema) return [{ label: valueLabel(schema.const), value: schema.const }];
  const union = constBranches(schema);
  if (union) {
    const options: FieldOption[] = [];
    for (const b of union) {
      options.push({
        label: typeof b.title === 'string' ? b.title : valueLabel(b.const),
        ...(typeof b.description === 'string' ? { description: b.description } : typeof b.title === 'string' ? { description: valueLabel(b.const) } : {}),
        value: b.const,
      });
      yield;
    }
    return options;
  }
  return undefined;
}

/** `anyOf`/`oneOf` branches that are all `const` (a titled enum), if the schema has such. */
function constBranches(schema: SchemaObject): readonly SchemaObject[] | undefined {
  const union = schema.anyOf ?? schema.oneOf;
  return Array.isArray(union) && union.length > 0 && union.every(b => isObject(b) && 'const' in b) ? (union as SchemaObject[]) : undefined;
}

/** How many choices `enumOptions` would make (undefined: not an enum), without making them. */
export function enumOptionCount(schema: SchemaObject): number | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.length;
  if ('const' in schema) return 1;
  return constBranches(schema)?.length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A bound as a person would state it; none for a bound no typed number reaches. zod 4's `.int()` writes
 * `minimum: -9007199254740991, maximum: 9007199254740991` (the safe integers) into every integer it describes, so
 * servers built on it (server-sequential-thinking, say) read "a whole number, from 1 to 9007199254740991" otherwise.
 */
function statedBound(v: unknown): number | undefined {
  return typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
}

function rangeHint(s: SchemaObject): string | undefined {
  const num = (k: string) => statedBound(s[k]);
  const [min, xmin, max, xmax] = [num('minimum'), num('exclusiveMinimum'), num('maximum'), num('exclusiveMaximum')];
  const lower = xmin !== undefined && (min === undefined || xmin >= min) ? `greater than ${xmin}` : min !== undefined ? `at least ${min}` : undefined;
  const upper = xmax !== undefined && (max === undefined || xmax <= max) ? `less than ${xmax}` : max !== undefined ? `at most ${max}` : undefined;
  if (min !== undefined && max !== undefined && lower?.startsWith('at least') && upper?.startsWith('at most')) return `from ${min} to ${max}`;
  return [lower, upper].filter(Boolean).join(' and ') || undefined;
}

function lengthHint(s: SchemaObject, unit: string): string | undefined {
  const min = typeof s.minLength === 'number' ? s.minLength : typeof s.minItems === 'number' ? s.minItems : undefined;
  const max = typeof s.maxLength === 'number' ? s.maxLength : typeof s.maxItems === 'number' ? s.maxItems : undefined;
  if (min !== undefined && max !== undefined) return min === max ? plural(min, unit) : `${min}–${max} ${unit}s`;
  if (min !== undefined) return min === 1 && unit === 'character' ? 'not empty' : `at least ${plural(min, unit)}`;
  if (max !== undefined) return `at most ${plural(max, unit)}`;
  return undefined;
}

const NOUNS: Record<string, string> = { string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null' };

export function scalarHint(kind: ItemKind, s: SchemaObject, options?: readonly FieldOption[]): string[] {
  switch (kind) {
    case 'string': {
      const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
      return [
        format ? `${format.noun}, like ${format.example}` : typeof s.format === 'string' ? `text (${s.format})` : 'text',
        lengthHint(s, 'character'),
        typeof s.pattern === 'string' && !format && s.pattern.length <= MAX_PATTERN_SHOWN ? `matching ${s.pattern}` : undefined,
      ].filter((x): x is string => !!x);
    }
    case 'number':
    case 'integer':
      return [NOUNS[kind]!, rangeHint(s), typeof s.multipleOf === 'number' ? `a multiple of ${s.multipleOf}` : undefined].filter((x): x is string => !!x);
    case 'boolean':
      return ['true or false'];
    case 'enum':
      return [options && options.length <= MAX_LISTED ? `one of ${options.map(o => o.label).join(', ')}` : `one of ${options?.length ?? 0} choices`];
  }
}

/**
 * A JSON starting point for a required object: its required properties, to fill in. Nothing is chosen
 * for the user: a choice, a number or a boolean without a default is `null`, so sending the template
 * unchanged is explained at that property instead of sending an invented `false` or `0`.
 */
function skeleton(schema: unknown, root: SchemaObject, depth = 0): unknown {
  const s = displaySchema(schema, root);
  if (depth > 4) return null;
  if ('default' in s) return s.default;
  if (enumOptionCount(s)) return null;
  const types = typesOf(s);
  const t = types.length > 1 ? undefined : (types[0] ?? (isObject(s.properties) ? 'object' : s.items || s.prefixItems ? 'array' : undefined));
  switch (t) {
    case 'string':
      return '';
    case 'array': {
      // A list of objects starts with one item to copy: the template of its required fields.
      const items = displaySchema(s.items, root);
      return depth === 0 && typesOf(items)[0] === 'object' && isObject(items.properties) ? [skeleton(items, root, depth + 1)] : [];
    }
    case 'object': {
      const props = isObject(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [];
      return Object.fromEntries(required.filter(r => r in props).map(r => [r, skeleton(props[r], root, depth + 1)]));
    }
    default:
      return null;
  }
}

/**
 * The other branches of a union that also takes plain text (a branch that is just `{type: "string"}`, with its own
 * keywords at most), if the schema is one: "a path, or a list of paths" is typed as text or as a JSON list.
 */
function textOr(s: SchemaObject, root: SchemaObject): SchemaObject[] | undefined {
  const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (!union || typesOf(s).length > 0) return undefined;
  const branches = union.map(b => displaySchema(b, root)).filter(b => !(b.type === 'null'));
  const isText = (b: SchemaObject) => typesOf(b).length === 1 && b.type === 'string' && enumOptionCount(b) === undefined && !b.anyOf && !b.oneOf && !b.allOf;
  const text = branches.filter(isText);
  return text.length === 1 && branches.length > 1 ? branches.filter(b => !isText(b)) : undefined;
}

/** A value's type in a few words: "text", "a whole number", "list of text", "one of a, b". */
function typeWords(schema: unknown, root: SchemaObject, depth: number): string {
  const s = displaySchema(schema, root);
  const count = enumOptionCount(s);
  if (count === 1) return JSON.stringify(enumOptions(s)![0]!.value);
  if (count !== undefined) return count <= 5 ? `one of ${enumOptions(s)!.map(o => o.label).join(', ')}` : `one of ${count} choices`;
  const t = typesOf(s);
  if (t.length !== 1) return t.length ? t.map(x => NOUNS[x] ?? x).join(' or ') : 'any';
  if (t[0] === 'array') return `list of ${depth < 2 ? typeWords(s.items, root, depth + 1).replace(/^an? /, '') : 'values'}`;
  if (t[0] === 'object' && isObject(s.properties) && depth < 2) return objectShape(s, root, depth + 1);
  return (NOUNS[t[0]!] ?? t[0]!).replace(/^an? /, '');
}

/** `{name*: text, observations*: list of text}`: an object's properties, required ones starred. */
function objectShape(s: SchemaObject, root: SchemaObject, depth = 0): string {
  const props = isObject(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  const names = Object.keys(props);
  const shown = names.slice(0, MAX_LISTED).map(k => `${k}${required.has(k) ? '*' : ''}: ${typeWords(props[k], root, depth)}`);
  return `{${shown.join(', ')}${names.length > MAX_LISTED ? ', …' : ''}}`;
}

/** What to type for a value asked as JSON: its shape in a few words. */
export function jsonHint(s: SchemaObject, root: SchemaObject): string {
  const t = typesOf(s);
  if (t.length === 1 && t[0] === 'object' && isObject(s.properties)) {
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    const names = Object.keys(s.properties).map(k => (required.has(k) ? `${k}*` : k));
    return `JSON object with ${names.join(', ')} (* required)`;
  }
  if ((t.length === 0 || (t.length === 1 && t[0] === 'object')) && !isObject(s.properties) && isObject(s.additionalProperties)) {
    // A map (`dict[str, int]`, zod's `record`): any names, each value of one shape.
    const each = typeWords(s.additionalProperties, root, 1);
    const sample: Record<string, string> = { text: '"…"', number: '1', 'whole number': '1', 'true or false': 'true' };
    return `JSON object of named values (each ${each})${sample[each] ? `, like {"name": ${sample[each]}}` : ''}`;
  }
  if (t.length === 1 && t[0] === 'array') {
    const items = displaySchema(s.items, root);
    const itemTypes = typesOf(items);
    const what = itemTypes.length === 1 ? (itemTypes[0] === 'object' ? 'objects' : itemTypes[0] === 'array' ? 'lists' : `${NOUNS[itemTypes[0]!] ?? itemTypes[0]} values`) : 'values';
    // The item's fields, so they are not learned from error messages.
    const shape = itemTypes[0] === 'object' && isObject(items.properties) ? `, each ${objectShape(items, root)} (* required)` : '';
    return [`JSON list of ${what}${shape}`, lengthHint(s, 'item')].filter(Boolean).join(', ');
  }
  if (t.length > 1) return `JSON: ${t.map(x => NOUNS[x] ?? x).join(' or ')}`;
  const union = (Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined)?.map(b => displaySchema(b, root));
  // A union of object shapes (a discriminated union): each shape, so the user need not learn them from errors.
  if (union && union.length <= 4 && union.every(b => isObject(b.properties))) return `JSON: one of ${union.map(b => objectShape(b, root)).join(' or ')} (* required)`;
  if (union) return 'JSON matching one of the allowed forms';
  return 'JSON';
}

function* simpleItemKind(items: SchemaObject): Sliced<{ kind: ItemKind; options?: FieldOption[] } | undefined> {
  const options = yield* enumOptionSteps(items);
  if (options) return { kind: 'enum', options };
  const t = typesOf(items);
  if (t.length !== 1 || items.anyOf || items.oneOf || items.allOf || items.not) return undefined;
  const k = t[0];
  return k === 'string' || k === 'number' || k === 'integer' || k === 'boolean' ? { kind: k } : undefined;
}

function textOfDefault(kind: FieldKind, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'number':
    case 'integer':
    case 'boolean':
      return String(value);
    case 'list':
      return Array.isArray(value) && value.every(v => typeof v !== 'object' && !String(v).includes(',')) ? value.map(String).join(', ') : JSON.stringify(value);
    case 'enum':
      return valueLabel(value);
    case 'either':
      return eitherText(value);
    case 'json':
      return JSON.stringify(value);
  }
}

/** A value of an `either` field as it is typed: text as itself unless it would read as true/false or a number (then quoted, as JSON). */
export function eitherText(value: unknown): string {
  return typeof value === 'string' && !/^\s*(true|false)\s*$/i.test(value) && !NUMBER_TEXT.test(value.trim()) && !/^\s*".*"\s*$/s.test(value) ? value : JSON.stringify(value);
}

/**
 * What an `either` field's text is: true/false when a boolean is allowed, a number when one is (a whole number
 * when only those are, unless text is allowed too), text in double quotes as the text inside (`"true"`), else the
 * text itself when text is allowed.
 */
function readEither(types: readonly SimpleType[], text: string): FieldAnswer {
  const t = text.trim();
  if (types.includes('boolean') && /^(true|false)$/i.test(t)) return { value: t.toLowerCase() === 'true' };
  const n = Number(t);
  const numeric = NUMBER_TEXT.test(t) && Number.isFinite(n);
  if (numeric && (types.includes('number') || (types.includes('integer') && (Number.isInteger(n) || !types.includes('string'))))) return { value: n };
  if (types.includes('string')) {
    if (/^".*"$/s.test(t)) {
      try {
        const quoted: unknown = JSON.parse(t);
        if (typeof quoted === 'string') return { value: quoted };
      } catch {
        // Not a JSON string: the text as typed.
      }
    }
    return { value: text };
  }
  return { error: `Enter ${types.map(x => NOUNS[x]).join(', or ')}.` };
}

/** One field, yielding while it reads a long list of choices. */
function* fieldFor(name: string, propSchema: unknown, required: boolean, root: SchemaObject): Sliced<FormField> {
  const s = displaySchema(propSchema, root);
  const label = ownTitle(propSchema) ?? name;
  const description = typeof s.description === 'string' ? s.description : undefined;
  const hasDefault = 'default' in s;
  let kind: FieldKind;
  let options: FieldOption[] | undefined;
  let itemKind: ItemKind | undefined;
  let hint: string[];
  let listItem: { kind: ItemKind; options?: FieldOption[] } | undefined;
  let either: SimpleType[] | undefined;
  let textToo = false;
  const enumChoices = yield* enumOptionSteps(s);
  const types = typesOf(s);
  const single = types.length === 1 ? types[0] : undefined;
  if (enumChoices) {
    kind = 'enum';
    options = enumChoices;
    hint = scalarHint('enum', s, options);
  } else if (single === 'string' || single === 'number' || single === 'integer') {
    kind = single;
    hint = scalarHint(single, s);
  } else if (single === 'boolean') {
    kind = 'boolean';
    options = [{ label: 'true', value: true }, { label: 'false', value: false }];
    hint = scalarHint('boolean', s);
  } else if ((either = simpleTypeList(s))) {
    kind = 'either';
    if (either.includes('boolean')) options = [{ label: 'true', value: true }, { label: 'false', value: false }];
    hint = [either.map(t => scalarHint(t, s).join(', ')).join(', or ')];
  } else if (single === 'array' && !s.prefixItems && isObject(s.items) && (listItem = yield* simpleItemKind(displaySchema(s.items, root)))) {
    const item = listItem;
    kind = 'list';
    itemKind = item.kind;
    options = item.options;
    const itemNoun = item.kind === 'enum' ? 'choices' : item.kind === 'string' ? 'text items' : `${NOUNS[item.kind]!.replace(/^an? /, '')}s`;
    hint = [
      item.kind === 'enum' ? `pick any of ${item.options!.map(o => o.label).join(', ')}` : `${itemNoun} separated by commas (or a JSON list)`,
      ...(item.kind === 'enum' ? [] : scalarHint(item.kind, displaySchema(s.items, root)).slice(1).map(h => `each ${h}`)),
      lengthHint(s, 'item'),
      s.uniqueItems === true ? 'no repeats' : undefined,
    ].filter((x): x is string => !!x);
  } else {
    kind = 'json';
    const others = textOr(s, root);
    textToo = others !== undefined;
    hint = [others !== undefined ? `text, or JSON: ${others.map(b => typeWords(b, root, 1)).join(' or ')}` : jsonHint(s, root)];
  }
  const defaultValue = hasDefault ? s.default : undefined;
  const template = kind === 'json' && required && !hasDefault ? skeleton(s, root) : undefined;
  // Only an object or a list is a template worth starting from; a lone `null` or `""` would be an invented value.
  const initialText = hasDefault ? (textToo && typeof defaultValue === 'string' ? defaultValue : textOfDefault(kind, defaultValue)) : typeof template === 'object' && template !== null ? JSON.stringify(template) : undefined;
  return {
    name,
    label,
    ...(description !== undefined ? { description } : {}),
    required,
    kind,
    ...(options ? { options } : {}),
    ...(itemKind ? { itemKind } : {}),
    ...(either && kind === 'either' ? { types: either } : {}),
    ...(textToo ? { textToo: true as const } : {}),
    hasDefault,
    ...(hasDefault ? { default: defaultValue } : {}),
    ...(initialText !== undefined ? { initialText } : {}),
    hint: [...hint, ...annotationHint(s)].join(', '),
  };
}

function parseNumber(text: string, kind: 'number' | 'integer'): { value: number } | { error: string } {
  const t = text.trim();
  if (!NUMBER_TEXT.test(t) || !Number.isFinite(Number(t))) return { error: kind === 'integer' ? 'Enter a whole number, like 42.' : 'Enter a number, like 42 or -3.5.' };
  return { value: Number(t) };
}

function matchOption(options: readonly FieldOption[], text: string): FieldOption | undefined {
  const t = text.trim();
  return options.find(o => o.label === t) ?? options.find(o => valueLabel(o.value) === t) ?? options.find(o => o.label.toLowerCase() === t.toLowerCase());
}

function listedLabels(options: readonly FieldOption[]): string {
  const shown = options.slice(0, MAX_LISTED).map(o => o.label);
  return `${shown.join(', ')}${options.length > MAX_LISTED ? ', …' : ''}`;
}

function parseItem(kind: ItemKind, options: readonly FieldOption[] | undefined, text: string, position: number): { value: unknown } | { error: string } {
  const which = `Item ${position} ('${text}')`;
  switch (kind) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      const n = parseNumber(text, kind);
      return 'error' in n ? { error: `${which} is not ${kind === 'integer' ? 'a whole number' : 'a number'}.` } : n;
    }
    case 'boolean': {
      const t = text.toLowerCase();
      return t === 'true' || t === 'false' ? { value: t === 'true' } : { error: `${which} is not true or false.` };
    }
    case 'enum': {
      const o = matchOption(options ?? [], text);
      return o ? { value: o.value } : { error: `${which} is not one of: ${listedLabels(options ?? [])}.` };
    }
  }
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `This is not valid JSON: ${(err as Error).message}` };
  }
}

function readText(field: FormField, text: string): FieldAnswer {
  if (!field.required && text.trim() === '') return { skip: true };
  switch (field.kind) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer':
      return parseNumber(text, field.kind);
    case 'boolean': {
      const t = text.trim().toLowerCase();
      return t === 'true' || t === 'false' ? { value: t === 'true' } : { error: 'Enter true or false.' };
    }
    case 'enum': {
      const o = matchOption(field.options ?? [], text);
      return o ? { value: o.value } : { error: `Choose one of: ${listedLabels(field.options ?? [])}.` };
    }
    case 'list': {
      const t = text.trim();
      if (t.startsWith('[')) {
        const parsed = parseJson(t);
        if ('error' in parsed) return parsed;
        return Array.isArray(parsed.value) ? parsed : { error: 'Enter a JSON list, like ["a", "b"], or items separated by commas.' };
      }
      if (t === '') return { value: [] };
      const values: unknown[] = [];
      const parts = t.split(',').map(p => p.trim());
      for (const [i, part] of parts.entries()) {
        const item = parseItem(field.itemKind ?? 'string', field.options, part, i + 1);
        if ('error' in item) return item;
        values.push(item.value);
      }
      return { value: values };
    }
    case 'either':
      return readEither(field.types ?? [], text);
    case 'json':
      if (field.textToo && !/^\s*[[{]/.test(text)) return { value: text };
      if (text.trim() === '') return { error: `Enter JSON (${field.hint}).` };
      return parseJson(text);
  }
}

/** `/options/tags/0` → `options.tags[0]`, relative to a field's own pointer. */
function readablePath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function listValues(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_LISTED).map(v => JSON.stringify(v));
  return `${shown.join(', ')}${values.length > MAX_LISTED ? ', …' : ''}`;
}

/** An Ajv error as a phrase in the user's words, with the path it applies to. */
function phrase(e: ErrorObject): { path: string; text: string } | undefined {
  const p = e.params as Record<string, unknown>;
  const at = readablePath(e.instancePath);
  const child = (name: unknown) => (at ? `${at}.${String(name)}` : String(name));
  switch (e.keyword) {
    case 'type': {
      const types = String(p.type).split(',');
      return { path: at, text: `must be ${types.map(t => NOUNS[t] ?? t).join(' or ')}` };
    }
    case 'enum':
      return { path: at, text: `must be one of: ${listValues(p.allowedValues as unknown[])}` };
    case 'const':
      return { path: at, text: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' };
      return { path: at, text: `must be ${words[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}` };
    }
    case 'multipleOf':
      return { path: at, text: `must be a multiple of ${String(p.multipleOf)}` };
    case 'minLength':
      return { path: at, text: p.limit === 1 ? 'must not be empty' : `must be at least ${plural(Number(p.limit), 'character')} long` };
    case 'maxLength':
      return { path: at, text: `must be at most ${plural(Number(p.limit), 'character')} long` };
    case 'pattern': {
      const parent = isObject(e.parentSchema) ? e.parentSchema : {};
      const format = typeof parent.format === 'string' ? FORMATS[parent.format] : undefined;
      if (format) return { path: at, text: `must be ${format.noun} in the form the server expects, like ${format.example}` };
      const pattern = String(p.pattern);
      return { path: at, text: pattern.length <= MAX_PATTERN_SHOWN ? `must match the pattern ${pattern}` : 'is not in the form the server expects' };
    }
    case 'format': {
      const f = FORMATS[String(p.format)];
      return { path: at, text: f ? `must be ${f.noun}, like ${f.example}` : `must be in the format ${String(p.format)}` };
    }
    case 'required':
      return { path: child(p.missingProperty), text: 'is required' };
    case 'dependentRequired':
      return { path: child(p.missingProperty), text: `is required when '${child(p.property)}' is given` };
    case 'additionalProperties':
      return { path: child(p.additionalProperty), text: 'is not an accepted property' };
    case 'unevaluatedProperties':
      return { path: child(p.unevaluatedProperty), text: 'is not an accepted property' };
    case 'minItems':
      return { path: at, text: `must have at least ${plural(Number(p.limit), 'item')}` };
    case 'maxItems':
    case 'items':
    case 'unevaluatedItems':
      return { path: at, text: `must have at most ${plural(Number(p.limit), 'item')}` };
    case 'uniqueItems': {
      const [a, b] = [Number(p.i), Number(p.j)].sort((x, y) => x - y);
      return { path: at, text: `must not repeat items (items ${a! + 1} and ${b! + 1} are the same)` };
    }
    case 'minProperties':
      return { path: at, text: `must have at least ${plural(Number(p.limit), 'property')}`.replace('propertys', 'properties') };
    case 'maxProperties':
      return { path: at, text: `must have at most ${plural(Number(p.limit), 'property')}`.replace('propertys', 'properties') };
    case 'contains':
      return { path: at, text: `must contain at least ${plural(Number(p.minContains ?? 1), 'matching item')}` };
    case 'anyOf':
    case 'oneOf': {
      const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
      if (branches.length && branches.every(b => isObject(b) && 'const' in b)) return { path: at, text: `must be one of: ${listValues(branches.map(b => (b as SchemaObject).const))}` };
      if (e.keyword === 'oneOf' && Array.isArray(p.passingSchemas)) return { path: at, text: 'must match exactly one of the allowed forms, but matches several' };
      return { path: at, text: 'must match one of the allowed forms' };
    }
    case 'not':
      return { path: at, text: 'must not match the excluded form' };
    case 'false schema':
      return { path: at, text: 'is not allowed' };
    case 'if':
    case 'propertyNames':
      // Their sub-errors (the failed `then`, the bad name) say more.
      return undefined;
    default:
      return { path: at, text: e.message ?? 'is invalid' };
  }
}

/** "Must be …." for the field itself, "Item 2 must be …." in a list, "'options.prefix' must be …." below it. */
function sentence(path: string, text: string): string {
  if (!path) return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  const item = /^\[(\d+)\]\.?(.*)$/.exec(path);
  if (!item) return `'${path}' ${text}.`;
  const which = `Item ${Number(item[1]) + 1}`;
  return item[2] ? `${which}: '${item[2]}' ${text}.` : `${which} ${text}.`;
}

/** Words Ajv's errors, without the noise of every failed branch under an `anyOf`/`oneOf` that already failed as a whole. */
/** A failed `pattern` beside a failed `format` on the same value says nothing more (zod 4 writes both). */
function withoutFormatPatterns(errors: readonly ErrorObject[]): ErrorObject[] {
  const formats = new Set(errors.filter(e => e.keyword === 'format').map(e => e.instancePath));
  return errors.filter(e => e.keyword !== 'pattern' || !formats.has(e.instancePath));
}

function describeErrors(all: readonly ErrorObject[], relativeTo: string, order: readonly string[] = []): string | undefined {
  const errors = withoutFormatPatterns(all);
  const unions = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf').map(e => `${e.schemaPath}/`);
  const kept = errors.filter(e => !unions.some(u => e.schemaPath.startsWith(u)));
  // Problems in the order the form asks for the fields, whatever order Ajv found them in.
  const rank = (path: string) => {
    const i = order.indexOf(/^[^.[]*/.exec(path)![0]);
    return i < 0 ? order.length : i;
  };
  const phrases = kept
    .map(e => phrase({ ...e, instancePath: e.instancePath.slice(relativeTo.length) }))
    .filter((ph): ph is { path: string; text: string } => !!ph)
    .map((ph, i) => ({ ...ph, i }))
    .sort((a, b) => rank(a.path) - rank(b.path) || a.i - b.i);
  const messages: string[] = [];
  for (const ph of phrases) {
    const m = sentence(ph.path, ph.text);
    if (!messages.includes(m)) messages.push(m);
  }
  if (messages.length === 0 && errors.length) return 'The value does not match the schema.';
  return messages.length ? messages.slice(0, MAX_MESSAGES).join(' ') : undefined;
}

/** Ajv's errors as sentences at the pointer of the value each is about, for a form that shows every field at once. */
function problemsOf(all: readonly ErrorObject[]): FieldProblem[] {
  const errors = withoutFormatPatterns(all);
  const unions = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf').map(e => `${e.schemaPath}/`);
  const byPointer = new Map<string, string[]>();
  for (const e of errors) {
    if (unions.some(u => e.schemaPath.startsWith(u))) continue;
    const ph = phrase({ ...e, instancePath: '' });
    if (!ph) continue;
    const pointer = ph.path ? `${e.instancePath}/${pointerSegment(ph.path)}` : e.instancePath;
    const messages = byPointer.get(pointer) ?? [];
    const message = sentence('', ph.text);
    if (!messages.includes(message) && messages.length < 3) messages.push(message);
    byPointer.set(pointer, messages);
  }
  return [...byPointer].map(([pointer, messages]) => ({ pointer, message: messages.join(' ') }));
}

function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

const MAX_COMPILED = 64;
const compiled = new Map<string, ValidateFunction | Error>();
let compileCount = 0;

/** How many times a form's schema was compiled (or found over budget) in this process: once per distinct schema while it stays cached. */
export function formSchemaCompiles(): number {
  return compileCount;
}

/**
 * Compiles with a fresh Ajv (a schema's `$id` may be compiled only once per instance), cached by schema
 * text: Ajv's code generation takes tens of milliseconds, and the same tool is often run again, from any
 * server or after a reconnect.
 */
function compile(schema: object): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let fn = lru(compiled, key, MAX_COMPILED);
  if (!fn) {
    compileCount++;
    fn = compiledOrError(() => compileIsolated(schema, FORM_AJV_OPTIONS));
    compiled.set(key, fn);
  }
  return fn;
}

/** Form schemas the worker compiled (or why not), by schema text: the worker keeps the compiled code. */
const inWorker = new WorkerSchemas('form', MAX_COMPILED, () => compileCount++);

/**
 * `values` checked against `schema` in the validation worker: Ajv's errors per value (null when valid), or
 * why the schema is not used. Counts a compile once per distinct schema, as `compile` does.
 */
async function checkInWorker(schema: object, values: readonly unknown[]): Promise<(ErrorObject[] | null)[] | Error> {
  const worker = validationWorker();
  if (!worker) {
    const fn = compile(schema);
    return fn instanceof Error ? fn : values.map(value => (fn(value) ? null : [...(fn.errors ?? [])]));
  }
  return inWorker.errors(worker, schema, values);
}

/**
 * Turns a tool's `inputSchema` into a form, in one piece. Never throws: an odd schema becomes one JSON field.
 * What a user waits on uses `buildFormAsync`: the same form, built without holding the extension host's thread.
 */
export function buildForm(inputSchema: unknown): ArgumentForm {
  return atOnce(formSteps(inputSchema));
}

/** `buildForm` in slices of fields, with turns of the event loop between them (see ./slices). */
export function buildFormAsync(inputSchema: unknown, pause?: Pause): Promise<ArgumentForm> {
  return inSlices(formSteps(inputSchema), pause);
}

/** Builds the form, yielding after each field. */
function* formSteps(inputSchema: unknown): Sliced<ArgumentForm> {
  const root = asObjectSchema(inputSchema);
  let wholeValidator: ValidateFunction | Error | undefined;
  const whole = () => (wholeValidator ??= compile(root));

  const props = isObject(root.properties) ? root.properties : undefined;
  const rootTypes = typesOf(root);
  const splittable = props !== undefined && (rootTypes.length === 0 || (rootTypes.length === 1 && rootTypes[0] === 'object'));
  const requiredNames = new Set(Array.isArray(root.required) ? root.required.filter((r): r is string => typeof r === 'string') : []);
  let fields: FormField[];
  if (splittable) {
    const names = Object.keys(props).filter(n => requiredNames.has(n) || !isReadOnly(props[n], root));
    fields = [];
    for (const n of [...names.filter(n => requiredNames.has(n)), ...names.filter(n => !requiredNames.has(n))]) {
      fields.push(yield* fieldFor(n, props[n], requiredNames.has(n), root));
      yield;
    }
  } else if (rootTypes.length === 1 && rootTypes[0] === 'object' && !root.anyOf && !root.oneOf && !root.allOf && !root.$ref && root.additionalProperties === undefined && root.patternProperties === undefined) {
    // `{ "type": "object" }` with nothing else: a tool without arguments.
    fields = [];
  } else {
    const { textToo: _text, ...f } = yield* fieldFor('', root, true, root);
    fields = [{ ...f, kind: 'json', label: 'Arguments', hint: jsonHint(displaySchema(root, root), root), initialText: JSON.stringify(skeleton(root, root)) }];
  }
  const wholeObject = !splittable && fields.length === 1;

  const order = fields.map(f => f.name);
  /** Ajv's errors for one value (null when valid), from this thread's compiled schema; undefined when it did not compile. */
  const errorsHere = (value: unknown): ErrorObject[] | null | undefined => {
    const v = whole();
    if (v instanceof Error) return undefined;
    return v(value) ? null : [...(v.errors ?? [])];
  };
  /** The same from the worker. */
  const errorsInWorker = async (value: unknown): Promise<ErrorObject[] | null | undefined> => {
    const answer = await checkInWorker(root, [value]);
    return answer instanceof Error ? undefined : answer[0];
  };

  const argumentsVerdict = (errors: ErrorObject[] | null | undefined) => (errors ? describeErrors(errors, '', order) : undefined);
  const problemsVerdict = (errors: ErrorObject[] | null | undefined) => (errors ? problemsOf(errors) : []);

  // A field is checked against the whole schema, on an object holding only that field: `$ref`s resolve as
  // written, and only errors under the field's own path are reported (the missing other fields, at the root,
  // are not). One compiled schema serves the fields and the whole arguments.
  const fieldValue = (field: FormField, value: unknown) => (field.name === '' && wholeObject ? value : { [field.name]: value });
  const fieldVerdict = (field: FormField, errors: ErrorObject[] | null | undefined): string | undefined => {
    if (!errors) return undefined;
    if (field.name === '' && wholeObject) return argumentsVerdict(errors);
    const own = `/${pointerSegment(field.name)}`;
    return describeErrors(
      errors.filter(e => e.instancePath === own || e.instancePath.startsWith(`${own}/`)),
      own,
    );
  };
  const check = (field: FormField, value: unknown) => fieldVerdict(field, errorsHere(fieldValue(field, value)));
  const checkAsync = async (field: FormField, value: unknown) => fieldVerdict(field, await errorsInWorker(fieldValue(field, value)));

  const schemaVerdict = (v: ValidateFunction | readonly unknown[] | Error) => {
    if (v instanceof SchemaTooComplexError) return `The tool's input schema is too big for MCP Host to check (${v.message}): fields are checked for their type only; the server checks the rest.`;
    return v instanceof Error ? `The tool's input schema is invalid (${v.message}); the server will have to check the arguments.` : undefined;
  };

  const read = (field: FormField, text: string): FieldAnswer => readText(field, text);

  return {
    fields,
    wholeObject,
    get schemaProblem() {
      return schemaVerdict(whole());
    },
    read,
    check,
    validateField(field, text) {
      const answer = read(field, text);
      if ('error' in answer) return answer.error;
      if ('skip' in answer) return undefined;
      return check(field, answer.value);
    },
    validateArguments: args => argumentsVerdict(errorsHere(args)),
    problemsAt: args => problemsVerdict(errorsHere(args)),
    schemaProblemAsync: async () => schemaVerdict(await checkInWorker(root, [])),
    checkAsync,
    async validateFieldAsync(field, text) {
      const answer = read(field, text);
      if ('error' in answer) return answer.error;
      if ('skip' in answer) return undefined;
      return checkAsync(field, answer.value);
    },
    validateArgumentsAsync: async args => argumentsVerdict(await errorsInWorker(args)),
    problemsAtAsync: async args => problemsVerdict(await errorsInWorker(args)),
  };
}
