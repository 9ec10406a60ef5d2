import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import type { McpUiHostContext, McpUiStyles, McpUiTheme } from '@modelcontextprotocol/ext-apps/app-bridge';
import { allowAttribute, appCspHeader, appResourceUri, withCspMeta } from '../../apps/appMeta';
import { AppResourceCache, type AppResource } from '../../apps/appResource';
import { appToolResult } from '../../apps/appResult';
import type { SavedValue } from '../../mcp/resultFiles';
import { AppSession, type AppChannel, type AppConversation } from '../../apps/appSession';
import type { IDisposable } from '../../common/disposable';
import { Emitter } from '../../common/event';
import type { GatedCallResult } from '../../consent/types';
import type { McpHost } from '../../workspace/mcpHost';
import { inertBlock, plainLabel, safe } from '../../common/untrustedText';
import { WebviewTypes } from '../../ids';
import * as ui from '../window';
import { appPageHtml, parsePageMessage } from './appPage';

/** The question an app can make the host ask: open a link. */
export interface AppDialog {
  /** Shows the full URL and who asks; true only when the user chose to open it. */
  confirmOpenLink(request: { readonly server: string; readonly url: string }): Promise<boolean>;
}

const OPEN = 'Open Link';

export const appDialog: AppDialog = {
  async confirmOpenLink({ server, url }) {
    const answer = await ui.showWarningMessage(
      safe`An app on server '${server}' wants to open a link.`,
      { modal: true, detail: inertBlock(`Full address:\n${url}\n\nOpen it only if you expected this link.`) },
      OPEN,
    );
    return answer === OPEN;
  },
};

/** One app to show: the tool run, its arguments and (when it ended) its result. */
export interface AppLaunch {
  readonly server: string;
  readonly tool: { readonly name: string; readonly title?: string | undefined; readonly _meta?: Record<string, unknown> | undefined };
  readonly args: Record<string, unknown>;
  readonly result?: CallToolResult;
  /** Values of a very large result the connection kept on disk (`ToolCallOutcome.saved`). */
  readonly saved?: readonly SavedValue[];
  /** The chat conversation the app came from; absent for the palette and the sidebar. */
  readonly conversation?: AppConversation;
}

/** An app on screen. */
export interface AppView {
  readonly panel: vscode.WebviewPanel;
  readonly session: AppSession;
  readonly resource: AppResource;
}

/**
 * Keeps an app next to its call's result after the result panel was shown (and focused): the app opened
 * first, as the call started, and a reused result panel may have come up over it in its group.
 */
export function revealBeside(app: AppView): void {
  app.panel.reveal(vscode.ViewColumn.Beside, true);
}

/** An app opened for a call in flight: it has the call's input now, and gets its result or cancellation at the end. */
export interface AppRun {
  readonly view: Promise<AppView>;
  /** Sends how the call ended to the app; `failed` says why the app could not be shown. */
  finish(result: GatedCallResult): Promise<{ readonly view: AppView } | { readonly failed: string }>;
}

/** Why an app panel closed. Only `userClosed` (the tab closed by the user) comes without `ui/resource-teardown`. */
export type AppCloseReason = 'command' | 'serverStopped' | 'deactivate' | 'userClosed';

export interface AppClosed {
  readonly server: string;
  readonly tool: string;
  readonly reason: AppCloseReason;
  /** True when the app answered `ui/resource-teardown` before its panel closed. */
  readonly tornDown: boolean;
}

interface OpenApp {
  readonly server: string;
  readonly tool: string;
  readonly panel: vscode.WebviewPanel;
  session: AppSession | undefined;
  /** Set while the host closes the panel itself, after the app was asked to tear down. */
  closing?: { readonly reason: AppCloseReason; tornDown: boolean };
  readonly listeners: Set<(message: unknown) => void>;
  readonly disposables: vscode.Disposable[];
}

/** How long a closing panel waits for the app's teardown answer when the extension is being deactivated. */
const DEACTIVATE_TEARDOWN_MS = 1_000;

function themeKind(): McpUiTheme {
  const kind = vscode.window.activeColorTheme.kind;
  return kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
}

/**
 * Apps in editor panels beside the result: one per tool and server, torn down and reloaded when the tool is
 * run again. Each panel is a scripted webview of its own (the result panel stays script-free) whose page
 * relays JSON-RPC between the app's sandboxed frame and an `AppSession` here.
 */
