import type { GetPromptResult } from '@modelcontextprotocol/client';
import type { GatedCallResult } from '../../consent/types';
import { plainBlock, plainLabel } from '../../common/untrustedText';
import { escapeHtml } from '../../common/html';
import { budgetResult, PANEL_BUDGET, type Cut, type ResultBudget } from '../../mcp/resultBudget';
import type { SavedValue } from '../../mcp/resultFiles';

/**
 * What a tool result or a rendered prompt looks like on screen, and the HTML for it. No `vscode` here:
 * the webview panel (resultPanel.ts) only hosts this HTML. Everything from the server is untrusted: it is
 * escaped, images and audio are shown only from checked base64 `data:` URIs of image/audio types, and the
 * only links are `command:` links to the commands the panel allows (opening a resource, sending to chat).
 */

/** A value shown only in part: how much, and where it is in full when the host kept it. */
export interface CutView {
  readonly kind: Cut['kind'];
  readonly keptChars: number;
  /** NaN when unknown (structured content that was too large to measure cheaply). */
  readonly fullBytes: number;
  readonly saved?: { readonly id: string; readonly part: number | 'message' };
}

/** One piece of content, checked and ready to show. */
export type ContentView =
  | { readonly kind: 'text'; readonly text: string; readonly audience?: string; readonly cut?: CutView }
  | { readonly kind: 'image'; readonly mimeType: string; readonly data: string; readonly bytes: number }
  | { readonly kind: 'audio'; readonly mimeType: string; readonly data: string; readonly bytes: number }
  | { readonly kind: 'link'; readonly uri: string; readonly name: string; readonly description?: string; readonly mimeType?: string }
  | { readonly kind: 'resource'; readonly uri: string; readonly mimeType?: string; readonly text?: string; readonly blobBytes?: number; readonly cut?: CutView }
  | { readonly kind: 'unsupported'; readonly what: string };

export type ResultStatus = 'completed' | 'toolError' | 'denied' | 'cancelled' | 'failed';

export interface ToolResultView {
  readonly server: string;
  readonly tool: string;
  /** The tool's title, else its name. */
  readonly label: string;
  readonly status: ResultStatus;
  /** Why it was denied, cancelled or failed. */
  readonly message?: string;
  readonly durationMs?: number;
  /** Pretty JSON of the arguments sent. */
  readonly argsText?: string;
  readonly content: readonly ContentView[];
  /** Pretty JSON of `structuredContent`, cut to the budget. */
  readonly structuredText?: string;
  readonly structuredCut?: CutView;
  /** The host's verdict when structured output is missing or does not match the tool's output schema. */
  readonly outputError?: string;
  readonly outputNotChecked?: string;
}

export interface PromptView {
  readonly server: string;
  readonly prompt: string;
  readonly label: string;
  readonly description?: string;
  readonly args: Readonly<Record<string, string>>;
  readonly messages: readonly { readonly role: string; readonly content: readonly ContentView[] }[];
  /** What "Send to Chat" puts in the chat input: the messages' text. */
  readonly chatText: string;
}

