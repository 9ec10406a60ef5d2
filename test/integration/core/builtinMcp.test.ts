import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { Commands } from '../../../src/ids';
import { BUILTIN_ACCESS_SETTING } from '../../../src/config/coexistence';
import { activateHost, everythingServer, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';

/**
 * VS Code's own MCP support reads the same .vscode/mcp.json. Runs first in this suite (file order), while
 * the workspace has never shown the notice; leaves no config or setting behind for the next file.
 */
describe("living next to VS Code's own MCP support", function () {
  this.timeout(60_000);
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const config = workspaceFile('.vscode', 'mcp.json');
  const settings = workspaceFile('.vscode', 'settings.json');
  const access = () => vscode.workspace.getConfiguration().inspect<string>(BUILTIN_ACCESS_SETTING);
  const setAccess = (value: string | undefined) => vscode.workspace.getConfiguration().update(BUILTIN_ACCESS_SETTING, value, vscode.ConfigurationTarget.Workspace);
  const state = (name: string) => host.registry.get(name)?.connection.state.kind;
  /** The notice is asked right after the event that triggers it; this long is "it was not asked". */
  const quietPeriod = () => new Promise(r => setTimeout(r, 1500));

  before(async () => {
    const api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
  });

  after(async () => {
    await writeFile(config, JSON.stringify({ servers: {} }));
    await until(() => host.registry.servers.length === 0, 'the servers to be removed');
    await setAccess(undefined);
    await vscode.workspace.fs.delete(config);
    await vscode.workspace.fs.delete(settings).then(undefined, () => undefined);
  });

  it('says nothing while VS Code\'s own MCP support is off for the workspace', async () => {
    await setAccess('none');
    await writeFile(config, JSON.stringify({ servers: { shared: { type: 'stdio', command: process.execPath, args: [everythingServer()], env: { COEXISTENCE_TEST: '1' } } } }));
    await until(() => state('shared') === 'running', 'shared to run');
    await quietPeriod();
    assert.deepStrictEqual(dialogs.builtinMcpAsked, []);
  });

  it('the first time both are active, names the servers and offers to turn VS Code\'s off; "Keep Both" changes nothing and is not asked again', async () => {
    dialogs.builtinMcpAnswers = ['keep'];
    await setAccess(undefined);
    await until(() => dialogs.builtinMcpAsked.length === 1, 'the notice');
    const [question] = dialogs.builtinMcpAsked;
    assert.strictEqual(question!.kind, 'bothActive');
    assert.ok(question!.kind === 'bothActive' && question!.firstTime);
    assert.deepStrictEqual(question!.kind === 'bothActive' && question!.servers, ['shared']);
    await quietPeriod();
    assert.strictEqual(access()?.workspaceValue, undefined, 'a setting changed although the user kept both');

    const pid = host.registry.get('shared')!.connection.pid;
    await vscode.commands.executeCommand(Commands.restartServer, 'shared');
    await until(() => state('shared') === 'running' && host.registry.get('shared')!.connection.pid !== pid, 'shared to run again');
    await quietPeriod();
    assert.strictEqual(dialogs.builtinMcpAsked.length, 1, 'the first-time notice came back');
  });

  it('"Review VS Code\'s Built-in MCP…" turns it off for this workspace when the user says so, and back on', async () => {
    dialogs.builtinMcpAnswers = ['turnOff'];
    assert.strictEqual(await vscode.commands.executeCommand(Commands.reviewBuiltinMcp), 'turnOff');
    const asked = dialogs.builtinMcpAsked.at(-1)!;
    assert.ok(asked.kind === 'bothActive' && !asked.firstTime && asked.servers.join() === 'shared');
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
