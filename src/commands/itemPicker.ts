import * as vscode from 'vscode';
import { safe, type SafeText } from '../common/untrustedText';
import * as ui from '../ui/window';
import { groupedDescription } from '../ui/pickRows';

/** How much of a description an item's detail line shows: its first line, up to here (the pick cuts it shorter anyway). */
export const DETAIL_MAX = 200;

/** Shown fields are `SafeText`: quick picks render `$(icon)`s, and these often hold server text. */
export interface PickItem<T> {
  readonly label: SafeText;
  readonly description?: SafeText;
  readonly detail?: SafeText;
  readonly value: T;
}

export interface PickGroup<T> {
  /** Shown as a separator above the group's items (a server's name, say). */
  readonly label: SafeText;
  readonly items: readonly PickItem<T>[];
}

/** A choice among items grouped under separators; optionally paged, optionally accepting typed text. */
export interface PickRequest<T> {
  readonly title: SafeText;
  readonly placeholder: SafeText;
  readonly groups: readonly PickGroup<T>[];
  /** Loads the next page of a paged list; the picker offers "Load more…" while `more` is true. */
  readonly loadMore?: () => Promise<{ readonly items: readonly PickItem<T>[]; readonly more: boolean }>;
  readonly hasMore?: boolean;
  /** Lets the user type an answer that is not in the list (a resource URI, say). */
  readonly typed?: {
    /** The label of the item that accepts the typed text. */
    describe(text: string): SafeText;
    /** The answer for the typed text, or undefined when the text cannot be one. */
    value(text: string): T | undefined;
  };
}

/** A pick among items grouped by server (a tool, a prompt, a resource); undefined when dismissed. */
export interface PickDialog {
  pickItem<T>(request: PickRequest<T>): Promise<T | undefined>;
}

export const pickDialog: PickDialog = { pickItem };

type Item<T> = ui.SafePickItem & { value?: T; more?: true; typed?: true };


/** The VS Code quick pick for a `PickRequest`: separators per group, "Load more…" kept at the end. */
function pickItem<T>(request: PickRequest<T>): Promise<T | undefined> {
  return new Promise(resolve => {
    const pick = ui.createQuickPick<Item<T>>();
    pick.title = request.title;
    pick.placeholder = request.placeholder;
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.ignoreFocusOut = true;
    const groups = request.groups.map(g => ({ label: g.label, items: [...g.items] }));
    let more = !!request.hasMore;
    const render = () => {
      const items: Item<T>[] = [];
      const text = pick.value.trim();
      const typedValue = text && request.typed ? request.typed.value(text) : undefined;
      if (typedValue !== undefined) items.push({ label: request.typed!.describe(text), value: typedValue, typed: true, alwaysShow: true });
      for (const g of groups) {
        if (groups.length > 1 || g.label) items.push({ label: g.label, kind: vscode.QuickPickItemKind.Separator });
        items.push(
          ...g.items.map(i => {
            const description = groupedDescription(g.label, i.description);
            return { label: i.label, ...(description ? { description } : {}), ...(i.detail ? { detail: i.detail } : {}), value: i.value };
          }),
        );
      }
      if (more) items.push({ label: safe`$(fold-down) Load more…`, description: safe`${groups.reduce((n, g) => n + g.items.length, 0)} loaded`, more: true, alwaysShow: true });
      const active = pick.activeItems[0];
      pick.items = items;
      if (active?.more) pick.activeItems = items.filter(i => i.more);
    };
    let done = false;
    pick.onDidChangeValue(() => request.typed && render());
    pick.onDidAccept(async () => {
      const chosen = pick.selectedItems[0];
      if (!chosen) return;
      if (chosen.more && request.loadMore) {
        pick.busy = true;
        try {
          const page = await request.loadMore();
          groups[groups.length - 1]!.items.push(...page.items);
          more = page.more;
        } catch (err) {
          more = false;
          void ui.showErrorMessage(safe`Could not load more: ${err}`);
        }
        pick.busy = false;
        render();
        return;
      }
      done = true;
      resolve(chosen.value);
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    render();
    pick.show();
  });
}
