import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { ask, newChat, press, scriptedModel, type ScriptedModel } from '../chat/chatUtil';
import { frame, shows } from './appFrames';

/**
 * MCP Apps opened from `@mcp` in the real chat view, answered by the scripted language model: the app of a
 * tool the model calls opens beside the chat, its `ui/message` becomes a follow-up in the chat input that
 * the user sends, its `ui/update-model-context` reaches the model on the conversation's next turn (and no
 * other conversation), and Stop tells it the call was cancelled.
 */
describe('MCP Apps from chat', function () {
  this.timeout(120_000);
  let api: Required<McpHostApi>;
  let model: ScriptedModel;
  const dialogs = new ScriptedDialogs();
  const send = (query: string, whileRunning?: (t: Transcript) => Promise<void>) => ask(api, model, query, whileRunning);
  /** What the model was sent as user text in its latest request. */
  const userTexts = () => model.requests[model.requests.length - 1]!.messages.filter(m => m.role === vscode.LanguageModelChatMessageRole.User).map(m => m.text);

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    model = await scriptedModel();
    const fixture = repoPath('out', 'test', 'fixtures', 'servers', 'app.js');
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { app: { type: 'stdio', command: process.execPath, args: [fixture] } } }));
    await until(() => api.host.registry.get('app')?.connection.state.kind === 'running' && !api.host.registry.get('other'), 'only the app server to run', 60_000);
  });

  beforeEach(async () => {
    model.reset();
    await api.host.approvals.revokeAll();
    await api.apps.closeAll();
    await newChat();
  });

  after(() => api.apps.closeAll());

  it('opens the app of a tool the model calls; its message becomes a follow-up the user sends, its context reaches the next turn', async () => {
    model.push({ toolCalls: [{ name: 'app_show_counter', input: {} }] }, { text: 'Here is the counter.' });
    const first = await send('@mcp show me the counter', t => press(t, 'Allow Once').then(() => undefined));
    assert.match(first.text(), /✓ \*\*Show Counter\*\* on \*\*app\*\*/);
    assert.match(first.text(), /Its app is open beside the chat\./);
    assert.match(await shows('#result', /Counter at/), /^Counter at \d+$/);
    assert.strictEqual(await shows('#events', /result/), 'input result');

    // The app sets context for the model, then proposes a message: it lands in the chat input, unsent.
    await frame('#context', 'click');
    assert.strictEqual(await shows('#call', /^context/), 'context: set');
    await frame('#message', 'click');
    assert.strictEqual(await shows('#call', /^message/), 'message: sent');
    const before = api.chat.transcripts.all.length;
    await new Promise(resolve => setTimeout(resolve, 500));
    assert.strictEqual(api.chat.transcripts.all.length, before, 'the app’s message was sent without the user');

    // The user sends it: a turn of the same conversation, with the app's context before it.
    model.push({ text: 'Thanks, app.' });
    await vscode.commands.executeCommand('workbench.action.chat.submit');
    const second = await until(() => api.chat.transcripts.all[before], 'the follow-up to be sent', 30_000);
    await second.done;
    assert.strictEqual(second.prompt, 'hello from the app');
    assert.match(second.text(), /Includes what the app of \*\*show\\_counter\*\* on \*\*app\*\* set for the model\./);
    const texts = userTexts();
    const context = texts.findIndex(t => /context set by the app of the tool 'show_counter' on the MCP server 'app'/.test(t));
    assert.ok(context >= 0, texts.join('\n---\n'));
    assert.match(texts[context]!, /The counter app shows \d+\.\n\{\n {2}"count": \d+\n\}/);
    assert.strictEqual(texts[texts.length - 1], 'hello from the app');
    assert.ok(context < texts.length - 1, 'the context comes before the request');
  });

  it('keeps an app’s context to its own conversation', async () => {
    model.push({ toolCalls: [{ name: 'app_show_counter', input: {} }] }, { text: 'Counter shown.' });
    await send('@mcp show me the counter', t => press(t, 'Allow Once').then(() => undefined));
    await shows('#result', /Counter at/);
    await frame('#context', 'click');
    await shows('#call', /^context/);
    await newChat();
    model.push({ text: 'A new conversation.' });
    const other = await send('@mcp hello');
    assert.doesNotMatch(other.text(), /Includes what the app/);
    assert.strictEqual(model.requests.length, 3);
    assert.ok(userTexts().every(t => !/context set by the app/.test(t)), userTexts().join('\n---\n'));
  });

  it('tells the app the call was cancelled when the user stops the response', async () => {
    model.push({ toolCalls: [{ name: 'app_slow_counter', input: { label: 'from chat' } }] }, { text: 'never sent' });
    await send('@mcp count slowly', async t => {
      await press(t, 'Allow Once');
      await shows('#events', /^input$/);
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
    });
    assert.strictEqual(await shows('#cancelled', /./), 'Cancelled.');
    assert.strictEqual(await shows('#events', /cancelled/), 'input cancelled');
    assert.deepStrictEqual(JSON.parse((await frame('#input')) ?? '{}'), { label: 'from chat' });
    assert.strictEqual(model.requests.length, 1, 'the loop went on after Stop');
  });
});
