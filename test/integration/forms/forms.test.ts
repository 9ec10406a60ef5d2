import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunToolOutcome } from '../../../src/commands/runTool';
import { Commands } from '../../../src/ids';
import type { FormEditorSession } from '../../../src/ui/forms/formEditorPanel';
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
  const session = () => until(() => [...api.formEditor.sessions].at(-1), 'the form editor to open') as Promise<FormEditorSession>;
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
          forms: { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'forms.js')] },
        },
      }),
    );
    await until(() => ['memory', 'thinking', 'everything', 'forms'].every(s => host.registry.get(s)?.connection.state.kind === 'running'), 'the servers to run', 60_000);
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
    editor.receive({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    editor.receive({ type: 'submit', value: { entities: [] }, extra: 1 });
    editor.receive({ type: 'submit', value: 'not an object' });
    assert.strictEqual(editor.dropped, 3);
    editor.receive({ type: 'check', value: { entities: [{ name: 'Ada', entityType: 'person' }] } });
    assert.deepStrictEqual(editor.posted.at(-1), { type: 'problems', problems: [{ pointer: '/entities/0/observations', message: 'Is required.' }] });
    // An invalid submit is answered with its problems, not sent.
    editor.receive({ type: 'submit', value: { entities: [{ name: 'Ada', entityType: 'person', observations: 'wrote the first program' }] } });
    assert.deepStrictEqual(editor.posted.at(-1), { type: 'problems', problems: [{ pointer: '/entities/0/observations', message: 'Must be a list.' }] });
    const entities = [
      { name: 'Ada', entityType: 'person', observations: ['wrote the first program'] },
      { name: 'Analytical Engine', entityType: 'machine', observations: [] },
    ];
    editor.receive({ type: 'submit', value: { entities } });
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
    (await session()).receive({ type: 'cancel' });
    assert.deepStrictEqual(await cancelled, { kind: 'dismissed' });
    const running = run('memory', 'create_relations');
    const relations = [{ from: 'Ada', to: 'Analytical Engine', relationType: 'programmed' }];
    (await session()).receive({ type: 'submit', value: { relations } });
    assert.deepStrictEqual(sent(await running).args, { relations });
  });

  it('sends a oneOf + $ref form exactly as submitted, leaving the defaulted note out (fixture place_order)', async () => {
    api.setDialogs(withEditor());
    const running = run('forms', 'place_order');
    const editor = await session();
    editor.receive({ type: 'check', value: { delivery: { store: 'east' }, lines: [{ sku: 'abc' }] } });
    assert.deepStrictEqual(
      editor.posted.at(-1)!.problems,
      [
        { pointer: '/delivery', message: 'Must match one of the allowed forms.' },
        { pointer: '/lines/0/sku', message: 'Must match the pattern ^[A-Z]{3}-\\d+$.' },
      ],
    );
    const value = { delivery: { address: { street: '1 Main St', city: 'Oslo' } }, lines: [{ sku: 'ABC-1' }, { sku: 'XYZ-22', quantity: 3 }] };
    editor.receive({ type: 'submit', value });
    const outcome = sent(await running);
    // The server echoes what it received: nothing invented (no quantity 1, no note "none").
    assert.deepStrictEqual(JSON.parse(textOf(outcome)), value);
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
});
