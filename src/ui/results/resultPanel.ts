import * as vscode from 'vscode';
import type { IDisposable } from '../../common/disposable';
import { RecentTokens } from '../../common/recentTokens';
import { Commands } from '../../ids';

/** The commands a result page may run through its links; nothing else, and no scripts. */
const ALLOWED_COMMANDS: readonly string[] = [Commands.openResource, Commands.openResultValue, Commands.runResultAgain, Commands.saveResultCall, 'workbench.action.chat.open'];

/** How many pages' calls "Run Again" and "Save Call…" can still reach (a page replaced a moment ago still works). */
const KEPT_CALLS = 50;

/** The call a result panel shows, for its "Run Again" and "Save Call…": what was sent, as sent. */
export interface PanelCall {
  readonly server: string;
  readonly tool: string;
  readonly title?: string;
  readonly args: Record<string, unknown>;
}

/**
 * Webview panels for tool results and rendered prompts: one per tool (or prompt) and server, reused
 * when it is run again, so repeated runs do not pile up tabs.
 */
export class ResultPanels implements IDisposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /**
   * The calls behind the pages' actions, by a token their links carry: link arguments travel through the
   * renderer, so they name the call instead of holding its arguments. The latest ones only, in memory.
   */
  private readonly calls = new RecentTokens<PanelCall>('c', KEPT_CALLS);

  /** A token for the links of a page about to be shown. */
  remember(call: PanelCall): string {
    return this.calls.add(call);
  }

  /** The call a page's link names, while it is kept. */
  callOf(token: unknown): PanelCall | undefined {
    return this.calls.get(token);
  }

  show(key: string, title: string, html: string): vscode.WebviewPanel {
    let panel = this.panels.get(key);
    if (panel) {
      panel.title = title;
      panel.reveal(undefined, false);
    } else {
      panel = vscode.window.createWebviewPanel('mcpHost.result', title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: false,
        enableCommandUris: ALLOWED_COMMANDS,
        localResourceRoots: [],
        enableFindWidget: true,
      });
      const created = panel;
      this.panels.set(key, created);
      created.onDidDispose(() => this.panels.get(key) === created && this.panels.delete(key));
    }
    panel.webview.html = html;
    return panel;
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    this.calls.clear();
  }
}
