import { APP_PERMISSIONS, appCspHeader } from '../../apps/appMeta';
import { escapeHtml } from '../../common/html';
import { plainLabel } from '../../common/untrustedText';
import type { AppResource } from '../../apps/appResource';
import type { McpUiStyles } from '@modelcontextprotocol/ext-apps/app-bridge';

/**
 * The webview page an app runs in. The page itself is ours and holds no server markup: it shows what the
 * app is and what it was granted, and relays JSON-RPC between the extension and one inner frame. The inner
 * frame is `srcdoc` with `sandbox="allow-scripts allow-forms"` (no `allow-same-origin`; forms post nowhere: `form-action 'none'`), so the app runs on an opaque
 * origin of its own: it cannot reach this page, the webview API, cookies or storage. A `srcdoc` frame
 * inherits the page's CSP, which is the app's own (see `appCspHeader`): the page needs no more than the app,
 * so the page's policy is never looser than the app's.
 */

/** VS Code theme variables for the app's style variables (`ui/initialize` host context). */
const STYLE_SOURCES: Partial<Record<keyof McpUiStyles & string, string>> = {
  '--color-background-primary': '--vscode-editor-background',
  '--color-background-secondary': '--vscode-sideBar-background',
  '--color-background-tertiary': '--vscode-editorWidget-background',
  '--color-background-info': '--vscode-editorInfo-background',
  '--color-background-danger': '--vscode-inputValidation-errorBackground',
  '--color-background-warning': '--vscode-inputValidation-warningBackground',
  '--color-text-primary': '--vscode-editor-foreground',
  '--color-text-secondary': '--vscode-descriptionForeground',
  '--color-text-info': '--vscode-editorInfo-foreground',
  '--color-text-danger': '--vscode-errorForeground',
  '--color-text-warning': '--vscode-editorWarning-foreground',
  '--color-text-disabled': '--vscode-disabledForeground',
  '--color-border-primary': '--vscode-panel-border',
  '--color-border-secondary': '--vscode-widget-border',
  '--color-ring-primary': '--vscode-focusBorder',
  '--font-sans': '--vscode-font-family',
  '--font-mono': '--vscode-editor-font-family',
  '--font-text-md-size': '--vscode-font-size',
};

/** Messages the page posts to the extension. Anything else is ignored. */
export type PageMessage =
  | { readonly type: 'ready'; readonly styles: Record<string, string>; readonly width: number; readonly height: number }
  | { readonly type: 'resize'; readonly width: number; readonly height: number }
  | { readonly type: 'app'; readonly message: unknown };

/** Checks the shape of a page message (the page is ours, but what it relays from the app is not). */
export function parsePageMessage(value: unknown): PageMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const size = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 100_000 ? Math.round(v) : undefined);
  if (m.type === 'app' && 'message' in m) return { type: 'app', message: m.message };
  const width = size(m.width);
  const height = size(m.height);
  if (width === undefined || height === undefined) return undefined;
  if (m.type === 'resize') return { type: 'resize', width, height };
  if (m.type === 'ready' && typeof m.styles === 'object' && m.styles !== null) {
    const styles: Record<string, string> = {};
    for (const [key, v] of Object.entries(m.styles as Record<string, unknown>)) {
      if (Object.hasOwn(STYLE_SOURCES, key) && typeof v === 'string' && v.length <= 300 && !/[;{}<>]/.test(v)) styles[key] = v.trim();
    }
    return { type: 'ready', styles, width, height };
  }
  return undefined;
}

/** Server text in the page's header: one line, hidden and bidi characters shown as `⟨U+…⟩`, cut, escaped. */
function plain(text: string, max = 200): string {
  return escapeHtml(plainLabel(text, max));
}

export interface AppPageInfo {
  readonly server: string;
  readonly tool: string;
  readonly resource: AppResource;
  /** Differs on every load: VS Code does not reload a webview whose HTML is unchanged, and a re-run must reload. */
  readonly load: number;
}

