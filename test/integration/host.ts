import * as path from 'path';
import * as vscode from 'vscode';
import type { SaveCallRequest } from '../../src/commands/savedCalls';
import type { SavedCallScope } from '../../src/forms/savedCalls';
import type { McpHostApi } from '../../src/extension';
import type { InputDefinition } from '../../src/config/types';
import type { Dialogs } from '../../src/extension';
import { fillForm, type ArgumentAnswer, type ArgumentQuestion, type FormOutcome } from '../../src/forms/formFlow';
import type { FormEditorRequest } from '../../src/forms/formEditor';
import type { CallProgress } from '../../src/commands/callProgress';
import type { PickRequest } from '../../src/commands/itemPicker';
import type { ConsentAnswer, ToolConsentRequest } from '../../src/consent/types';
import type { RevokeChoice } from '../../src/consent/manageApprovals';
import type { StoredApproval } from '../../src/consent/policy';
import type { SamplingAnswer, SamplingQuestion } from '../../src/serverRequests/sampling';
import type { ElicitationChoice, ElicitationQuestion } from '../../src/serverRequests/elicitation';
import type { BuiltinMcpChoice, BuiltinMcpQuestion } from '../../src/workspace/builtinMcp';
import type { ServerToTrust } from '../../src/workspace/serverTrust';
import type { MovedInputQuestion } from '../../src/workspace/inputStore';
import type { NewServer, ServerFromCaller } from '../../src/commands/addServer';
import type { ImportCandidate, ImportConfirmation } from '../../src/commands/importServers';
import { EXTENSION_ID } from '../../src/ids';
import { SignInCancelledError, type SignInRequest } from '../../src/mcp/auth/signInErrors';
import { followAuthorization } from '../fixtures/lib/headlessBrowser';

/** The extension under test, activated, with its Test-mode API. */
export async function activateHost(): Promise<Required<McpHostApi>> {
  const ext = vscode.extensions.getExtension<McpHostApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  if (!api.host || !api.setDialogs) throw new Error('the extension did not expose its Test-mode API');
  return api as Required<McpHostApi>;
}

/** A scripted answer to an argument question: typed text (or a label), a skip, back, dismiss, or a raw value that skips validation. */
export type ScriptedArgument = string | { readonly skip: true } | { readonly back: true } | { readonly dismiss: true } | { readonly raw: unknown };

/** Answers MCP Host's questions in tests and records what was asked. */
export class ScriptedDialogs implements Dialogs {
  readonly confirmations: string[][] = [];
  readonly inputsAsked: string[] = [];
  approve = true;
  inputValue: string | undefined = 'test-input';
  readonly toolCallsAsked: ToolConsentRequest[] = [];
  /** The answer to every tool consent dialog. */
  toolCallAnswer: ConsentAnswer = 'once';

  async askInput(input: InputDefinition): Promise<string | undefined> {
    this.inputsAsked.push(input.id);
    return this.inputValue;
  }

  /** Stored input values about to go to a moved server, and the answer (undefined: Cancel). */
  readonly movedInputsAsked: MovedInputQuestion[] = [];
  movedInputAnswer: 'send' | 'newValue' | undefined;

  async confirmMovedInput(question: MovedInputQuestion): Promise<'send' | 'newValue' | undefined> {
    this.movedInputsAsked.push(question);
    return this.movedInputAnswer;
  }

  /** Every sign-in the host asked for; `signInAnswer` says whether the "user" agrees (then the harness is the browser). */
  readonly signInsAsked: SignInRequest[] = [];
  signInAnswer: 'approve' | 'decline' = 'approve';

  async authorizeSignIn(request: SignInRequest, redirect: Promise<URLSearchParams>): Promise<URLSearchParams> {
    this.signInsAsked.push(request);
    if (this.signInAnswer === 'decline') throw new SignInCancelledError(request);
    const status = await followAuthorization(request.url);
    if (status !== 200) throw new Error(`the loopback listener answered ${status}`);
    return redirect;
  }

