import * as vscode from 'vscode';

/** One variable of a resource template, asked of the user with the server's completions. */
export interface TemplateVariableQuestion {
  readonly server: string;
  readonly template: string;
  readonly variable: string;
  /** Zero-based position of this variable, and how many the template has. */
  readonly index: number;
  readonly count: number;
  /** The values given for earlier variables. */
  readonly previous: Readonly<Record<string, string>>;
  /** The server's suggestions for a partial value (`completion/complete`); empty when it has none. */
  complete(value: string): Promise<readonly string[]>;
}

const DEBOUNCE_MS = 150;

/**
 * A quick pick whose items are the server's completions for what is typed so far; the typed text itself is
 * always the first item, so any value can be entered. Resolves undefined when dismissed.
 */
export function askTemplateVariable(question: TemplateVariableQuestion): Promise<string | undefined> {
  return new Promise(resolve => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string }>();
    pick.title = `${question.template} (${question.index + 1}/${question.count})`;
    pick.placeholder = `Value for {${question.variable}} on '${question.server}'; type to filter the server's suggestions`;
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = false;
    let suggestions: readonly string[] = [];
    let sequence = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const render = () => {
      const typed = pick.value;
      const custom = typed && !suggestions.includes(typed) ? [{ label: typed, description: 'as typed', value: typed, alwaysShow: true }] : [];
      pick.items = [...custom, ...suggestions.map(s => ({ label: s, value: s, alwaysShow: true }))];
    };
    const refresh = (value: string) => {
      const mine = ++sequence;
      pick.busy = true;
      question
        .complete(value)
        .then(values => {
          if (mine !== sequence) return;
          suggestions = values;
          render();
        })
        .catch(() => undefined)
        .finally(() => mine === sequence && (pick.busy = false));
    };
    pick.onDidChangeValue(value => {
      render();
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => refresh(value), DEBOUNCE_MS);
    });
    let done = false;
    pick.onDidAccept(() => {
      done = true;
      resolve(pick.selectedItems[0]?.value ?? pick.value);
      pick.hide();
    });
    pick.onDidHide(() => {
      if (timer) clearTimeout(timer);
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
    refresh('');
  });
}
