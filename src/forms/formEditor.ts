import { annotationHint, asObjectSchema, FORMATS, ownTitle, displaySchema, isReadOnly, jsonHint, enumOptionCount, enumOptionSteps, isObject, scalarHint, simpleTypeList, SIMPLE_TYPE_KEYWORDS, typesOf, type ArgumentForm, type FieldProblem, type SimpleType } from './schemaForm';
import type { FormOutcome } from './formFlow';
import { plainBlock, plainLabel } from '../common/untrustedText';
import { atOnce, inSlices, type Pause, type Sliced } from './slices';

/**
 * The form editor's model, apart from the webview that shows it (no `vscode` here): a JSON Schema as a
 * tree of fields every one of which is shown at once, the rule for when the editor is used instead of
 * one question at a time, and the only messages its page may send.
 */

/**
 * How a value is edited. `choice` is a `oneOf`/`anyOf` of shapes; `map` an object of any names whose values share one
 * schema (`additionalProperties`: pydantic's `dict[str, str]`, zod's `record`), edited as name/value rows; `json` is
 * anything the editor cannot lay out.
 */
export type SpecNode =
  | (SpecBase & { readonly kind: 'object'; readonly properties: readonly SpecProperty[] })
  | (SpecBase & { readonly kind: 'array'; readonly items: SpecNode })
  | (SpecBase & { readonly kind: 'string' | 'number' | 'integer'; readonly inputType: 'text' | 'number' | 'date' | 'time' | 'datetime-local' | 'email' | 'url' })
  | (SpecBase & { readonly kind: 'boolean' })
  | (SpecBase & { readonly kind: 'enum'; readonly options: readonly { readonly label: string; readonly value: unknown }[] })
  /** `of: 'type'` for a list of simple types (`["boolean", "string"]`): a choice of which type, then that type's control. */
  | (SpecBase & { readonly kind: 'choice'; readonly branches: readonly SpecNode[]; readonly of?: 'type' })
  | (SpecBase & { readonly kind: 'map'; readonly values: SpecNode })
  | (SpecBase & { readonly kind: 'json' });

export interface SpecBase {
  /** The schema's title, else the property name (or "Item" for list items). */
  readonly label: string;
  readonly description?: string;
  /** What to enter, in the user's words (type, format, range, pattern). */
  readonly hint: string;
  /** The schema's default as text: shown as a placeholder, never filled in for the user. */
  readonly defaultText?: string;
  /** The schema's first example as text: the placeholder when there is no default. */
  readonly exampleText?: string;
}

export interface SpecProperty {
  readonly name: string;
  readonly required: boolean;
  readonly node: SpecNode;
}

/** The most forms of a choice its hint names. */
const MAX_FORMS_NAMED = 6;

/** The most levels of nesting laid out as fields; deeper values are edited as JSON. */
const MAX_DEPTH = 6;

/**
 * The browser's own controls for formats it has one for. The page keeps the format's exact form: a time picked as
 * 09:30 is sent as 09:30:00, a date and time (picked in the user's time zone) with that zone's offset.
 */
const INPUT_TYPES: Readonly<Record<string, 'date' | 'time' | 'datetime-local' | 'email' | 'url'>> = { date: 'date', time: 'time', 'date-time': 'datetime-local', email: 'email', uri: 'url' };
const PICKED: ReadonlySet<string> = new Set(['date', 'time', 'datetime-local']);

function defaultTextOf(s: { readonly [k: string]: unknown }): string | undefined {
  if (!('default' in s) || s.default === undefined || s.default === null) return undefined;
  // An empty text default reads as `""` (tavily-mcp's dates), not as a bare "default: ".
  return typeof s.default === 'string' && s.default !== '' ? s.default : JSON.stringify(s.default);
}

/** The editor's tree for a schema, in one piece: `$ref`s followed (to a depth), nested objects and lists laid out. */
export function describeSchema(schema: unknown, label = 'Arguments'): SpecNode {
  return atOnce(describeSteps(schema, label));
}

/** `describeSchema` in slices of nodes, with turns of the event loop between them (see ./slices): what the editor shows. */
export function describeSchemaAsync(schema: unknown, label = 'Arguments', pause?: Pause): Promise<SpecNode> {
  return inSlices(describeSteps(schema, label), pause);
}