  /** Every server a trust dialog asked about, with what it showed. */
  readonly serversAsked: ServerToTrust[] = [];

  /** When set (and `approve`), only these servers are approved, as "Choose…" would: the others are declined. */
  approveOnly: readonly string[] | undefined;

  /** When set, the trust question is closed unanswered (Escape, Cancel, or Escape in Choose…): no servers, no decision. */
  dismissTrust = false;

  async confirmServers(servers: readonly ServerToTrust[]): Promise<readonly ServerToTrust[] | undefined> {
    this.confirmations.push(servers.map(s => s.definition.name).sort());
    this.serversAsked.push(...servers);
    if (this.dismissTrust) return undefined;
    if (!this.approve) return [];
    return this.approveOnly ? servers.filter(s => this.approveOnly!.includes(s.definition.name)) : servers;
  }

  /** "Import MCP Servers…": what was offered, which to pick (by name; undefined picks all), what was confirmed and the answer. */
  readonly importOffers: ImportCandidate[][] = [];
  importPick: readonly string[] | undefined;
  readonly importConfirmations: ImportConfirmation[] = [];
  importAnswer = true;

  async pickServersToImport(candidates: readonly ImportCandidate[]): Promise<readonly ImportCandidate[] | undefined> {
    this.importOffers.push([...candidates]);
    return this.importPick ? candidates.filter(c => this.importPick!.includes(c.server.name)) : candidates;
  }

  async confirmImport(confirmation: ImportConfirmation): Promise<boolean> {
    this.importConfirmations.push(confirmation);
    return this.importAnswer;
  }

  /** Servers a caller of mcpHost.addServer described, and whether to add them. */
  readonly serversFromCallers: ServerFromCaller[] = [];
  addServerFromCaller = true;

  async confirmServerFromCaller(server: ServerFromCaller): Promise<boolean> {
    this.serversFromCallers.push(server);
    return this.addServerFromCaller;
  }

  /** The user's answers to "Add Server…"'s own questions, in order (none left: dismissed). */
  newServers: NewServer[] = [];

  async askNewServer(): Promise<NewServer | undefined> {
    return this.newServers.shift();
  }

  async confirmToolCall(request: ToolConsentRequest): Promise<ConsentAnswer> {
    this.toolCallsAsked.push(request);
    return this.toolCallAnswer;
  }

  /** What "Manage Tool Approvals" revokes: chosen from the approvals offered, or all; undefined dismisses. */
  revokeChoice: (approvals: readonly StoredApproval[]) => RevokeChoice = () => undefined;

  async pickApprovalsToRevoke(approvals: readonly StoredApproval[]): Promise<RevokeChoice> {
    return this.revokeChoice(approvals);
  }

  clearHistoryAnswer = true;

  async confirmClearHistory(): Promise<boolean> {
    return this.clearHistoryAnswer;
  }

  /** Questions about VS Code's own MCP support, and the answers to give in order (dismissed when none is left). */
  readonly builtinMcpAsked: BuiltinMcpQuestion[] = [];
  builtinMcpAnswers: BuiltinMcpChoice[] = [];

  async askAboutBuiltinMcp(question: BuiltinMcpQuestion): Promise<BuiltinMcpChoice | undefined> {
    this.builtinMcpAsked.push(question);
    return this.builtinMcpAnswers.shift();
  }

  /** Answers to pick requests (tool, prompt, server, resource), in order: an item's label, or `typed:<text>`. */
  picks: string[] = [];
  /** Each pick asked: its title, its groups as first shown, and every label offered (after any "Load more…"). */
  readonly pickRequests: Array<{ title: string; groups: Array<{ label: string; items: Array<{ label: string; description?: string }> }>; labels: string[] }> = [];

