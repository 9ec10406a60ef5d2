import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import { entrySummary } from '../config/importSecrets';
import * as ui from '../ui/window';
import {
  addServerToConfig,
  buildServerEntry,
  NewServerAnswers,
  parseHeaderLine,
  serverNamesIn,
  splitCommandLine,
  suggestServerName,
  validateServerName,
  validateServerUrl,
  writtenDefinition,
} from '../config/newServer';
import { Commands } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import { WORKSPACE_FILES, workspaceOrigin } from '../workspace/workspaceConfig';
import { configDocument, writeConfigText } from './configEdit';

/** What "Add Server…" needs, given as the command's argument (by another extension, or a test): the user confirms it. */
export interface AddServerRequest {
  readonly answers: NewServerAnswers;
  readonly name: string;
}

/** A server to add that the user did not describe: whatever called the command did. */
export interface ServerFromCaller {
  readonly name: string;
  /** What it runs or where it connects, credentials replaced by `${input:…}`. */
  readonly summary: string;
  readonly file: string;
}

/** What the user answered to "Add Server…"'s questions. */
export interface NewServer {
  readonly answers: NewServerAnswers;
  readonly name: string;
}

export interface AddServerDialog {
  /** Whether to add a server that a caller of `mcpHost.addServer` described. */
  confirmServerFromCaller(server: ServerFromCaller): Promise<boolean>;
  /** The user's own description of a new server (kind, what it runs or its URL, a name not in `taken`); undefined when dismissed. */
  askNewServer(taken: ReadonlySet<string>): Promise<NewServer | undefined>;
}

export const addServerDialog: AddServerDialog = {
  async askNewServer(taken) {
    const answers = await askAnswers();
    if (!answers) return undefined;
    const name = await askName(answers, taken);
    return name === undefined ? undefined : { answers, name };
  },
  async confirmServerFromCaller({ name, summary, file }) {
    const answer = await ui.showWarningMessage(
      safe`A command (another extension, or a link) asks to add the MCP server '${name}' to ${file}. Add it?`,
      { modal: true, detail: inertBlock(`It runs or connects to:\n${summary}\n\nYou did not describe this server yourself. If you added it, the server would start after the usual trust question.`) },
      'Add Server',
    );
    return answer === 'Add Server';
  },
};

export function registerAddServerCommand(store: DisposableStore, host: McpHost, ask: () => AddServerDialog): void {
  store.add(vscode.commands.registerCommand(Commands.addServer, (request?: unknown) => addServer(host, ask(), isRequest(request) ? request : undefined)));
}

function isRequest(value: unknown): value is AddServerRequest {
  const v = value as Partial<AddServerRequest> | undefined;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.answers === 'object' && v.answers !== null;
}

/**
 * "Add Server…": asks what kind of server (npm package via npx, Python package via uvx, a command, or an
 * HTTP URL) and a name, writes the entry into `.vscode/mcp.json` (created if needed, comments kept), and
 * opens the file at the new entry. The config watcher then starts it without a trust question: the user has just
 * described it, and exactly that definition is approved (an edit asks). A server a caller described (the command's
 * argument) is confirmed first and then gets the usual trust question.
 */
async function addServer(host: McpHost, dialog: AddServerDialog, request: AddServerRequest | undefined): Promise<vscode.Uri | undefined> {
  const folder = await pickFolder();
  if (!folder) return undefined;
  const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  // Through the document when the file exists: what the user sees (even unsaved) is what gets edited, undoably.
  const document = await configDocument(file);
  const existing = document?.getText();
  const taken = new Set([...serverNamesIn(existing), ...host.registry.servers.map(s => s.name)]);
  const described = request ?? (await dialog.askNewServer(taken));
  if (!described) return undefined;
  const { answers, name } = described;

  let added;
  try {
    added = addServerToConfig(existing, name, buildServerEntry(answers));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void ui.showErrorMessage(safe`Could not add the server to ${vscode.workspace.asRelativePath(file)}: ${message}`);
    return undefined;
  }
  if (request) {
    const asked = { name, summary: entrySummary(name, buildServerEntry(answers)), file: vscode.workspace.asRelativePath(file) };
    if (!(await dialog.confirmServerFromCaller(asked))) return undefined;
  }
  // A token typed into a header goes to secret storage; the file gets an ${input:…} in its place.
  for (const s of added.movedSecrets) await host.inputs.store(file.fsPath, s.inputId, s.value, s.destination);
  // The user described this server a moment ago, in our own questions: approved as written, not asked about again
  // (an edit of the entry asks). Never what a caller described: that one gets the usual trust question.
  const own = request ? undefined : writtenDefinition(added.newText, workspaceOrigin(folder, VSCODE_FILE), name, answers, added.movedSecrets);
  // Before the write: the config watcher may start the server as soon as the file changes.
  const withdraw = own ? await host.trust.approveWritten(own) : undefined;
  if (!(await writeConfigText(file, added.newText, document))) {
    // Not on disk: the approval goes too, so an entry saved later (or by hand) gets the usual trust question.
    await withdraw?.();
    void ui.showErrorMessage(safe`Could not write ${vscode.workspace.asRelativePath(file)}: the server '${name}' was not added. If its editor shows the entry unsaved, saving it adds the server, which then asks before it starts.`);
    return undefined;
  }
  const position = new vscode.Position(added.position.line, added.position.character);
  await vscode.window.showTextDocument(file, { selection: new vscode.Range(position, position), preview: false });
  return file;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void ui.showInformationMessage(safe`Open a folder first: MCP Host adds servers to its .vscode/mcp.json.`);
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Add the server to which folder’s .vscode/mcp.json?' });
}

