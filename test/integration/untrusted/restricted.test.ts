import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateHost, workspaceFile } from '../host';
import { until } from '../util';

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
});