export class AppPanels implements IDisposable {
  readonly resources = new AppResourceCache();
  private readonly open = new Map<string, OpenApp>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly closed = new Emitter<AppClosed>();
  private loads = 0;
  /** Fires when an app panel has closed, saying why and whether the app was torn down first. */
  readonly onDidClose = this.closed.event;

  constructor(
    private readonly host: McpHost,
    private readonly dialogs: () => AppDialog,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveColorTheme(() => {
        for (const app of this.open.values()) void app.session?.bridge.sendHostContextChange({ theme: themeKind() })?.catch(() => undefined);
      }),
      host.registry.onDidChangeState(entry => {
        if (entry.connection.state.kind === 'running') return;
        this.resources.forget(entry.name);
        // The app's session is bound to that connection: its calls and reads have nowhere to go any more.
        for (const app of [...this.open.values()]) if (app.server === entry.name) void this.close(app, 'serverStopped');
      }),
    );
  }

  /**
   * Opens the tool's app for a call that is starting (the gate's `onStart`: consent is given): the app gets
   * the input at once, and the result, or `ui/notifications/tool-cancelled`, when `finish` is called.
   */
  begin(launch: Omit<AppLaunch, 'result' | 'saved'>): AppRun {
    const view = this.show(launch);
    // Reported by finish, which every caller awaits.
    view.catch(() => undefined);
    return {
      view,
      finish: async result => {
        let shown: AppView;
        try {
          shown = await view;
        } catch (err) {
          return { failed: err instanceof Error ? err.message : String(err) };
        }
        if (result.kind === 'completed') shown.session.sendToolResult(appToolResult(result.outcome.result as CallToolResult, result.outcome.saved));
        // The app waits for a result that will not come: the spec's cancellation covers "any reason".
        else shown.session.sendToolCancelled(result.message);
        return { view: shown };
      },
    };
  }

  /** Closes the active app panel (the "Close App" command), tearing the app down first; false when no app panel is active. */
  async closeActive(): Promise<boolean> {
    const app = [...this.open.values()].find(a => a.panel.active);
    if (!app) return false;
    await this.close(app, 'command');
    return true;
  }

  /** Tears down and closes every app (the extension is being deactivated), waiting a short bounded time. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map(app => this.close(app, 'deactivate', DEACTIVATE_TEARDOWN_MS)));
  }

  /** Asks the app to tear down (bounded), then closes its panel. */
  private async close(app: OpenApp, reason: AppCloseReason, timeoutMs?: number): Promise<void> {
    if (app.closing) return;
    app.closing = { reason, tornDown: false };
    app.closing.tornDown = (await app.session?.teardown(timeoutMs)) ?? false;
    app.panel.dispose();
  }

  /** Fetches the tool's app resource and shows it; throws when the tool has no app or its resource is refused. */
  async show(launch: AppLaunch): Promise<AppView> {
    const { server, tool } = launch;
    const uri = appResourceUri(tool);
    if (!uri) throw new Error(`The tool '${tool.name}' on '${server}' has no app.`);
    const entry = this.host.registry.get(server);
    if (!entry || entry.connection.state.kind !== 'running') throw new Error(`Server '${server}' is not running.`);
    const resource = await this.resources.get(server, entry.hash ?? '', uri, entry.connection);

    const key = `${server}\u0000${tool.name}`;
    let app = this.open.get(key);
    if (app?.closing) app = undefined;
    if (app) {
      const old = app.session;
      app.session = undefined;
      await old?.teardown();
      old?.dispose();
      app.panel.reveal(undefined, true);
    } else {
      app = this.createPanel(key, server, tool.name, `App: ${plainLabel(tool.title ?? tool.name, 80)}`);
    }
    const current = app;
    const session = await new Promise<AppSession>((resolve, reject) => {
      const ready = current.panel.webview.onDidReceiveMessage(raw => {
        const message = parsePageMessage(raw);
        if (message?.type !== 'ready') return;
        ready.dispose();
        const hostContext: McpUiHostContext = {
          // The full tool as listed (the SDKs' Tool types differ only in optional fields).
          toolInfo: { tool: tool as unknown as Tool },
          theme: themeKind(),
          // McpUiStyles lists every key as present; hosts may give any subset (the spec says so).
          styles: { variables: message.styles as McpUiStyles },
          displayMode: 'inline',
          availableDisplayModes: ['inline'],
          containerDimensions: { width: message.width, maxHeight: message.height },
          locale: vscode.env.language,
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          userAgent: `MCP Host (VS Code ${vscode.version})`,
          platform: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
        };
        const created = this.createSession(launch, current, hostContext);
        current.session = created;
        created.start().then(() => {
          const policy = resource.policy;
          void current.panel.webview.postMessage({
            type: 'load',
            html: withCspMeta(resource.html, appCspHeader(policy.csp)),
            allow: allowAttribute(policy.permissions),
          });
          created.sendToolInput(launch.args);
          if (launch.result) created.sendToolResult(appToolResult(launch.result, launch.saved));
          resolve(created);
        }, reject);
      });
      current.panel.webview.html = appPageHtml({ server, tool: tool.title ?? tool.name, resource, load: ++this.loads });
    });
    return { panel: current.panel, session, resource };
  }

  private createPanel(key: string, server: string, tool: string, title: string): OpenApp {
    const panel = vscode.window.createWebviewPanel(WebviewTypes.app, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [],
      retainContextWhenHidden: true,
    });
    const app: OpenApp = { server, tool, panel, session: undefined, listeners: new Set(), disposables: [] };
    app.disposables.push(
      panel.webview.onDidReceiveMessage(raw => {
        const message = parsePageMessage(raw);
        if (message?.type === 'app') for (const listener of app.listeners) listener(message.message);
        else if (message?.type === 'resize') void app.session?.bridge.sendHostContextChange({ containerDimensions: { width: message.width, maxHeight: message.height } })?.catch(() => undefined);
      }),
    );
    this.open.set(key, app);
    panel.onDidDispose(() => {
      // When the user closed the tab, the webview is already gone here: VS Code has no "before close" for
      // webview panels, so the app cannot be asked to tear down. Disposing the session cancels its calls.
      app.session?.dispose();
      for (const d of app.disposables) d.dispose();
      if (this.open.get(key) === app) this.open.delete(key);
      this.closed.fire({ server, tool, reason: app.closing?.reason ?? 'userClosed', tornDown: app.closing?.tornDown ?? false });
    });
    return app;
  }

  private createSession(launch: AppLaunch, app: OpenApp, hostContext: McpUiHostContext): AppSession {
    const { server } = launch;
    const registry = this.host.registry;
    const channel: AppChannel = {
      post: message => void app.panel.webview.postMessage({ type: 'app', message }),
      onMessage: listener => {
        app.listeners.add(listener);
        return { dispose: () => app.listeners.delete(listener) };
      },
    };
    return new AppSession(
      {
        server,
        gate: this.host.gate,
        isRunning: name => registry.get(name)?.connection.state.kind === 'running',
        tool: (name, tool) => registry.runningTool(name, tool),
        serversWithTool: tool => registry.catalog().filter(t => t.tool.name === tool).map(t => t.server),
        readResource: async (uri, signal) => {
          const entry = registry.get(server);
          if (!entry || entry.connection.state.kind !== 'running') throw new Error(`Server '${server}' is not running.`);
          return entry.connection.readResource(uri, signal) as never;
        },
        openLink: async url => {
          let parsed: URL;
          try {
            parsed = new URL(url);
          } catch {
            return false;
          }
          // Only web and mail links: a command: or file: link from an app must not run or open anything.
          if (!['http:', 'https:', 'mailto:'].includes(parsed.protocol)) return false;
          if (!(await this.dialogs().confirmOpenLink({ server, url: parsed.href }))) return false;
          return ui.openExternal(parsed.href);
        },
        log: (level, text) => {
          const log = this.host.serverLog(server);
          if (!log) return;
          if (level === 'warning') log.warn(text);
          else log[level](text);
        },
        ...(launch.conversation
          ? { conversation: launch.conversation }
          : {
              messageRefused: () =>
                void ui.showInformationMessage(
                  safe`The app of '${launch.tool.title ?? launch.tool.name}' on '${server}' asked to send a message to chat, but it was opened from the Command Palette or the sidebar, so there is no chat to send it to. Run the tool from @mcp in the Chat view to use that.`,
                ),
            }),
        hostInfo: { name: 'MCP Host', version: this.host.version },
        hostContext,
      },
      channel,
    );
  }

  dispose(): void {
    for (const app of [...this.open.values()]) app.panel.dispose();
    this.open.clear();
    for (const d of this.subscriptions) d.dispose();
    this.closed.dispose();
  }
}
