import * as vscode from 'vscode';
import type { IDisposable } from '../../common/disposable';
import { Commands } from '../../ids';

/** The commands a result page may run through its links; nothing else, and no scripts. */
const ALLOWED_COMMANDS: readonly string[] = [Commands.openResource, Commands.openResultValue, 'workbench.action.chat.open'];

/**
 * Webview panels for tool results and rendered prompts: one per tool (or prompt) and server, reused
 * when it is run again, so repeated runs do not pile up tabs.
 */
export class ResultPanels implements IDisposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

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
  }
}