function describeSteps(schema: unknown, label: string): Sliced<SpecNode> {
  const root = asObjectSchema(schema);
  return node(root, root, label, 0);
}

/** One node of the tree, yielding after each node made (its children first). */
function* node(schema: unknown, root: { readonly [k: string]: unknown }, name: string, depth: number, property = false): Sliced<SpecNode> {
  // A property is labelled by its own title, else its name: a title reached through `$ref` names the type, not the property.
  const shown = displaySchema(schema, root);
  const s = property ? { ...shown, title: ownTitle(schema) } : shown;
  const choices = yield* enumOptionSteps(s);
  if (choices) {
    // Labelled one by one too: 100,000 choices are no single piece of work.
    const options: { label: string; value: unknown }[] = [];
    for (const o of choices) {
      options.push({ label: plainLabel(o.label), value: o.value });
      yield;
    }
    return { ...baseOf(s, name), kind: 'enum', options, hint: plainLabel([...scalarHint('enum', s, choices), ...annotationHint(s, false)].join(', ')) };
  }
  const made = nodeOwn(s, name, depth, root);
  if ('spec' in made) {
    yield;
    return made.spec;
  }
  const { base, type } = made;
  if (made.union) {
    const branches: SpecNode[] = [];
    const names = made.ofTypes ? undefined : branchNames(made.union, root);
    for (const [i, b] of made.union.entries()) branches.push(yield* node(isObject(b) ? { ...(type ? { type } : {}), ...b } : b, root, names?.[i] ?? `Option ${i + 1}`, depth + 1));
    yield;
    if (made.ofTypes) return { ...base, kind: 'choice', of: 'type', branches, hint: branches.map(b => b.label).join(', or ') };
    // The forms by name, so the choice is understood before it is opened ("one of 2 forms: circle, square").
    const named = branches.slice(0, MAX_FORMS_NAMED).map(b => b.label);
    return { ...base, kind: 'choice', branches, hint: `one of ${branches.length} forms: ${named.join(', ')}${branches.length > named.length ? ', …' : ''}` };
  }
  if (type === 'object' && isObject(s.properties)) {
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    const properties: SpecProperty[] = [];
    for (const [k, v] of Object.entries(s.properties)) if (required.has(k) || !isReadOnly(v, root)) properties.push({ name: k, required: required.has(k), node: yield* node(v, root, k, depth + 1, true) });
    yield;
    return { ...base, kind: 'object', properties, hint: 'an object' };
  }
  if (made.map) {
    const values = yield* node(made.map, root, 'Value', depth + 1);
    yield;
    return { ...base, kind: 'map', values, hint: `names and values, each ${values.kind === 'object' ? 'an object' : values.hint}` };
  }
  const items = yield* node(s.items, root, 'Item', depth + 1);
  yield;
  return { ...base, kind: 'array', items, hint: 'a list' };
}

/** The one value a schema allows (`const`, or an `enum` of one), if so. */
function onlyValue(s: { readonly [k: string]: unknown }): { value: unknown } | undefined {
  if ('const' in s) return { value: s.const };
  return Array.isArray(s.enum) && s.enum.length === 1 ? { value: s.enum[0] } : undefined;
}

/**
 * Names for the branches of a choice that have no title of their own: a discriminated union's tag (zod's
 * `discriminatedUnion`, pydantic's `Literal` tag: every branch an object whose one required property holds a
 * different single value) names each branch ("circle", "square"); a branch of one simple type is named for it ("text").
 * Otherwise "Option 1", "Option 2" (undefined here).
 */
