/**
 * MCP Apps (the `io.modelcontextprotocol/ui` extension): what a tool and its `ui://` resource declare, read
 * strictly. Everything here comes from a server and is hostile: a resource URI that is not `ui://`, a CSP
 * source that smuggles a directive, a permission nobody asked the user about — each is refused or ignored.
 */

/** The extension's id in capabilities, and the MIME type of an app's HTML. */
export const APPS_EXTENSION_ID = 'io.modelcontextprotocol/ui';
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';

/** The client capability that tells a server this host renders apps. */
export const APPS_CLIENT_EXTENSION = { [APPS_EXTENSION_ID]: { mimeTypes: [APP_MIME_TYPE] } } as const;

interface ToolLike {
  readonly _meta?: Record<string, unknown> | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The `ui://` resource a tool's UI lives in: `_meta.ui.resourceUri`, or the deprecated flat
 * `_meta["ui/resourceUri"]` when the nested one is absent. Anything that is not a `ui://` URI is no app.
 */
export function appResourceUri(tool: ToolLike): string | undefined {
  const meta = record(tool._meta);
  const nested = record(meta?.ui)?.resourceUri;
  const uri = nested !== undefined ? nested : meta?.['ui/resourceUri'];
  return typeof uri === 'string' && /^ui:\/\/[^\s]+$/.test(uri) && uri.length <= 2048 ? uri : undefined;
}

/** Who may call a tool: the model (chat, language-model tools), the app of its own server, or both (the default). */
export interface ToolVisibility {
  readonly model: boolean;
  readonly app: boolean;
}

export function toolVisibility(tool: ToolLike): ToolVisibility {
  const visibility = record(record(tool._meta)?.ui)?.visibility;
  if (!Array.isArray(visibility)) return { model: true, app: true };
  return { model: visibility.includes('model'), app: visibility.includes('app') };
}

/** The CSP a resource declares (`_meta.ui.csp` on its `resources/read` content). */
export interface AppCsp {
  readonly connectDomains: readonly string[];
  readonly resourceDomains: readonly string[];
  readonly frameDomains: readonly string[];
  readonly baseUriDomains: readonly string[];
}

/** The permissions a resource may ask for, with the Permissions-Policy feature and the words the user reads. */
export const APP_PERMISSIONS = {
  camera: { feature: 'camera', label: 'Camera' },
  microphone: { feature: 'microphone', label: 'Microphone' },
  geolocation: { feature: 'geolocation', label: 'Location (geolocation)' },
  clipboardWrite: { feature: 'clipboard-write', label: 'Write to the clipboard' },
} as const;
export type AppPermission = keyof typeof APP_PERMISSIONS;

/** What the host will apply to an app's frame, and what it refused from the declaration (shown to the user). */
export interface AppSandboxPolicy {
  readonly csp: AppCsp;
  readonly permissions: readonly AppPermission[];
  /** Declared sources and permissions that were ignored, as text for the user. */
  readonly ignored: readonly string[];
  readonly prefersBorder?: boolean;
}

/**
 * A CSP source an app may add: an http(s) or ws(s) origin, with an optional `*.` subdomain wildcard and
 * port. Bare `*`, scheme-only sources, keywords, paths, quotes, `;` and whitespace are refused, so a
 * declaration can only name hosts — never add a directive or a keyword like `'unsafe-eval'`.
 */
const SOURCE = /^(https?|wss?):\/\/(\*\.)?[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*(?::(\d{1,5}|\*))?$/i;
const MAX_SOURCES = 32;

function sources(value: unknown, field: string, ignored: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    ignored.push(`csp.${field}: not a list`);
    return [];
  }
  const kept: string[] = [];
  for (const item of value) {
    if (typeof item === 'string' && SOURCE.test(item) && kept.length < MAX_SOURCES) {
      if (!kept.includes(item.toLowerCase())) kept.push(item.toLowerCase());
    } else {
      ignored.push(`csp.${field}: ${typeof item === 'string' ? JSON.stringify(item.slice(0, 100)) : typeof item}`);
    }
  }
  return kept;
}

/** Reads `_meta.ui` of a `resources/read` content item into what the host will apply. */
export function sandboxPolicy(meta: unknown): AppSandboxPolicy {
  const ui = record(record(meta)?.ui);
  const ignored: string[] = [];
  const csp = record(ui?.csp);
  const policy: AppCsp = {
    connectDomains: sources(csp?.connectDomains, 'connectDomains', ignored),
    resourceDomains: sources(csp?.resourceDomains, 'resourceDomains', ignored),
    frameDomains: sources(csp?.frameDomains, 'frameDomains', ignored),
    baseUriDomains: sources(csp?.baseUriDomains, 'baseUriDomains', ignored),
  };
  const permissions: AppPermission[] = [];
  for (const key of Object.keys(record(ui?.permissions) ?? {})) {
    if (Object.hasOwn(APP_PERMISSIONS, key)) permissions.push(key as AppPermission);
    else ignored.push(`permissions: ${JSON.stringify(key.slice(0, 100))}`);
  }
  const prefersBorder = ui?.prefersBorder;
  return { csp: policy, permissions, ignored, ...(typeof prefersBorder === 'boolean' ? { prefersBorder } : {}) };
}

function list(values: readonly string[], fallback: string): string {
  return values.length ? values.join(' ') : fallback;
}

/**
 * The Content-Security-Policy of an app's frame. Without declarations it allows only the app's own inline
 * script and style and `data:`/`blob:` media: no network, no nested frames, no plugins, no form posts,
 * no `<base>`. Declared origins are only ever added to the directive the spec maps them to.
 * `extraScript` lets the hosting page load its own relay script; the app's frame never gets it.
 */
export function appCspHeader(csp: AppCsp, extraScript?: string): string {
  const res = csp.resourceDomains;
  const script = [...(extraScript ? [extraScript] : []), "'unsafe-inline'", ...res].join(' ');
  return [
    "default-src 'none'",
    `script-src ${script}`,
    `style-src 'unsafe-inline' ${res.join(' ')}`.trimEnd(),
    `img-src data: blob: ${res.join(' ')}`.trimEnd(),
    `font-src data: ${res.join(' ')}`.trimEnd(),
    `media-src data: blob: ${res.join(' ')}`.trimEnd(),
    `connect-src ${list(csp.connectDomains, "'none'")}`,
    `frame-src ${list(csp.frameDomains, "'none'")}`,
    `base-uri ${list(csp.baseUriDomains, "'none'")}`,
    "object-src 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The frame's `allow` attribute: only the permissions the resource declared, nothing by default. */
export function allowAttribute(permissions: readonly AppPermission[]): string {
  return permissions.map(p => APP_PERMISSIONS[p].feature).join('; ');
}

/**
 * The app's HTML with the CSP also set inside it, as the first thing in `<head>`: the hosting page's policy
 * is inherited by the frame and already binds it; this copy keeps the page's own script source out.
 */
export function withCspMeta(html: string, csp: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return `${doctype[0]}<head>${meta}</head>${html.slice(doctype[0].length)}`;
  return `<head>${meta}</head>${html}`;
}
