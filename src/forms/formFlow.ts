import type { CompleteRequest } from '@modelcontextprotocol/client';
import { eitherText, type ArgumentForm, type FormField } from './schemaForm';
import type { ServerConnection } from '../mcp/serverConnection';
import { SLICE_UNITS, toEventLoop } from './slices';

/**
 * The question loop of a form, apart from how a question is shown: Run Tool's arguments, a prompt's
 * arguments, a resource template's variables and an elicitation's fields are all asked through
 * `FormDialog.askArgument`, which the quick input (src/ui/forms) or a test answers.
 */

export interface ArgumentChoice {
  readonly label: string;
  readonly description?: string;
  readonly value: unknown;
  /** Chosen already: the default, or the answer given before going back. */
  readonly picked?: boolean;
}

/** One question of an argument form (a tool's field, or a prompt's argument). */
export interface ArgumentQuestion {
  /** E.g. "echo on 'everything' (1/2)". */
  readonly title: string;
  /** The property or argument name. */
  readonly name: string;
  readonly label: string;
  /** What to enter: the description, the hint, and whether it can be left empty. */
  readonly prompt: string;
  readonly required: boolean;
  /** The text the input starts with. */
  readonly value?: string;
  /** Choices to pick from (enums, booleans); with `many`, several may be picked. */
  readonly choices?: readonly ArgumentChoice[];
  readonly many?: boolean;
  /**
   * With `choices`: typed text may be given instead of a choice (a `["boolean", "string"]` field: true, false or
   * words); says what the text is read as ("as text", "as a number"). The answer is then `{ text }`.
   */
  readonly typedAs?: (text: string) => string;
  /** Suggestions for what is typed so far (a prompt argument's completions). */
  readonly suggest?: (typed: string) => Promise<readonly string[]>;
  /** Whether "back" to the previous question is possible. */
  readonly canGoBack: boolean;
  /** Why the previous answer was not accepted, when it was not. */
  readonly problem?: string;
  /**
   * Why `text` is not acceptable, or undefined: checked as the user types. Asynchronous: the schema is checked
   * in the validation worker, off the extension host's thread; a renderer shows that it is checking meanwhile
   * and drops an answer for text that has changed since.
   */
  validate(text: string): Promise<string | undefined>;
  /** Withdraws the question (the server that asked gave up): it closes as if dismissed. */
  readonly signal?: AbortSignal;
  /** The schema's default, as text: shown as what the server uses when the field is left out, never sent for the user. */
  readonly defaultText?: string;
  /** Whether this and every later question are optional, so the user may leave all of them out at once. */
  readonly canSkipRest?: boolean;
}

/** Typed text, picked value(s), an explicit skip of an optional field (or of it and all later ones), or a step back. */
export type ArgumentAnswer = { readonly text: string } | { readonly value: unknown } | { readonly skip: true } | { readonly skipRest: true } | { readonly back: true };

/** Shows one question of a form; undefined when the user dismisses it. */
export interface FormDialog {
  askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined>;
}

export type FormOutcome = { readonly kind: 'filled'; readonly args: Record<string, unknown> } | { readonly kind: 'dismissed' } | { readonly kind: 'invalid'; readonly message: string };

/** The default as the user would type it; undefined when the field has none. */
function defaultText(field: FormField): string | undefined {
  if (!field.hasDefault || field.default === undefined) return undefined;
  return field.initialText || JSON.stringify(field.default);
}

/**
 * What the field is (its description, else its name), what to enter and whether it is required: "path — text,
 * required". A field without a description read just "text" (server-filesystem's read_file `path`).
 */
function promptFor(field: FormField): string {
  const byDefault = defaultText(field);
  const need = field.required ? 'required' : byDefault !== undefined ? `optional: leave empty and the server uses its default (${byDefault})` : 'optional: leave empty to skip';
  return `${field.description?.trim() || field.label} — ${[field.hint, need].filter(Boolean).join(', ')}`;
}

function choicesFor(field: FormField, current: unknown): ArgumentChoice[] | undefined {
  if (!field.options) return undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return field.options.map(o => {
    const isDefault = field.hasDefault && (field.kind === 'list' ? Array.isArray(field.default) && field.default.some(d => same(d, o.value)) : same(o.value, field.default));
    const picked = field.kind === 'list' ? Array.isArray(current) && current.some(c => same(c, o.value)) : current !== undefined && same(o.value, current);
    const description = [o.description, isDefault ? 'default' : undefined].filter(Boolean).join(' · ');
    return { label: o.label, ...(description ? { description } : {}), value: o.value, ...(picked ? { picked } : {}) };
  });
}