function branchNames(union: readonly unknown[], root: { readonly [k: string]: unknown }): (string | undefined)[] {
  const shown = union.map(b => displaySchema(b, root));
  const props = shown.map(b => (isObject(b.properties) ? b.properties : undefined));
  const tagged = (key: string) =>
    shown.every((b, i) => Array.isArray(b.required) && b.required.includes(key) && isObject(props[i]?.[key]) && onlyValue(displaySchema(props[i]![key], root))) &&
    new Set(props.map(p => JSON.stringify(onlyValue(displaySchema(p![key], root))!.value))).size === shown.length;
  const tag = props.every(p => p) ? Object.keys(props[0]!).find(tagged) : undefined;
  const names = shown.map((b, i) => {
    if (typeof b.title === 'string' && b.title.trim()) return undefined;
    if (tag !== undefined) {
      const v = onlyValue(displaySchema(props[i]![tag], root))!.value;
      return plainLabel(typeof v === 'string' ? v : JSON.stringify(v));
    }
    if (typeof b.type === 'string' && Object.hasOwn(SIMPLE_TYPE_LABELS, b.type)) return SIMPLE_TYPE_LABELS[b.type as SimpleType];
    return b.type === 'array' ? 'a list' : b.type === 'object' || props[i] ? 'an object' : undefined;
  });
  // Two branches of one type are not told apart by it.
  return names.map(n => (n !== undefined && names.filter(m => m === n).length > 1 ? undefined : n));
}

/** A node's label, description and default, as the page shows them. */
function baseOf(s: { readonly [k: string]: unknown }, name: string): Omit<SpecBase, 'hint'> {
  // Every text here is the server's: hidden characters shown, one line (descriptions keep theirs); the page adds it as text nodes.
  const label = plainLabel(typeof s.title === 'string' && s.title.trim() ? s.title : name);
  const defaultText = defaultTextOf(s);
  const example = Array.isArray(s.examples) && s.examples.length > 0 && s.examples[0] !== null && s.examples[0] !== undefined ? s.examples[0] : undefined;
  return {
    label,
    ...(example !== undefined ? { exampleText: plainLabel(typeof example === 'string' ? example : JSON.stringify(example), 80) } : {}),
    ...(typeof s.description === 'string' ? { description: plainBlock(s.description) } : {}),
    ...(defaultText !== undefined ? { defaultText: plainLabel(defaultText) } : {}),
  };
}

/**
 * Whether a map's `additionalProperties` says anything about its values: `{}` (zod's `record(z.string(), z.any())`,
 * firecrawl's `options`) allows any value at all, as `true` does, and such a map stays one JSON box.
 */
function saysWhatValuesAre(values: unknown): values is { readonly [k: string]: unknown } {
  return isObject(values) && Object.keys(values).some(k => !ANNOTATIONS.has(k));
}
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

/** The simple types a type list may offer as a choice, each as the choice names it. */
const SIMPLE_TYPE_LABELS: Readonly<Record<SimpleType, string>> = { boolean: 'true or false', string: 'text', number: 'a number', integer: 'a whole number' };

/**
 * `type: ["boolean", "string"]` (zod's `z.union([z.boolean(), z.string()])`, server-sequential-thinking's
 * `nextThoughtNeeded`) as a choice of which type, each with its own control: it was a JSON text box where the
 * user had to know to type `true`. Only lists of simple types (`null` in a list means the field may be left out: see `typesOf`); the value is still checked by the schema.
 */
function typeBranches(s: { readonly [k: string]: unknown }): readonly unknown[] | undefined {
  return simpleTypeList(s)?.map(t => ({ type: t, title: SIMPLE_TYPE_LABELS[t], ...Object.fromEntries(SIMPLE_TYPE_KEYWORDS[t].filter(k => k in s).map(k => [k, s[k]])) }));
}

/**
 * What a node (not an enum) is apart from its children: the whole node when it has none (a scalar, JSON), else its
 * own part and how its children are laid out (a choice of shapes, an object's properties, a list's items).
 */
