import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';
import type { AskingServer } from '../mcp/clientRequests';
import { AskGuard, ServerQuestions } from './askGuard';
import { prefersEditor, type EditorPreference, type FormEditorDialog } from '../forms/formEditor';
import { fillForm, type FormDialog } from '../forms/formFlow';
import { buildFormAsync, type ArgumentForm } from '../forms/schemaForm';

/**
 * `elicitation/create`: a server asks the user for information, as a form built from `requestedSchema`
 * (form mode) or by sending them to a URL (URL mode). Each names the asking server; a form is filled with
 * the same engine as Run Tool's arguments; a URL opens only after the user agrees. No `vscode` here.
 */

export type ElicitParams = ElicitRequest['params'];

/** The first question of an elicitation: respond (fill the form, open the URL), decline, or cancel (dismiss). */
export type ElicitationQuestion =
  | { readonly mode: 'form'; readonly server: string; readonly message: string; readonly fields: readonly string[] }
  | { readonly mode: 'url'; readonly server: string; readonly message: string; readonly url: string; readonly host: string };

export type ElicitationChoice = 'accept' | 'decline' | 'cancel';

export interface ElicitationDialog {
  confirmElicitation(question: ElicitationQuestion): Promise<ElicitationChoice>;
  /** Opens a URL the user agreed to open, in the browser; false when it could not be opened. */
  openUrl(url: string): Promise<boolean>;
}

export interface ElicitationHost {
  dialogs(): ElicitationDialog & FormDialog & FormEditorDialog;
  /** Whether a form is filled in the form editor or field by field (the `mcpHost.forms.editor` setting), read per request. */
  editorPreference(): EditorPreference;
}

/** A JSON-RPC error the server receives as is (the SDK sends an error's numeric `code`). */
class ElicitationError extends Error {
  readonly code = -32600;
}

/** The host a URL points at, as the URL parser reads it (look-alike Unicode hosts show as punycode); undefined unless http(s). */
export function urlHost(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.hostname;
  } catch {
    return undefined;
  }
}

/** The schema's default of every field that has one: the values the form editor starts from. */
function defaultsOf(form: ArgumentForm): Record<string, unknown> {
  return Object.fromEntries(form.fields.filter(f => f.hasDefault).map(f => [f.name, f.default]));
}

/**
 * The elicitation handler. One question per server at a time: a second request while the first is open
 * is refused. Requests and the user's answers are logged by kind, never with the values the user typed.
 */
export class ElicitationHandler {
  private readonly questions: ServerQuestions;

  constructor(
    private readonly host: ElicitationHost,
    options: { readonly guard?: AskGuard } = {},
  ) {
    this.questions = new ServerQuestions('Elicitation', options.guard ?? new AskGuard(), message => new ElicitationError(message));
  }

  handle(server: AskingServer, params: ElicitParams, signal: AbortSignal): Promise<ElicitResult> {
    return this.questions.ask(
      server,
      async () => {
        const result = params.mode === 'url' ? await this.url(server, params, signal) : await this.form(server, params, signal);
        server.log(`Elicitation (${params.mode ?? 'form'}) answered: ${result.action}`);
        return result;
      },
      result => result.action === 'accept',
    );
  }

  private async form(server: AskingServer, params: Extract<ElicitParams, { requestedSchema: unknown }>, signal: AbortSignal): Promise<ElicitResult> {
    const message = server.mask(params.message);
    const form = await buildFormAsync(params.requestedSchema);
    server.log(`Elicitation (form): ${message} — fields ${form.fields.map(f => f.name).join(', ') || '(none)'}`);
    const dialogs = this.host.dialogs();
    const choice = await dialogs.confirmElicitation({ mode: 'form', server: server.name, message, fields: form.fields.map(f => server.mask(f.label)) });
    if (choice !== 'accept' || signal.aborted) return { action: signal.aborted ? 'cancel' : choice };
    // The spec asks clients to pre-populate the form with the schema's defaults, in either dialog.
    const title = `'${server.name}' asks`;
    const filled = prefersEditor(this.host.editorPreference(), params.requestedSchema, form)
      ? await dialogs.editForm({ title, message, schema: params.requestedSchema, form, signal, initial: defaultsOf(form) })
      : await fillForm(dialogs, form, title, signal, { prefillDefaults: true });
    if (filled.kind !== 'filled') return { action: 'cancel' };
    return { action: 'accept', content: filled.args as ElicitResult['content'] };
  }

  private async url(server: AskingServer, params: Extract<ElicitParams, { mode: 'url' }>, signal: AbortSignal): Promise<ElicitResult> {
    const host = urlHost(params.url);
    const message = server.mask(params.message);
    server.log(`Elicitation (URL): ${message} — ${server.mask(params.url)}`);
    if (!host) {
      server.log('Elicitation refused: the URL is not an http(s) URL.');
      throw new ElicitationError('MCP Host opens only http and https URLs.');
    }
    const choice = await this.host.dialogs().confirmElicitation({ mode: 'url', server: server.name, message, url: server.mask(params.url), host });
    if (choice !== 'accept' || signal.aborted) return { action: signal.aborted ? 'cancel' : choice };
    // The server learns only that the user agreed and the URL was handed to the browser; what happens there is between them.
    const opened = await this.host.dialogs().openUrl(params.url);
    return { action: opened ? 'accept' : 'cancel' };
  }
}