/** What the header tells the user the app was granted (and refused). */
export function grantSummary(resource: AppResource): string[] {
  const { csp, permissions, ignored } = resource.policy;
  const lines = [
    `Network: ${csp.connectDomains.length ? csp.connectDomains.join(', ') : 'none'}`,
    ...(csp.resourceDomains.length ? [`Loads files from: ${csp.resourceDomains.join(', ')}`] : []),
    ...(csp.frameDomains.length ? [`Embeds: ${csp.frameDomains.join(', ')}`] : []),
    `Permissions: ${permissions.length ? permissions.map(p => APP_PERMISSIONS[p].label).join(', ') : 'none'}`,
  ];
  if (ignored.length) lines.push(`Ignored (not allowed): ${ignored.slice(0, 8).join('; ')}${ignored.length > 8 ? ` and ${ignored.length - 8} more` : ''}`);
  return lines;
}

export function appPageHtml(info: AppPageInfo): string {
  // The page's own script runs under 'unsafe-inline' like the app's; a nonce would switch 'unsafe-inline' off
  // for the inherited policy too, and the app's inline scripts with it. The page holds no server markup.
  const csp = appCspHeader(info.resource.policy.csp);
  const grants = grantSummary(info.resource)
    .map(line => `<span>${plain(line, 400)}</span>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="mcp-host-load" content="${info.load}">
<style>
  html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
  body { display: flex; flex-direction: column; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
  header { flex: none; padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border); color: var(--vscode-descriptionForeground); display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; }
  header strong { color: var(--vscode-foreground); font-weight: 600; }
  #app { flex: 1; min-height: 0; }
  iframe { border: 0; width: 100%; height: 100%; display: block; background: transparent; }
</style>
</head>
<body>
<header id="mcp-app-header"><strong>App · ${plain(info.tool, 100)} on ${plain(info.server, 100)}</strong><span>${plain(info.resource.uri)}</span>${grants}</header>
<div id="app" data-server="${plain(info.server, 100)}"></div>
<script>${RELAY_SCRIPT}</script>
</body>
</html>`;
}

/**
 * The page's relay: messages from the app's frame go to the extension as `{type:'app'}`; messages from the
 * extension go to the frame only as `{type:'app'}` (JSON-RPC) or build it as `{type:'load'}`. The frame is
 * told apart by `event.source`, the extension by the origin; anything else is ignored.
 */
const RELAY_SCRIPT = `(() => {
  const vscode = acquireVsCodeApi();
  const host = document.getElementById('app');
  const sources = ${JSON.stringify(STYLE_SOURCES)};
  let frame;
  const size = () => ({ width: host.clientWidth, height: host.clientHeight });
  const styles = () => {
    const computed = getComputedStyle(document.documentElement);
    const out = {};
    for (const [key, source] of Object.entries(sources)) {
      const value = computed.getPropertyValue(source).trim();
      if (value) out[key] = value;
    }
    return out;
  };
  window.addEventListener('message', event => {
    if (frame && event.source === frame.contentWindow) {
      vscode.postMessage({ type: 'app', message: event.data });
      return;
    }
    // The extension's messages come from the webview host, on this page's origin (or dispatched with none);
    // the app's frame is opaque ('null') and any frame it embeds has its own origin.
    if (event.origin !== window.location.origin && event.origin !== '') return;
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'load' && typeof data.html === 'string') {
      if (frame) frame.remove();
      frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts allow-forms');
      frame.setAttribute('allow', typeof data.allow === 'string' ? data.allow : '');
      frame.setAttribute('referrerpolicy', 'no-referrer');
      frame.title = 'MCP App';
      frame.srcdoc = data.html;
      host.appendChild(frame);
    } else if (data.type === 'app' && frame && frame.contentWindow) {
      frame.contentWindow.postMessage(data.message, '*');
    }
  });
  new ResizeObserver(() => vscode.postMessage({ type: 'resize', ...size() })).observe(host);
  vscode.postMessage({ type: 'ready', styles: styles(), ...size() });
})();`;