type Mask = (text: string) => string;
const identity: Mask = text => text;

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|bmp|avif|svg\+xml)$/;
const AUDIO_TYPES = /^audio\/[a-z0-9][a-z0-9.+-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Decoded size of base64 text, or undefined when it is not base64. */
export function base64Bytes(data: string): number | undefined {
  const clean = data.replace(/\s+/g, '');
  if (!BASE64.test(clean) || clean.length % 4 === 1) return undefined;
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A content block from a tool result or prompt message, checked; anything unexpected becomes `unsupported`. */
export function contentView(block: unknown, mask: Mask = identity): ContentView {
  const b = (typeof block === 'object' && block !== null ? block : {}) as Record<string, unknown>;
  const type = str(b.type) ?? 'unknown';
  const annotations = (typeof b.annotations === 'object' && b.annotations !== null ? b.annotations : {}) as Record<string, unknown>;
  const audience = Array.isArray(annotations.audience) ? annotations.audience.filter((a): a is string => typeof a === 'string').join(', ') : undefined;
  switch (type) {
    case 'text': {
      const text = str(b.text);
      if (text === undefined) break;
      return { kind: 'text', text: mask(text), ...(audience ? { audience } : {}) };
    }
    case 'image':
    case 'audio': {
      const mimeType = str(b.mimeType)?.toLowerCase() ?? '';
      const data = str(b.data)?.replace(/\s+/g, '') ?? '';
      const bytes = base64Bytes(data);
      if (!(type === 'image' ? IMAGE_TYPES : AUDIO_TYPES).test(mimeType)) return { kind: 'unsupported', what: `${type} of type '${mask(mimeType || 'none')}'` };
      if (bytes === undefined) return { kind: 'unsupported', what: `${type} (${mimeType}) whose data is not base64` };
      return { kind: type, mimeType, data, bytes };
    }
    case 'resource_link': {
      const uri = str(b.uri);
      if (uri === undefined) break;
      const description = str(b.description);
      const mimeType = str(b.mimeType);
      return { kind: 'link', uri: mask(uri), name: mask(str(b.title) ?? str(b.name) ?? uri), ...(description ? { description: mask(description) } : {}), ...(mimeType ? { mimeType } : {}) };
    }
    case 'resource': {
      const r = (typeof b.resource === 'object' && b.resource !== null ? b.resource : {}) as Record<string, unknown>;
      const uri = str(r.uri);
      if (uri === undefined) break;
      const mimeType = str(r.mimeType);
      const text = str(r.text);
      const blob = str(r.blob);
      return {
        kind: 'resource',
        uri: mask(uri),
        ...(mimeType ? { mimeType } : {}),
        ...(text !== undefined ? { text: mask(text) } : {}),
        ...(blob !== undefined ? { blobBytes: base64Bytes(blob) ?? blob.length } : {}),
      };
    }
  }
  return { kind: 'unsupported', what: `content of type '${mask(type)}'` };
}

export interface ToolInfo {
  readonly server: string;
  readonly tool: string;
  readonly title?: string;
}

export interface ToolResultViewOptions {
  /** What is shown at most (the result panel's budget by default). */
  readonly budget?: ResultBudget;
  /** Values kept in full on disk (`keepCutValues`); by default those the connection kept (`outcome.saved`). */
  readonly saved?: readonly SavedValue[];
}

/** The view of a gated call's result, whatever its outcome, within a budget: a huge result costs only what is shown. */
export function toolResultView(result: GatedCallResult, info: ToolInfo, args?: Record<string, unknown>, mask: Mask = identity, options: ToolResultViewOptions = {}): ToolResultView {
  const base = {
    server: info.server,
    tool: info.tool,
    label: info.title ?? info.tool,
    ...(args !== undefined ? { argsText: mask(JSON.stringify(args, null, 2)) } : {}),
  };
  if (result.kind !== 'completed') return { ...base, status: result.kind, message: mask(result.message), content: [] };
  const saved = options.saved ?? result.outcome.saved ?? [];
  const budgeted = budgetResult({ ...result.outcome.result, content: Array.isArray(result.outcome.result.content) ? result.outcome.result.content : [] }, options.budget ?? PANEL_BUDGET, { saved, mask });
  const r = budgeted.result;
  const cutOf = (block: number | 'structuredContent') => {
    const cut = budgeted.cuts.find(c => c.block === block);
    // A string cut inside structured content is kept alone; the whole of it is in the message as received.
    const part = (v: SavedValue): number | 'message' => (block === 'structuredContent' && v.path.length > 1 ? 'message' : v.part);
    return cut ? { cut: { kind: cut.kind, keptChars: cut.keptChars, fullBytes: cut.fullBytes, ...(cut.saved ? { saved: { id: cut.saved.id, part: part(cut.saved) } } : {}) } } : {};
  };
  const content = r.content.map((b, i) => ({ ...contentView(b, mask), ...cutOf(i) }) as ContentView);
  const structuredCut = cutOf('structuredContent').cut;
  return {
    ...base,
    status: r.isError ? 'toolError' : 'completed',
    durationMs: result.durationMs,
    content,
    ...(budgeted.structuredText !== undefined ? { structuredText: budgeted.structuredText } : {}),
    ...(structuredCut ? { structuredCut } : {}),
    ...(result.outcome.outputError ? { outputError: mask(result.outcome.outputError) } : {}),
    ...(result.outcome.outputNotChecked ? { outputNotChecked: result.outcome.outputNotChecked } : {}),
  };
}

export function promptView(server: string, prompt: { name: string; title?: string | undefined }, args: Record<string, string>, result: GetPromptResult, mask: Mask = identity): PromptView {
  const messages = result.messages.map(m => ({ role: m.role, content: [contentView(m.content, mask)] }));
  const chatText = messages
    .flatMap(m => m.content)
    .map(c => (c.kind === 'text' ? c.text : c.kind === 'resource' ? (c.text ?? c.uri) : c.kind === 'link' ? c.uri : undefined))
    .filter((t): t is string => t !== undefined)
    .join('\n\n');
  return {
    server,
    prompt: prompt.name,
    label: prompt.title ?? prompt.name,
    ...(result.description ? { description: mask(result.description) } : {}),
    args,
    messages,
    chatText,
  };
}

/** Server text as HTML text: hidden and bidi characters shown as `⟨U+200B⟩`, lines kept, then escaped. */
function textHtml(text: string): string {
  return escapeHtml(plainBlock(text));
}

/** A `command:` URI with JSON arguments, as webviews with `enableCommandUris` run them. */
export function commandUri(command: string, ...args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

export interface RenderOptions {
  /** The command that opens `{ server, uri }` as a document. */
  readonly openResourceCommand: string;
  /** The command that opens a value kept on disk (`{ id, part, name }`) as a read-only document. */
  readonly openValueCommand?: string;
  /** The `command:` URIs of the page's "Run Again" and "Save Call…", when its call can be sent again (its arguments are known). */
  readonly actions?: { readonly runAgain: string; readonly saveCall: string };
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; line-height: 1.4; }
h1 { font-size: 1.3em; margin: 16px 0 4px; }
h2 { font-size: 1.05em; margin: 18px 0 6px; text-transform: capitalize; }
.meta { color: var(--vscode-descriptionForeground); margin-bottom: 12px; }
pre { white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 8px 10px; border-radius: 3px; margin: 6px 0; }
.block { margin: 10px 0; }
.label { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.banner { padding: 8px 10px; border-radius: 3px; margin: 10px 0; border-left: 4px solid; }
.error { border-color: var(--vscode-errorForeground); background: var(--vscode-inputValidation-errorBackground); }
.warning { border-color: var(--vscode-editorWarning-foreground); background: var(--vscode-inputValidation-warningBackground); }
.info { border-color: var(--vscode-focusBorder); background: var(--vscode-textBlockQuote-background); }
.tool-error pre { border-left: 3px solid var(--vscode-errorForeground); }
img { max-width: 100%; image-rendering: auto; border: 1px solid var(--vscode-widget-border, transparent); }
a { color: var(--vscode-textLink-foreground); }
.action { display: inline-block; margin: 8px 0; padding: 4px 12px; background: var(--vscode-button-background); color: var(--vscode-button-foreground); text-decoration: none; border-radius: 2px; }
.action:hover { background: var(--vscode-button-hoverBackground); }
.action.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
.action.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
.actions { margin: 0 0 8px; }
.actions .action { margin: 0 6px 0 0; }
`;

function page(title: string, body: string): string {
  // No scripts at all; links are `command:` URIs the panel allows one by one.
  const csp = `default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${textHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** Says what part of a value is shown, with a link to the whole when it is kept on disk. */
function renderCut(cut: CutView, what: string, name: string, options: RenderOptions): string {
  const full = Number.isFinite(cut.fullBytes) ? formatSize(cut.fullBytes) : 'more';
  const shown = cut.kind === 'media' ? `Not shown: ${what} of ${full} is too large to show here.` : `Showing the first ${cut.keptChars.toLocaleString('en-US')} characters of ${full}.`;
  const link =
    cut.saved && options.openValueCommand
      ? ` <a href="${escapeHtml(commandUri(options.openValueCommand, { ...cut.saved, name }))}" data-open-value>Open the full ${what}</a> (read-only).`
      : cut.saved
        ? ''
        : ' The rest is not kept.';
  return `<div class="banner info cut" data-cut="${escapeHtml(cut.kind)}">${textHtml(shown)}${link}</div>`;
}

function renderContent(c: ContentView, server: string, options: RenderOptions, name = 'result'): string {
  const open = (uri: string, text: string) => `<a href="${escapeHtml(commandUri(options.openResourceCommand, { server, uri }))}" data-uri="${escapeHtml(uri)}">${textHtml(text)}</a>`;
  switch (c.kind) {
    case 'text':
      if (c.cut?.kind === 'media') return `<div class="block media-cut">${renderCut(c.cut, 'content', `${name}.txt`, options)}</div>`;
      return `<div class="block text">${c.audience ? `<div class="label">for ${textHtml(c.audience)}</div>` : ''}<pre>${textHtml(c.text)}</pre>${c.cut ? renderCut(c.cut, 'text', `${name}.txt`, options) : ''}</div>`;
    case 'image':
      return `<div class="block image"><img src="data:${c.mimeType};base64,${c.data}" alt="Image (${textHtml(c.mimeType)}, ${formatSize(c.bytes)})"><div class="label">Image · ${textHtml(c.mimeType)} · ${formatSize(c.bytes)}</div></div>`;
    case 'audio':
      return `<div class="block audio"><div class="label">Audio · ${textHtml(c.mimeType)} · ${formatSize(c.bytes)}</div><audio controls src="data:${c.mimeType};base64,${c.data}"></audio></div>`;
    case 'link':
      return `<div class="block link">🔗 ${open(c.uri, c.name)} <span class="label">${textHtml(c.uri)}${c.mimeType ? ` · ${textHtml(c.mimeType)}` : ''}</span>${c.description ? `<div class="label">${textHtml(c.description)}</div>` : ''}</div>`;
    case 'resource': {
      const head = `<div class="label">Embedded resource ${open(c.uri, c.uri)}${c.mimeType ? ` · ${textHtml(c.mimeType)}` : ''}</div>`;
      if (c.text !== undefined) return `<div class="block resource">${head}<pre>${textHtml(c.text)}</pre>${c.cut ? renderCut(c.cut, 'text', `${name}.txt`, options) : ''}</div>`;
      return `<div class="block resource">${head}<div class="label">Binary content, ${formatSize(c.cut?.fullBytes ?? c.blobBytes ?? 0)}, not shown.</div></div>`;
    }
    case 'unsupported':
      return `<div class="block unsupported label">Not shown: ${textHtml(c.what)}.</div>`;
  }
}

const STATUS_BANNER: Record<Exclude<ResultStatus, 'completed'>, { cls: string; text: string }> = {
  toolError: { cls: 'error', text: 'The tool reported an error.' },
  denied: { cls: 'info', text: 'Not run.' },
  cancelled: { cls: 'info', text: 'Cancelled.' },
  failed: { cls: 'error', text: 'The call failed.' },
};

/** The longest tool or prompt title an editor tab shows. */
const TAB_LABEL_MAX = 80;

/** The panel's tab title: the server's title as plain text (one line, hidden and bidi characters shown, cut). */
export function resultTitle(view: { label: string }): string {
  return `MCP: ${plainLabel(view.label, TAB_LABEL_MAX)} result`;
}

export function renderResultHtml(view: ToolResultView, options: RenderOptions): string {
  const parts: string[] = [];
  parts.push(`<h1>${textHtml(view.label)}</h1>`);
  const took = view.durationMs !== undefined ? ` · ${view.durationMs} ms` : '';
  parts.push(`<div class="meta">Tool <code>${textHtml(view.tool)}</code> on server <code>${textHtml(view.server)}</code>${took}</div>`);
  if (options.actions) {
    // Our words and our command URIs only; a run asks for consent as any call does.
    parts.push(
      `<div class="actions"><a class="action" data-action="run-again" href="${escapeHtml(options.actions.runAgain)}" title="Send this call again with the same arguments (asks for consent as any call)">Run Again</a>` +
        `<a class="action secondary" data-action="save-call" href="${escapeHtml(options.actions.saveCall)}" title="Save these arguments under a name, to run them with Run Saved Call…">Save Call…</a></div>`,
    );
  }
  if (view.status !== 'completed') {
    const banner = STATUS_BANNER[view.status];
    parts.push(`<div class="banner ${banner.cls}" data-status="${view.status}"><strong>${banner.text}</strong>${view.message ? ` ${textHtml(view.message)}` : ''}</div>`);
  }
  if (view.content.length) {
    const name = (i: number) => `${view.label} result${view.content.length > 1 ? ` ${i + 1}` : ''}`;
    parts.push(`<section class="content${view.status === 'toolError' ? ' tool-error' : ''}">${view.content.map((c, i) => renderContent(c, view.server, options, name(i))).join('\n')}</section>`);
  } else if (view.status === 'completed' || view.status === 'toolError') {
    parts.push(`<div class="label">The tool returned no content.</div>`);
  }
  if (view.outputError) {
    parts.push(`<div class="banner warning" data-output-error><strong>Structured output does not match the tool's output schema.</strong> ${textHtml(view.outputError)}</div>`);
  }
  if (view.outputNotChecked) {
    parts.push(`<div class="banner info" data-output-not-checked><strong>Structured output not checked against the tool's output schema:</strong> ${textHtml(view.outputNotChecked)}; the server is the judge of it.</div>`);
  }
  if (view.structuredText !== undefined) {
    const cut = view.structuredCut ? renderCut(view.structuredCut, 'structured content', `${view.label} structured content.json`, options) : '';
    parts.push(`<h2>Structured content</h2><pre class="structured">${textHtml(view.structuredText)}</pre>${cut}`);
  }
  if (view.argsText !== undefined) {
    parts.push(`<details><summary class="label">Arguments sent</summary><pre>${textHtml(view.argsText)}</pre></details>`);
  }
  return page(resultTitle(view), parts.join('\n'));
}

export interface PromptRenderOptions extends RenderOptions {
  /** The `command:` URI of the "Send to Chat" action. */
  readonly sendToChatUri: string;
  /** What the action does, shown beside it. */
  readonly sendToChatNote: string;
}

export function promptTitle(view: { label: string }): string {
  // "Arguments Prompt", not "Arguments Prompt prompt".
  const label = plainLabel(view.label, TAB_LABEL_MAX);
  return /\bprompt$/i.test(label) ? `MCP: ${label}` : `MCP: ${label} prompt`;
}

export function renderPromptHtml(view: PromptView, options: PromptRenderOptions): string {
  const parts: string[] = [];
  parts.push(`<h1>${textHtml(view.label)}</h1>`);
  const args = Object.entries(view.args);
  parts.push(
    `<div class="meta">Prompt <code>${textHtml(view.prompt)}</code> on server <code>${textHtml(view.server)}</code>${args.length ? ` · ${args.map(([k, v]) => `${textHtml(k)}=${textHtml(JSON.stringify(v))}`).join(', ')}` : ''}</div>`,
  );
  if (view.description) parts.push(`<div class="meta">${textHtml(view.description)}</div>`);
  parts.push(`<a class="action" href="${escapeHtml(options.sendToChatUri)}">Send to Chat</a> <span class="label">${textHtml(options.sendToChatNote)}</span>`);
  for (const m of view.messages) {
    parts.push(`<h2>${textHtml(m.role)}</h2>${m.content.map(c => renderContent(c, view.server, options)).join('\n')}`);
  }
  if (view.messages.length === 0) parts.push(`<div class="label">The prompt has no messages.</div>`);
  return page(promptTitle(view), parts.join('\n'));
}
