import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import { Commands } from '../../../src/ids';
import { BUILTIN_ACCESS_SETTING, BUILTIN_AUTOSTART_SETTING } from '../../../src/config/coexistence';
import { activateHost, everythingServer, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { ask, buttons, scriptedModel } from '../chat/chatUtil';

/**
 * VS Code's own MCP support reads the same .vscode/mcp.json. Runs first in this suite (file order), while
 * the workspace has never shown the notice; leaves no config or setting behind for the next file.
 */
describe("living next to VS Code's own MCP support", function () {
  this.timeout(60_000);
  let api: Required<McpHostApi>;
  const dialogs = new ScriptedDialogs();
  const config = workspaceFile('.vscode', 'mcp.json');
  const settings = workspaceFile('.vscode', 'settings.json');
  const access = () => vscode.workspace.getConfiguration().inspect<string>(BUILTIN_ACCESS_SETTING);
  const setAccess = (value: string | undefined) => vscode.workspace.getConfiguration().update(BUILTIN_ACCESS_SETTING, value, vscode.ConfigurationTarget.Workspace);
  const state = (name: string) => api.host.registry.get(name)?.connection.state.kind;
  /**
   * The chat tools of VS Code's own copies of server-everything (VS Code 1.139 names them by the title the server
   * gives, "Everything Reference Server": mcp_everything_re_<tool>, then mcp_everything_r2_…; MCP Host registers none).
   */
  const builtinTools = () => vscode.lm.tools.filter(t => t.tags.includes('mcp') && /^mcp_everything_r(e|\d)_/.test(t.name)).map(t => t.name);
  /** Processes started with COEXISTENCE_TEST=`marker` in their environment (Linux), whoever started them. */
  const processes = (marker: string) =>
    fs.readdirSync('/proc').filter(d => /^\d+$/.test(d)).filter(d => {
      try {
        return fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`COEXISTENCE_TEST=${marker}`);
      } catch {
        return false;
      }
    });
  const everything = (marker: string, more: object = {}) => ({ type: 'stdio', command: process.execPath, args: [everythingServer()], env: { COEXISTENCE_TEST: marker }, ...more });
  /** The notice is asked right after the event that triggers it; this long is "it was not asked". */
  const quietPeriod = () => new Promise(r => setTimeout(r, 1500));

  before(async () => {
    // VS Code's default (the harness's user settings say "never" to keep its copies out of other tests).
    await vscode.workspace.getConfiguration().update(BUILTIN_AUTOSTART_SETTING, 'newAndOutdated', vscode.ConfigurationTarget.Workspace);
    api = await activateHost();
    api.setDialogs(dialogs);
  });

  after(async () => {
    await writeFile(config, JSON.stringify({ servers: {} }));
    await until(() => api.host.registry.servers.length === 0, 'the servers to be removed');
    await setAccess(undefined);
    await vscode.workspace.getConfiguration().update(BUILTIN_AUTOSTART_SETTING, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(config);
    await vscode.workspace.fs.delete(settings).then(undefined, () => undefined);
  });

  it('says nothing while VS Code\'s own MCP support is off for the workspace', async () => {
    await setAccess('none');
    // 'off' is disabled for MCP Host ("disabled" is MCP Host's key): VS Code's own MCP support does not read it.
    await writeFile(config, JSON.stringify({ servers: { shared: everything('1'), off: everything('2', { disabled: true }) } }));
    await until(() => state('shared') === 'running' && state('off') === 'blocked', 'shared to run');
    await quietPeriod();
    assert.deepStrictEqual(dialogs.builtinMcpAsked, []);
  });

  it('the first time both are active, names the servers and offers to turn VS Code\'s off; unanswered (VS Code hides the notification), it changes nothing and is not shown again', async () => {
    dialogs.builtinMcpAnswers = [];
    await setAccess(undefined);
    await until(() => dialogs.builtinMcpAsked.length === 1, 'the notice');
    const [question] = dialogs.builtinMcpAsked;
    assert.ok(question!.kind === 'bothActive' && question!.firstTime && question!.onChat);
    assert.deepStrictEqual(question!.kind === 'bothActive' && question!.servers, ['off', 'shared']);
    await quietPeriod();
    assert.strictEqual(access()?.workspaceValue, undefined, 'a setting changed although the user did not answer');

    const pid = api.host.registry.get('shared')!.connection.pid;
    await vscode.commands.executeCommand(Commands.restartServer, 'shared');
    await until(() => state('shared') === 'running' && api.host.registry.get('shared')!.connection.pid !== pid, 'shared to run again');
    await quietPeriod();
    assert.strictEqual(dialogs.builtinMcpAsked.length, 1, 'the first-time notification came back');
  });

  it('when a chat message makes VS Code start its copies (chat.mcp.autostart), the @mcp response says so under its answer, once, with the choice; Keep Both is remembered', async () => {
    const model = await scriptedModel();
    assert.deepStrictEqual(builtinTools(), [], 'VS Code ran a copy before any chat message');
    assert.deepStrictEqual([processes('1').length, processes('2').length], [1, 0], "before: MCP Host's 'shared' only");
    const t = await ask(api, model, '@mcp /servers');
    // The premise, as VS Code 1.139 does it: the message started VS Code's copies before @mcp answered, and of the
    // server MCP Host does not run ("disabled") too; their tools are in chat.
    assert.deepStrictEqual([processes('1').length, processes('2').length], [2, 1], "VS Code's own MCP support did not start its copies of 'shared' and 'off' for the chat message");
    assert.ok(builtinTools().length > 0, "the tools of VS Code's copies are not in chat");
    const text = t.text();
    assert.match(text, /MCP servers running/, 'the answer itself is missing');
    assert.ok(text.indexOf('MCP servers running') < text.indexOf("VS Code's own MCP support started"), 'the note is not under the answer');
    assert.match(text, /VS Code's own MCP support started its own copy of \*\*shared\*\* when this message was sent .*chat\.mcp\.autostart/);
    assert.match(text, /It starts \*\*off\*\* too, which MCP Host is not running now\./);
    assert.deepStrictEqual(buttons(t).slice(-2), [
      { title: "Turn Off VS Code's MCP Here", command: Commands.answerBuiltinMcp, arguments: ['turnOff'] },
      { title: 'Keep Both', command: Commands.answerBuiltinMcp, arguments: ['keep'] },
    ]);

    const again = await ask(api, model, '@mcp /servers');
    assert.doesNotMatch(again.text(), /started its own cop/, 'said twice in one window');
    assert.strictEqual(await vscode.commands.executeCommand(Commands.answerBuiltinMcp, 'keep'), 'keep');
    assert.strictEqual(access()?.workspaceValue, undefined, 'Keep Both changed a setting');
    assert.deepStrictEqual(dialogs.builtinMcpAsked.length, 1);
  });

  it('"Review VS Code\'s Built-in MCP…" turns it off for this workspace when the user says so, and back on', async () => {
    dialogs.builtinMcpAnswers = ['turnOff'];
    assert.strictEqual(await vscode.commands.executeCommand(Commands.reviewBuiltinMcp), 'turnOff');
    const asked = dialogs.builtinMcpAsked.at(-1)!;
    assert.ok(asked.kind === 'bothActive' && !asked.firstTime && asked.servers.join() === 'off,shared');
    // Turned off, VS Code stops its copies: their tools leave chat, their processes end; MCP Host's runs on.
    await until(() => builtinTools().length === 0, "the tools of VS Code's copies to leave chat");
    await until(() => processes('1').length === 1 && processes('2').length === 0, "VS Code's copies to exit");
    assert.strictEqual(state('shared'), 'running');
    assert.strictEqual(access()?.workspaceValue, 'none');
    assert.strictEqual(vscode.workspace.getConfiguration().get(BUILTIN_ACCESS_SETTING), 'none');
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(settings));
    assert.match(written, /"chat\.mcp\.access":\s*"none"/);

    dialogs.builtinMcpAnswers = ['turnOn'];
    assert.strictEqual(await vscode.commands.executeCommand(Commands.reviewBuiltinMcp), 'turnOn');
    assert.deepStrictEqual(dialogs.builtinMcpAsked.at(-1), { kind: 'off', inWorkspace: true });
    assert.strictEqual(access()?.workspaceValue, undefined);

    // Dismissed: nothing changes.
    const before = dialogs.builtinMcpAsked.length;
    assert.strictEqual(await vscode.commands.executeCommand(Commands.reviewBuiltinMcp), undefined);
    assert.strictEqual(dialogs.builtinMcpAsked.length, before + 1);
    assert.strictEqual(access()?.workspaceValue, undefined);
  });
});
