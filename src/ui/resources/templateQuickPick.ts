import * as vscode from 'vscode';
import { createSuggestionPick } from '../suggestionPick';

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

/**
 * A quick pick whose items are the server's completions for what is typed so far; the typed text itself is
 * always the first item, so any value can be entered. Resolves undefined when dismissed.
 */
export function askTemplateVariable(question: TemplateVariableQuestion): Promise<string | undefined> {
  return new Promise(resolve => {
    const { pick, start, stop } = createSuggestionPick<vscode.QuickPickItem & { value: string }>({
      suggest: value => question.complete(value),
      item: (value, typed) => ({ label: value, value, alwaysShow: true, ...(typed ? { description: 'as typed' } : {}) }),
    });
    pick.title = `${question.template} (${question.index + 1}/${question.count})`;
    pick.placeholder = `Value for {${question.variable}} on '${question.server}'; type to filter the server's suggestions`;
    pick.matchOnDescription = false;
    let done = false;
    pick.onDidAccept(() => {
      done = true;
      stop();
      resolve(pick.selectedItems[0]?.value ?? pick.value);
      pick.hide();
    });
    pick.onDidHide(() => {
      stop();
      if (!done) resolve(undefined);
      pick.dispose();
    });
    start();
  });
}