const TITLE = 'Add MCP Server';
const VSCODE_FILE = WORKSPACE_FILES.find(f => f.kind === 'workspaceVscode')!;

/** Validation messages can quote what was typed: shown inert. */
const checked = (validate: (value: string) => string | undefined) => (value: string) => {
  const message = validate(value);
  return message === undefined ? undefined : inertLine(message);
};

async function askAnswers(): Promise<NewServerAnswers | undefined> {
  const kinds = [
    { label: safe`$(package) npm package`, detail: safe`Runs \`npx -y <package>\`, e.g. @modelcontextprotocol/server-memory`, serverKind: 'npm' as const },
    { label: safe`$(symbol-namespace) Python package`, detail: safe`Runs \`uvx <package>\`, e.g. mcp-server-fetch`, serverKind: 'pip' as const },
    { label: safe`$(terminal) Command`, detail: safe`A command line you type, with its arguments`, serverKind: 'command' as const },
    { label: safe`$(globe) HTTP`, detail: safe`A remote server’s URL (Streamable HTTP, or SSE)`, serverKind: 'http' as const },
  ];
  const kind = await ui.showQuickPick(kinds, { title: safe`${TITLE} (1/3)`, placeHolder: safe`What kind of server?`, ignoreFocusOut: true });
  if (!kind) return undefined;
  switch (kind.serverKind) {
    case 'npm':
    case 'pip': {
      const pkg = await ui.showInputBox({
        title: safe`${TITLE} (2/3)`,
        prompt: kind.serverKind === 'npm' ? safe`npm package name (run with npx -y)` : safe`Python package name (run with uvx)`,
        placeHolder: kind.serverKind === 'npm' ? safe`@modelcontextprotocol/server-memory` : safe`mcp-server-fetch`,
        ignoreFocusOut: true,
        validateInput: checked(v => (!v.trim() ? 'Enter a package name.' : /\s/.test(v.trim()) ? 'A package name has no spaces; add arguments in mcp.json afterwards.' : undefined)),
      });
      return pkg === undefined ? undefined : { kind: kind.serverKind, package: pkg.trim() };
    }
    case 'command': {
      const line = await ui.showInputBox({
        title: safe`${TITLE} (2/3)`,
        prompt: safe`Command line: the program and its arguments (quote arguments that contain spaces)`,
        placeHolder: safe`node /path/to/server.js --stdio`,
        ignoreFocusOut: true,
        validateInput: checked(v => {
          try {
            return splitCommandLine(v).length ? undefined : 'Enter a command.';
          } catch (err) {
            return (err as Error).message;
          }
        }),
      });
      return line === undefined ? undefined : { kind: 'command', commandLine: line };
    }
    case 'http': {
      const url = await ui.showInputBox({
        title: safe`${TITLE} (2/3)`,
        prompt: safe`Server URL`,
        placeHolder: safe`https://example.com/mcp`,
        ignoreFocusOut: true,
        validateInput: checked(validateServerUrl),
      });
      if (url === undefined) return undefined;
      const headerLine = await ui.showInputBox({
        title: safe`${TITLE} (2/3)`,
        prompt: safe`Optional header, as Name: value (a token here is kept in secret storage, not in the file). Leave empty for none.`,
        placeHolder: safe`Authorization: Bearer <token>`,
        password: false,
        ignoreFocusOut: true,
        validateInput: checked(v => {
          const h = parseHeaderLine(v);
          return typeof h === 'string' ? h : undefined;
        }),
      });
      if (headerLine === undefined) return undefined;
      const header = parseHeaderLine(headerLine);
      return { kind: 'http', url: url.trim(), ...(header && typeof header !== 'string' ? { header } : {}) };
    }
  }
}

async function askName(answers: NewServerAnswers, taken: ReadonlySet<string>): Promise<string | undefined> {
  const name = await ui.showInputBox({
    title: safe`${TITLE} (3/3)`,
    prompt: safe`Server name (its key in .vscode/mcp.json, shown in the tree and in tool names)`,
    value: suggestServerName(answers, taken),
    ignoreFocusOut: true,
    validateInput: checked(v => validateServerName(v, taken)),
  });
  return name?.trim();
}
