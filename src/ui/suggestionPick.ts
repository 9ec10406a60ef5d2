import * as ui from './window';
import { suggestionRows } from './pickRows';

const DEBOUNCE_MS = 150;

export interface SuggestionPickOptions<T extends ui.SafePickItem> {
  /** The server's suggestions for the text typed so far (`completion/complete`); empty when it has none. */
  readonly suggest: (typed: string) => Promise<readonly string[]>;
  /** The item for a suggestion, or for the typed text itself (`typed`). */
  readonly item: (value: string, typed: boolean) => T;
  /** Items after the suggestions, e.g. "Leave out" for an optional value. */
  readonly extraItems?: (typed: string) => T[];
}

/**
 * A quick pick whose items follow the server's suggestions as the user types: asked after a short pause,
 * only the latest answer shown, and the typed text always offered so any value can be entered; the first
 * suggestion is active when it continues what was typed.
 * The caller sets title and placeholder, wires accept/hide, calls `start()` to show it and `stop()`
 * when it is done.
 */
export function createSuggestionPick<T extends ui.SafePickItem>(options: SuggestionPickOptions<T>): { pick: ui.SafeQuickPick<T>; start(): void; stop(): void } {
  const pick = ui.createQuickPick<T>();
  pick.ignoreFocusOut = true;
  let suggestions: readonly string[] = [];
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const render = () => {
    const typed = pick.value;
    const { rows, active } = suggestionRows(typed, suggestions);
    const items = rows.map(r => options.item(r.value, r.typed));
    pick.items = [...items, ...(options.extraItems?.(typed) ?? [])];
    // Enter takes the highlighted suggestion ("Engineering" for "En"), not the typed text.
    if (items[active]) pick.activeItems = [items[active]];
  };
  const refresh = (typed: string) => {
    const mine = ++sequence;
    pick.busy = true;
    options
      .suggest(typed)
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
  return {
    pick,
    start() {
      render();
      pick.show();
      refresh(pick.value);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
