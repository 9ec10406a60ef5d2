import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateHost, everythingServer, workspaceFile } from '../host';
import { until } from '../util';
import { Commands, Settings } from '../../../src/ids';
import type { ServerNode } from '../../../src/ui/tree/nodes';

describe('a cloned repository opened in Restricted Mode', function () {
  this.timeout(60_000);

  it('runs nothing from workspace config and says why', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the workspace should be untrusted in this suite');
    const { host } = await activateHost();
    await until(() => host.registry.get('cloned'), 'the server from .vscode/mcp.json to be listed');
    const state = await until(() => {
      const s = host.registry.get('cloned')!.connection.state;
      return s.kind === 'blocked' ? s : undefined;
    }, 'the server to be blocked');
    assert.strictEqual(state.reason, 'workspaceUntrusted');
    assert.strictEqual(host.registry.get('cloned')!.connection.pid, undefined);
    await new Promise(r => setTimeout(r, 1000));
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(workspaceFile('SHOULD-NOT-EXIST'))), 'the server command ran');
  });

  it("waits for trust with a user's own server that uses ${workspaceFolder} (the folder's files would decide what it runs); starts one that does not", async () => {
    const api = await activateHost();
    const settings = () => vscode.workspace.getConfiguration(Settings.section);
    // Writes a file into the folder it is given: in Restricted Mode it must not run, as the workspace's own servers do not.
    const inFolder = { type: 'stdio', command: process.execPath, args: ['-e', "require('fs').writeFileSync(require('path').join(process.argv[1], 'USER-SERVER-RAN'), 'ran')", '${workspaceFolder}'] };
    await settings().update(Settings.servers, { 'mine-in-folder': inFolder, mine: { type: 'stdio', command: process.execPath, args: [everythingServer()] } }, vscode.ConfigurationTarget.Global);
    try {
      const state = await until(() => {
        const s = api.host.registry.get('mine-in-folder')?.connection.state;
        return s && s.kind !== 'stopped' && s.kind !== 'starting' ? s : undefined;
      }, "the user's server that uses ${workspaceFolder} to settle");
      assert.deepStrictEqual(state, { kind: 'blocked', reason: 'workspaceUntrusted', message: 'Restricted Mode: this server uses ${workspaceFolder}; trust this workspace to start it' });
      await until(() => api.host.registry.get('mine')?.connection.state.kind === 'running', "the user's own server to run", 30_000);

      const shown = api.shownTexts.length;
      await vscode.commands.executeCommand(Commands.startServer, 'mine-in-folder');
      assert.deepStrictEqual(
        api.shownTexts.slice(shown).map(t => `${t.kind}: ${t.text}`),
        ["information: 'mine-in-folder' uses ${workspaceFolder}, and this workspace is in Restricted Mode: MCP Host starts it once you trust the workspace."],
      );
      assert.strictEqual(api.host.registry.get('mine-in-folder')!.connection.pid, undefined);
      await new Promise(r => setTimeout(r, 1000));
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(workspaceFile('USER-SERVER-RAN'))), 'the user server ran in the untrusted folder');
    } finally {
      await settings().update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('offers the way out where it says so, and a Start says why nothing started instead of doing nothing', async () => {
    const api = await activateHost();
    const provider = api.serversView.provider;
    const server = (await provider.getChildren()).find((n): n is ServerNode => n.kind === 'server' && n.name === 'cloned')!;
    const actions = (await provider.getChildren(server)).map(n => provider.getTreeItem(n)).map(i => [i.label, i.command?.command]);
    assert.deepStrictEqual(actions.at(-2), ['Manage Workspace Trust…', 'workbench.trust.manage'], JSON.stringify(actions));

    const shown = api.shownTexts.length;
    await vscode.commands.executeCommand(Commands.startServer, 'cloned');
    const said = api.shownTexts.slice(shown).map(t => `${t.kind}: ${t.text}`);
    assert.deepStrictEqual(said, ["information: 'cloned' is defined by this workspace, which is in Restricted Mode: MCP Host starts its servers once you trust it."]);
    assert.strictEqual(api.host.registry.get('cloned')!.connection.state.kind, 'blocked');
    assert.strictEqual(api.host.registry.get('cloned')!.connection.pid, undefined);
  });
});
