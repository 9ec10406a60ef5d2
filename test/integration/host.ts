import * as path from 'path';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../src/extension';
import type { InputDefinition, ServerDefinition } from '../../src/config/types';
import type { Prompts } from '../../src/workspace/prompts';
import type { TemplateVariableQuestion } from '../../src/ui/resources/templateQuickPick';
import type { ConsentAnswer, ToolConsentRequest } from '../../src/consent/types';
import type { RevokeChoice } from '../../src/consent/manageApprovals';
import type { StoredApproval } from '../../src/consent/policy';
import { EXTENSION_ID } from '../../src/ids';

/** The extension under test, activated, with its Test-mode API. */
export async function activateHost(): Promise<Required<McpHostApi>> {
  const ext = vscode.extensions.getExtension<McpHostApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  if (!api.host || !api.setPrompts) throw new Error('the extension did not expose its Test-mode API');
  return api as Required<McpHostApi>;
}

/** Answers MCP Host's questions in tests and records what was asked. */
export class ScriptedPrompts implements Prompts {
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

  async confirmServers(definitions: readonly ServerDefinition[]): Promise<boolean> {
    this.confirmations.push(definitions.map(d => d.name).sort());
    return this.approve;
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

  /** Each resource-template variable asked, with what the server suggested for the typed text. */
  readonly templateQuestions: Array<{ template: string; variable: string; previous: Record<string, string>; typed: string; suggestions: readonly string[] }> = [];
  /** What the "user" types for a variable; the answer is the server's first suggestion for it, else the typed text. */
  templateTyping: Record<string, string> = {};
  /** Dismisses the question for this variable. */
  templateDismiss: string | undefined;

  async askTemplateVariable(question: TemplateVariableQuestion): Promise<string | undefined> {
    const typed = this.templateTyping[question.variable] ?? '';
    const suggestions = await question.complete(typed);
    this.templateQuestions.push({ template: question.template, variable: question.variable, previous: { ...question.previous }, typed, suggestions });
    if (this.templateDismiss === question.variable) return undefined;
    return suggestions[0] ?? typed;
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

export { isAlive } from '../../src/mcp/processTree';
