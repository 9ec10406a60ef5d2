import * as vscode from 'vscode';
import { DisposableStore } from '../../common/disposable';
import { ContextKeys, Views } from '../../ids';

/** The sidebar's server tree. Empty until servers are configured; the welcome view covers that case. */
class ServersProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

export function registerServersView(store: DisposableStore): void {
  store.add(vscode.window.createTreeView(Views.servers, { treeDataProvider: new ServersProvider(), showCollapseAll: true }));
  void vscode.commands.executeCommand('setContext', ContextKeys.hasServers, false);
}
