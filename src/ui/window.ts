import * as vscode from 'vscode';
import type { DetailText, SafeText } from '../common/untrustedText';

/**
 * The only place MCP Host calls `vscode.window`'s message, progress, quick-pick and input-box functions
 * (test/unit/ui/untrustedText.test.ts fails on any other). Each takes `SafeText` wherever VS Code renders
 * text — as links that run commands (messages, progress, input prompts and validation messages) or as
 * icons (quick-pick fields) — so untrusted text cannot reach those surfaces without `safe`/`inertLine`.
 */

export interface SafeMessageOptions {
  readonly modal?: boolean;
  /** Shown (by a modal) as plain text: `inertBlock`, or `SafeText`. */
  readonly detail?: DetailText | SafeText;
}

/** A text as VS Code was given it: a message (with a modal's detail after a line break), a progress text or an input prompt. */
export interface ShownText {
  readonly kind: 'information' | 'warning' | 'error' | 'progress' | 'input';
  readonly text: string;
}

let observer: ((shown: ShownText) => void) | undefined;

/** Test mode only (extension.ts): sees every message, progress text and input prompt as it is shown. */
export function observeShownText(listener: ((shown: ShownText) => void) | undefined): void {
  observer = listener;
}

function observe(kind: ShownText['kind'], text: string): void {
  observer?.({ kind, text });
}

/** A test's answer to a modal message, given what it shows and its buttons. */
export type ModalAnswerer = (shown: ShownText, buttons: readonly string[]) => string | undefined;

let modalAnswerer: ModalAnswerer | undefined;

/** Test mode only (extension.ts): answers modal messages in place of VS Code's dialog, which a test cannot click. */
export function answerModals(answerer: ModalAnswerer | undefined): void {
  modalAnswerer = answerer;
}

function show(
  kind: 'information' | 'warning' | 'error',
  message: SafeText,
  rest: ReadonlyArray<SafeMessageOptions | string>,
): Thenable<string | undefined> {
  const [first, ...items] = rest;
  const options = typeof first === 'object' ? first : undefined;
  const buttons = (typeof first === 'string' ? [first, ...items] : items) as string[];
  const text = options?.detail ? `${message}\n${options.detail}` : message;
  observe(kind, text);
  if (options?.modal && modalAnswerer) return Promise.resolve(modalAnswerer({ kind, text }, buttons));
  const fn = kind === 'information' ? vscode.window.showInformationMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  return options ? fn(message, { ...options }, ...buttons) : fn(message, ...buttons);
}

/** Button labels are ours (string literals); the message, and a modal's detail, are `SafeText`. */
export function showInformationMessage(message: SafeText, ...rest: [SafeMessageOptions, ...string[]] | string[]): Thenable<string | undefined> {
  return show('information', message, rest);
}

export function showWarningMessage(message: SafeText, ...rest: [SafeMessageOptions, ...string[]] | string[]): Thenable<string | undefined> {
  return show('warning', message, rest);
}

export function showErrorMessage(message: SafeText, ...rest: [SafeMessageOptions, ...string[]] | string[]): Thenable<string | undefined> {
  return show('error', message, rest);
}

export interface SafeProgressOptions {
  /** A place, or a view (its progress bar: no text). */
  readonly location: vscode.ProgressLocation | { readonly viewId: string };
  readonly title?: SafeText;
  readonly cancellable?: boolean;
}

export type SafeProgress = vscode.Progress<{ message?: SafeText; increment?: number }>;

export function withProgress<R>(options: SafeProgressOptions, task: (progress: SafeProgress, token: vscode.CancellationToken) => Thenable<R>): Thenable<R> {
  if (options.title) observe('progress', options.title);
  return vscode.window.withProgress({ ...options }, (progress, token) =>
    task(
      {
        report: value => {
          if (value.message) observe('progress', value.message);
          progress.report(value);
        },
      },
      token,
    ),
  );
}

/** A quick-pick item whose shown fields are `SafeText`; `value`-style extra fields are the caller's. */
export interface SafePickItem extends vscode.QuickPickItem {
  label: SafeText;
  description?: SafeText;
  detail?: SafeText;
}

type Titled = { title: SafeText | undefined; placeholder: SafeText | undefined };

export type SafeQuickPick<T extends SafePickItem> = Omit<vscode.QuickPick<T>, keyof Titled> & Titled;

export interface SafeQuickPickOptions extends Omit<vscode.QuickPickOptions, 'title' | 'placeHolder' | 'canPickMany'> {
  readonly title?: SafeText;
  readonly placeHolder?: SafeText;
}

export function createQuickPick<T extends SafePickItem>(): SafeQuickPick<T> {
  return vscode.window.createQuickPick<T>() as SafeQuickPick<T>;
}

export function showQuickPick<T extends SafePickItem>(items: readonly T[], options: SafeQuickPickOptions & { readonly canPickMany: true }): Thenable<T[] | undefined>;
export function showQuickPick<T extends SafePickItem>(items: readonly T[], options?: SafeQuickPickOptions): Thenable<T | undefined>;
export function showQuickPick<T extends SafePickItem>(items: readonly T[], options: SafeQuickPickOptions & { readonly canPickMany?: boolean } = {}): Thenable<T | T[] | undefined> {
  return vscode.window.showQuickPick([...items], { ...options }) as Thenable<T | T[] | undefined>;
}

/** Input prompts and validation messages render `[label](command:…)` links and `$(icon)`s: `SafeText` only. */
type SafeValidation = SafeText | { readonly message: SafeText; readonly severity: vscode.InputBoxValidationSeverity } | undefined;

type Prompted = Titled & { prompt: SafeText | undefined; validationMessage: SafeValidation };

export type SafeInputBox = Omit<vscode.InputBox, keyof Prompted> & Prompted;

export function createInputBox(): SafeInputBox {
  return vscode.window.createInputBox() as unknown as SafeInputBox;
}

export interface SafeInputBoxOptions extends Omit<vscode.InputBoxOptions, 'title' | 'prompt' | 'placeHolder' | 'validateInput'> {
  readonly title?: SafeText;
  readonly prompt?: SafeText;
  readonly placeHolder?: SafeText;
  validateInput?(value: string): SafeValidation | null | Thenable<SafeValidation | null>;
}

export function showInputBox(options: SafeInputBoxOptions): Thenable<string | undefined> {
  if (options.prompt) observe('input', options.prompt);
  return vscode.window.showInputBox({ ...options });
}

/**
 * Opens `url` outside VS Code byte for byte: every link MCP Host opens (sign-in, a server's elicitation URL, an
 * app's link) goes through here. Given a `Uri`, the workbench opens `encodeURI(uri.toString(true))`, which decodes
 * the query once: a parameter carrying an encoded URL of its own (an OAuth `redirect_uri` such as a browser
 * workbench's `/callback?vscode-reqid=…&vscode-scheme=…`) comes apart into the outer query. Given the string, the
 * extension host passes it on and the workbench opens it unchanged (unless it must rewrite it, e.g. a loopback URL
 * through code-server's port proxy): the API's runtime accepts a string, which is how VS Code's own sign-in for MCP
 * servers opens its URL. The text opened is the URL as a browser parses it (`new URL(url).href`), so the host the user
 * was shown (callers show and check it with the same parser) is the host that opens. Callers check the scheme first.
 */
export function openExternal(url: string): Thenable<boolean> {
  return vscode.env.openExternal(new URL(url).href as unknown as vscode.Uri);
}
