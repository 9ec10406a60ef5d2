import * as vscode from 'vscode';
import type { PromptArgument } from '@modelcontextprotocol/client';
import { DisposableStore } from '../common/disposable';
import { inertLine, joinSafe, safe } from '../common/untrustedText';
import { Commands } from '../ids';
import type { McpHost } from '../workspace/mcpHost';
import { commandUri, promptTitle, promptView, PromptView, renderPromptHtml } from '../ui/results/resultHtml';
import type { ResultPanels } from '../ui/results/resultPanel';
import { oneLine, promptArguments, promptLabel } from '../ui/tree/treeText';
import * as ui from '../ui/window';
import { fillCompletedValues, serverCompleter } from '../forms/formFlow';
import { promptArgumentsSchema, promptPrefersEditor } from '../forms/formEditor';
import { buildFormAsync } from '../forms/schemaForm';
import { readEditorPreference } from '../ui/forms/editorPreference';
import { promptQuery } from '../ui/chat/commandLine';
import type { PaletteDialogs } from './palette';
import { DETAIL_MAX, type PickGroup } from './itemPicker';

export interface PromptTarget {
  readonly server: string;
  readonly prompt: string;
}

export type UsePromptOutcome =
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'shown'; readonly args: Record<string, string>; readonly view: PromptView; readonly html: string; readonly chatQuery: string };

export function registerUsePrompt(store: DisposableStore, host: McpHost, dialogs: () => PaletteDialogs, panels: ResultPanels): void {
  store.add(vscode.commands.registerCommand(Commands.usePrompt, (arg?: unknown) => usePrompt(host, dialogs(), panels, toTarget(arg))));
}

function toTarget(arg: unknown): PromptTarget | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { server?: unknown; prompt?: unknown };
  const server = typeof a.server === 'string' ? a.server : (a.server as { name?: unknown } | undefined)?.name;
  const prompt = typeof a.prompt === 'string' ? a.prompt : (a.prompt as { name?: unknown } | undefined)?.name;
  return typeof server === 'string' && typeof prompt === 'string' ? { server, prompt } : undefined;
}

/** Each server's prompts, named as the tree names them: the label, then the name and the arguments (`*` = required). */
function promptGroups(host: McpHost): PickGroup<PromptTarget>[] {
  return host.registry.servers
    .filter(e => e.connection.state.kind === 'running' && e.connection.prompts.length > 0)
    .map(e => ({
      label: inertLine(e.name),
      items: e.connection.prompts.map(p => {
        const label = promptLabel(p);
        // The name even when it is the label, so "server prompt" filters to it (see Run Tool's rows).
        const description = joinSafe([inertLine(p.name), ...(promptArguments(p) ? [inertLine(promptArguments(p))] : [])]);
        const detail = oneLine(e.connection.mask(p.description ?? ''), DETAIL_MAX);
        return { label: inertLine(label), ...(description ? { description } : {}), ...(detail ? { detail: inertLine(detail) } : {}), value: { server: e.name, prompt: p.name } };
      }),
    }));
}

/**
 * A prompt's arguments filled in the form editor (no completions there): the values given, as strings. The
 * prompt's description (masked with the server's secrets) shows under the title, as a tool's does.
 */
async function promptInEditor(dialogs: PaletteDialogs, title: string, list: readonly PromptArgument[], description: string | undefined): Promise<Record<string, string> | undefined> {
  const schema = promptArgumentsSchema(list);
  const filled = await dialogs.editForm({ title, ...(description?.trim() ? { description } : {}), schema, form: await buildFormAsync(schema) });
  if (filled.kind !== 'filled') return undefined;
  return Object.fromEntries(Object.entries(filled.args).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

async function usePrompt(host: McpHost, dialogs: PaletteDialogs, panels: ResultPanels, given: PromptTarget | undefined): Promise<UsePromptOutcome> {
  let target = given;
  if (!target) {
    const groups = promptGroups(host);
    if (groups.length === 0) {
      const message = 'No running MCP server offers prompts.';
      void ui.showInformationMessage(inertLine(message));
      return { kind: 'unavailable', message };
    }
    target = await dialogs.pickItem({ title: safe`MCP Host: Use Prompt`, placeholder: safe`Use which prompt?`, groups });
    if (!target) return { kind: 'dismissed' };
  }
  const entry = host.registry.get(target.server);
  const connection = entry?.connection;
  const prompt = connection?.state.kind === 'running' ? connection.prompts.find(p => p.name === target.prompt) : undefined;
  if (!connection || !prompt) {
    const message = !connection ? `No MCP server named '${target.server}' is configured.` : `Server '${target.server}' has no prompt named '${target.prompt}' (or is not running).`;
    void ui.showErrorMessage(inertLine(message));
    return { kind: 'unavailable', message };
  }
  const label = promptLabel(prompt);
  // Required arguments first; each one's suggestions see the values given before it.
  const list: PromptArgument[] = [...(prompt.arguments ?? [])].sort((a, b) => Number(!!b.required) - Number(!!a.required));
  const title = `${label} on '${target.server}'`;
  const completer = serverCompleter(connection, { type: 'ref/prompt', name: prompt.name });
  const args = promptPrefersEditor(readEditorPreference(), list.length, !!completer)
    ? await promptInEditor(
        dialogs,
        title,
        list.map(a => ({ ...a, ...(a.description ? { description: connection.mask(a.description) } : {}) })),
        prompt.description !== undefined ? connection.mask(prompt.description) : undefined,
      )
    : await fillCompletedValues(
        dialogs,
        title,
        list.map(a => ({
          name: a.name,
          label: a.name,
          prompt: [a.description ? connection.mask(a.description) : undefined, a.required ? undefined : 'optional: leave empty to skip'].filter(Boolean).join(' — '),
          required: !!a.required,
        })),
        completer,
      );
  if (!args) return { kind: 'dismissed' };

  let result;
  try {
    result = await connection.getPrompt(prompt.name, args);
  } catch (err) {
    const message = connection.mask(err instanceof Error ? err.message : String(err));
    void ui.showErrorMessage(safe`Could not get the prompt '${label}' from '${target.server}': ${message}`);
    return { kind: 'failed', message };
  }
  const view = promptView(target.server, { name: prompt.name, title: label }, args, result, text => connection.mask(text));
  // `@mcp /prompt …` runs the prompt again in chat, with these arguments, on the user's model.
  const chatQuery = promptQuery(target.server, prompt.name, args);
  const html = renderPromptHtml(view, {
    openResourceCommand: Commands.openResource,
    sendToChatUri: commandUri('workbench.action.chat.open', { query: chatQuery, isPartialQuery: true }),
    sendToChatNote: 'puts @mcp /prompt with these arguments in the chat input; send it to run the prompt on your chat model',
  });
  panels.show(`prompt\u0000${target.server}\u0000${prompt.name}`, promptTitle(view), html);
  return { kind: 'shown', args, view, html, chatQuery };
}