/** What an `either` field's typed text is read as, in words. */
function readAs(form: ArgumentForm, field: FormField, text: string): string {
  const read = form.read(field, text);
  if (!('value' in read)) return '';
  return typeof read.value === 'string' ? 'as text' : typeof read.value === 'number' ? 'as a number' : 'as true or false';
}

export interface FillOptions {
  /**
   * Optional fields start with their default too, so confirming sends it (clearing skips the field). For
   * elicitation: the MCP spec asks clients to pre-populate its form with the schema's defaults.
   */
  readonly prefillDefaults?: boolean;
  /** Answers to start from (the form editor's `initial`), as if given before; keys that are not fields are ignored. */
  readonly initial?: Readonly<Record<string, unknown>>;
}

/**
 * What the form editor starts with for a tool, by the rule `fillForm` follows: a required field that has a default
 * holds it (the user sees it chosen and may change it), and nothing else is filled in. zod 4 lists every field
 * with a `.default()` as required (@playwright/mcp's `browser_take_screenshot` `scale`, default "css"): left
 * empty, the editor showed "not set: the server's default is css" next to "Is required." and would not submit.
 */
export function requiredDefaults(form: ArgumentForm): Record<string, unknown> {
  return Object.fromEntries(form.fields.filter(f => f.required && f.hasDefault && f.name !== '').map(f => [f.name, f.default]));
}

/**
 * Asks for every field of `form` in turn (required ones first), each answer checked as it is typed,
 * then checks the whole argument object against the schema. When that fails, the arguments are offered
 * as JSON to correct; dismissing that leaves them unsent, with the explanation.
 *
 * Only what the user typed, picked or accepted is sent. An optional field's default is shown as the
 * server's default and left out when the field is left empty: the server applies it, and a tool may treat
 * "absent" differently from the same value sent (git's status with `path: "."`). A required field starts
 * with its default, which the user accepts by confirming it.
 */
export async function fillForm(dialog: FormDialog, form: ArgumentForm, title: string, signal?: AbortSignal, options: FillOptions = {}): Promise<FormOutcome> {
  const fields = form.fields;
  const initial = options.initial ?? {};
  const values = new Map<string, unknown>(fields.filter(f => Object.hasOwn(initial, f.name)).map(f => [f.name, initial[f.name]]));
  let problem: string | undefined;
  // Every field after the last required one may be skipped: found once, not per field,
  // which for a schema of 3,000 properties was 4.5 million checks.
  const lastRequired = fields.findLastIndex(f => f.required);
  // A dialog that answers at once (a script's) would otherwise walk thousands of fields without a turn of the event loop.
  let asked = 0;
  for (let i = 0; i < fields.length; ) {
    if (++asked % SLICE_UNITS === 0) await toEventLoop();
    if (signal?.aborted) return { kind: 'dismissed' };
    const field = fields[i]!;
    // Going back shows the answer given before; otherwise the default.
    const had = values.has(field.name);
    const startsWithDefault = field.required || (options.prefillDefaults === true && field.hasDefault);
    const current = had ? values.get(field.name) : startsWithDefault && field.hasDefault ? field.default : undefined;
    const choices = choicesFor(field, current);
    const prefill = had ? (field.kind === 'either' ? eitherText(current) : typeof current === 'string' && (field.kind !== 'json' || field.textToo) ? current : JSON.stringify(current)) : startsWithDefault ? field.initialText : undefined;
    const byDefault = defaultText(field);
    const answer = await dialog.askArgument({
      title: `${title} (${i + 1}/${fields.length})`,
      name: field.name,
      label: field.label,
      prompt: promptFor(field),
      required: field.required,
      ...(prefill !== undefined ? { value: prefill } : {}),
      ...(choices ? { choices, many: field.kind === 'list' } : {}),
      ...(choices && field.kind === 'either' ? { typedAs: (text: string) => readAs(form, field, text) } : {}),
      canGoBack: i > 0,
      ...(problem ? { problem } : {}),
      validate: text => form.validateFieldAsync(field, text),
      ...(signal ? { signal } : {}),
      ...(byDefault !== undefined ? { defaultText: byDefault } : {}),
      canSkipRest: i > lastRequired,
    });
    problem = undefined;
    if (!answer) return { kind: 'dismissed' };
    if ('back' in answer) {
      i = Math.max(0, i - 1);
      continue;
    }
    if ('skipRest' in answer) {
      if (i <= lastRequired) continue;
      for (const f of fields.slice(i)) values.delete(f.name);
      break;
    }
    if ('skip' in answer) {
      values.delete(field.name);
    } else if ('text' in answer) {
      const read = form.read(field, answer.text);
      if ('error' in read) {
        problem = read.error;
        continue;
      }
      if ('skip' in read) values.delete(field.name);
      else values.set(field.name, read.value);
    } else {
      values.set(field.name, answer.value);
    }
    i++;
  }
  const args = form.wholeObject ? values.get('') : Object.fromEntries(values);
  const invalid = await form.validateArgumentsAsync(args);
  if (invalid === undefined) return { kind: 'filled', args: (args ?? {}) as Record<string, unknown> };
  if (signal?.aborted) return { kind: 'dismissed' };
  return correctAsJson(dialog, form, title, args, invalid, signal);
}

