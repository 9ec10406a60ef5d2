import * as vscode from 'vscode';
import type { CompleteRequest } from '@modelcontextprotocol/client';
import { createSuggestionPick } from '../ui/suggestionPick';
import type { ArgumentForm, FormField } from '../mcp/argumentSchema';
import type { ServerConnection } from '../mcp/serverConnection';
import type { Prompts } from '../workspace/prompts';

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
  /** Suggestions for what is typed so far (a prompt argument's completions). */
  readonly suggest?: (typed: string) => Promise<readonly string[]>;
  /** Whether "back" to the previous question is possible. */
  readonly canGoBack: boolean;
  /** Why the previous answer was not accepted, when it was not. */
  readonly problem?: string;
  /** Why `text` is not acceptable, or undefined: checked as the user types. */
  validate(text: string): string | undefined;
}

/** Typed text, picked value(s), an explicit skip of an optional field, or a step back. */
export type ArgumentAnswer = { readonly text: string } | { readonly value: unknown } | { readonly skip: true } | { readonly back: true };

export type FormOutcome = { readonly kind: 'filled'; readonly args: Record<string, unknown> } | { readonly kind: 'dismissed' } | { readonly kind: 'invalid'; readonly message: string };

function promptFor(field: FormField): string {
  const parts = [field.description?.trim(), field.hint].filter(Boolean) as string[];
  if (!field.required) parts.push(field.hasDefault ? 'optional: clear it to leave it out (the server then uses its default)' : 'optional: leave empty to skip');
  return parts.join(' — ');
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

/**
 * Asks for every field of `form` in turn (required ones first), each answer checked as it is typed,
 * then checks the whole argument object against the schema. When that fails, the arguments are offered
 * as JSON to correct; dismissing that leaves them unsent, with the explanation.
 */
export async function fillForm(prompts: Prompts, form: ArgumentForm, title: string): Promise<FormOutcome> {
  const values = new Map<string, unknown>();
  const fields = form.fields;
  let problem: string | undefined;
  for (let i = 0; i < fields.length; ) {
    const field = fields[i]!;
    // Going back shows the answer given before; otherwise the default.
    const had = values.has(field.name);
    const current = had ? values.get(field.name) : field.hasDefault ? field.default : undefined;
    const choices = choicesFor(field, current);
    const prefill = had ? (typeof current === 'string' && field.kind !== 'json' ? current : JSON.stringify(current)) : field.initialText;
    const answer = await prompts.askArgument({
      title: `${title} (${i + 1}/${fields.length})`,
      name: field.name,
      label: field.label,
      prompt: promptFor(field),
      required: field.required,
      ...(prefill !== undefined ? { value: prefill } : {}),
      ...(choices ? { choices, many: field.kind === 'list' } : {}),
      canGoBack: i > 0,
      ...(problem ? { problem } : {}),
      validate: text => form.validateField(field, text),
    });
    problem = undefined;
    if (!answer) return { kind: 'dismissed' };
    if ('back' in answer) {
      i = Math.max(0, i - 1);
      continue;
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
  const invalid = form.validateArguments(args);
  if (invalid === undefined) return { kind: 'filled', args: (args ?? {}) as Record<string, unknown> };
  return correctAsJson(prompts, form, title, args, invalid);
}

/** The last chance: the whole argument object as JSON, checked against the schema as it is edited. */
async function correctAsJson(prompts: Prompts, form: ArgumentForm, title: string, args: unknown, invalid: string): Promise<FormOutcome> {
  const parse = (text: string): { value: unknown } | { error: string } => {
    try {
      return { value: JSON.parse(text) };
    } catch (err) {
      return { error: `This is not valid JSON: ${(err as Error).message}` };
    }
  };
  const validate = (text: string) => {
    const parsed = parse(text);
    return 'error' in parsed ? parsed.error : form.validateArguments(parsed.value);
  };
  let problem: string | undefined = invalid;
  for (;;) {
    const answer = await prompts.askArgument({
      title: `${title}: correct the arguments`,
      name: '',
      label: 'Arguments',
      prompt: `The arguments do not match the tool's schema: ${invalid} Correct them as JSON, or press Escape to send nothing.`,
      required: true,
      value: JSON.stringify(args ?? {}),
      canGoBack: false,
      ...(problem ? { problem } : {}),
      validate,
    });
    if (!answer || 'back' in answer || 'skip' in answer) return { kind: 'invalid', message: invalid };
    const value = 'text' in answer ? parse(answer.text) : { value: answer.value };
    const remaining = 'error' in value ? value.error : form.validateArguments(value.value);
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
 * values for what is typed, in the context of the values given before. Undefined when dismissed.
 */
export async function fillCompletedValues(prompts: Prompts, title: string, fields: readonly CompletedValue[], complete: Completer | undefined): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  for (let i = 0; i < fields.length; ) {
    const field = fields[i]!;
    const previous = Object.fromEntries(fields.slice(0, i).filter(f => f.name in values).map(f => [f.name, values[f.name]!]));
    const answer = await prompts.askArgument({
      title: `${title} (${i + 1}/${fields.length})`,
      name: field.name,
      label: field.label,
      prompt: field.prompt,
      required: field.required,
      ...(values[field.name] !== undefined ? { value: values[field.name] } : {}),
      ...(complete ? { suggest: (typed: string) => complete(field.name, typed, previous) } : {}),
      canGoBack: i > 0,
      validate: text => (field.required && text === '' ? `'${field.name}' is required.` : undefined),
    });
    if (!answer) return undefined;
    if ('back' in answer) {
      i = Math.max(0, i - 1);
      continue;
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

type ChoiceItem = vscode.QuickPickItem & { value?: unknown; skip?: true };

/** The VS Code input for one question: a quick pick for choices and suggestions, an input box otherwise. */
export function askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
  if (question.choices) return askChoice(question, question.choices);
  if (question.suggest) return askWithSuggestions(question, question.suggest);
  return new Promise(resolve => {
    const box = vscode.window.createInputBox();
    box.title = question.title;
    box.prompt = question.prompt;
    box.placeholder = question.label;
    box.ignoreFocusOut = true;
    if (question.value !== undefined) box.value = question.value;
    if (question.canGoBack) box.buttons = [vscode.QuickInputButtons.Back];
    const check = () => (box.validationMessage = box.value === question.value && question.problem ? question.problem : question.validate(box.value));
    check();
    let done = false;
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      resolve(answer);
      box.hide();
    };
    box.onDidChangeValue(check);
    box.onDidTriggerButton(b => b === vscode.QuickInputButtons.Back && finish({ back: true }));
    box.onDidAccept(() => {
      const message = question.validate(box.value);
      box.validationMessage = message;
      if (message !== undefined) return;
      finish(!question.required && box.value.trim() === '' ? { skip: true } : { text: box.value });
    });
    box.onDidHide(() => {
      if (!done) resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

function askChoice(question: ArgumentQuestion, choices: readonly ArgumentChoice[]): Promise<ArgumentAnswer | undefined> {
  return new Promise(resolve => {
    const pick = vscode.window.createQuickPick<ChoiceItem>();
    pick.title = question.title;
    pick.placeholder = `${question.label}: ${question.prompt}`;
    pick.ignoreFocusOut = true;
    pick.canSelectMany = !!question.many;
    const items: ChoiceItem[] = choices.map(c => ({ label: c.label, ...(c.description ? { description: c.description } : {}), value: c.value }));
    if (!question.required && !question.many) items.push({ label: '$(debug-step-over) Leave out', description: 'optional', skip: true });
    pick.items = items;
    const picked = items.filter((_, i) => choices[i]?.picked);
    if (question.many) pick.selectedItems = picked;
    else if (picked.length) pick.activeItems = picked;
    if (question.canGoBack) pick.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      resolve(answer);
      pick.hide();
    };
    pick.onDidTriggerButton(b => b === vscode.QuickInputButtons.Back && finish({ back: true }));
    pick.onDidAccept(() => {
      if (question.many) {
        const values = pick.selectedItems.map(i => i.value);
        if (values.length === 0 && !question.required) return finish({ skip: true });
        return finish({ value: values });
      }
      const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!chosen) return;
      finish(chosen.skip ? { skip: true } : { value: chosen.value });
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** A quick pick over the server's suggestions for the text typed so far; the typed text itself is always an item. */
function askWithSuggestions(question: ArgumentQuestion, suggest: (typed: string) => Promise<readonly string[]>): Promise<ArgumentAnswer | undefined> {
  return new Promise(resolve => {
    const { pick, start, stop } = createSuggestionPick<ChoiceItem>({
      suggest,
      item: (value, typed) => ({ label: value, value, alwaysShow: true, ...(typed ? { description: 'as typed' } : {}) }),
      extraItems: typed => (!question.required && !typed ? [{ label: '$(debug-step-over) Leave out', description: 'optional', skip: true, alwaysShow: true }] : []),
    });
    pick.title = question.title;
    pick.placeholder = `${question.label}: ${question.prompt}`;
    if (question.value !== undefined) pick.value = question.value;
    if (question.canGoBack) pick.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      stop();
      resolve(answer);
      pick.hide();
    };
    pick.onDidTriggerButton(b => b === vscode.QuickInputButtons.Back && finish({ back: true }));
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      if (chosen?.skip) return finish({ skip: true });
      const text = typeof chosen?.value === 'string' ? chosen.value : pick.value;
      const message = question.validate(text);
      if (message !== undefined) {
        pick.placeholder = message;
        return;
      }
      finish(!question.required && text === '' ? { skip: true } : { text });
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      stop();
      pick.dispose();
    });
    start();
  });
}
