import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import { BLOCK_MAX, cut, plainBlock, plainLabel } from '../../common/untrustedText';
import { describeSchemaAsync, readPageMessage, type FormEditorDialog, type FormEditorRequest, type HostMessage, type PageInit } from '../../forms/formEditor';
import type { FormOutcome } from '../../forms/formFlow';
import { EXTENSION_ID } from '../../ids';
import { formPageHtml, newNonce } from './formPage';

/**
 * One open form editor: a webview panel whose page may only ask for a check, submit or cancel. Every
 * message is read by `readPageMessage`; anything else is dropped (and counted, for tests).
 */
export class FormEditorSession {
  readonly posted: HostMessage[] = [];
  dropped = 0;
  private done = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly request: FormEditorRequest,
    private readonly resolve: (outcome: FormOutcome) => void,
  ) {}

  /** How many messages were received: a check's answer is dropped once a later message came in. */
  private received = 0;

  /** What the page sent: the webview's message handler, and tests, call this (and await it for the answer). */
  async receive(raw: unknown): Promise<void> {
    if (this.done) return;
    const message = readPageMessage(raw);
    if (!message) {
      this.dropped++;
      return;
    }
    const seq = ++this.received;
    if (message.type === 'cancel') return this.finish({ kind: 'dismissed' });
    const save = this.request.save;
    if (message.type === 'save' && !save) {
      this.dropped++;
      return;
    }
    // Checked in the validation worker: the page keeps its problems until the answer comes.
    const problems = await this.request.form.problemsAtAsync(message.value);
    if (this.done || (message.type === 'check' && seq !== this.received)) return;
    if (message.type === 'submit' && problems.length === 0) return this.finish({ kind: 'filled', args: message.value });
    this.post({ type: 'problems', problems, ...(message.seq !== undefined ? { seq: message.seq } : {}) });
    if (message.type === 'save' && save && problems.length === 0) void this.save(save, message.value);
  }

  /** Saves valid values and tells the page how it went; the form stays open. */
  private async save(save: NonNullable<FormEditorRequest['save']>, args: Record<string, unknown>): Promise<void> {
    let status: string;
    try {
      status = (await save(args)) ?? 'Not saved.';
    } catch (err) {
      status = `Not saved: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!this.done) this.post({ type: 'saved', status });
  }

  finish(outcome: FormOutcome): void {
    if (this.done) return;
    this.done = true;
    this.resolve(outcome);
    this.panel.dispose();
  }

  private post(message: HostMessage): void {
    this.posted.push(message);
    void this.panel.webview.postMessage(message);
  }
}

/** The form editor as a dialog: one panel per request, closed when the form is submitted or cancelled. */
export class FormEditorPanels implements FormEditorDialog {
  readonly sessions = new Set<FormEditorSession>();

  async editForm(request: FormEditorRequest): Promise<FormOutcome> {
    // The page's tree, built in slices: a schema of thousands of properties does not hold the extension host.
    const spec = await describeSchemaAsync(request.schema);
    if (request.signal?.aborted) return { kind: 'dismissed' };
    return new Promise(resolve => {
      const media = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'media');
      const panel = vscode.window.createWebviewPanel('mcpHost.form', plainLabel(request.title, 80), vscode.ViewColumn.Active, {
        enableScripts: true,
        // Only our page's own two files; no command links, no other local files.
        localResourceRoots: [media],
        enableCommandUris: false,
        retainContextWhenHidden: true,
      });
      const session = new FormEditorSession(panel, request, outcome => {
        this.sessions.delete(session);
        resolve(outcome);
      });
      this.sessions.add(session);
      const init: PageInit = {
        title: plainLabel(request.title),
        ...(request.message !== undefined ? { message: plainBlock(request.message) } : {}),
        ...(request.description?.trim() ? { description: cut(plainBlock(request.description.trim()), BLOCK_MAX) } : {}),
        spec,
        value: request.initial ?? {},
        submitLabel: request.submitLabel ?? 'Submit',
        canSave: !!request.save,
      };
      panel.webview.html = formPageHtml({
        cspSource: panel.webview.cspSource,
        nonce: newNonce(randomBytes),
        scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'formEditor.js')).toString(),
        styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'formEditor.css')).toString(),
        init,
      });
      panel.webview.onDidReceiveMessage(m => void session.receive(m));
      panel.onDidDispose(() => session.finish({ kind: 'dismissed' }));
      if (request.signal) {
        if (request.signal.aborted) session.finish({ kind: 'dismissed' });
        else request.signal.addEventListener('abort', () => session.finish({ kind: 'dismissed' }), { once: true });
      }
    });
  }
}
