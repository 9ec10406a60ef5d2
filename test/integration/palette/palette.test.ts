import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CallAgainOutcome, RunToolOutcome } from '../../../src/commands/runTool';
import { HistoryTreeProvider } from '../../../src/ui/history/historyView';
import type { UsePromptOutcome } from '../../../src/commands/usePrompt';
import type { ReadResourceOutcome } from '../../../src/commands/readResource';
import { Commands, TestCommands } from '../../../src/ids';
import type { McpHost } from '../../../src/workspace/mcpHost';
import type { Dialogs } from '../../../src/extension';
import { pickDialog } from '../../../src/commands/itemPicker';
import { progressDialog } from '../../../src/commands/callProgress';
import { quickInputForm } from '../../../src/ui/forms/quickInputForm';
import { activateHost, everythingServer, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';

/**
 * "Run Tool…", "Use Prompt…" and "Read Resource…" against real servers (server-everything and our paging
 * fixture) in the real extension host. The dialogs are answered by ScriptedDialogs, which checks typed
 * text with each question's own validation, as the input box does.
 */
describe('tools, prompts and resources from the command palette', function () {
  this.timeout(60_000);
  let host: McpHost;
  let api: Awaited<ReturnType<typeof activateHost>>;
  const dialogs = new ScriptedDialogs();
  const run = (arg?: object) => vscode.commands.executeCommand<RunToolOutcome>(Commands.runTool, arg);
  const sent = (outcome: RunToolOutcome) => {
    assert.strictEqual(outcome.kind, 'sent', JSON.stringify(outcome));
    return outcome as Extract<RunToolOutcome, { kind: 'sent' }>;
  };
  const webviewTab = (label: string) => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputWebview && t.label === label);
  const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
  /** The JSON arguments of every `command:<id>?…` link in rendered HTML, as the webview reads the attribute. */
  const commandLinks = (html: string, id: string) =>
    [...html.matchAll(new RegExp(`href="command:${id.replace(/\./g, '\\.')}\\?([^"]+)"`, 'g'))].map(m => JSON.parse(decodeURIComponent(unescape(m[1]!))) as unknown[]);
  const historyCount = async () => (await host.history.list()).length;

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
    const node = process.execPath;
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          everything: { type: 'stdio', command: node, args: [everythingServer()] },
          fixture: { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'paging.js'), '--resources', '25', '--page-size', '10'] },
        },
      }),
    );
    await until(() => ['everything', 'fixture'].every(s => host.registry.get(s)?.connection.state.kind === 'running'), 'both servers to run', 30_000);
  });

  beforeEach(() => {
    dialogs.picks = [];
    dialogs.argumentAnswers = {};
    dialogs.cancelAfterProgress = undefined;
    dialogs.pickRequests.length = 0;
    dialogs.argumentQuestions.length = 0;
    dialogs.rejected.length = 0;
    dialogs.suggestions.length = 0;
    dialogs.progress.length = 0;
  });

  describe('Run Tool…', () => {
    it('offers every running tool grouped by server, with annotation markers, then runs the one picked and renders its text', async () => {
      dialogs.picks = ['Echo Tool'];
      dialogs.argumentAnswers = { message: ['Hello <b>palette</b>'] };
      const before = await historyCount();
      const outcome = sent(await run());

      const request = dialogs.pickRequests[0]!;
      assert.deepStrictEqual(request.groups.map(g => g.label).sort(), ['everything', 'fixture']);
      const everything = request.groups.find(g => g.label === 'everything')!;
      const echo = everything.items.find(i => i.label === 'Echo Tool')!;
      assert.match(echo.description ?? '', /^echo\s+\$\(eye\) read-only$/);
      assert.ok(request.groups.find(g => g.label === 'fixture')!.items.some(i => i.label === 'Mutate lists' && /\$\(warning\) destructive/.test(i.description ?? '')), 'the fixture’s destructive tool is not marked');

      assert.strictEqual(outcome.result.kind, 'completed');
      assert.deepStrictEqual(outcome.args, { message: 'Hello <b>palette</b>' });
      assert.deepStrictEqual(outcome.view.content, [{ kind: 'text', text: 'Echo: Hello <b>palette</b>' }]);
      assert.ok(outcome.html.includes('<pre>Echo: Hello &lt;b&gt;palette&lt;/b&gt;</pre>'));
      await until(() => webviewTab('MCP: Echo Tool result'), 'the result panel');
      const [latest] = await host.history.list();
      assert.strictEqual(await historyCount(), before + 1);
      assert.strictEqual(latest!.origin, 'palette');
      assert.strictEqual(latest!.tool, 'echo');
    });

    it('rejects values that are not numbers as they are typed, and sends only valid ones (get-sum)', async () => {
      dialogs.argumentAnswers = { a: ['two', '1e999', '2'], b: ['3'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-sum' }));
      assert.deepStrictEqual(dialogs.rejected, [
        { name: 'a', text: 'two', message: 'Enter a number, like 42 or -3.5.' },
        { name: 'a', text: '1e999', message: 'Enter a number, like 42 or -3.5.' },
      ]);
      assert.deepStrictEqual(outcome.args, { a: 2, b: 3 });
      assert.deepStrictEqual(outcome.view.content, [{ kind: 'text', text: 'The sum of 2 and 3 is 5.' }]);
      // Any extension can pass `{ server, tool }`: only a tree node makes a call the tree's.
      assert.strictEqual((await host.history.list())[0]!.origin, 'palette', 'a call from the command API was credited to the tree');
    });

    it('checks the whole argument object before sending: an invalid value that got past a field is explained and nothing is sent', async () => {
      const before = await historyCount();
      const asked = dialogs.toolCallsAsked.length;
      // A raw answer skips the field's own check, as a buggy dialog might; the correction step is dismissed.
      dialogs.argumentAnswers = { a: [{ raw: 'two' }], b: ['3'], '': [{ dismiss: true }] };
      const outcome = await run({ server: 'everything', tool: 'get-sum' });
      assert.deepStrictEqual(outcome, { kind: 'invalid', message: "'a' must be a number." });
      const correction = dialogs.argumentQuestions.at(-1)!;
      assert.strictEqual(correction.name, '');
      assert.strictEqual(correction.value, '{"a":"two","b":3}');
      assert.strictEqual(await correction.validate('{"a": 1, "b": 3}'), undefined);
      assert.strictEqual(await correction.validate('{"a": 1}'), "'b' is required.");
      assert.strictEqual(await historyCount(), before, 'the call reached the gate');
      assert.strictEqual(dialogs.toolCallsAsked.length, asked, 'consent was asked for a call that must not be sent');
    });

    it('sends the arguments once they are corrected as JSON', async () => {
      dialogs.argumentAnswers = { a: [{ raw: 'two' }], b: ['3'], '': ['{"a": "two"}', '{"a": 4, "b": 3}'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-sum' }));
      assert.deepStrictEqual(dialogs.rejected, [{ name: '', text: '{"a": "two"}', message: "'a' must be a number. 'b' is required." }]);
      assert.deepStrictEqual(outcome.view.content, [{ kind: 'text', text: 'The sum of 4 and 3 is 7.' }]);
    });

    it('offers an enum and a boolean as choices (get-annotated-message), and renders the image it returns', async () => {
      dialogs.argumentAnswers = { messageType: ['success'], includeImage: ['true'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-annotated-message' }));
      const [messageType, includeImage] = dialogs.argumentQuestions;
      assert.deepStrictEqual(messageType!.choices!.map(c => c.label), ['error', 'success', 'debug']);
      assert.strictEqual(messageType!.required, true);
      assert.deepStrictEqual(includeImage!.choices!.map(c => [c.label, c.description ?? '', !!c.picked]), [
        ['true', '', false],
        ['false', 'default', false],
      ]);
      assert.strictEqual(includeImage!.defaultText, 'false', 'the default is shown as the server’s, not picked for the user');
      assert.deepStrictEqual(outcome.args, { messageType: 'success', includeImage: true });
      assert.deepStrictEqual(outcome.view.content.map(c => c.kind), ['text', 'image']);
      assert.deepStrictEqual(outcome.view.content[0], { kind: 'text', text: 'Operation completed successfully', audience: 'user' });
    });

    it('renders an image (get-tiny-image) from a tool without arguments', async () => {
      const outcome = sent(await run({ server: 'everything', tool: 'get-tiny-image' }));
      assert.strictEqual(dialogs.argumentQuestions.length, 0);
      const image = outcome.view.content.find(c => c.kind === 'image');
      assert.ok(image && image.kind === 'image' && image.mimeType === 'image/png' && image.bytes > 100, JSON.stringify(outcome.view.content.map(c => c.kind)));
      assert.match(outcome.html, /<img src="data:image\/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]+" alt="Image \(image\/png, /);
    });

    it('rejects an out-of-range count, then lists resource links that open as documents (get-resource-links)', async () => {
      dialogs.argumentAnswers = { count: ['11', '0', '2'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-resource-links' }));
      assert.strictEqual(dialogs.argumentQuestions[0]!.value, undefined, 'an optional default is typed in for the user');
      assert.strictEqual(dialogs.argumentQuestions[0]!.defaultText, '3');
      assert.deepStrictEqual(
        dialogs.rejected.map(r => r.message),
        ['Must be at most 10.', 'Must be at least 1.'],
      );
      const links = outcome.view.content.filter(c => c.kind === 'link');
      assert.deepStrictEqual(
        links.map(l => l.kind === 'link' && l.uri),
        ['demo://resource/dynamic/blob/1', 'demo://resource/dynamic/text/2'],
      );
      const linkArgs = commandLinks(outcome.html, Commands.openResource);
      assert.deepStrictEqual(linkArgs, [[{ server: 'everything', uri: 'demo://resource/dynamic/blob/1' }], [{ server: 'everything', uri: 'demo://resource/dynamic/text/2' }]]);
      // What clicking the link does: the panel runs the command with the link's arguments.
      const opened = await vscode.commands.executeCommand<vscode.Uri>(Commands.openResource, ...linkArgs[1]!);
      assert.ok(opened, 'the resource link did not open');
      const doc = await vscode.workspace.openTextDocument(opened);
      assert.match(doc.getText(), /Resource 2: This is a plaintext resource/);
    });

    it('shows structured content as JSON (get-structured-content)', async () => {
      dialogs.argumentAnswers = { location: ['Chicago'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-structured-content' }));
      assert.strictEqual(outcome.view.structuredText, JSON.stringify({ temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 }, null, 2));
      assert.strictEqual(outcome.view.outputError, undefined);
      assert.ok(outcome.html.includes('<h2>Structured content</h2><pre class="structured">{\n  &quot;temperature&quot;: 36,'));
    });

    it('marks a result the tool reported as an error (get-resource-reference with a bad id)', async () => {
      dialogs.argumentAnswers = { resourceType: ['Text'], resourceId: ['-1'] };
      const outcome = sent(await run({ server: 'everything', tool: 'get-resource-reference' }));
      assert.strictEqual(outcome.view.status, 'toolError');
      assert.deepStrictEqual(outcome.view.content, [{ kind: 'text', text: 'Invalid resourceId: -1. Must be a finite positive integer.' }]);
      assert.match(outcome.html, /data-status="toolError"><strong>The tool reported an error\.<\/strong>/);
    });

    it('warns when structured output breaks the tool’s output schema (fixture lie_output)', async () => {
      dialogs.argumentAnswers = { how: ['prefixItems'] };
      const outcome = sent(await run({ server: 'fixture', tool: 'lie_output' }));
      assert.strictEqual(outcome.view.status, 'completed');
      assert.match(outcome.view.outputError ?? '', /does not match the tool's output schema/);
      assert.match(outcome.html, /data-output-error><strong>Structured output does not match the tool's output schema\.<\/strong>/);
      assert.ok(outcome.html.includes('&quot;pair&quot;'));
    });

    it('asks for nested objects and lists of the fixture echo, showing defaults as the server’s and sending only what was given (issue 13 item 4)', async () => {
      dialogs.argumentAnswers = {
        text: ['hi'],
        repeat: ['6', '2'],
        loud: ['true'],
        mood: [{ skip: true }],
        tags: ['a, b'],
        options: ['{"suffix": "!"}', '{"prefix": ">", "nested": {"depth": 1}}'],
      };
      const outcome = sent(await run({ server: 'fixture', tool: 'echo' }));
      assert.deepStrictEqual(
        dialogs.argumentQuestions.map(q => [q.name, q.value ?? null, q.defaultText ?? null]),
        [
          ['text', null, null],
          ['ratio', null, '1.5'],
          ['repeat', null, '1'],
          ['loud', null, 'false'],
          ['mood', null, 'calm'],
          ['tags', null, '[]'],
          ['options', null, null],
        ],
      );
      assert.ok(dialogs.argumentQuestions.every(q => !q.choices?.some(c => c.picked)), 'no default choice is picked for the user');
      assert.deepStrictEqual(dialogs.rejected, [
        { name: 'repeat', text: '6', message: 'Must be at most 5.' },
        { name: 'options', text: '{"suffix": "!"}', message: "'prefix' is required." },
      ]);
      // ratio was left alone: the server applies its own default.
      assert.deepStrictEqual(outcome.args, { text: 'hi', repeat: 2, loud: true, tags: ['a', 'b'], options: { prefix: '>', nested: { depth: 1 } } });
      assert.deepStrictEqual(outcome.view.content[0], { kind: 'text', text: '>HI >HI' });
    });

    it('shows progress and, when cancelled, aborts the request and says so (trigger-long-running-operation)', async () => {
      dialogs.argumentAnswers = { duration: ['30'], steps: ['30'] };
      dialogs.cancelAfterProgress = 2;
      const started = Date.now();
      const outcome = sent(await run({ server: 'everything', tool: 'trigger-long-running-operation' }));
      assert.ok(Date.now() - started < 15_000, 'the cancelled call ran on');
      assert.strictEqual(outcome.result.kind, 'cancelled');
      assert.strictEqual(outcome.view.status, 'cancelled');
      assert.deepStrictEqual(dialogs.progress.map(p => [p.title, p.messages, p.cancelled, p.started]), [["Running 'Trigger Long Running Operation Tool' on 'everything'", ['1/30', '2/30'], true, true]]);
      assert.strictEqual((await host.history.list())[0]!.outcome, 'cancelled');
    });

    it('reports every progress step of a call that completes', async () => {
      dialogs.argumentAnswers = { duration: ['1'], steps: ['4'] };
      const outcome = sent(await run({ server: 'everything', tool: 'trigger-long-running-operation' }));
      assert.strictEqual(outcome.result.kind, 'completed');
      assert.deepStrictEqual(dialogs.progress[0]!.messages, ['1/4', '2/4', '3/4', '4/4']);
    });

    it('works with the real quick pick, input box and progress notification', async () => {
      // Only consent stays scripted; the pick, the form and the progress are VS Code's own widgets.
      const real: Dialogs = Object.assign(Object.create(dialogs) as ScriptedDialogs, pickDialog, quickInputForm, progressDialog);
      api.setDialogs(real);
      try {
        const running = run();
        let outcome: RunToolOutcome | undefined;
        void running.then(o => (outcome = o));
        // The first item is the first server's first tool (everything's echo); its form has one text field.
        // Accepting an empty message is valid: a string may be empty.
        await until(async () => {
          if (!outcome) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
          return outcome;
        }, 'the tool to run through the real widgets', 20_000);
        const result = sent(outcome!);
        assert.strictEqual(result.view.tool, 'echo');
        assert.deepStrictEqual(result.args, { message: '' });
        assert.deepStrictEqual(result.view.content, [{ kind: 'text', text: 'Echo: ' }]);
      } finally {
        api.setDialogs(dialogs);
      }
    });

    it('offers Run Again and Save Call… on the result panel: the same call through consent again, or saved under a name (uxreview item 5)', async () => {
      dialogs.argumentAnswers = { message: ['once more'] };
      const first = sent(await run({ server: 'everything', tool: 'echo' }));
      const [again] = commandLinks(first.html, Commands.runResultAgain);
      const [save] = commandLinks(first.html, Commands.saveResultCall);
      assert.ok(again && save, 'the result page has no Run Again / Save Call… links');
      assert.match(first.html, /data-action="run-again"[^>]*>Run Again<\/a>/);

      dialogs.saveCallAnswers = [{ name: 'echo once more', scope: 'workspace' }];
      await vscode.commands.executeCommand(Commands.saveResultCall, ...save);
      try {
        assert.deepStrictEqual(host.savedCalls.find('workspace', 'echo once more')?.args, { message: 'once more' });
      } finally {
        await host.savedCalls.remove('workspace', 'echo once more');
      }

      const asked = dialogs.toolCallsAsked.length;
      const before = await historyCount();
      const result = (await vscode.commands.executeCommand<CallAgainOutcome | undefined>(Commands.runResultAgain, ...again))?.result;
      assert.strictEqual(result?.kind, 'completed');
      assert.strictEqual(dialogs.toolCallsAsked.length, asked + 1, 'Run Again skipped consent');
      assert.strictEqual(dialogs.toolCallsAsked.at(-1)!.origin, 'result');
      assert.match(dialogs.progress.at(-1)!.title, /^Running 'Echo Tool \(echo\)' on 'everything'$/);
      const [row] = await host.history.list();
      assert.strictEqual(await historyCount(), before + 1);
      assert.deepStrictEqual([row!.tool, row!.origin, row!.outcome, row!.args], ['echo', 'result', 'completed', { message: 'once more' }]);
      // The history names who asked in words, not by our id 'result' (review13 NIT).
      const history = new HistoryTreeProvider(host.history);
      try {
        const tooltip = (history.getTreeItem((await history.getChildren())[0]!).tooltip as vscode.MarkdownString).value;
        assert.match(tooltip, / · from the result panel's Run Again/);
        assert.doesNotMatch(tooltip, /from result\b/);
      } finally {
        history.dispose();
      }
      await until(() => webviewTab('MCP: Echo Tool result'), 'the result panel');

      // A link naming no kept call (another extension guessing) runs nothing.
      assert.strictEqual(await vscode.commands.executeCommand(Commands.runResultAgain, { call: 'c999999' }), undefined);
      assert.strictEqual(await vscode.commands.executeCommand(Commands.runResultAgain, { server: 'everything', tool: 'echo', args: {} }), undefined);
      assert.strictEqual(dialogs.toolCallsAsked.length, asked + 1, 'a link naming no kept call was run');
      assert.strictEqual(await historyCount(), before + 1);
      // A denied or cancelled call shows no panel, so it gets no links.
      dialogs.argumentAnswers = { message: ['no'] };
      dialogs.toolCallAnswer = 'deny';
      try {
        assert.deepStrictEqual(commandLinks(sent(await run({ server: 'everything', tool: 'echo' })).html, Commands.runResultAgain), []);
      } finally {
        dialogs.toolCallAnswer = 'once';
      }
    });

    it('Run Again shows the new result in the same panel, with links for the new call (review13 NIT)', async () => {
      // server-everything's toggle-simulated-logging answers differently each call: "Started …", then "Stopped …".
      // Started, it sends one log message at once, at a random level (error, critical, … land in the log as errors).
      expectLogEntry(/^MCP everything: \[(error|warning)\] \[server\] (Warning|Error|Critical|Alert|Emergency)[- ]level/);
      const tab = 'MCP: Toggle Simulated Logging result';
      const first = sent(await run({ server: 'everything', tool: 'toggle-simulated-logging' }));
      assert.match(first.html, /Started simulated/);
      const [again] = commandLinks(first.html, Commands.runResultAgain);
      assert.ok(again, 'the result page has no Run Again link');
      await until(() => webviewTab(tab), 'the result panel');
      const outcome = await vscode.commands.executeCommand<CallAgainOutcome | undefined>(Commands.runResultAgain, ...again);
      assert.strictEqual(outcome?.result.kind, 'completed');
      // The page now shows the second answer, not the first, and its links name the new call.
      assert.match(outcome.html, /Stopped simulated logging/);
      assert.doesNotMatch(outcome.html, /Started simulated/);
      const [next] = commandLinks(outcome.html, Commands.runResultAgain);
      assert.ok(next && JSON.stringify(next) !== JSON.stringify(again), `the new page's Run Again names the old call: ${JSON.stringify(next)}`);
      // In the same tab: Run Again does not pile up panels.
      assert.strictEqual(vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.label === tab).length, 1);
    });

    it('explains a tool that is not there instead of sending anything', async () => {
      const outcome = await run({ server: 'everything', tool: 'no-such-tool' });
      assert.deepStrictEqual(outcome, { kind: 'unavailable', message: "Server 'everything' has no tool named 'no-such-tool'." });
    });
  });

  describe('Show Tool Result', () => {
    it('renders any gated result, including a denied call', async () => {
      const shown = await vscode.commands.executeCommand<{ html: string }>(TestCommands.showToolResult, {
        server: 'everything',
        tool: 'echo',
        result: { kind: 'denied', message: "Denied by user: 'Echo Tool' on server 'everything' was not called." },
      });
      assert.match(shown.html, /data-status="denied"><strong>Not run\.<\/strong> Denied by user: &#39;Echo Tool&#39;/);
      await until(() => webviewTab('MCP: Echo Tool result'), 'the result panel');
    });
  });

  describe('Use Prompt…', () => {
    it('picks a prompt, asks its required argument first and lets the optional one be skipped (args-prompt)', async () => {
      dialogs.picks = ['Arguments Prompt'];
      dialogs.argumentAnswers = { city: ['Paris'], state: [{ skip: true }] };
      const outcome = await vscode.commands.executeCommand<UsePromptOutcome>(Commands.usePrompt);
      assert.strictEqual(outcome.kind, 'shown', JSON.stringify(outcome));
      if (outcome.kind !== 'shown') return;
      const offered = dialogs.pickRequests[0]!.groups.find(g => g.label === 'everything')!.items.find(i => i.label === 'Arguments Prompt');
      assert.strictEqual(offered?.description, 'args-prompt (city*, state)', 'the palette names a prompt’s arguments as the tree does');
      assert.deepStrictEqual(dialogs.argumentQuestions.map(q => [q.name, q.required]), [
        ['city', true],
        ['state', false],
      ]);
      assert.deepStrictEqual(outcome.args, { city: 'Paris' });
      assert.deepStrictEqual(outcome.view.messages, [{ role: 'user', content: [{ kind: 'text', text: "What's weather in Paris?" }] }]);
      // Send to Chat addresses @mcp, so sending it runs the prompt with these arguments on the chat model.
      assert.strictEqual(outcome.chatQuery, '@mcp /prompt everything.args-prompt city=Paris');
      const send = commandLinks(outcome.html, 'workbench.action.chat.open');
      assert.deepStrictEqual(send, [[{ query: '@mcp /prompt everything.args-prompt city=Paris', isPartialQuery: true }]]);
      await until(() => webviewTab('MCP: Arguments Prompt'), 'the prompt panel');
    });

    it('suggests values from the server, each argument completed in the context of the ones before (completable-prompt)', async () => {
      dialogs.argumentAnswers = { department: ['Eng'], name: [''] };
      const outcome = await vscode.commands.executeCommand<UsePromptOutcome>(Commands.usePrompt, { server: 'everything', prompt: 'completable-prompt' });
      assert.strictEqual(outcome.kind, 'shown', JSON.stringify(outcome));
      if (outcome.kind !== 'shown') return;
      assert.deepStrictEqual(dialogs.suggestions, [
        { name: 'department', typed: 'Eng', values: ['Engineering'] },
        { name: 'name', typed: '', values: ['Alice', 'Bob', 'Charlie'] },
      ]);
      assert.deepStrictEqual(outcome.args, { department: 'Engineering', name: 'Alice' });
      assert.strictEqual(outcome.view.chatText, 'Please promote Alice to the head of the Engineering team.');
    });

    it('does not accept an empty required argument', async () => {
      dialogs.argumentAnswers = { city: [''], state: [{ dismiss: true }] };
      const outcome = await vscode.commands.executeCommand<UsePromptOutcome>(Commands.usePrompt, { server: 'everything', prompt: 'args-prompt' });
      assert.deepStrictEqual(dialogs.rejected, [{ name: 'city', text: '', message: "'city' is required." }]);
      assert.deepStrictEqual(outcome, { kind: 'dismissed' });
    });
  });

  describe('Read Resource…', () => {
    it('picks a server, then a resource, and opens it with the resource viewer', async () => {
      dialogs.picks = ['everything', 'architecture.md'];
      const outcome = await vscode.commands.executeCommand<ReadResourceOutcome>(Commands.readResource);
      assert.strictEqual(outcome.kind, 'opened', JSON.stringify(outcome));
      if (outcome.kind !== 'opened') return;
      assert.deepStrictEqual(dialogs.pickRequests[0]!.labels.sort(), ['everything', 'fixture']);
      assert.strictEqual(outcome.uri, 'demo://resource/static/document/architecture.md');
      assert.ok(outcome.document);
      const doc = await vscode.workspace.openTextDocument(outcome.document);
      assert.match(doc.getText(), /^# Everything Server – Architecture/);
    });

    it('loads more pages until the resource is found', async () => {
      dialogs.picks = ['fixture', 'resource-24'];
      const outcome = await vscode.commands.executeCommand<ReadResourceOutcome>(Commands.readResource);
      assert.strictEqual(outcome.kind, 'opened', JSON.stringify(outcome));
      const request = dialogs.pickRequests[1]!;
      assert.deepStrictEqual(request.groups.map(g => [g.label, g.items.length]), [
        ['Templates', 1],
        ['Resources', 10],
      ]);
      assert.strictEqual(request.labels.filter(l => l.startsWith('resource-') || l === 'Readme' || l === 'Pixel').length, 27);
      if (outcome.kind === 'opened') assert.strictEqual(outcome.uri, 'fixture://resource/24');
    });

    it('opens a URI typed in', async () => {
      dialogs.picks = ['typed:fixture://static/readme.md'];
      const outcome = await vscode.commands.executeCommand<ReadResourceOutcome>(Commands.readResource, 'fixture');
      assert.strictEqual(outcome.kind, 'opened', JSON.stringify(outcome));
      if (outcome.kind !== 'opened') return;
      assert.strictEqual(outcome.uri, 'fixture://static/readme.md');
      assert.ok(outcome.document);
    });
  });

  it('offers Show Server Log in the command palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [Commands.runTool, Commands.usePrompt, Commands.readResource, Commands.showLog]) assert.ok(commands.includes(id), id);
    const manifest = vscode.extensions.all.find(e => e.packageJSON?.name === 'mcp-host')!.packageJSON as { contributes: { menus?: { commandPalette?: Array<{ command: string; when?: string }> } } };
    const hidden = (manifest.contributes.menus?.commandPalette ?? []).filter(m => m.when === 'false').map(m => m.command);
    for (const id of [Commands.runTool, Commands.usePrompt, Commands.readResource, Commands.showLog]) assert.ok(!hidden.includes(id), `${id} is hidden from the palette`);
  });
});
