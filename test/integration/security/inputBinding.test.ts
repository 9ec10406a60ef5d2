import * as assert from 'assert';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../../src/ids';
import { activateHost, everythingServer, repoPath, ScriptedDialogs } from '../host';
import { expectLogEntry, until } from '../util';

/**
 * §3: a stored `${input:}` value is bound to where it was given for. A user-settings server (no trust question
 * guards it) whose command line moves does not get the stored value without the user saying so.
 */
describe('§3 a stored input value stays bound to where it was given for', function () {
  this.timeout(60_000);
  let api: Awaited<ReturnType<typeof activateHost>>;
  const prompts = new ScriptedDialogs();
  const config = () => vscode.workspace.getConfiguration(Settings.section);
  const state = () => api.host.registry.get('bound')?.connection.state;
  const define = async (args: string[]) => {
    await config().update(Settings.servers, { bound: { type: 'stdio', command: process.execPath, args, env: { BOUND_TOKEN: '${input:bound-token}' } } }, vscode.ConfigurationTarget.Global);
    await until(() => (api.host.registry.get('bound')?.definition as { args?: readonly string[] } | undefined)?.args?.[0] === args[0], 'the moved definition to be read');
  };
  const start = async () => {
    await vscode.commands.executeCommand(Commands.restartServer, 'bound');
    await until(() => state()?.kind === 'running' || state()?.kind === 'error', 'the start to end');
  };

  before(async () => {
    api = await activateHost();
    api.setDialogs(prompts);
    await config().update(Settings.inputs, [{ type: 'promptString', id: 'bound-token', description: 'Token', password: true }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
    await config().update(Settings.inputs, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(Commands.clearInputs);
  });

  it('asks before sending a stored value to a moved command, and does not start when the user cancels', async () => {
    const original = [everythingServer()];
    prompts.inputValue = 'tok-original';
    await define(original);
    await start();
    assert.strictEqual(state()?.kind, 'running');
    assert.deepStrictEqual(prompts.inputsAsked.filter(i => i === 'bound-token').length, 1);

    // The setting now runs another program: the stored value is not sent without a yes.
    const moved = [repoPath('out', 'test', 'fixtures', 'servers', 'hostile.js')];
    await define(moved);
    prompts.movedInputAnswer = undefined;
    expectLogEntry(/^MCP bound: \[error\] Failed to start: Not started: the value for \$\{input:bound-token\} was not given\.$/);
    await start();
    const s = state();
    assert.strictEqual(s?.kind, 'error');
    assert.match(s?.kind === 'error' ? s.message : '', /value for \$\{input:bound-token\} was not given/);
    const question = prompts.movedInputsAsked.at(-1)!;
    assert.deepStrictEqual([question.input.id, question.server], ['bound-token', 'bound']);
    assert.deepStrictEqual(question.boundTo, [`${process.execPath} ${original[0]}`]);
    assert.strictEqual(question.destination, `${process.execPath} ${moved[0]}`);

    // "Send": it starts with the stored value, and is not asked again for that destination (nor for the first).
    prompts.movedInputAnswer = 'send';
    await start();
    assert.strictEqual(state()?.kind, 'running');
    const asked = prompts.movedInputsAsked.length;
    await start();
    await define(original);
    await start();
    assert.strictEqual(state()?.kind, 'running');
    assert.strictEqual(prompts.movedInputsAsked.length, asked);
    assert.strictEqual(prompts.inputsAsked.filter(i => i === 'bound-token').length, 1, 'the value was asked again');
  });
});