function nodeOwn(
  s: { readonly [k: string]: unknown },
  name: string,
  depth: number,
  root: { readonly [k: string]: unknown },
): { spec: SpecNode } | { base: Omit<SpecBase, 'hint'>; type: string | undefined; union?: readonly unknown[]; ofTypes?: true; map?: { readonly [k: string]: unknown } } {
  const base = baseOf(s, name);
  const types = typesOf(s);
  const type = types.length === 1 ? types[0] : types.length === 0 && isObject(s.properties) ? 'object' : undefined;
  const ofTypes = typeBranches(s);
  if (ofTypes) return { base, type: undefined, union: ofTypes, ofTypes: true };
  if (depth < MAX_DEPTH) {
    const union = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
    if (union && union.length > 1 && (type === undefined || type === 'object')) return { base, type, union };
    if (type === 'object' && isObject(s.properties)) return { base, type };
    if ((type === 'object' || types.length === 0) && !('properties' in s) && !('patternProperties' in s) && saysWhatValuesAre(s.additionalProperties)) return { base, type, map: s.additionalProperties };
    if (type === 'array' && isObject(s.items) && !s.prefixItems) return { base, type };
  }
  if (type === 'string' || type === 'number' || type === 'integer') {
    const format = typeof s.format === 'string' ? INPUT_TYPES[s.format] : undefined;
    const hint = scalarHint(type, s);
    // A picker shows a date in the user's own way: "like 2025-01-31" beside it would only confuse.
    if (type === 'string' && format && PICKED.has(format)) hint[0] = FORMATS[s.format as string]!.noun;
    return { spec: { ...base, kind: type, inputType: type === 'string' ? (format ?? 'text') : 'number', hint: plainLabel([...hint, ...annotationHint(s, false)].join(', ')) } };
  }
  if (type === 'boolean') return { spec: { ...base, kind: 'boolean', hint: ['true or false', ...annotationHint(s, false)].join(', ') } };
  return { spec: { ...base, kind: 'json', hint: plainLabel([jsonHint(s, root), ...annotationHint(s, false)].join(', ')) } };
}

/** When Run Tool, Use Prompt and elicitation use the form editor: the `mcpHost.forms.editor` setting. */
export type EditorPreference = 'always' | 'complexOnly' | 'never';

/** More fields than this, and a form is "complex" (a quick input would ask them one by one). */
export const SIMPLE_FIELDS = 5;

/**
 * A node's kind as `describeSchema` makes it, and its displayed schema, without making its children or its
 * choices: deciding where a form is filled must not build the editor's whole tree (an enum of 100,000 values
 * in one field held the thread for 59–134 ms here, and the editor then built the tree again, in slices).
 */
function kindOf(schema: unknown, root: { readonly [k: string]: unknown }, depth: number): { kind: SpecNode['kind']; s: { readonly [k: string]: unknown } } {
  const s = displaySchema(schema, root);
  if (enumOptionCount(s) !== undefined) return { kind: 'enum', s };
  const made = nodeOwn(s, '', depth, root);
  // A choice of simple types is one field, not a nested form: it does not make a form complex.
  return { kind: 'spec' in made ? made.spec.kind : made.ofTypes ? 'json' : made.union ? 'choice' : made.map ? 'map' : made.type === 'object' ? 'object' : 'array', s };
}

/** Whether a form is better filled in the editor: nested objects, lists of objects, choices of shapes, or many fields. */
export function isComplex(schema: unknown, form: ArgumentForm): boolean {
  if (form.fields.length > SIMPLE_FIELDS || form.wholeObject) return true;
  const root = asObjectSchema(schema);
  const top = kindOf(root, root, 0);
  if (top.kind !== 'object') return (top.kind !== 'json' && top.kind !== 'map') || form.fields.length > 0;
  const nested = (kind: SpecNode['kind']) => kind === 'object' || kind === 'choice';
  return Object.values(top.s.properties as { readonly [k: string]: unknown }).some(v => {
    const property = kindOf(v, root, 1);
    return nested(property.kind) || (property.kind === 'array' && nested(kindOf(property.s.items, root, 2).kind));
  });
}

export function prefersEditor(preference: EditorPreference, schema: unknown, form: ArgumentForm): boolean {
  // Nothing to ask, or a schema that is not an object of fields (its one value is asked as JSON).
  if (form.fields.length === 0 || form.wholeObject) return false;
  return preference === 'always' || (preference === 'complexOnly' && isComplex(schema, form));
}

/**
 * Whether Use Prompt fills a prompt's arguments in the editor. They are flat strings, often with the server's
 * completions, which only the quick input offers: "complex only" takes the editor for more than a handful of
 * arguments of a server without completions; "always" takes it for any prompt with arguments.
 */