  async pickItem<T>(request: PickRequest<T>): Promise<T | undefined> {
    const answer = this.picks.shift();
    const groups = request.groups.map(g => ({ label: g.label, items: [...g.items] }));
    let more = !!request.hasMore;
    const record = {
      title: request.title,
      groups: groups.map(g => ({ label: g.label, items: g.items.map(i => ({ label: i.label, ...(i.description ? { description: i.description } : {}) })) })),
      labels: groups.flatMap(g => g.items.map(i => i.label)),
    };
    this.pickRequests.push(record);
    if (answer === undefined) return undefined;
    if (answer.startsWith('typed:')) return request.typed?.value(answer.slice('typed:'.length));
    // Like a user scrolling: "Load more…" until the item shows up or the list ends.
    for (;;) {
      const found = groups.flatMap(g => g.items).find(i => i.label === answer);
      if (found) return found.value;
      if (!more || !request.loadMore) return undefined;
      const page = await request.loadMore();
      groups[groups.length - 1]!.items.push(...page.items);
      record.labels.push(...page.items.map(i => i.label));
      more = page.more;
    }
  }

  /** Answers to "save this call as…", in order (undefined: the user cancelled); and every such ask. */
  saveCallAnswers: Array<{ name: string; scope: SavedCallScope } | undefined> = [];
  readonly saveCallRequests: SaveCallRequest[] = [];
  async askSaveCall(request: SaveCallRequest): Promise<{ name: string; scope: SavedCallScope } | undefined> {
    this.saveCallRequests.push(request);
    return this.saveCallAnswers.shift();
  }
  /** Whether a saved call may be deleted. */
  deleteSavedCallAnswer = true;
  async confirmDeleteSavedCall(): Promise<boolean> {
    return this.deleteSavedCallAnswer;
  }

  /** Every form editor asked for. */
  readonly editorRequests: FormEditorRequest[] = [];
  /**
   * The form editor's answer: by default the same answers per field as the quick input (`argumentAnswers`),
   * starting from the request's `initial` values as the editor does, so a test reads the same whichever the
   * setting picks; set it to script the editor itself.
   */
  editorAnswer: ((request: FormEditorRequest) => Promise<FormOutcome>) | undefined;

  async editForm(request: FormEditorRequest): Promise<FormOutcome> {
    this.editorRequests.push(request);
    return this.editorAnswer ? this.editorAnswer(request) : fillForm(this, request.form, request.title, request.signal, request.initial ? { initial: request.initial } : {});
  }

  /**
   * Answers per argument name, in order. A string is typed text: checked with the question's own
   * `validate`, as the input box does; a rejected one is recorded and the next answer is tried. For choices
   * it is a label (comma-separated labels when several may be picked); with suggestions, the first one
   * for the typed text is taken. With no answer left, the prefilled value is accepted, an optional
   * question is skipped, and a required one dismissed.
   */
  argumentAnswers: Record<string, ScriptedArgument[]> = {};
  readonly argumentQuestions: ArgumentQuestion[] = [];
  readonly rejected: Array<{ name: string; text: string; message: string }> = [];
  readonly suggestions: Array<{ name: string; typed: string; values: readonly string[] }> = [];

