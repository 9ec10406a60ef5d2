import { joinSafe, type SafeText } from '../common/untrustedText';

/**
 * What the quick picks show, apart from showing it (no `vscode` here, so it is unit-tested): which row
 * names its server, and which suggestion is active.
 */

/**
 * A row's description in a pick grouped by server. VS Code drops the separators as soon as the user
 * types a filter (rows are then sorted by match), so every row names its group itself: `echo` of two servers
 * stays two tellable rows, and typing a server's name finds its tools. With one server too: "playwright
 * screenshot" found nothing when playwright was the only server (walk15), as its name was only on the separator.
 */
export function groupedDescription(group: SafeText, description: SafeText | undefined): SafeText | undefined {
  if (!group) return description;
  return description ? joinSafe([group, description], ' · ') : group;
}

/** The rows of a suggestion pick: the typed text (unless a suggestion is exactly it), then the suggestions. */
export interface SuggestionRows {
  readonly rows: ReadonlyArray<{ readonly value: string; readonly typed: boolean }>;
  /** The row Enter takes: the first suggestion when it continues what was typed, else the typed text. */
  readonly active: number;
}

export function suggestionRows(typed: string, suggestions: readonly string[]): SuggestionRows {
  const custom = typed && !suggestions.includes(typed) ? [{ value: typed, typed: true }] : [];
  const rows = [...custom, ...suggestions.map(value => ({ value, typed: false }))];
  const first = suggestions[0];
  const continues = first !== undefined && typed !== '' && first.toLowerCase().startsWith(typed.toLowerCase());
  return { rows, active: continues ? custom.length : 0 };
}
