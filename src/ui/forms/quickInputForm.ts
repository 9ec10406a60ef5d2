import * as vscode from 'vscode';
import { inertLine, safe, type SafeText } from '../../common/untrustedText';
import { latestOnly } from '../../common/latestOnly';
import { createSuggestionPick } from '../suggestionPick';
import * as ui from '../window';
import type { ArgumentAnswer, ArgumentChoice, ArgumentQuestion, FormDialog } from '../../forms/formFlow';

type ChoiceItem = ui.SafePickItem & { value?: unknown; skip?: true; skipRest?: true; typed?: string };

/** The title-bar button (and, in picks, the item) that leaves this and every later optional field out. */
const SKIP_REST: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('run-all'), tooltip: 'Skip the remaining optional fields' };
const SKIP_REST_ITEM: ChoiceItem = { label: safe`$(run-all) Skip the remaining optional fields`, description: safe`leave them all out`, skipRest: true, alwaysShow: true };

function buttonsFor(question: ArgumentQuestion): vscode.QuickInputButton[] {
  return [...(question.canGoBack ? [vscode.QuickInputButtons.Back] : []), ...(question.canSkipRest ? [SKIP_REST] : [])];
}

/** "Leave out" of an optional single choice: says what the server then uses. */
function leaveOutItem(question: ArgumentQuestion): ChoiceItem {
  const description = question.defaultText !== undefined ? safe`the server uses its default (${question.defaultText})` : safe`optional`;
  return { label: safe`$(debug-step-over) Leave out`, description, skip: true, alwaysShow: true };
}

/** Calls `hide` when `signal` aborts (at once if it already has); dispose to stop listening. */
function onAbort(signal: AbortSignal | undefined, hide: () => void): { dispose(): void } {
  if (!signal) return { dispose() {} };
  if (signal.aborted) {
    queueMicrotask(hide);
    return { dispose() {} };
  }
  signal.addEventListener('abort', hide, { once: true });
  return { dispose: () => signal.removeEventListener('abort', hide) };
}

/** Forms in the quick input, one question at a time. */
export const quickInputForm: FormDialog = { askArgument };

/** The question's texts for VS Code: they hold the server's names and descriptions, so they are made inert. */
function shown(question: ArgumentQuestion): { title: SafeText; prompt: SafeText; label: SafeText; placeholder: SafeText } {
  return { title: inertLine(question.title), prompt: inertLine(question.prompt), label: inertLine(question.label), placeholder: question.prompt.startsWith(question.label) ? inertLine(question.prompt) : safe`${question.label}: ${question.prompt}` };
}

function validation(message: string | undefined): SafeText | undefined {
  return message === undefined ? undefined : inertLine(message);
}

/** Shown while a check takes longer than `CHECKING_AFTER_MS` (the first of a window compiles the schema in the worker). */
const CHECKING = { message: safe`Checking…`, severity: vscode.InputBoxValidationSeverity.Info };
/**
 * Until then the message for the previous text stays, as VS Code's own input box does with an asynchronous
 * `validateInput`: a check answers in about a millisecond, and "Checking…" would flash on every keystroke.
 */
const CHECKING_AFTER_MS = 100;

