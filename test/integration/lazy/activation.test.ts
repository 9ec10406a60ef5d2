import * as assert from 'assert';
import * as path from 'path';
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

  it('leaves the SDK and the validators unloaded until something needs them', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // Whatever activation started in the background (loading the empty config, drawing the view) has run.
    await new Promise(r => setTimeout(r, 1000));
    const dist = path.join(ext.extensionPath, 'dist');
    const loaded = Object.keys(require.cache).filter(file => path.dirname(file) === dist).map(file => path.basename(file));
    assert.ok(loaded.includes('extension.js'), `the bundle is not in the module cache: ${loaded.join(', ')}`);
    // esbuild.js keeps these out of dist/extension.js; a top-level use of an SDK, Ajv or re2js export would load them here.
    assert.deepStrictEqual(loaded.filter(name => name !== 'extension.js'), [], 'activation loaded lazy bundles');
  });

  it('marks the time spent in activate(), which the bench reports', () => {
    const [measure] = performance.getEntriesByName('mcpHost.activate', 'measure');
    assert.ok(measure, 'activate() left no performance measure');
    const [load] = performance.getEntriesByName('mcpHost.load', 'measure');
    assert.ok(load, 'loading dist/extension.js left no performance measure');
    // Recorded for `npm run bench` (test-results/ is not committed); the target is the bench's, never asserted here.
    recordPerfMark('activation', measure.duration);
    recordPerfMark('bundleLoad', load.duration);
    console.log(`      activate(): ${measure.duration.toFixed(1)} ms; loading dist/extension.js before it: ${load.duration.toFixed(1)} ms`);
  });
});
