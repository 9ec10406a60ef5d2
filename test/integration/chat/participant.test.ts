import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import { Commands, Settings } from '../../../src/ids';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { activateHost, everythingServer, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';
import { ask, buttons, newChat, press, scriptedModel, serverLogText, type ScriptedModel } from './chatUtil';

/**
 * `@mcp` in the real chat view of the real workbench, answered by the scripted language model, against
 * real servers: server-everything and our paging fixture (and, for the many-tools case, a fixture with 150
 * generated tools). Requests go through `workbench.action.chat.open` as typed queries; responses are read
 * from MCP Host's Test-mode transcript of what each response showed.
 */
describe('the @mcp chat participant', function () {
  this.timeout(120_000);
  let api: Required<McpHostApi>;
  let model: ScriptedModel;
  const dialogs = new ScriptedDialogs();
  const node = process.execPath;
  const paging = { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'paging.js')] };
  const everything = { type: 'stdio', command: node, args: [everythingServer()] };
  const many = { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'paging.js'), '--tools', '150'] };
  const writeConfig = (servers: object) => writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers }, null, 2));
  const running = (name: string) => api.host.registry.get(name)?.connection.state.kind === 'running';
  const settings = () => vscode.workspace.getConfiguration(Settings.section);
  const send = (query: string, whileRunning?: (t: Transcript) => Promise<void>) => ask(api, model, query, whileRunning);
  const markdown = (t: Transcript) => t.text();

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    model = await scriptedModel();
    await writeConfig({ everything, paging });
    await until(() => running('everything') && running('paging'), 'everything and paging to run', 60_000);
  });

  beforeEach(async () => {
    model.reset();
    dialogs.toolCallsAsked.length = 0;
    await api.host.approvals.revokeAll();
    await newChat();
  });

  after(async () => {
    for (const key of [Settings.chatMaxToolOutput, Settings.chatConfirmation]) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  /** The command links of a response's markdown, as `command arguments…`, and the trust of the parts that hold them. */
  const links = (t: Transcript) => [...markdown(t).matchAll(/\[([^\]\n]+)\]\(command:([\w.]+)\?([^)\s]*)\)/g)].map(([, label, command, query]) => ({ label: label!, command: command!, args: JSON.parse(decodeURIComponent(query!)) as unknown[] }));

  it('/servers shows a line per server with its state and its actions as links on that line (uxreview item 13)', async () => {
    const t = await send('@mcp /servers');
    assert.match(markdown(t), /2 of 2 MCP servers running\./);
    assert.match(markdown(t), /^- \*\*everything\*\* — running · \d+ tools · \\\.vscode\/mcp\\\.json .* — \[Restart\]\(command:mcpHost\.restartServer\?[^)]+\) · \[Show Log\]\(command:mcpHost\.showLog\?[^)]+\)$/m);
    assert.deepStrictEqual(
      links(t).map(l => `${l.label} ${l.command} ${JSON.stringify(l.args)}`),
      ['Restart mcpHost.restartServer ["everything"]', 'Show Log mcpHost.showLog ["everything"]', 'Restart mcpHost.restartServer ["paging"]', 'Show Log mcpHost.showLog ["paging"]'],
    );
    // Trusted with exactly the server actions; no button per action any more (they stacked 8 for 4 servers).
    const trusted = t.parts.filter(p => p.kind === 'markdown' && p.isTrusted);
    assert.deepStrictEqual(trusted.map(p => p.kind === 'markdown' && p.isTrusted), [{ enabledCommands: [Commands.signIn, Commands.startServer, Commands.restartServer, Commands.showLog] }]);
    assert.deepStrictEqual(buttons(t).map(b => b.title), ['Open MCP Host']);
    // What a click on a link runs: the server's log opens.
    const showLog = links(t).find(l => l.label === 'Show Log' && l.args[0] === 'paging')!;
    await vscode.commands.executeCommand(showLog.command, ...showLog.args);
    assert.strictEqual(model.requests.length, 0, 'a slash command that needs no model sent a request');
  });

  it('/servers says why a server failed, not only "error"', async () => {
    const broken = { type: 'stdio', command: node, args: ['-e', 'console.error("cannot open ./missing.db"); process.exit(3)'] };
    expectLogEntry(/^MCP broken: \[error\] (Failed to start: The server exited with code 3|Not restarting: )/);
    await writeConfig({ everything, paging, broken });
    try {
      await until(() => api.host.registry.get('broken')?.connection.state.kind === 'error', 'broken to fail');
      const t = await send('@mcp /servers');
      assert.match(markdown(t), /2 of 3 MCP servers running\./);
      assert.match(markdown(t), /^- \*\*broken\*\* — error · .* — \[Restart\]\(command:mcpHost\.restartServer\?[^)]+\) · \[Show Log\]/m);
      // Server and repository text is escaped for markdown (`\.`), on the line under the server's.
      assert.match(markdown(t), /\[Show Log\]\(command:mcpHost\.showLog\?%5B%22broken%22%5D\) {2}\n {2}The server exited with code 3 before completing initialization\\?\.$/m);
    } finally {
      await writeConfig({ everything, paging });
      await until(() => api.host.registry.get('broken') === undefined && running('everything') && running('paging'), 'broken to go');
    }
  });

  it('runs the tool loop: two tools on two servers, each consented inline, results back to the model, the answer streamed', async () => {
    model.push({ text: 'Let me check. ', toolCalls: [{ name: 'everything_echo', input: { message: 'from chat' } }, { name: 'paging_add', input: { a: 2, b: 3 } }] }, { text: 'Echoed and added: 5.' });
    const t = await send('@mcp echo "from chat" and add 2 and 3', async t => {
      await press(t, 'Allow Once', 0);
      await press(t, 'Allow Once', 1);
    });
    assert.strictEqual(model.requests.length, 2);
    const first = model.requests[0]!;
    assert.ok(first.tools.includes('everything_echo') && first.tools.includes('paging_add'), first.tools.join(', '));
    const echoDef = first.toolDefinitions.find(d => d.name === 'everything_echo')!;
    assert.match(echoDef.description, /^\[MCP server everything\] /);
    assert.deepStrictEqual((echoDef.inputSchema as { required?: string[] }).required, ['message']);
    const results = model.requests[1]!.toolResults.map(r => r.text);
    assert.match(results[0]!, /Echo: from chat/);
    assert.match(results[1]!, /"sum":5/);
    const text = markdown(t);
    assert.match(text, /Let me check\. /);
    assert.match(text, /✓ \*\*Echo Tool\*\* on \*\*everything\*\*/);
    assert.match(text, /✓ \*\*Add\*\* on \*\*paging\*\*/);
    assert.match(text, /Echoed and added: 5\.$/);
    assert.strictEqual(buttons(t).filter(b => b.title === 'Open Result').length, 2);
    const history = await api.host.history.list();
    assert.deepStrictEqual(history.slice(0, 2).map(h => `${h.server}/${h.tool}:${h.origin}:${h.outcome}`).sort(), ['everything/echo:chat:completed', 'paging/add:chat:completed']);
  });

  it('tells the model about a denied call as a tool error, and the server never sees it', async () => {
    model.push({ toolCalls: [{ name: 'paging_mutate', input: { list: 'tools', action: 'add' } }] }, { text: 'Understood, I will not.' });
    const toolsBefore = api.host.registry.get('paging')!.connection.tools.length;
    const t = await send('@mcp add a tool', t => press(t, 'Deny').then(() => undefined));
    assert.match(model.requests[1]!.toolResults[0]!.text, /^Error: The user denied this tool call\. Denied by user: 'Mutate lists' on server 'paging' was not called\./);
    // The answer under the buttons, and that they are spent (VS Code keeps them clickable: uxreview item 8).
    assert.match(markdown(t), /^✗ \*\*Denied\.\*\* The buttons above are answered; clicking them again does nothing\.$/m);
    assert.match(markdown(t), /✗ denied: \*\*Mutate lists\*\* on \*\*paging\*\*/);
    assert.match(markdown(t), /Understood, I will not\.$/);
    // A second click, on another answer: nothing is called, and the click is told what the question was answered.
    const history = (await api.host.history.list()).length;
    assert.deepStrictEqual(await press(t, 'Allow Once'), { kind: 'answered', answer: 'deny', tool: 'Mutate lists', server: 'paging' });
    assert.strictEqual(model.requests.length, 2);
    assert.strictEqual((await api.host.history.list()).length, history, 'a late click made a call');
    assert.strictEqual(api.host.registry.get('paging')!.connection.tools.length, toolsBefore);
  });

  it('"Allow for This Session" inline is the gate\'s approval: the next call and the palette do not ask', async () => {
    model.push({ toolCalls: [{ name: 'paging_add', input: { a: 1, b: 1 } }] }, { text: 'two' }, { toolCalls: [{ name: 'paging_add', input: { a: 2, b: 2 } }] }, { text: 'four' });
    await send('@mcp add 1 and 1', t => press(t, 'Allow for This Session').then(() => undefined));
    const second = await send('@mcp add 2 and 2');
    assert.deepStrictEqual(buttons(second).filter(b => b.title === 'Allow Once'), []);
    assert.match(markdown(second), /four$/);
    assert.deepStrictEqual(api.host.approvals.all().map(a => `${a.server}/${a.tool}:${a.scope}`), ['paging/add:session']);
    const palette = await api.host.gate.call({ server: 'paging', tool: 'add', args: { a: 0, b: 0 }, origin: 'palette' });
    assert.strictEqual(palette.kind, 'completed');
    assert.strictEqual(dialogs.toolCallsAsked.length, 0, 'the modal dialog was asked');
  });

  it('asks in the modal dialog instead when the user setting says so', async () => {
    await settings().update(Settings.chatConfirmation, 'modal', vscode.ConfigurationTarget.Global);
    try {
      dialogs.toolCallAnswer = 'once';
      model.push({ toolCalls: [{ name: 'paging_add', input: { a: 4, b: 4 } }] }, { text: 'eight' });
      const t = await send('@mcp add 4 and 4');
      assert.deepStrictEqual(dialogs.toolCallsAsked.map(q => `${q.server}/${q.tool}:${q.origin}`), ['paging/add:chat']);
      assert.deepStrictEqual(buttons(t).filter(b => b.title === 'Allow Once'), []);
      assert.match(markdown(t), /eight$/);
    } finally {
      await settings().update(Settings.chatConfirmation, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Stop cancels the call in flight (the server gets notifications/cancelled) and the model request', async () => {
    model.push({ toolCalls: [{ name: 'paging_slow', input: { ms: 60_000 } }] }, { text: 'never sent' });
    const t = await send('@mcp wait a minute', async t => {
      await press(t, 'Allow Once');
      await until(() => t.parts.some(p => p.kind === 'progress' && /Running Slow on paging/.test(p.value)), 'the call to start', 30_000);
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
    });
    await until(() => /slow: cancelled after \d+ ms/.test(serverLogText(api, 'paging')), 'the server to log the cancellation', 30_000);
    assert.strictEqual(model.requests.length, 1, 'the loop went on after Stop');
    const entry = (await api.host.history.list()).find(h => h.tool === 'slow')!;
    assert.strictEqual(entry.outcome, 'cancelled');
    assert.ok(t.parts.length > 0);

    model.reset();
    model.push({ hang: true });
    await send('@mcp think forever', async () => {
      await until(() => model.requests.length === 1, 'the model request', 30_000);
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
    });
    await until(() => model.requests[0]!.cancelled, 'the model request to be cancelled', 30_000);

    // Stopped while its question is open: the question is withdrawn, and a late click says so.
    model.reset();
    model.push({ toolCalls: [{ name: 'paging_add', input: { a: 5, b: 5 } }] }, { text: 'never sent' });
    const asked = await send('@mcp add 5 and 5', async t => {
      await until(() => buttons(t).some(b => b.title === 'Deny'), 'the question', 30_000);
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
    });
    const calls = (await api.host.history.list()).filter(h => h.tool === 'add' && h.outcome === 'completed').length;
    assert.deepStrictEqual(await press(asked, 'Allow Once'), { kind: 'withdrawn', tool: 'Add', server: 'paging' });
    assert.strictEqual((await api.host.history.list()).filter(h => h.tool === 'add' && h.outcome === 'completed').length, calls, 'a withdrawn question ran its call');
  });

  it('cuts a result over the output budget with a marker, and keeps the full result openable', async () => {
    await settings().update(Settings.chatMaxToolOutput, 200, vscode.ConfigurationTarget.Global);
    try {
      const long = 'x'.repeat(1000);
      model.push({ toolCalls: [{ name: 'paging_echo', input: { text: long } }] }, { text: 'done' });
      const t = await send('@mcp echo a lot', t => press(t, 'Allow Once').then(() => undefined));
      const sent = model.requests[1]!.toolResults[0]!.text;
      assert.ok(sent.startsWith('x'.repeat(200)), sent.slice(0, 50));
      // The echo's second block (its structured copy) finds the budget spent: it is left out, and said to be.
      assert.match(sent.slice(200), /^\n\[MCP Host: content block 1 cut to its first 200 characters \(in full: 1000 bytes\)\]\n\[MCP Host: content block 2 left out \(\d+ bytes\)\]\n\[MCP Host: The user can open the full result from the chat response\.\]$/);
      assert.match(markdown(t), /The model got part of this result: 200 characters of [\d.]+ K?B \(the `mcpHost\.chat\.maxToolOutput` setting\); Open Result shows all of it\./);
      const open = buttons(t).find(b => b.title === 'Open Result')!;
      const shown = (await vscode.commands.executeCommand(open.command, ...open.arguments)) as { view: { content: Array<{ text?: string }> } };
      assert.strictEqual(shown.view.content[0]!.text, long);
    } finally {
      await settings().update(Settings.chatMaxToolOutput, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('offers at most 128 tools, the most relevant, and says which were left out and how to include them', async () => {
    await writeConfig({ everything, paging, many });
    await until(() => running('many'), 'the server with 150 tools to run', 60_000);
    try {
      const total = api.host.registry.catalog().length;
      assert.ok(total > 128, `only ${total} tools`);
      model.push({ text: 'ok' });
      const t = await send('@mcp use get_sum to add numbers');
      const offered = model.requests[0]!.tools;
      assert.strictEqual(offered.length, 128);
      assert.ok(offered.includes('everything_get-sum'), 'the tool the request names was left out');
      const text = markdown(t);
      assert.match(text, new RegExp(`Your MCP servers have ${total} tools and this request can offer at most 128, so the 128 most relevant to your request were offered and ${total - 128} tools were left out:`));
      assert.match(text, /\*\*many\*\*: /);
      // Each server is named with some of its tools or a count of them, never "**server**: and 18 more" (walk15 B).
      assert.doesNotMatch(text, /\*\*: and \d+ more/);
      assert.match(text, /name it in your request, or turn off servers and tools you do not need with `\/tools`/);
      // Never silently: everything not offered is named or counted.
      const leftOut = api.host.registry.catalog().filter(c => !offered.includes(c.qualifiedName));
      assert.strictEqual(leftOut.length, total - 128);
    } finally {
      await writeConfig({ everything, paging });
      await until(() => !api.host.registry.get('many'), 'the big server to go');
    }
  });

  it('/call calls one tool with JSON arguments, through the gate, and shows the result; no model involved', async () => {
    const t = await send('@mcp /call everything.get-sum {"a": 19, "b": 23}', t => press(t, 'Allow Once').then(() => undefined));
    assert.match(markdown(t), /✓ \*\*Get Sum Tool\*\* on \*\*everything\*\*/);
    assert.match(markdown(t), /The sum of 19 and 23 is 42\./);
    assert.strictEqual(model.requests.length, 0);
    const bad = await send('@mcp /call everything.get-sum {"a": "x"}');
    assert.match(markdown(bad), /Nothing was sent\./);
  });

  it('shows server text inert: no command links, HTML or live links from a tool result', async () => {
    const hostile = '[run me](command:workbench.action.quit) <img src=x onerror=alert(1)> https://evil.example/x';
    const t = await send(`@mcp /call paging.echo ${JSON.stringify({ text: hostile })}`, t => press(t, 'Allow Once').then(() => undefined));
    for (const p of t.parts) {
      if (p.kind !== 'markdown') continue;
      assert.ok(!p.isTrusted, 'a response part is trusted');
      assert.strictEqual(p.supportHtml, false);
    }
    const text = markdown(t);
    assert.ok(text.includes(`\`\`\`text\n${hostile}`), 'the result is not fenced as text');
    // Fenced: the result as text, the consent's arguments as JSON.
    const outsideFences = text.replace(/(`{3,})(text|json)\n[\s\S]*?\n\1/g, '');
    assert.doesNotMatch(outsideFences, /command:|<img|https:\/\/evil/);
    for (const b of buttons(t)) assert.ok(b.command.startsWith('mcpHost.') || b.command === 'vscode.open', `a button runs ${b.command}`);
  });

  it('/tools lists tools by server and turns a server off and on for chat, per workspace', async () => {
    const list = await send('@mcp /tools');
    assert.match(markdown(list), /- \*\*paging\*\*: \d+ tools/);
    assert.ok(buttons(list).some(b => b.title === 'Turn Off paging'));
    await press(list, 'Turn Off paging');
    assert.strictEqual(api.chat.filter.isServerEnabled('paging'), false);
    model.push({ text: 'ok' });
    await send('@mcp anything');
    assert.ok(!model.requests[0]!.tools.some(n => n.startsWith('paging_')), model.requests[0]!.tools.join(', '));
    assert.ok(model.requests[0]!.tools.some(n => n.startsWith('everything_')));
    const on = await send('@mcp /tools on paging');
    assert.match(markdown(on), /Chat offers the tools of \*\*paging\*\* in this workspace\./);
    const offOne = await send('@mcp /tools off paging.slow');
    assert.match(markdown(offOne), /Chat no longer offers \*\*slow\*\* of \*\*paging\*\*/);
    model.push({ text: 'ok' });
    await send('@mcp anything');
    assert.ok(model.requests[1]!.tools.includes('paging_add') && !model.requests[1]!.tools.includes('paging_slow'), model.requests[1]!.tools.join(', '));
    await send('@mcp /tools on paging.slow');
  });

  it('/prompt gets a prompt with its arguments, asks for missing ones with completions, and the answer streams', async () => {
    model.push({ text: 'Bonjour!' });
    dialogs.argumentAnswers = { language: ['fr'] };
    const t = await send('@mcp /prompt paging.greet name="Ada Lovelace"');
    const asked = dialogs.argumentQuestions.at(-1)!;
    assert.strictEqual(asked.name, 'language');
    assert.ok(dialogs.suggestions.some(s => s.name === 'language' && s.values.length > 0), 'no completions were offered');
    const sentText = model.requests[0]!.messages.map(m => m.text).join('\n');
    assert.match(sentText, /Ada Lovelace/);
    assert.match(markdown(t), /Using the prompt \*\*Greet\*\* of \*\*paging\*\*/);
    assert.match(markdown(t), /Bonjour!$/);
    const list = await send('@mcp /prompt');
    assert.ok(buttons(list).some(b => b.title === 'everything: Simple Prompt' || b.title.startsWith('everything: ')), buttons(list).map(b => b.title).join(', '));
  });

  it('/resource reads a resource into the conversation, shown as a reference, and the next request sees it', async () => {
    const t = await send('@mcp /resource fixture://static/readme.md');
    assert.ok(t.parts.some(p => p.kind === 'reference' && p.uri.startsWith('mcp-host-resource:')), 'no reference to open');
    assert.match(markdown(t), /Added \*\*Readme\*\* from \*\*paging\*\* to the conversation/);
    model.push({ text: 'It is a readme.' });
    await send('@mcp what is in it?');
    const sent = model.requests[0]!.messages.map(m => m.text).join('\n');
    assert.match(sent, /Resource fixture:\/\/static\/readme\.md from the MCP server paging:/);
  });

  it('keeps earlier tool calls and results in the conversation', async () => {
    model.push({ toolCalls: [{ name: 'paging_add', input: { a: 20, b: 22 } }] }, { text: 'It is 42.' }, { text: 'Still 42.' });
    await send('@mcp add 20 and 22', t => press(t, 'Allow Once').then(() => undefined));
    await send('@mcp and again?');
    const parts = model.requests[2]!.messages.flatMap(m => m.parts);
    assert.ok(parts.some(p => p.kind === 'toolCall' && p.name === 'paging_add'), 'the earlier tool call is missing');
    assert.ok(parts.some(p => p.kind === 'toolResult' && /"sum":42/.test(p.text ?? '')), 'the earlier result is missing');
    assert.ok(model.requests[2]!.messages.some(m => m.text === 'It is 42.'));
  });

  it('says what is missing, with the button that fixes it, when no server runs', async () => {
    await api.host.registry.stop('everything');
    await api.host.registry.stop('paging');
    try {
      const t = await send('@mcp hello');
      assert.match(markdown(t), /No MCP server is running\./);
      assert.ok(buttons(t).some(b => b.command === Commands.startServer && b.arguments[0] === 'paging'));
      assert.strictEqual(model.requests.length, 0);
    } finally {
      await api.host.registry.start('everything', true);
      await api.host.registry.start('paging', true);
      await until(() => running('everything') && running('paging'), 'the servers to run again', 60_000);
    }
  });

  it('explains a model failure with a button to pick another model', async () => {
    expectLogEntry(/scripted failure/);
    model.push({ error: 'scripted failure' });
    const t = await send('@mcp fail please');
    assert.match(markdown(t), /could not answer: \*\*.*scripted failure/);
    assert.ok(buttons(t).some(b => b.command === 'workbench.action.chat.openModelPicker'));
  });
});
