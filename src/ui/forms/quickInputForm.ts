import * as vscode from 'vscode';
import { createSuggestionPick } from '../suggestionPick';
import type { ArgumentAnswer, ArgumentChoice, ArgumentQuestion, FormDialog } from '../../forms/formFlow';

type ChoiceItem = vscode.QuickPickItem & { value?: unknown; skip?: true };

/** Forms in the quick input, one question at a time. */
export const quickInputForm: FormDialog = { askArgument };

/** The VS Code input for one question: a quick pick for choices and suggestions, an input box otherwise. */
function askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
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
