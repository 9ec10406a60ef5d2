import * as vscode from 'vscode';
import { fillForm } from '../../forms/formFlow';
import { buildFormAsync } from '../../forms/schemaForm';
import { runCancellable } from '../../common/abortPool';
import { Commands } from '../../ids';
import { formatSize, toolResultView } from '../results/resultHtml';
import { hasApp, toolLabel } from '../tree/treeText';
import type { AppRun } from '../apps/appPanels';
import { reportApp } from './toolLoop';
import { block, buttonTitle, inline, name } from './chatText';
import { chatCallProgress } from './chatProgress';
import { confirmerFor, type ChatServices } from './chatServices';
import { parseJsonArguments, resolveTarget, splitFirstWord } from './commandLine';
import { turnMetadata, type TurnRecord } from './conversation';
import { missingServers } from './chatNotices';
import { chatBudget, toolResultForModel } from './modelContent';

/** How much of a result's text the response shows; "Open Result" has all of it. */
const SHOWN_CHARS = 4000;
const STATUS = { completed: '✓', toolError: '⚠ The tool reported an error.', denied: '✗ Denied.', cancelled: '✗ Cancelled.', failed: '✗ Failed.' } as const;

/**
 * `/call server.tool {"arg": …}`: one tool, called directly with JSON arguments (or, without them, a form
 * for the tool's arguments), through the consent gate like any call; no model is involved. The result is
 * shown in the response, and it stays in the conversation for the next requests.
 */
export async function callCommand(services: ChatServices, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
  const missing = missingServers(services, stream);
  if (missing) return missing;
  const { first, rest } = splitFirstWord(request.prompt);
  const tools = services.host.registry.catalog().map(t => ({ server: t.server, name: t.tool.name, tool: t.tool }));
  if (!first) {
    stream.markdown('Which tool? Type `/call <server>.<tool> {"argument": "value"}`; `/tools` lists them.');
    return { metadata: { failed: 'target' } };
  }
  const hit = resolveTarget(first, tools);
  if (!('found' in hit)) {
    stream.markdown('ambiguous' in hit ? `Several servers have a tool named ${name(first)}: ${hit.ambiguous.map(t => name(`${t.server}.${t.name}`)).join(', ')}. Write it as \`server.tool\`.` : `No running MCP server has a tool named ${name(first)}. \`/tools\` lists them.`);
    return { metadata: { failed: 'target' } };
  }
  const { server, tool } = hit.found;
  const connection = services.host.registry.get(server)?.connection;
  const mask = (s: string) => (connection ? connection.mask(s) : s);
  const label = toolLabel(tool);
  const form = await buildFormAsync(tool.inputSchema);
  let args: Record<string, unknown>;
  if (rest) {
    const parsed = parseJsonArguments(rest);
    const invalid = 'error' in parsed ? parsed.error : await form.validateArgumentsAsync(parsed.args);
    if (invalid !== undefined || 'error' in parsed) {
      stream.markdown(`${inline(invalid ?? '')} Nothing was sent.`);
      return { metadata: { failed: 'arguments' } };
    }
    args = parsed.args;
  } else if (form.fields.length > 0 && (await form.validateArgumentsAsync({})) !== undefined) {
    const filled = await fillForm(services.dialogs(), form, `${label} on '${server}'`);
    if (filled.kind !== 'filled') {
      stream.markdown(filled.kind === 'invalid' ? `${inline(filled.message)} Nothing was sent.` : 'The arguments were not given; nothing was sent.');
      return { metadata: { failed: 'dismissed' } };
    }
    args = filled.args;
  } else {
    args = {};
  }

  let app: AppRun | undefined;
  const conversation = services.apps.conversation(request, context);
  const onStart = hasApp(tool) ? () => void (app = services.apps.begin(conversation, { server, tool, args })) : undefined;
  const confirm = confirmerFor(services, stream, token);
  // Stopping the response cancels the call: a pooled signal, as from the palette (abortPool.ts).
  const result = await runCancellable(token, signal =>
    services.host.gate.call({ server, tool: tool.name, args, origin: 'chat', signal, ...(confirm ? { confirm } : {}), ...(onStart ? { onStart } : {}), ...chatCallProgress(stream, label, server, mask) }),
  );
  const shown = app ? await (app as AppRun).finish(result) : undefined;
  const maxChars = services.settings().maxToolOutput;
  // What is shown and recorded for the model is cut first; Open Result has the whole result.
  const view = toolResultView(result, { server, tool: tool.name, title: label }, args, mask, { budget: chatBudget(maxChars) });
  const id = services.results.add({ server, tool: tool.name, result, args, title: label });
  stream.markdown(`\n\n${STATUS[view.status]} ${name(label)} on ${name(server)}${view.durationMs !== undefined ? ` (${view.durationMs} ms)` : ''}${view.message ? `: ${inline(view.message)}` : ''}\n\n`);
  for (const c of view.content) {
    if (c.kind === 'text') {
      const shown = c.text.slice(0, SHOWN_CHARS);
      const more = c.cut ? `${formatSize(c.cut.fullBytes)} in all` : c.text.length > shown.length ? `${(c.text.length - shown.length).toLocaleString('en-US')} more characters` : '';
      stream.markdown(`${block(shown)}\n${more ? `_Shown in part (${more}): Open Result has it all._\n` : ''}\n`);
    } else if (c.kind === 'image') stream.markdown(`![image from ${inline(label)}](data:${c.mimeType};base64,${c.data})\n\n`);
    else if (c.kind === 'link') stream.button({ command: Commands.openResource, title: `Open ${buttonTitle(c.name, 40) || 'resource'}`, arguments: [{ server, uri: c.uri, name: c.name }] });
    else if (c.kind === 'resource') stream.markdown(`Resource ${inline(c.uri)}${c.text !== undefined ? `\n\n${block(c.text.slice(0, SHOWN_CHARS))}` : ''}\n\n`);
    else if (c.kind === 'audio') stream.markdown(`_Audio (${inline(c.mimeType)}): open the full result to play it._\n\n`);
    else stream.markdown(`_Unsupported ${inline(c.what)}._\n\n`);
  }
  if (view.structuredText !== undefined && !view.content.some(c => c.kind === 'text')) stream.markdown(`${block(view.structuredText.slice(0, SHOWN_CHARS), 'json')}\n\n`);
  stream.button({ command: Commands.chatOpenResult, title: 'Open Result', arguments: [id] });
  if (shown) reportApp(stream, shown);

  // The next requests see the call and what it returned, as the model would have.
  const forModel = toolResultForModel(view, { images: false, maxChars });
  const record: TurnRecord = {
    v: 1,
    messages: [
      { role: 'user', text: `I called the tool ${tool.name} of the MCP server ${server} with ${JSON.stringify(args)}.` },
      { role: 'assistant', text: `The call returned:\n${forModel.parts.map(p => (p.kind === 'text' ? p.text : '')).join('\n')}` },
    ],
    rounds: [],
    answer: '',
  };
  return { metadata: { ...turnMetadata(record), call: { server, tool: tool.name, outcome: view.status } } };
}
