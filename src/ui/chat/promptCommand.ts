import * as vscode from 'vscode';
import { inertLine, safe } from '../../common/untrustedText';
import type { Prompt } from '@modelcontextprotocol/client';
import { fillCompletedValues, serverCompleter } from '../../forms/formFlow';
import type { ServerEntry } from '../../mcp/registry';
import { contentView } from '../results/resultHtml';
import { promptLabel } from '../tree/treeText';
import { acceptsImages } from '../../workspace/languageModels';
import { block, buttonTitle, inline, name } from './chatText';
import type { ChatServices } from './chatServices';
import { parseNamedArguments, promptQuery, resolveTarget, splitFirstWord } from './commandLine';
import type { TurnRecord } from './conversation';
import { missingServers } from './chatNotices';
import { answerTurn } from './toolLoop';

const MAX_PROMPT_BUTTONS = 20;
const QUOTE_PREVIEW = 400;

interface PromptItem {
  readonly server: string;
  readonly name: string;
  readonly prompt: Prompt;
  readonly entry: ServerEntry;
}

function runningPrompts(services: ChatServices): PromptItem[] {
  return services.host.registry.servers
    .filter(e => e.connection.state.kind === 'running')
    .flatMap(entry => entry.connection.prompts.map(prompt => ({ server: entry.name, name: prompt.name, prompt, entry })));
}

/**
 * `/prompt server.name arg=value …`: gets an MCP prompt and sends its messages (text, embedded resources,
 * images where the model accepts them) to the model, whose answer streams; the model may call tools as in
 * any request. Missing required arguments are asked for with the server's completions. Without a name,
 * the prompts of running servers are offered.
 */
export async function promptCommand(services: ChatServices, request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
  const missing = missingServers(services, stream);
  if (missing) return missing;
  const prompts = runningPrompts(services);
  const { first, rest } = splitFirstWord(request.prompt);
  let item: PromptItem | undefined;
  if (!first) {
    if (prompts.length === 0) {
      stream.markdown('No running MCP server offers prompts. See `/servers`.');
      return { metadata: { prompts: 0 } };
    }
    if (prompts.length <= MAX_PROMPT_BUTTONS) {
      stream.markdown('Which prompt? Pick one, or type `/prompt <server>.<prompt> name=value …`.\n\n');
      for (const p of prompts) stream.button({ command: 'workbench.action.chat.open', title: buttonTitle(`${p.server}: ${promptLabel(p.prompt)}`), arguments: [{ query: promptQuery(p.server, p.name), isPartialQuery: (p.prompt.arguments ?? []).some(a => a.required) }] });
      return { metadata: { prompts: prompts.length } };
    }
    const picked = await services.dialogs().pickItem({
      title: safe`MCP Host: Use Prompt in Chat`,
      placeholder: safe`Use which prompt?`,
      groups: [...new Set(prompts.map(p => p.server))].map(server => ({ label: inertLine(server), items: prompts.filter(p => p.server === server).map(p => ({ label: inertLine(promptLabel(p.prompt)), description: inertLine(p.name), value: p })) })),
    });
    if (!picked) {
      stream.markdown('No prompt was picked.');
      return { metadata: { prompts: prompts.length } };
    }
    item = picked;
  } else {
    const hit = resolveTarget(first, prompts);
    if ('ambiguous' in hit) {
      stream.markdown(`Several servers have a prompt named ${name(first)}: ${hit.ambiguous.map(p => name(`${p.server}.${p.name}`)).join(', ')}. Write it as \`server.prompt\`.`);
      return { metadata: { failed: 'ambiguous' } };
    }
    if ('missing' in hit) {
      stream.markdown(`No running MCP server has a prompt named ${name(first)}. Type \`/prompt\` to see the prompts there are.`);
      return { metadata: { failed: 'missing' } };
    }
    item = hit.found;
  }

  const { entry, prompt } = item;
  const connection = entry.connection;
  const mask = (s: string) => connection.mask(s);
  const parsed = parseNamedArguments(rest);
  if ('error' in parsed) {
    stream.markdown(inline(parsed.error));
    return { metadata: { failed: 'arguments' } };
  }
  const known = prompt.arguments ?? [];
  const unknown = Object.keys(parsed.args).filter(k => !known.some(a => a.name === k));
  if (unknown.length) {
    stream.markdown(`The prompt ${name(prompt.name)} has no argument ${unknown.map(name).join(', ')}. Its arguments: ${known.length ? known.map(a => name(`${a.name}${a.required ? '*' : ''}`)).join(', ') : 'none'}.`);
    return { metadata: { failed: 'arguments' } };
  }
  let args: Record<string, string> = parsed.args;
  const needed = known.filter(a => a.required && !(a.name in args));
  if (needed.length) {
    const filled = await fillCompletedValues(
      services.dialogs(),
      `${promptLabel(prompt)} on '${item.server}'`,
      needed.map(a => ({ name: a.name, label: a.name, prompt: a.description ? mask(a.description) : 'required', required: true })),
      serverCompleter(connection, { type: 'ref/prompt', name: prompt.name }),
      args,
    );
    if (!filled) {
      stream.markdown(`The prompt needs ${needed.map(a => name(a.name)).join(', ')}; nothing was sent.`);
      return { metadata: { failed: 'dismissed' } };
    }
    args = { ...args, ...filled };
  }

  let result;
  try {
    result = await connection.getPrompt(prompt.name, args);
  } catch (err) {
    stream.markdown(`Could not get the prompt ${name(prompt.name)} from ${name(item.server)}: ${inline(mask(err instanceof Error ? err.message : String(err)))}`);
    return { metadata: { failed: 'getPrompt' } };
  }
  const images = acceptsImages(request.model);
  const extraParts: vscode.LanguageModelDataPart[] = [];
  const messages: Array<TurnRecord['messages'][number]> = [];
  for (const m of result.messages) {
    const c = contentView(m.content, mask);
    let text: string;
    if (c.kind === 'text') text = c.text;
    else if (c.kind === 'resource') text = c.text !== undefined ? `Resource ${c.uri}:\n${c.text}` : `[Binary resource ${c.uri}]`;
    else if (c.kind === 'link') text = `Resource link: ${c.name} <${c.uri}>`;
    else if (c.kind === 'image' && images) {
      extraParts.push(vscode.LanguageModelDataPart.image(Buffer.from(c.data, 'base64'), c.mimeType));
      continue;
    } else text = c.kind === 'image' ? `[An image (${c.mimeType}) this model cannot see]` : c.kind === 'audio' ? `[Audio (${c.mimeType})]` : `[Unsupported ${c.what}]`;
    messages.push({ role: m.role, text });
  }
  if (messages.length === 0 || messages.at(-1)!.role !== 'user') messages.push({ role: 'user', text: 'Continue.' });
  const shown = Object.entries(args).map(([k, v]) => `${inline(k)}=${inline(v)}`).join(', ');
  const opening = messages.find(m => m.role === 'user')?.text ?? '';
  stream.markdown(`Using the prompt ${name(promptLabel(prompt))} of ${name(item.server)}${shown ? ` (${shown})` : ''}: ${messages.length} message${messages.length === 1 ? '' : 's'} to the model.\n\n${block(opening.length > QUOTE_PREVIEW ? `${opening.slice(0, QUOTE_PREVIEW)}…` : opening)}\n\n`);
  return answerTurn(services, request, context, stream, token, { messages, ...(extraParts.length ? { extraParts } : {}), selectionText: messages.map(m => m.text).join('\n') }, { prompt: { server: item.server, name: prompt.name, args } });
}