/** The last chance: the whole argument object as JSON, checked against the schema as it is edited. */
async function correctAsJson(dialog: FormDialog, form: ArgumentForm, title: string, args: unknown, invalid: string, signal: AbortSignal | undefined): Promise<FormOutcome> {
  const parse = (text: string): { value: unknown } | { error: string } => {
    try {
      return { value: JSON.parse(text) };
    } catch (err) {
      return { error: `This is not valid JSON: ${(err as Error).message}` };
    }
  };
  const validate = async (text: string) => {
    const parsed = parse(text);
    return 'error' in parsed ? parsed.error : form.validateArgumentsAsync(parsed.value);
  };
  let problem: string | undefined = invalid;
  for (;;) {
    const answer = await dialog.askArgument({
      title: `${title}: correct the arguments`,
      name: '',
      label: 'Arguments',
      prompt: `The values do not match the schema: ${invalid} Correct them as JSON, or press Escape to send nothing.`,
      required: true,
      value: JSON.stringify(args ?? {}),
      canGoBack: false,
      ...(problem ? { problem } : {}),
      validate,
      ...(signal ? { signal } : {}),
    });
    if (!answer || 'back' in answer || 'skip' in answer || 'skipRest' in answer) return { kind: 'invalid', message: invalid };
    const value = 'text' in answer ? parse(answer.text) : { value: answer.value };
    const remaining = 'error' in value ? value.error : await form.validateArgumentsAsync(value.value);
    if (remaining === undefined && 'value' in value) return { kind: 'filled', args: value.value as Record<string, unknown> };
    problem = remaining;
  }
}

/** A text value the server can complete: a prompt's argument, or a resource template's variable. */
export interface CompletedValue {
  readonly name: string;
  readonly label: string;
  /** What to enter, and whether it can be left empty. */
  readonly prompt: string;
  readonly required: boolean;
}

/** The server's suggestions for `typed` as the value of `name`, given the values before it. */
export type Completer = (name: string, typed: string, context: Readonly<Record<string, string>>) => Promise<readonly string[]>;

/**
 * Asks for each value in turn, Back returning to the previous one. With `complete`, the server suggests
 * values for what is typed, in the context of the values given before (and of `given`, values the user
 * supplied already). Undefined when dismissed.
 */
export async function fillCompletedValues(dialog: FormDialog, title: string, fields: readonly CompletedValue[], complete: Completer | undefined, given: Readonly<Record<string, string>> = {}): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  for (let i = 0; i < fields.length; ) {
    const field = fields[i]!;
    const previous = { ...given, ...Object.fromEntries(fields.slice(0, i).filter(f => f.name in values).map(f => [f.name, values[f.name]!])) };
    const answer = await dialog.askArgument({
      title: `${title} (${i + 1}/${fields.length})`,
      name: field.name,
      label: field.label,
      prompt: field.prompt,
      required: field.required,
      ...(values[field.name] !== undefined ? { value: values[field.name] } : {}),
      ...(complete ? { suggest: (typed: string) => complete(field.name, typed, previous) } : {}),
      canGoBack: i > 0,
      canSkipRest: fields.slice(i).every(f => !f.required),
      validate: async text => (field.required && text === '' ? `'${field.name}' is required.` : undefined),
    });
    if (!answer) return undefined;
    if ('back' in answer) {
      i = Math.max(0, i - 1);
      continue;
    }
    if ('skipRest' in answer) {
      if (!fields.slice(i).every(f => !f.required)) continue;
      for (const f of fields.slice(i)) delete values[f.name];
      break;
    }
    if ('skip' in answer) delete values[field.name];
    else values[field.name] = 'text' in answer ? answer.text : String(answer.value);
    i++;
  }
  return values;
}

/** `completion/complete` for a prompt or a resource template; undefined when the server offers no completions. A failure suggests nothing. */
export function serverCompleter(connection: ServerConnection, ref: CompleteRequest['params']['ref']): Completer | undefined {
  if (connection.state.kind !== 'running' || !connection.state.capabilities.completions) return undefined;
  const of = ref.type === 'ref/prompt' ? ref.name : ref.uri;
  return async (name, typed, context) => {
    try {
      const result = await connection.complete({ ref, argument: { name, value: typed }, context: { arguments: { ...context } } });
      return result.completion.values;
    } catch (err) {
      connection.log.debug(`completion/complete for '${name}' of ${of}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  };
}