/** The problem with `text`, or why it could not be checked. */
async function problemWith(question: ArgumentQuestion, text: string): Promise<string | undefined> {
  try {
    return await question.validate(text);
  } catch (err) {
    return `This value could not be checked: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The VS Code input for one question: a quick pick for choices and suggestions, an input box otherwise. */
function askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
  if (question.choices) return askChoice(question, question.choices);
  if (question.suggest) return askWithSuggestions(question, question.suggest);
  return new Promise(resolve => {
    const box = ui.createInputBox();
    const text = shown(question);
    box.title = text.title;
    box.prompt = text.prompt;
    box.placeholder = question.defaultText !== undefined && !question.required ? safe`${question.label} (default: ${question.defaultText})` : text.label;
    box.ignoreFocusOut = true;
    if (question.value !== undefined) box.value = question.value;
    box.buttons = buttonsFor(question);
    let done = false;
    const latest = latestOnly(async (text: string) => (text === question.value && question.problem ? question.problem : problemWith(question, text)));
    /** Checks the box's text and shows the answer; undefined when the text changed (or the box closed) meanwhile. */
    const check = async (): Promise<{ text: string; message: string | undefined } | undefined> => {
      const text = box.value;
      box.busy = true;
      const slow = setTimeout(() => (box.validationMessage = CHECKING), CHECKING_AFTER_MS);
      const answer = await latest(text);
      clearTimeout(slow);
      if (!answer) return undefined;
      box.busy = false;
      box.validationMessage = validation(answer.value);
      return { text, message: answer.value };
    };
    // An empty box is not judged until the user types or presses Enter: on open it shows the field's prompt (its
    // description, what to enter), not "Enter a number" in an error's red before anything was typed.
    if (box.value !== '' || question.problem) void check();
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      resolve(answer);
      box.hide();
    };
    box.onDidChangeValue(() => void check());
    box.onDidTriggerButton(b => (b === vscode.QuickInputButtons.Back ? finish({ back: true }) : b === SKIP_REST && finish({ skipRest: true })));
    box.onDidAccept(async () => {
      // Accepted as checked: Enter on text whose check has not answered yet waits for it.
      const checked = await check();
      if (!checked || checked.message !== undefined) return;
      finish(!question.required && checked.text.trim() === '' ? { skip: true } : { text: checked.text });
    });
    box.onDidHide(() => {
      latest.cancel();
      if (!done) resolve(undefined);
      withdrawn.dispose();
      box.dispose();
    });
    const withdrawn = onAbort(question.signal, () => box.hide());
    box.show();
  });
}

function askChoice(question: ArgumentQuestion, choices: readonly ArgumentChoice[]): Promise<ArgumentAnswer | undefined> {
  return new Promise(resolve => {
    const pick = ui.createQuickPick<ChoiceItem>();
    const text = shown(question);
    pick.title = text.title;
    pick.placeholder = text.placeholder;
    pick.ignoreFocusOut = true;
    pick.canSelectMany = !!question.many;
    const items: ChoiceItem[] = choices.map(c => ({ label: inertLine(c.label), ...(c.description ? { description: inertLine(c.description) } : {}), value: c.value }));
    const leaveOut = !question.required && !question.many ? leaveOutItem(question) : undefined;
    const extra: ChoiceItem[] = [...(leaveOut ? [leaveOut] : []), ...(question.canSkipRest && !question.many ? [SKIP_REST_ITEM] : [])];
    pick.items = [...items, ...extra];
    const picked = items.filter((_, i) => choices[i]?.picked);
    if (question.many) pick.selectedItems = picked;
    // Nothing picked yet: Enter leaves an optional field out rather than sending the first choice.
    else if (picked.length || leaveOut) pick.activeItems = picked.length ? picked : [leaveOut!];
    pick.buttons = buttonsFor(question);
    let done = false;
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      resolve(answer);
      pick.hide();
    };
    // Typed text as an item of its own (a `["boolean", "string"]` field: true, false, or words), checked as it is typed.
    const typedAs = question.many ? undefined : question.typedAs;
    let typedProblem: { text: string; message: string | undefined } | undefined;
    let typedShown = false;
    const latest = latestOnly((text: string) => problemWith(question, text));
    const showTyped = () => {
      const text = pick.value;
      const isChoice = choices.some(c => c.label === text.trim());
      if (!typedAs || text.trim() === '' || isChoice) {
        // Items set again only to take the typed one away: setting them moves the active item to the first.
        if (typedShown) pick.items = [...items, ...extra];
        typedShown = false;
        return;
      }
      typedShown = true;
      const problem = typedProblem?.text === text ? typedProblem.message : undefined;
      const item: ChoiceItem = { label: inertLine(text), description: inertLine(typedAs(text)), ...(problem ? { detail: safe`$(error) ${problem}` } : {}), typed: text, alwaysShow: true };
      pick.items = [...items, item, ...extra];
      if (!choices.some(c => c.label.toLowerCase().startsWith(text.trim().toLowerCase()))) pick.activeItems = [item];
    };
    const checkTyped = async (text: string): Promise<string | undefined | null> => {
      const answer = await latest(text);
      if (!answer || done) return null;
      typedProblem = { text, message: answer.value };
      if (pick.value === text) showTyped();
      return answer.value;
    };
    if (typedAs) {
      if (question.value !== undefined && !picked.length) pick.value = question.value;
      showTyped();
      pick.onDidChangeValue(text => {
        showTyped();
        if (text.trim() !== '') void checkTyped(text);
      });
    }
    pick.onDidTriggerButton(b => (b === vscode.QuickInputButtons.Back ? finish({ back: true }) : b === SKIP_REST && finish({ skipRest: true })));
    pick.onDidAccept(async () => {
      if (question.many) {
        const values = pick.selectedItems.map(i => i.value);
        if (values.length === 0 && !question.required) return finish({ skip: true });
        return finish({ value: values });
      }
      const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!chosen) return;
      if (chosen.typed !== undefined) {
        // Accepted as checked: Enter before the check answered waits for it; a problem stays under the item.
        const problem = await checkTyped(chosen.typed);
        if (problem !== undefined) return;
        return finish({ text: chosen.typed });
      }
      finish(chosen.skipRest ? { skipRest: true } : chosen.skip ? { skip: true } : { value: chosen.value });
    });
    pick.onDidHide(() => {
      latest.cancel();
      if (!done) resolve(undefined);
      withdrawn.dispose();
      pick.dispose();
    });
    const withdrawn = onAbort(question.signal, () => pick.hide());
    pick.show();
  });
}

/** A quick pick over the server's suggestions for the text typed so far; the typed text itself is always an item. */
function askWithSuggestions(question: ArgumentQuestion, suggest: (typed: string) => Promise<readonly string[]>): Promise<ArgumentAnswer | undefined> {
  return new Promise(resolve => {
    const { pick, start, stop } = createSuggestionPick<ChoiceItem>({
      suggest,
      item: (value, typed) => ({ label: inertLine(value), value, alwaysShow: true, ...(typed ? { description: safe`as typed` } : {}) }),
      extraItems: typed => (!question.required && !typed ? [leaveOutItem(question), ...(question.canSkipRest ? [SKIP_REST_ITEM] : [])] : []),
    });
    const text = shown(question);
    pick.title = text.title;
    pick.placeholder = text.placeholder;
    if (question.value !== undefined) pick.value = question.value;
    pick.buttons = buttonsFor(question);
    let done = false;
    const finish = (answer: ArgumentAnswer | undefined) => {
      done = true;
      stop();
      resolve(answer);
      pick.hide();
    };
    pick.onDidTriggerButton(b => (b === vscode.QuickInputButtons.Back ? finish({ back: true }) : b === SKIP_REST && finish({ skipRest: true })));
    pick.onDidAccept(async () => {
      const chosen = pick.selectedItems[0];
      if (chosen?.skipRest) return finish({ skipRest: true });
      if (chosen?.skip) return finish({ skip: true });
      const text = typeof chosen?.value === 'string' ? chosen.value : pick.value;
      const message = await problemWith(question, text);
      if (done || (chosen === undefined && pick.value !== text)) return;
      if (message !== undefined) {
        pick.placeholder = inertLine(message);
        return;
      }
      finish(!question.required && text === '' ? { skip: true } : { text });
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      stop();
      withdrawn.dispose();
      pick.dispose();
    });
    const withdrawn = onAbort(question.signal, () => pick.hide());
    start();
  });
}
