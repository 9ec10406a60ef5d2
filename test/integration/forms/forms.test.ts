import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunToolOutcome } from '../../../src/commands/runTool';
import type { UsePromptOutcome } from '../../../src/commands/usePrompt';
import { Commands } from '../../../src/ids';
import type { SavedCallOutcome } from '../../../src/commands/savedCalls';
import type { FormEditorSession } from '../../../src/ui/forms/formEditorPanel';
import type { HostMessage, SpecNode } from '../../../src/forms/formEditor';
import type { McpHost } from '../../../src/workspace/mcpHost';
import type { Dialogs } from '../../../src/extension';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';

/**
 * The form editor on real schemas (server-memory, sequential thinking, server-everything, and a fixture
 * with `oneOf` and `$ref`), in the real extension host. The editor's panel is real; its page's messages
 * are delivered to the session as the webview delivers them, so what is sent is exactly what the page
 * submitted, and every other message is dropped.
 */
describe('the form editor with real servers', function () {
  this.timeout(90_000);
  let host: McpHost;
  let api: Awaited<ReturnType<typeof activateHost>>;
  const dialogs = new ScriptedDialogs();
  /** Scripted everywhere but the form editor, which is the real webview panel. */
  const withEditor = () => Object.assign(Object.create(dialogs) as ScriptedDialogs, { editForm: api.formEditor.editForm.bind(api.formEditor) }) as Dialogs;
  const run = (server: string, tool: string) => vscode.commands.executeCommand<RunToolOutcome>(Commands.runTool, { server, tool });
  const sent = (outcome: RunToolOutcome | undefined) => {
    assert.strictEqual(outcome?.kind, 'sent', JSON.stringify(outcome));
    return outcome as Extract<RunToolOutcome, { kind: 'sent' }>;
  };
  /**
   * The open form editor, once its page has loaded: the page checks its starting values as it loads, and that
   * answer must not land after the messages a test sends in the page's place (it did, on a slow first load).
   */
  const session = async (): Promise<FormEditorSession> => {
    const open = (await until(() => [...api.formEditor.sessions].at(-1), 'the form editor to open')) as FormEditorSession;
    await until(() => open.posted.length > 0, "the form page to load and have its first check answered");
    return open;
  };
  const textOf = (outcome: Extract<RunToolOutcome, { kind: 'sent' }>) => outcome.view.content.map(c => (c.kind === 'text' ? c.text : '')).join('');

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    const node = process.execPath;
    const pkg = (name: string) => repoPath('node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          memory: { type: 'stdio', command: node, args: [pkg('server-memory')], env: { MEMORY_FILE_PATH: workspaceFile('memory.jsonl').fsPath } },
          thinking: { type: 'stdio', command: node, args: [pkg('server-sequential-thinking')], env: { DISABLE_THOUGHT_LOGGING: 'true' } },
          everything: { type: 'stdio', command: node, args: [pkg('server-everything')] },
          forms: { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'forms.js')], env: { FORMS_API_TOKEN: 'zero' } },
        },
      }),
    );
    await until(() => ['memory', 'thinking', 'everything', 'forms'].every(s => host.registry.get(s)?.connection.state.kind === 'running'), 'the servers to run', 60_000);
  });

  // A test that failed with its form open must not leave it to the next (one elicitation per server at a time).
  afterEach(() => {
    for (const open of api.formEditor.sessions) open.panel.dispose();
  });

  beforeEach(() => {
    api.setDialogs(dialogs);
    dialogs.argumentAnswers = {};
    dialogs.argumentQuestions.length = 0;
    dialogs.editorRequests.length = 0;
    dialogs.toolCallAnswer = 'once';
  });

  it('fills server-memory’s create_entities with two items in the editor: problems at the field, then exactly the values submitted', async () => {
    api.setDialogs(withEditor());
    const running = run('memory', 'create_entities');
    const editor = await session();
    assert.match(editor.panel.title, /^Create Entities on 'memory'$/, 'the panel is named as the pick names the tool');
    // The page can only check, submit or cancel; anything else is dropped and the form stays open.
    await editor.receive({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await editor.receive({ type: 'submit', value: { entities: [] }, extra: 1 });
    await editor.receive({ type: 'submit', value: 'not an object' });
    assert.strictEqual(editor.dropped, 3);
    await editor.receive({ type: 'check', value: { entities: [{ name: 'Ada', entityType: 'person' }] } });
    assert.deepStrictEqual(editor.posted.at(-1), { type: 'problems', problems: [{ pointer: '/entities/0/observations', message: 'Is required.' }] });
    // An invalid submit is answered with its problems, not sent.
    await editor.receive({ type: 'submit', seq: 9, value: { entities: [{ name: 'Ada', entityType: 'person', observations: 'wrote the first program' }] } });
    // Numbered by the page: the answer says which values it is about.
    assert.deepStrictEqual(editor.posted.at(-1), { type: 'problems', problems: [{ pointer: '/entities/0/observations', message: 'Must be a list.' }], seq: 9 });
    const entities = [
      { name: 'Ada', entityType: 'person', observations: ['wrote the first program'] },
      { name: 'Analytical Engine', entityType: 'machine', observations: [] },
    ];
    await editor.receive({ type: 'submit', value: { entities } });
    const outcome = sent(await running);
    assert.deepStrictEqual(outcome.args, { entities });
    assert.strictEqual(outcome.result.kind, 'completed');
    assert.deepStrictEqual(JSON.parse(textOf(outcome)), entities);
    assert.strictEqual(dialogs.toolCallsAsked.at(-1)!.tool, 'create_entities', 'the call did not go through consent');
    assert.strictEqual(api.formEditor.sessions.size, 0, 'the editor stayed open');
  });

  it('fills create_relations (a list of objects) and cancels cleanly', async () => {
    api.setDialogs(withEditor());
    const cancelled = run('memory', 'create_relations');
    await (await session()).receive({ type: 'cancel' });
    assert.deepStrictEqual(await cancelled, { kind: 'dismissed' });
    const running = run('memory', 'create_relations');
    const relations = [{ from: 'Ada', to: 'Analytical Engine', relationType: 'programmed' }];
    await (await session()).receive({ type: 'submit', value: { relations } });
    assert.deepStrictEqual(sent(await running).args, { relations });
  });

  it('sends a oneOf + $ref form exactly as submitted, leaving the defaulted note out (fixture place_order)', async () => {
    api.setDialogs(withEditor());
    const running = run('forms', 'place_order');
    const editor = await session();
    await editor.receive({ type: 'check', value: { delivery: { store: 'east' }, lines: [{ sku: 'abc' }] } });
    assert.deepStrictEqual(
      (editor.posted.at(-1) as Extract<HostMessage, { type: 'problems' }>).problems,
      [
        { pointer: '/delivery', message: 'Must match one of the allowed forms.' },
        { pointer: '/lines/0/sku', message: 'Must match the pattern ^[A-Z]{3}-\\d+$.' },
      ],
    );
    const value = { delivery: { address: { street: '1 Main St', city: 'Oslo' } }, lines: [{ sku: 'ABC-1' }, { sku: 'XYZ-22', quantity: 3 }] };
    await editor.receive({ type: 'submit', value });
    const outcome = sent(await running);
    // The server echoes what it received: nothing invented (no quantity 1, no note "none").
    assert.deepStrictEqual(JSON.parse(textOf(outcome)), value);
  });

  it('shows the tool’s description as text (hidden characters shown, cut), and a list of simple types as a choice of type (fixture survey)', async () => {
    api.setDialogs(withEditor());
    const running = run('forms', 'survey');
    const editor = await session();
    const init = /data-init="([^"]*)"/.exec(editor.panel.webview.html)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const page = JSON.parse(init) as { title: string; description?: string; spec: Extract<SpecNode, { kind: 'object' }> };
    assert.strictEqual(page.title, "Survey on 'forms'");
    const description = page.description ?? '';
    // The page adds it as a text node: markup and links stay text; the bidi override and zero-width space are shown;
    // the server's secret (its env FORMS_API_TOKEN) is masked, as consent masks it.
    assert.ok(
      description.startsWith('Answers with what it received.\nSecond line <b>not bold</b> [not a link](command:workbench.action.terminal.new) ⟨U+202E⟩gnp.exe⟨U+202C⟩ ***⟨U+200B⟩width\nMore text. More text.'),
      description.slice(0, 200),
    );
    assert.ok(description.length <= 8_000 && description.endsWith('…'), `cut at 8,000 characters: ${description.length}`);
    const answer = page.spec.properties.find(p => p.name === 'answer')!.node;
    assert.strictEqual(answer.kind, 'choice');
    assert.strictEqual((answer as Extract<SpecNode, { kind: 'choice' }>).of, 'type');
    assert.deepStrictEqual((answer as Extract<SpecNode, { kind: 'choice' }>).branches.map(b => [b.kind, b.label]), [['boolean', 'true or false'], ['string', 'text']]);
    // Still checked by the schema: a number is neither type.
    await editor.receive({ type: 'check', value: { answer: 3 } });
    assert.deepStrictEqual((editor.posted.at(-1) as Extract<HostMessage, { type: 'problems' }>).problems.map(p => p.pointer), ['/answer']);
    await editor.receive({ type: 'submit', value: { answer: true, count: 'a few' } });
    assert.deepStrictEqual(JSON.parse(textOf(sent(await running))), { answer: true, count: 'a few' });
  });

  it('asks sequential thinking’s nine fields through the editor (complex) and sends only those filled', async () => {
    dialogs.argumentAnswers = { thought: ['Consider the form'], nextThoughtNeeded: ['false'], thoughtNumber: ['1'], totalThoughts: ['1'] };
    const outcome = sent(await run('thinking', 'sequentialthinking'));
    assert.strictEqual(dialogs.editorRequests.length, 1, 'a tool with nine fields did not open the editor');
    assert.deepStrictEqual(outcome.args, { thought: 'Consider the form', nextThoughtNeeded: false, thoughtNumber: 1, totalThoughts: 1 });
    assert.strictEqual(outcome.result.kind, 'completed');
  });

  it('keeps the quick input for simple tools (server-everything’s get-sum), and the setting can choose', async () => {
    dialogs.argumentAnswers = { a: ['x', '2'], b: ['3'] };
    const quick = sent(await run('everything', 'get-sum'));
    assert.strictEqual(dialogs.editorRequests.length, 0);
    assert.deepStrictEqual(dialogs.rejected.at(-1), { name: 'a', text: 'x', message: 'Enter a number, like 42 or -3.5.' });
    assert.deepStrictEqual(quick.args, { a: 2, b: 3 });
    const config = vscode.workspace.getConfiguration('mcpHost');
    await config.update('forms.editor', 'always', vscode.ConfigurationTarget.Global);
    try {
      dialogs.argumentAnswers = { a: ['4'], b: ['5'] };
      assert.deepStrictEqual(sent(await run('everything', 'get-sum')).args, { a: 4, b: 5 });
      assert.strictEqual(dialogs.editorRequests.length, 1, '"always" did not open the editor');
    } finally {
      await config.update('forms.editor', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('fills a prompt’s arguments in the editor when the setting says always, and keeps the quick input (with completions) otherwise', async () => {
    const use = () => vscode.commands.executeCommand<UsePromptOutcome>(Commands.usePrompt, { server: 'everything', prompt: 'args-prompt' });
    dialogs.argumentAnswers = { city: ['Oslo'] };
    const quick = await use();
    assert.deepStrictEqual(quick?.kind === 'shown' && quick.args, { city: 'Oslo' });
    assert.strictEqual(dialogs.editorRequests.length, 0, 'two arguments opened the editor');
    const config = vscode.workspace.getConfiguration('mcpHost');
    await config.update('forms.editor', 'always', vscode.ConfigurationTarget.Global);
    try {
      api.setDialogs(withEditor());
      const using = use();
      const editor = await session();
      assert.match(editor.panel.title, /^Arguments Prompt on 'everything'$/);
      // The prompt's description under the title, as a tool's (forms14: the prompt's form had none).
      const init = /data-init="([^"]*)"/.exec(editor.panel.webview.html)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      assert.strictEqual((JSON.parse(init) as { description?: string }).description, 'A prompt with two arguments, one required and one optional');
      await editor.receive({ type: 'check', value: { state: 'Viken' } });
      assert.deepStrictEqual(editor.posted.at(-1), { type: 'problems', problems: [{ pointer: '/city', message: 'Is required.' }] });
      await editor.receive({ type: 'submit', value: { city: 'Oslo', state: 'Viken' } });
      const shown = await using;
      assert.strictEqual(shown?.kind, 'shown', JSON.stringify(shown));
      const view = shown as Extract<UsePromptOutcome, { kind: 'shown' }>;
      assert.deepStrictEqual(view.args, { city: 'Oslo', state: 'Viken' });
      assert.match(view.html, /What&#39;s weather in Oslo, Viken\?|What's weather in Oslo, Viken\?/);
    } finally {
      await config.update('forms.editor', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  describe('elicitation (form mode) in the editor', () => {
    /** The fixture answers `book_trip` with the elicitation's result. */
    const trip = async () => JSON.parse(textOf(sent(await run('forms', 'book_trip')))) as { action: string; content?: Record<string, unknown> };

    it('opens a seven-field elicitation in the editor with the server’s message and defaults; the server gets exactly what was submitted', async () => {
      api.setDialogs(withEditor());
      dialogs.elicitationChoices = ['accept'];
      const answered = trip();
      const editor = await session();
      assert.match(editor.panel.title, /^'forms' asks$/);
      // The page starts from the schema's defaults (the spec's pre-population) and shows the message, lines kept.
      const init = /data-init="([^"]*)"/.exec(editor.panel.webview.html)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      const page = JSON.parse(init) as { message: string; value: unknown };
      assert.strictEqual(page.message, 'Where to?\nSeats and cabin have defaults.');
      assert.deepStrictEqual(page.value, { seats: 1, cabin: 'economy' });
      await editor.receive({ type: 'check', value: { traveller: 'Ada', from: 'OSLO', to: 'LHR', seats: 12 } });
      assert.deepStrictEqual(
        (editor.posted.at(-1) as Extract<HostMessage, { type: 'problems' }>).problems.map(p => p.pointer),
        ['/from', '/seats'],
        'problems are explained at the field',
      );
      const value = { traveller: 'Ada', from: 'OSL', to: 'LHR', seats: 2, cabin: 'business', extras: ['bag', 'wifi'] };
      await editor.receive({ type: 'submit', value });
      assert.deepStrictEqual(await answered, { action: 'accept', content: value });
      assert.deepStrictEqual(dialogs.elicitationsAsked.at(-1), { mode: 'form', server: 'forms', message: 'Where to?\nSeats and cabin have defaults.', fields: ['Traveller', 'From (IATA code)', 'To (IATA code)', 'Email', 'Seats', 'Cabin', 'Extras'] });
    });

    it('declines without opening the editor, and closing the editor cancels', async () => {
      api.setDialogs(withEditor());
      dialogs.elicitationChoices = ['decline'];
      assert.deepStrictEqual(await trip(), { action: 'decline' });
      assert.strictEqual(api.formEditor.sessions.size, 0, 'a declined elicitation opened the editor');
      dialogs.elicitationChoices = ['accept'];
      const cancelled = trip();
      await (await session()).receive({ type: 'cancel' });
      assert.deepStrictEqual(await cancelled, { action: 'cancel' });
      dialogs.elicitationChoices = ['accept'];
      const closed = trip();
      (await session()).panel.dispose();
      assert.deepStrictEqual(await closed, { action: 'cancel' });
    });
  });

  describe('saved calls', () => {
    const entities = [
      { name: 'Ada', entityType: 'person', observations: ['wrote the first program'] },
      { name: 'Analytical Engine', entityType: 'machine', observations: ['designed by Babbage'] },
    ];
    const runSaved = (arg?: unknown) => vscode.commands.executeCommand<SavedCallOutcome>(Commands.runSavedCall, arg);

    before(async () => {
      for (const c of host.savedCalls.list()) await host.savedCalls.remove(c.scope, c.name);
    });

    it('saves the filled form from the editor under a name, keeps the form open, and refuses invalid values', async () => {
      api.setDialogs(withEditor());
      dialogs.saveCallAnswers = [{ name: 'two entities', scope: 'workspace' }];
      const running = run('memory', 'create_entities');
      const editor = await session();
      await editor.receive({ type: 'save', value: { entities: [{ name: 'Ada' }] } });
      assert.strictEqual((editor.posted.at(-1) as Extract<HostMessage, { type: 'problems' }>).problems.length, 2, 'invalid values were not explained');
      assert.strictEqual(dialogs.saveCallRequests.length, 0, 'invalid values were offered for saving');
      await editor.receive({ type: 'save', value: { entities } });
      await until(() => editor.posted.find(m => m.type === 'saved'), 'the page to hear the call was saved');
      assert.deepStrictEqual(editor.posted.at(-1), { type: 'saved', status: "Saved as 'two entities'." });
      assert.deepStrictEqual(dialogs.saveCallRequests.at(-1), { what: "Create Entities on 'memory'", suggestedName: 'Create Entities', leftOut: [] });
      assert.strictEqual(api.formEditor.sessions.size, 1, 'saving closed the form');
      await editor.receive({ type: 'cancel' });
      assert.deepStrictEqual(await running, { kind: 'dismissed' });
      const saved = host.savedCalls.find('workspace', 'two entities');
      assert.deepStrictEqual(saved && { server: saved.server, tool: saved.tool, title: saved.title, args: saved.args }, { server: 'memory', tool: 'create_entities', title: 'Create Entities', args: { entities } });
    });

    it('re-runs it from the palette through consent, sending exactly the saved arguments', async () => {
      dialogs.picks = ['two entities'];
      const outcome = await runSaved();
      assert.strictEqual(outcome?.kind, 'sent', JSON.stringify(outcome));
      const sentCall = outcome as Extract<SavedCallOutcome, { kind: 'sent' }>;
      assert.deepStrictEqual(sentCall.args, { entities });
      assert.strictEqual(sentCall.result.kind, 'completed');
      assert.deepStrictEqual(dialogs.toolCallsAsked.at(-1)?.tool, 'create_entities');
      assert.deepStrictEqual(JSON.parse(dialogs.toolCallsAsked.at(-1)!.argumentsText), { entities }, 'consent did not show the saved arguments');
      assert.strictEqual(dialogs.toolCallsAsked.at(-1)!.savedCall, 'two entities', 'consent did not name the saved call');
      assert.strictEqual((await host.history.list()).at(0)?.savedCall, 'two entities', 'the history did not record the saved call');
      assert.deepStrictEqual(dialogs.pickRequests.at(-1)?.groups.map(g => g.label), ['This workspace']);
      assert.strictEqual(dialogs.editorRequests.length, 0, 'a complete saved call opened the form');
      // Denied consent sends nothing.
      dialogs.picks = ['two entities'];
      dialogs.toolCallAnswer = 'deny';
      const denied = (await runSaved()) as Extract<SavedCallOutcome, { kind: 'sent' }>;
      assert.strictEqual(denied.result.kind, 'denied');
    });

    it('re-runs it from the tool’s node in the tree, with the tree as the origin', async () => {
      const provider = api.serversView!.provider;
      const memory = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'memory')!;
      const tools = (await provider.getChildren(memory)).find(n => n.kind === 'group' && n.group === 'tools')!;
      const node = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'create_entities')!;
      dialogs.picks = ['two entities'];
      const outcome = (await runSaved(node)) as Extract<SavedCallOutcome, { kind: 'sent' }>;
      assert.strictEqual(outcome.kind, 'sent');
      assert.strictEqual(dialogs.toolCallsAsked.at(-1)?.origin, 'tree');
      const other = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'delete_entities')!;
      assert.deepStrictEqual(await runSaved(other), { kind: 'dismissed' }, 'another tool offered this tool’s saved call');
    });

    it('shows it as a node under its tool, which runs it (named in consent and history), and goes when deleted', async () => {
      const provider = api.serversView!.provider;
      const memory = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'memory')!;
      const tools = (await provider.getChildren(memory)).find(n => n.kind === 'group' && n.group === 'tools')!;
      const tool = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'create_entities')!;
      assert.strictEqual(provider.getTreeItem(tool).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'a tool with a saved call does not expand');
      const other = (await provider.getChildren(tools)).find(n => n.kind === 'tool' && n.tool.name === 'delete_entities')!;
      assert.strictEqual(provider.getTreeItem(other).collapsibleState, vscode.TreeItemCollapsibleState.None);
      const [saved, ...more] = await provider.getChildren(tool);
      assert.strictEqual(more.length, 0);
      assert.strictEqual(saved?.kind, 'savedCall');
      assert.strictEqual(provider.getParent(saved), tool, 'reveal could not climb from the saved call');
      const item = provider.getTreeItem(saved);
      assert.deepStrictEqual([item.label, item.description, item.contextValue, item.command?.command], ['two entities', 'workspace', 'savedCall', Commands.runSavedCall]);
      // A click runs it: its own arguments, no pick, through consent that names it.
      const picks = dialogs.pickRequests.length;
      const outcome = (await runSaved(...(item.command!.arguments ?? []))) as Extract<SavedCallOutcome, { kind: 'sent' }>;
      assert.strictEqual(outcome.kind, 'sent', JSON.stringify(outcome));
      assert.deepStrictEqual(outcome.args, { entities });
      assert.strictEqual(dialogs.pickRequests.length, picks, 'the node asked which saved call');
      assert.deepStrictEqual([dialogs.toolCallsAsked.at(-1)?.origin, dialogs.toolCallsAsked.at(-1)?.savedCall], ['tree', 'two entities']);
      const row = (await host.history.list()).at(0)!;
      assert.deepStrictEqual([row.origin, row.savedCall], ['tree', 'two entities']);
      // Deleted elsewhere: the tree redraws without it, and its stale node says so instead of running anything.
      const copy = await host.savedCalls.save({ name: 'copy', scope: 'user', server: 'memory', tool: 'create_entities', args: { entities }, schema: {} });
      const copyNode = (await provider.getChildren(tool)).find(n => n.kind === 'savedCall' && n.call.name === 'copy')!;
      assert.strictEqual(provider.getTreeItem(copyNode).description, 'user');
      dialogs.deleteSavedCallAnswer = true;
      await vscode.commands.executeCommand(Commands.deleteSavedCall, copyNode);
      assert.strictEqual(host.savedCalls.find(copy.scope, copy.name), undefined, 'deleting from the node did not delete');
      assert.deepStrictEqual((await provider.getChildren(tool)).map(n => n.kind === 'savedCall' && n.call.name), ['two entities']);
      assert.deepStrictEqual(await runSaved(copyNode), { kind: 'dismissed' });
    });

    it('edits it in the editor (Save, starting from the saved values), saves a history row for the user, and deletes', async () => {
      const edited = { entities: [entities[0]] };
      dialogs.picks = ['two entities'];
      dialogs.editorAnswer = async () => ({ kind: 'filled', args: edited });
      await vscode.commands.executeCommand(Commands.editSavedCall);
      assert.deepStrictEqual(dialogs.editorRequests.at(-1)?.initial, { entities });
      assert.strictEqual(dialogs.editorRequests.at(-1)?.submitLabel, 'Save');
      assert.deepStrictEqual(host.savedCalls.find('workspace', 'two entities')?.args, edited);
      dialogs.editorAnswer = undefined;

      // A call this window made (the saved call's run from the tree) saved again from its history row, for the user.
      const entry = (await host.history.list()).find(e => e.outcome === 'completed' && JSON.stringify(host.history.argsForRerun(e)) === JSON.stringify({ entities }))!;
      assert.ok(entry, 'the saved call’s run is not in the history');
      dialogs.saveCallAnswers = [{ name: 'from history', scope: 'user' }];
      await vscode.commands.executeCommand(Commands.saveToolCall, { id: entry.id });
      assert.deepStrictEqual(host.savedCalls.find('user', 'from history')?.args, { entities });

      dialogs.picks = ['from history'];
      assert.strictEqual(await vscode.commands.executeCommand(Commands.deleteSavedCall), true);
      dialogs.picks = ['two entities'];
      dialogs.deleteSavedCallAnswer = false;
      assert.strictEqual(await vscode.commands.executeCommand(Commands.deleteSavedCall), false);
      dialogs.deleteSavedCallAnswer = true;
      assert.deepStrictEqual(host.savedCalls.list().map(c => c.name), ['two entities']);
    });
  });
});