  async askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
    this.argumentQuestions.push(question);
    const queue = this.argumentAnswers[question.name] ?? [];
    for (;;) {
      const a = queue.shift();
      if (a === undefined) {
        if (question.choices) {
          const picked = question.choices.filter(c => c.picked).map(c => c.value);
          if (picked.length) return { value: question.many ? picked : picked[0] };
        } else if (question.value !== undefined && (await question.validate(question.value)) === undefined) {
          return { text: question.value };
        }
        return question.required ? undefined : { skip: true };
      }
      if (typeof a !== 'string') {
        if ('skip' in a) return { skip: true };
        if ('back' in a) return { back: true };
        if ('dismiss' in a) return undefined;
        return { value: a.raw };
      }
      // A field that also takes typed text (`["boolean", "string"]`): a choice's label picks it, other text is typed.
      if (question.choices && !(question.typedAs && !question.choices.some(c => c.label === a))) {
        const labels = question.many ? a.split(',').map(s => s.trim()) : [a];
        const chosen = labels.map(l => question.choices!.find(c => c.label === l));
        if (chosen.some(c => !c)) {
          this.rejected.push({ name: question.name, text: a, message: 'not one of the choices' });
          continue;
        }
        return { value: question.many ? chosen.map(c => c!.value) : chosen[0]!.value };
      }
      let text = a;
      if (question.suggest) {
        const values = await question.suggest(a);
        this.suggestions.push({ name: question.name, typed: a, values });
        text = values[0] ?? a;
      }
      const message = await question.validate(text);
      if (message !== undefined) {
        this.rejected.push({ name: question.name, text, message });
        continue;
      }
      return { text };
    }
  }

  /** Sampling questions asked, and the answers given in order (then 'deny'). */
  readonly samplingAsked: SamplingQuestion[] = [];
  samplingAnswers: SamplingAnswer[] = [];

  async confirmSampling(question: SamplingQuestion): Promise<SamplingAnswer> {
    this.samplingAsked.push(question);
    return this.samplingAnswers.shift() ?? 'deny';
  }

  /** Elicitation questions asked (the form's fields are then answered through `argumentAnswers`), and the choices given in order (then 'cancel'). */
  readonly elicitationsAsked: ElicitationQuestion[] = [];
  elicitationChoices: ElicitationChoice[] = [];

  async confirmElicitation(question: ElicitationQuestion): Promise<ElicitationChoice> {
    this.elicitationsAsked.push(question);
    return this.elicitationChoices.shift() ?? 'cancel';
  }

  /** URLs "opened" after an elicitation was accepted; none leaves the test. */
  readonly urlsOpened: string[] = [];

  async openUrl(url: string): Promise<boolean> {
    this.urlsOpened.push(url);
    return true;
  }

  /** What "Choose Tools…" offered, and the tools to leave checked (`server/tool`); undefined dismisses. */
  readonly chatToolChoices: Array<ReadonlyArray<{ server: string; tools: ReadonlyArray<{ name: string; enabled: boolean }> }>> = [];
  chatToolsToKeep: string[] | undefined;

  async chooseChatTools(servers: ReadonlyArray<{ readonly server: string; readonly tools: ReadonlyArray<{ readonly name: string; readonly label: string; readonly enabled: boolean }> }>): Promise<ReadonlyArray<readonly [string, string]> | undefined> {
    this.chatToolChoices.push(servers);
    if (!this.chatToolsToKeep) return undefined;
    const keep = new Set(this.chatToolsToKeep);
    return servers.flatMap(s => s.tools.filter(t => keep.has(`${s.server}/${t.name}`)).map(t => [s.server, t.name] as const));
  }

  /** Every progress notification shown: its title and the messages reported. */
  /** Each call's progress: its title, messages, whether Cancel was pressed and whether it was shown (the call was sent). */
  readonly progress: Array<{ title: string; messages: string[]; cancelled: boolean; started: boolean }> = [];
  /** Presses Cancel once a call has reported this many progress messages. */
  cancelAfterProgress: number | undefined;

  /** Links an app asked to open, and the answer to each (true opens it). */
  readonly linksAsked: Array<{ server: string; url: string }> = [];
  openLinkAnswer = false;

  async confirmOpenLink(request: { server: string; url: string }): Promise<boolean> {
    this.linksAsked.push(request);
    return this.openLinkAnswer;
  }

  async showCallProgress<T>(title: string, task: (progress: CallProgress, signal: AbortSignal, started: () => void) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const record = { title, messages: [] as string[], cancelled: false, started: false };
    this.progress.push(record);
    return task(
      {
        report: message => {
          record.messages.push(message);
          if (this.cancelAfterProgress !== undefined && record.messages.length >= this.cancelAfterProgress && !abort.signal.aborted) {
            record.cancelled = true;
            abort.abort();
          }
        },
      },
      abort.signal,
      () => void (record.started = true),
    );
  }
}

/** Paths to real MCP servers in this repository's node_modules (the extension is loaded from the repo). */
export function repoPath(...parts: string[]): string {
  return path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, ...parts);
}

export const everythingServer = () => repoPath('node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

export function workspaceFile(...parts: string[]): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, ...parts);
}

export async function writeFile(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

export { isAlive } from '../../src/mcp/transports/processTree';
