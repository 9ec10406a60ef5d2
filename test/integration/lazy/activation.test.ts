import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, ViewContainers, Views } from '../../../src/ids';
import { recordPerfMark } from '../perf';
import { until } from '../util';

describe('activation in a workspace with no MCP config', () => {
  it('is installed but not active after start-up', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    // Give start-up activation events (onStartupFinished, workspaceContains) time to fire if they were going to.
    await new Promise(r => setTimeout(r, 3000));
    assert.strictEqual(ext.isActive, false, 'the extension activated although nothing asked for it');
  });

  it('activates when its view is opened, and the view exists', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await vscode.commands.executeCommand(`workbench.view.extension.${ViewContainers.main}`);
    await until(() => ext.isActive, 'the extension to activate after its view was opened');
    await vscode.commands.executeCommand(`${Views.servers}.focus`);
    assert.strictEqual(typeof (ext.exports as { version?: unknown }).version, 'string');
  });

  it('marks the time spent in activate(), which the bench reports', () => {
    const [measure] = performance.getEntriesByName('mcpHost.activate', 'measure');
    assert.ok(measure, 'activate() left no performance measure');
    recordPerfMark('activation', measure.duration);
    console.log(`      activate(): ${measure.duration.toFixed(1)} ms`);
  });
});