export function promptPrefersEditor(preference: EditorPreference, argumentCount: number, completes: boolean): boolean {
  if (argumentCount === 0) return false;
  return preference === 'always' || (preference === 'complexOnly' && argumentCount > SIMPLE_FIELDS && !completes);
}

/** A prompt's arguments as the object schema the editor fills: each a string, its description as help. */
export function promptArgumentsSchema(args: readonly { readonly name: string; readonly description?: string | undefined; readonly required?: boolean | undefined }[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(args.map(a => [a.name, { type: 'string', ...(a.description ? { description: a.description } : {}) }])),
    required: args.filter(a => a.required).map(a => a.name),
  };
}

/** What a caller asks the editor for: a title, the schema, and values to start from (a saved call, say). */
export interface FormEditorRequest {
  readonly title: string;
  /** What the asking server said (an elicitation's message), shown under the title with its lines kept. */
  readonly message?: string;
  /** The tool's (or prompt's) description, the server's text: shown under the title, lines kept, scrollable when long. */
  readonly description?: string;
  readonly schema: unknown;
  readonly form: ArgumentForm;
  readonly initial?: Readonly<Record<string, unknown>>;
  /** Closes the editor as if cancelled (the server that asked gave up). */
  readonly signal?: AbortSignal;
  /** The submit button's text ("Save" when editing a saved call); "Submit" by default. */
  readonly submitLabel?: string;
  /**
   * Offers "Save…" on the page: called with valid values; resolves to the status the page shows ("Saved
   * as 'x'"), or undefined when the user did not save. The form stays open either way.
   */
  readonly save?: (args: Record<string, unknown>) => Promise<string | undefined>;
}

/** Fills a whole form at once; `dismissed` when cancelled or closed. */
export interface FormEditorDialog {
  editForm(request: FormEditorRequest): Promise<FormOutcome>;
}

/**
 * The messages the page may send: ask for a check (no effect but an answer), submit, save (when offered), or cancel.
 * `seq` numbers what the page sent, and comes back with the answer: the page then knows which of its changes an
 * answer covers when two checks were in flight.
 */
export type PageMessage = { readonly type: 'check' | 'submit' | 'save'; readonly value: Record<string, unknown>; readonly seq?: number } | { readonly type: 'cancel' };

/** The most JSON text a page message may hold (a form's values, not a file). */
export const MAX_MESSAGE_CHARS = 1_000_000;

/** A message from the page, checked: anything else (another type, extra keys, a non-object value, too big) is undefined and dropped. */
export function readPageMessage(message: unknown): PageMessage | undefined {
  if (!isObject(message)) return undefined;
  const keys = Object.keys(message).sort().join(',');
  if (message.type === 'cancel') return keys === 'type' ? { type: 'cancel' } : undefined;
  if (message.type !== 'check' && message.type !== 'submit' && message.type !== 'save') return undefined;
  if ((keys !== 'type,value' && keys !== 'seq,type,value') || !isObject(message.value)) return undefined;
  if ('seq' in message && !(Number.isSafeInteger(message.seq) && (message.seq as number) >= 0)) return undefined;
  let text: string;
  try {
    text = JSON.stringify(message.value);
  } catch {
    return undefined;
  }
  if (text.length > MAX_MESSAGE_CHARS) return undefined;
  // A copy through JSON: only plain data reaches the schema check and the server.
  return { type: message.type, value: JSON.parse(text) as Record<string, unknown>, ...('seq' in message ? { seq: message.seq as number } : {}) };
}

/** What the page starts from (in the page itself), and the one message it is sent: the problems with the values last checked or submitted. */
export interface PageInit {
  readonly title: string;
  readonly message?: string;
  /** The tool's description: hidden characters shown, cut at BLOCK_MAX; the page shows it as text in a scrollable box. */
  readonly description?: string;
  readonly spec: SpecNode;
  readonly value: Readonly<Record<string, unknown>>;
  readonly submitLabel: string;
  readonly canSave: boolean;
}
/** Problems with the values of the check, submit or save numbered `seq` (when the page numbered it); or what became of a save. */
export type HostMessage = { readonly type: 'problems'; readonly problems: readonly FieldProblem[]; readonly seq?: number } | { readonly type: 'saved'; readonly status: string };
