import * as vscode from 'vscode';

/** One thing a response showed, as recorded in Test mode. */
export type TranscriptPart =
  | { readonly kind: 'markdown'; readonly value: string; readonly isTrusted: unknown; readonly supportHtml: boolean }
  | { readonly kind: 'button'; readonly command: vscode.Command }
  | { readonly kind: 'progress'; readonly value: string }
  | { readonly kind: 'reference'; readonly uri: string }
  | { readonly kind: 'anchor'; readonly uri: string; readonly title?: string };

export interface Transcript {
  readonly command: string | undefined;
  readonly prompt: string;
  readonly parts: TranscriptPart[];
  /** The markdown of the response, joined. */
  text(): string;
  /** Settles with the handler's result when the response ends. */
  readonly done: Promise<vscode.ChatResult | undefined>;
}

/**
 * What chat responses showed, for the integration tests (Test mode only): every stream call is passed on
 * to VS Code unchanged and recorded. In a normal install nothing is recorded.
 */
export class ChatTranscripts {
  readonly all: Transcript[] = [];
  private readonly _onDidStart = new vscode.EventEmitter<Transcript>();
  readonly onDidStart = this._onDidStart.event;

  constructor(readonly enabled: boolean) {}

  /** The stream to write to, and a function to call with the result when the handler returns. */
  record(request: vscode.ChatRequest, stream: vscode.ChatResponseStream): { stream: vscode.ChatResponseStream; finish(result: vscode.ChatResult | undefined): void } {
    if (!this.enabled) return { stream, finish: () => undefined };
    const parts: TranscriptPart[] = [];
    let finish!: (result: vscode.ChatResult | undefined) => void;
    const done = new Promise<vscode.ChatResult | undefined>(r => (finish = r));
    const transcript: Transcript = {
      command: request.command,
      prompt: request.prompt,
      parts,
      text: () => parts.map(p => (p.kind === 'markdown' ? p.value : '')).join(''),
      done,
    };
    this.all.push(transcript);
    this._onDidStart.fire(transcript);
    const markdown = (value: string | vscode.MarkdownString) => {
      // VS Code renders a string as an untrusted MarkdownString without HTML.
      const md = typeof value === 'string' ? { value, isTrusted: false, supportHtml: false } : value;
      parts.push({ kind: 'markdown', value: md.value, isTrusted: md.isTrusted, supportHtml: !!md.supportHtml });
    };
    const recorder: vscode.ChatResponseStream = {
      markdown: value => {
        markdown(value);
        stream.markdown(value);
      },
      anchor: (value, title) => {
        parts.push({ kind: 'anchor', uri: (value instanceof vscode.Uri ? value : value.uri).toString(), ...(title ? { title } : {}) });
        stream.anchor(value, title);
      },
      button: command => {
        parts.push({ kind: 'button', command });
        stream.button(command);
      },
      filetree: (value, baseUri) => stream.filetree(value, baseUri),
      progress: value => {
        parts.push({ kind: 'progress', value });
        stream.progress(value);
      },
      reference: (value, iconPath) => {
        parts.push({ kind: 'reference', uri: (value instanceof vscode.Uri ? value : value.uri).toString() });
        stream.reference(value, iconPath);
      },
      push: part => {
        if (part instanceof vscode.ChatResponseMarkdownPart) markdown(part.value);
        else if (part instanceof vscode.ChatResponseCommandButtonPart) parts.push({ kind: 'button', command: part.value });
        stream.push(part);
      },
    };
    return { stream: recorder, finish };
  }

  dispose(): void {
    this._onDidStart.dispose();
  }
}
