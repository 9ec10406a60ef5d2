import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunToolOutcome } from '../../../src/commands/runTool';
import type { UsePromptOutcome } from '../../../src/commands/usePrompt';
import { Commands } from '../../../src/ids';
import type { McpHost } from '../../../src/workspace/mcpHost';
import type { ShownText } from '../../../src/ui/window';
import type { GroupNode, ServerNode, TreeNode } from '../../../src/ui/tree/nodes';
import { HistoryTreeProvider } from '../../../src/ui/history/historyView';
import { HOSTILE, renderedIcons, renderedLinks } from '../../fixtures/lib/hostileText';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { serverLogText } from '../chat/chatUtil';

/**
 * Untrusted text stays inert in the real extension host: a server whose every string is an attack
 * (test/fixtures/servers/hostile.ts) and a repository-controlled server name. What VS Code is given for a
 * message, progress text or quick pick is checked with VS Code's own link and icon syntax.
 */
describe('untrusted text stays inert', function () {
  this.timeout(60_000);
  let host: McpHost;
  let api: Awaited<ReturnType<typeof activateHost>>;
  const prompts = new ScriptedDialogs();
  const run = (arg?: object) => vscode.commands.executeCommand<RunToolOutcome>(Commands.runTool, arg);
  /** What was shown while `action` ran. */
  const shownDuring = async (action: () => Thenable<unknown>): Promise<ShownText[]> => {
    const start = api.shownTexts.length;
    await action();
    return api.shownTexts.slice(start);
  };
  /** No link and no icon but ours (the tool-hint and warning icons). */
  const assertInert = (text: string, ours: readonly string[] = []) => {
    assert.deepStrictEqual(renderedLinks(text), [], `a live link in ${JSON.stringify(text)}`);
    assert.deepStrictEqual(renderedIcons(text).filter(i => !ours.includes(i)), [], `a live icon in ${JSON.stringify(text)}`);
  };

  before(async () => {
    api = await activateHost();
    api.setDialogs(prompts);
    host = api.host;
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({
        servers: {
          hostile: { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')] },
          // Never started: the host knows no secret of it, so masking must come from the definition itself.
          leaky: { type: 'http', url: 'https://leaky.example/mcp?api_key=sk-inurl-123', headers: { Authorization: 'Bearer sk-inheader-456' }, disabled: true },
        },
      }),
    );
    // The chat file of this suite ran 'hostile' from its own config before: wait for this config to be read too.
    await until(() => host.registry.get('leaky') !== undefined && host.registry.get('hostile')?.connection.state.kind === 'running', 'this config to be read and the hostile server to run', 30_000);
  });

  beforeEach(() => {
    prompts.picks = [];
    prompts.argumentAnswers = {};
    prompts.pickRequests.length = 0;
    prompts.progress.length = 0;
    prompts.toolCallAnswer = 'once';
  });

  describe('§1 notifications, progress and quick picks', () => {
    it('shows a tool error that carries a command link as text, with the full error in the log', async () => {
      let outcome: RunToolOutcome | undefined;
      const shown = await shownDuring(async () => (outcome = await run({ server: 'hostile', tool: 'fail_with_link' })));
      assert.strictEqual(outcome?.kind === 'sent' && outcome.result.kind, 'failed');
      const errors = shown.filter(s => s.kind === 'error');
      assert.strictEqual(errors.length, 1, JSON.stringify(shown));
      assertInert(errors[0]!.text);
      assert.match(errors[0]!.text, /^Fail with a link failed: .*Auth expired — \[Sign in\] \(command:workbench\.action\.terminal\.sendSequence/);
    });

    it('shows progress messages that carry command links as text', async () => {
      const outcome = await run({ server: 'hostile', tool: 'progress_link' });
      assert.strictEqual(outcome.kind === 'sent' && outcome.result.kind, 'completed');
      const messages = prompts.progress.flatMap(p => [p.title, ...p.messages]);
      assert.ok(messages.some(m => m.includes('Sign in')), JSON.stringify(messages));
      for (const m of messages) assertInert(m);
    });

    it('shows resource and prompt errors from the server as text', async () => {
      const resource = await shownDuring(() => vscode.commands.executeCommand(Commands.openResource, { server: 'hostile', uri: 'hostile://files/missing' }));
      prompts.argumentAnswers = { who: ['me'] };
      let prompt: UsePromptOutcome | undefined;
      const promptShown = await shownDuring(async () => (prompt = await vscode.commands.executeCommand<UsePromptOutcome>(Commands.usePrompt, { server: 'hostile', prompt: 'greet' })));
      assert.strictEqual(prompt?.kind, 'failed');
      const errors = [...resource, ...promptShown].filter(s => s.kind === 'error');
      assert.strictEqual(errors.length, 2, JSON.stringify(errors));
      for (const e of errors) {
        assert.ok(e.text.includes('Sign in'), e.text);
        assertInert(e.text);
      }
    });

    it('offers tools in the Run Tool pick with names, titles and descriptions inert', async () => {
      prompts.picks = [];
      assert.strictEqual((await run()).kind, 'dismissed');
      const items = prompts.pickRequests[0]!.groups.flatMap(g => g.items);
      const fields = items.flatMap(i => [i.label, i.description ?? '']);
      for (const f of fields) assertInert(f, ['eye', 'warning', 'globe', 'alert', 'question']);
      const zeroWidth = items.find(i => i.description?.includes('search⟨U+200B⟩'));
      assert.ok(zeroWidth, `the zero-width name is not shown: ${JSON.stringify(items)}`);
      assert.match(zeroWidth.description!, /\$\(alert\) /, 'and it is flagged');
      assert.ok(items.some(i => i.label === '\\$(pass-filled) Verified by MCP Host'), JSON.stringify(items.map(i => i.label)));
    });

    it("writes a server's log message and stderr to its log with hidden characters shown and no line of its own (sec15)", async () => {
      const outcome = await run({ server: 'hostile', tool: 'log_forgery' });
      assert.strictEqual(outcome.kind === 'sent' && outcome.result.kind, 'completed', JSON.stringify(outcome));
      const log = await until(() => {
        const text = serverLogText(api, 'hostile');
        return text.includes('MCP Host forged line') && text.includes('stderr forged') ? text : undefined;
      }, "the hostile server's log message and stderr line in its log file", 30_000);
      for (const raw of ['\u001b', '\u0000', '\u202e']) assert.ok(!log.includes(raw), `a raw U+${raw.codePointAt(0)!.toString(16)} in the log`);
      assert.ok(log.includes('⟨U+001B⟩[31m⟨U+202E⟩exe.txt') && log.includes('⟨U+001B⟩[2J⟨U+0000⟩stderr forged ⟨U+202E⟩txt.exe'), log);
      // The message's second line is indented under it, not a line of the channel's own (time, level, text).
      assert.ok(!/^2026-11-30 00:00:00\.000 \[error\] MCP Host forged/m.test(log), log);
      assert.ok(log.includes('\n    2026-11-30 00:00:00.000 [error] MCP Host forged line'), log);
    });

    it('shows a repository-controlled server name in a message as text', async () => {
      const name = '[Reset](command:mcpHost.resetServerTrust)';
      const shown = await shownDuring(() => run({ server: name, tool: 'x' }));
      assert.strictEqual(shown.length, 1);
      assert.ok(shown[0]!.text.includes('[Reset] (command:mcpHost.resetServerTrust)'), shown[0]!.text);
      assertInert(shown[0]!.text);
    });
  });
  describe('§2 links and hidden characters in tooltips, labels, dialogs and history', () => {
    /** Invisible and bidi-control characters the tests' hostile strings use. */
    const RAW_HIDDEN = /[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u;
    const children = async (kind: GroupNode['group']): Promise<TreeNode[]> => {
      const provider = api.serversView.provider;
      const server = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'hostile') as ServerNode;
      const group = (await provider.getChildren(server)).find(n => n.kind === 'group' && n.group === kind)!;
      return until(async () => {
        const nodes = await provider.getChildren(group);
        return nodes.some(n => n.kind !== 'info') ? nodes : undefined;
      }, `the hostile server's ${kind}`);
    };
    const text = (label: string | vscode.TreeItemLabel | undefined) => (typeof label === 'string' ? label : (label?.label ?? ''));
    /** A tooltip's markdown: no link or image syntax, no bare URL a renderer would link, no raw hidden character. */
    const assertInertMarkdown = (md: string) => {
      // Fenced code blocks render as typed; everything else is markdown.
      const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
      assert.ok(!/(?<!\\)\]\(/.test(prose), `a markdown link in ${md}`);
      assert.ok(!/https?:\/\/|www\./i.test(prose), `a bare URL that would be linked in ${md}`);
      assert.ok(!RAW_HIDDEN.test(md), `a raw hidden character in ${md}`);
    };

    it('shows tool names and titles with hidden characters visible and flagged, and tooltips without live links', async () => {
      const provider = api.serversView.provider;
      const tools = await children('tools');
      const items = tools.map(n => provider.getTreeItem(n));
      for (const item of items) {
        assert.ok(!RAW_HIDDEN.test(text(item.label)) && !RAW_HIDDEN.test(String(item.description ?? '')), JSON.stringify(item.label));
        assertInertMarkdown((item.tooltip as vscode.MarkdownString).value);
      }
      const sneaky = items.find(i => (i.tooltip as vscode.MarkdownString).value.includes('search⟨U+200B⟩'));
      assert.ok(sneaky, 'the zero-width name is not shown in its tooltip');
      assert.match(String(sneaky.description), /^⚠ hidden characters/);
      assert.match((sneaky.tooltip as vscode.MarkdownString).value, /\$\(warning\) Its name or title contains invisible/);
      const plain = items.filter(i => i !== sneaky && !String(i.description).includes('⚠'));
      assert.strictEqual(plain.length, items.length - 1, 'only the zero-width tool is flagged');
      const links = items.find(i => (i.tooltip as vscode.MarkdownString).value.includes('attacker'))!;
      assert.ok((links.tooltip as vscode.MarkdownString).value.includes('https\\://attacker\\.invalid/login'), (links.tooltip as vscode.MarkdownString).value);
    });

    it('cuts a tool\'s 200 KB description and 5,000-value enum in its tooltip, built with the row on every render (it was a 200 KB hover)', async () => {
      const provider = api.serversView.provider;
      const long = (await children('tools')).find(n => n.kind === 'tool' && n.tool.name === 'long_description')!;
      const md = (provider.getTreeItem(long).tooltip as vscode.MarkdownString).value;
      assert.ok(md.length < 20_000, `a tooltip of ${md.length} characters`);
      assert.ok(md.includes('Long description') && md.includes('lorem ipsum') && md.includes('…'), md.slice(0, 200));
      assert.ok(!md.includes('end\n'), 'the whole description is in the tooltip');
      assertInertMarkdown(md);
      // The hidden words are shown as what they are, not kept invisible.
      assert.ok(md.includes('⟨U\\+E0049⟩'), md.slice(1_000, 1_200));
    });

    it('§7 masks a never-started server\'s header values and URL secrets in its tooltip, from the definition', async () => {
      const provider = api.serversView.provider;
      const leaky = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'leaky')!;
      const tooltip = (provider.resolveTreeItem(provider.getTreeItem(leaky), leaky).tooltip as vscode.MarkdownString).value;
      assert.ok(!tooltip.includes('sk-inurl-123') && !tooltip.includes('sk-inheader-456'), tooltip);
      assert.match(tooltip, /header Authorization: \*\*\*/);
      assert.match(tooltip, /connects to: leaky\.example/);
    });

    it('shows a resource name with a right-to-left override as ⟨U+202E⟩, flagged', async () => {
      const provider = api.serversView.provider;
      const [resource] = await children('resources');
      const item = provider.getTreeItem(resource!);
      assert.strictEqual(text(item.label), 'invoice⟨U+202E⟩txt.exe');
      assert.match(String(item.description), /^⚠ hidden characters/);
      assertInertMarkdown((item.tooltip as vscode.MarkdownString).value);
    });

    it('flags the hidden characters in the consent dialog and shows them in the history', async () => {
      prompts.toolCallsAsked.length = 0;
      const outcome = await run({ server: 'hostile', tool: HOSTILE.zeroWidthName });
      assert.strictEqual(outcome.kind === 'sent' && outcome.result.kind, 'completed');
      const asked = prompts.toolCallsAsked.at(-1);
      assert.ok(asked?.warnings.some(w => w.includes('tool name contains invisible')), JSON.stringify(asked?.warnings));
      const history = new HistoryTreeProvider(host.history);
      const entry = await until(async () => (await history.getChildren()).find(e => e.tool === HOSTILE.zeroWidthName), 'the call in the history');
      const item = history.getTreeItem(entry);
      // Its title is 'Search'; the name follows it in the description.
      assert.strictEqual(text(item.label), 'Search');
      assert.match(String(item.description), /^search⟨U\+200B⟩ · hostile · /);
      assertInertMarkdown((item.tooltip as vscode.MarkdownString).value);
    });
  });
});
