import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { RESOURCE_SCHEME } from '../../../src/mcp/resourceContent';
import { SERVER_LINK_COMMANDS } from '../../../src/ui/chat/serversCommand';
import { ViewContainers } from '../../../src/ids';
import { HOSTILE, renderedIcons } from '../../fixtures/lib/hostileText';
import { ask, buttons, newChat, press, scriptedModel, type ScriptedModel } from '../chat/chatUtil';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';

/**
 * Chat responses are a surface for server text too: `@mcp` writes tool names, titles, descriptions,
 * results, errors, resource and prompt text of the `hostile` fixture server into markdown. What MCP Host
 * wrote must stay inert there: no command links, no live links or images, no raw HTML, hidden and bidi
 * characters shown, and the only buttons MCP Host's own. (The model's own answer is model text, rendered
 * by VS Code as untrusted markdown; the scripted model answers with plain words here so that every other
 * piece of the response is MCP Host's.)
 */
describe('untrusted text stays inert in chat responses', function () {
  this.timeout(120_000);
  let api: Required<McpHostApi>;
  let model: ScriptedModel;
  const dialogs = new ScriptedDialogs();
  const send = (query: string, whileRunning?: (t: Transcript) => Promise<void>) => ask(api, model, query, whileRunning);

  /** Markdown outside fenced blocks (inside one, text is shown as typed). */
  const outsideFences = (md: string) => md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');

  /**
   * MCP Host's own command links (/servers' Restart, Show Log, …): to a command the part is trusted with, its
   * arguments percent-encoded whole (nothing in them can end the link), decoding to a JSON list.
   */
  const OUR_LINK = /(?<!\\)\[[A-Z][A-Za-z ]*\]\(command:([\w.]+)\?([A-Za-z0-9%._~-]*)\)/g;

  /** Every check a response must pass, whatever was asked. */
  function assertInert(t: Transcript): void {
    for (const p of t.parts) {
      if (p.kind !== 'markdown') continue;
      // Trusted only with MCP Host's server actions, never wholly, and only where all its links are ours.
      if (p.isTrusted) {
        const enabled = (p.isTrusted as { enabledCommands?: string[] }).enabledCommands;
        assert.ok(Array.isArray(enabled) && enabled.every(c => SERVER_LINK_COMMANDS.includes(c)), `trusted markdown in a response: ${JSON.stringify(p.isTrusted)} ${JSON.stringify(p.value)}`);
        for (const [, command, query] of p.value.matchAll(OUR_LINK)) {
          assert.ok(enabled.includes(command!), `a link to ${command} in ${JSON.stringify(p.value)}`);
          assert.ok(Array.isArray(JSON.parse(decodeURIComponent(query!))), `link arguments ${query}`);
        }
      }
      assert.strictEqual(p.supportHtml, false, `HTML allowed in a response: ${JSON.stringify(p.value)}`);
    }
    const md = t.text().replace(OUR_LINK, '');
    assert.doesNotMatch(md, /[\u200b\u202e]/, 'a hidden or bidi character reached the response unrevealed');
    const prose = outsideFences(md);
    // escapeMarkdown escapes ':' and brackets, so a URL or link from a server is text, never a link.
    assert.doesNotMatch(prose, /command:|https?:\/\/|\]\(|<img|!\[pixel/, `live server text in ${JSON.stringify(prose)}`);
    for (const b of buttons(t)) {
      // `vscode.open` only on MCP Host's own read-only resource documents.
      const ours = /^(mcpHost\.|workbench\.action\.)/.test(b.command) || b.command === `workbench.view.extension.${ViewContainers.main}` || (b.command === 'vscode.open' && b.arguments[0] instanceof vscode.Uri && b.arguments[0].scheme === RESOURCE_SCHEME);
      assert.ok(ours, `a button not of MCP Host: ${b.command} ${JSON.stringify(b.arguments)}`);
      // A button's title is drawn with icons (VS Code's Button, supportIcons): none but ours, no hidden characters.
      assert.deepStrictEqual(renderedIcons(b.title), [], `an icon in the button title ${JSON.stringify(b.title)}`);
      assert.doesNotMatch(b.title, /[\u200b\u202e\n]/, `a hidden character or line break in the button title ${JSON.stringify(b.title)}`);
    }
  }

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    model = await scriptedModel();
    await writeFile(
      workspaceFile('.vscode', 'mcp.json'),
      JSON.stringify({ servers: { hostile: { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')] } } }),
    );
    await until(() => api.host.registry.get('hostile')?.connection.state.kind === 'running', 'the hostile server to run', 30_000);
  });

  beforeEach(async () => {
    model.reset();
    await newChat();
  });

  after(async () => {
    await api.host.approvals.revokeAll();
  });

  it('keeps tool titles, descriptions, errors and results inert in the tool loop and its inline consent', async () => {
    model.push(
      { toolCalls: [{ name: 'hostile_fail_with_link' }, { name: 'hostile_error_result' }, { name: 'hostile_links_everywhere', input: { target: 'x' } }] },
      { text: 'Done.' },
    );
    const t = await send('@mcp use the hostile tools', async t => {
      for (let i = 0; i < 3; i++) await press(t, 'Allow Once', i);
    });
    assert.strictEqual(model.requests.length, 2, 'the model was not asked again with the results');
    const md = t.text();
    // The consent question names the tool by its hostile title.
    assert.ok(md.includes('Verified by MCP Host'), 'the consent question does not name the tool');
    assert.match(md, /✗ failed:/);
    assert.match(md, /⚠ tool error:/);
    assertInert(t);
    // The model gets the server's text as it was sent: it is data for the model, not markup.
    const results = model.requests[1]!.toolResults.map(r => r.text).join('\n');
    assert.ok(results.includes(HOSTILE.description), 'the tool result did not reach the model');
  });

  it('keeps a result inert in /call, and a hostile tool name revealed in /tools', async () => {
    const call = await send('@mcp /call hostile.error_result {}', t => press(t, 'Allow Once').then(() => undefined));
    assert.ok(call.text().includes('Sign in](command:'), 'the result text is not shown (in its fence)');
    assertInert(call);
    const tools = await send('@mcp /tools');
    assert.match(tools.text(), /search⟨U\\?\+200B⟩/, 'the zero-width character in a tool name is not shown');
    assertInert(tools);
  });

  it('keeps server names and errors inert in /servers, whose only links are its own server actions (uxreview item 13)', async () => {
    // A repository's config names its servers: a name made of link and HTML syntax, a server whose error is too.
    const evil = 'x](command:workbench.action.terminal.new) [y';
    expectLogEntry(/^MCP x\]\(.*\[y: \[error\] (Failed to start: |Not restarting: )/);
    const failing = `process.stderr.write('fatal'); console.error(${JSON.stringify(HOSTILE.description)}); process.exit(3)`;
    const config = (extra: object) =>
      writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { hostile: { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')] }, ...extra } }));
    await config({ [evil]: { type: 'stdio', command: process.execPath, args: ['-e', failing] } });
    try {
      await until(() => api.host.registry.get(evil)?.connection.state.kind === 'error', 'the hostile-named server to fail', 30_000);
      const t = await send('@mcp /servers');
      assertInert(t);
      const md = t.text();
      assert.ok(md.includes('**x\\]\\(command\\:workbench\\.action\\.terminal\\.new\\) \\[y** — error'), `the name is not shown escaped: ${md}`);
      const links = [...md.matchAll(OUR_LINK)].map(([, command, query]) => `${command} ${JSON.parse(decodeURIComponent(query!))}`);
      assert.deepStrictEqual(links.sort(), [`mcpHost.restartServer ${evil}`, 'mcpHost.restartServer hostile', `mcpHost.showLog ${evil}`, 'mcpHost.showLog hostile'].sort());
    } finally {
      await config({});
      await until(() => api.host.registry.get(evil) === undefined, 'the hostile-named server to go', 30_000);
    }
  });

  it('keeps a server name with icon syntax inert in the buttons of /tools (VS Code draws icons in button titles)', async () => {
    // A repository names its server; "Turn Off $(pass-filled) Verified by MCP Host" drew a check icon in the button.
    const iconName = HOSTILE.iconTitle;
    const config = (extra: object) =>
      writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { hostile: { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')] }, ...extra } }));
    await config({ [iconName]: { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')] } });
    try {
      await until(() => api.host.registry.get(iconName)?.connection.state.kind === 'running', 'the icon-named server to run', 30_000);
      const t = await send('@mcp /tools');
      const titles = buttons(t).map(b => b.title);
      assert.ok(titles.includes('Turn Off \\$(pass-filled) Verified by MCP Host'), `the icon-named server's button: ${JSON.stringify(titles)}`);
      assertInert(t);
    } finally {
      await config({});
      await until(() => api.host.registry.get(iconName) === undefined, 'the icon-named server to go', 30_000);
    }
  });

  it('keeps a resource name with a bidi override, and a prompt error with a command link, inert', async () => {
    const resource = await send('@mcp /resource hostile://files/invoice');
    assert.match(resource.text(), /⟨U\\?\+202E⟩/, 'the bidi override in the resource name is not shown');
    assertInert(resource);
    const prompt = await send('@mcp /prompt hostile.greet who=Ada');
    assert.match(prompt.text(), /Auth expired/, 'the prompt error is not shown');
    assertInert(prompt);
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
  });
});
