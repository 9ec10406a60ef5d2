import * as assert from 'assert';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../../src/ids';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { activateHost, everythingServer, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { expectLogEntry, until } from '../util';

/**
 * MCP Host's own CodeLens in `.vscode/mcp.json` and `.mcp.json` (uxreview item 4), asked of VS Code as the editor asks
 * (`vscode.executeCodeLensProvider`), so every provider's lenses come back: VS Code's built-in MCP support may add its
 * own in `.vscode/mcp.json`. Ours are told apart by what they say ("MCP Host: …") and the commands they run.
 */
describe('MCP Host CodeLens in the config files', function () {
  this.timeout(90_000);
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const vscodeFile = workspaceFile('.vscode', 'mcp.json');
  const claudeFile = workspaceFile('.mcp.json');
  const nestedFile = workspaceFile('sub', '.mcp.json');
  const node = process.execPath;
  const everything = (tag: string) => ({ type: 'stdio', command: node, args: [everythingServer()], env: { LENS_TEST: tag } });
  // Names a repository controls: brackets, a command link and an icon must stay text wherever they are shown.
  const hostile = 'evil $(alert) [x](command:workbench.action.terminal.new)';
  const state = (name: string) => host.registry.get(name)?.connection.state.kind;

  /** Our lenses of a file, per server entry (by the entry's key line), each as [title, command, args]. */
  const ours = async (uri: vscode.Uri) => {
    // The workbench asks providers only for a document it has loaded.
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    const mine = lenses.filter(l => l.command && (l.command.title.startsWith('$(plug) MCP Host: ') || l.command.command.startsWith('mcpHost.')));
    const byLine = new Map<number, Array<[string, string, unknown[]]>>();
    for (const l of mine.sort((a, b) => a.range.start.line - b.range.start.line)) {
      const row = byLine.get(l.range.start.line) ?? [];
      row.push([l.command!.title, l.command!.command, l.command!.arguments ?? []]);
      byLine.set(l.range.start.line, row);
    }
    /** The lenses above the entry whose key is `"name":` (the n-th such key). */
    const at = (name: string, nth = 0) => {
      const key = `${JSON.stringify(name)}:`;
      let offset = -1;
      for (let i = 0; i <= nth; i++) offset = text.indexOf(key, offset + 1);
      assert.ok(offset >= 0, `no entry ${name}`);
      return byLine.get(text.slice(0, offset).split('\n').length - 1) ?? [];
    };
    return { all: mine, at, theirs: lenses.filter(l => !mine.includes(l)) };
  };
  const titles = (row: Array<[string, string, unknown[]]>) => row.map(([t]) => t);

  before(async () => {
    const api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
  });

  after(async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.codeLens, undefined, vscode.ConfigurationTarget.Global);
    await writeFile(vscodeFile, JSON.stringify({ servers: {} }));
    await vscode.workspace.fs.delete(claudeFile).then(undefined, () => undefined);
    await vscode.workspace.fs.delete(vscode.Uri.file(nestedFile.fsPath.replace(/[/\\]\.mcp\.json$/, '')), { recursive: true }).then(undefined, () => undefined);
    await until(() => host.registry.servers.every(s => !['good', 'broken', 'declined', hostile, 'claudeside', 'dup', 'secondblock'].includes(s.name)), 'the servers of this test to go');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows each server’s state and its actions above its entry, the tree’s list without Open Config, and follows state changes', async () => {
    expectLogEntry(/^MCP broken: \[error\] (Failed to start: The server exited with code 3|Not restarting: )/);
    dialogs.approveOnly = ['good', 'broken', hostile, 'claudeside', 'dup'];
    // Each definition differs (a distinct argument), so no approval of another test applies.
    await writeFile(
      vscodeFile,
      JSON.stringify(
        {
          servers: {
            good: everything('good'),
            broken: { type: 'stdio', command: node, args: ['-e', 'process.exit(3)'], env: { LENS_TEST: 'broken' } },
            declined: everything('declined'),
            [hostile]: everything('evil'),
            dup: everything('dup-vscode'),
          },
        },
        null,
        2,
      ),
    );
    await writeFile(claudeFile, JSON.stringify({ mcpServers: { claudeside: { command: node, args: [everythingServer()], env: { LENS_TEST: 'claude' } }, dup: { command: node, args: [everythingServer()], env: { LENS_TEST: 'dup-claude' } } } }, null, 2));
    await writeFile(nestedFile, JSON.stringify({ mcpServers: { nested: { command: node } } }, null, 2));
    try {
      await until(
        () => state('good') === 'running' && state('broken') === 'error' && state('declined') === 'blocked' && state(hostile) === 'running' && state('claudeside') === 'running' && state('dup') === 'running',
        'the servers to settle',
        60_000,
      );
    } finally {
      dialogs.approveOnly = undefined;
    }
    const tools = host.registry.get('good')!.connection.tools.length;
    let lenses = await ours(vscodeFile);
    assert.deepStrictEqual(lenses.at('good'), [
      [`$(plug) MCP Host: Running · ${tools} tools`, '', []],
      ['Stop', Commands.stopServer, ['good']],
      ['Restart', Commands.restartServer, ['good']],
      ['Show Log', Commands.showLog, ['good']],
    ]);
    const broken = titles(lenses.at('broken'));
    assert.match(broken[0]!, /^\$\(plug\) MCP Host: Failed( · restarting)?$/);
    assert.deepStrictEqual(broken.filter(t => !t.startsWith('$(plug)') && t !== 'Stop'), ['Restart', 'Show Log']);
    assert.deepStrictEqual(lenses.at('declined'), [
      ['$(plug) MCP Host: Not trusted', '', []],
      ['Trust and Start…', Commands.startServer, ['declined']],
    ]);
    // The hostile name is only an argument of our own commands; no title carries it or an icon of its making.
    const evil = lenses.at(hostile);
    assert.deepStrictEqual(titles(evil), [`$(plug) MCP Host: Running · ${host.registry.get(hostile)!.connection.tools.length} tools`, 'Stop', 'Restart', 'Show Log']);
    assert.deepStrictEqual(evil.slice(1).map(([, , args]) => args), [[hostile], [hostile], [hostile]]);
    for (const l of lenses.all) assert.ok(!l.command!.title.includes('$(alert)') && !l.command!.title.includes('command:'), l.command!.title);
    // The same name in both files: the one MCP Host does not use says which file wins.
    const winner = host.registry.get('dup')!.definition!.origin;
    const loser = winner.file === vscodeFile.fsPath ? claudeFile : vscodeFile;
    assert.deepStrictEqual(titles((await ours(loser)).at('dup')), [`$(plug) MCP Host: not used · ${winner.label} defines 'dup' too and wins`]);
    assert.strictEqual(titles((await ours(loser === vscodeFile ? claudeFile : vscodeFile)).at('dup'))[0]!.startsWith('$(plug) MCP Host: Running'), true);
    // .mcp.json (Claude format) too; a .mcp.json deeper in the folder is not read by MCP Host, so no lens there.
    assert.match(titles((await ours(claudeFile)).at('claudeside'))[0]!, /^\$\(plug\) MCP Host: Running · \d+ tools$/);
    assert.deepStrictEqual((await ours(nestedFile)).all, []);

    // Live: a lens's own command (Stop) runs, and the lens follows the state.
    const [, stop] = lenses.at('good');
    await vscode.commands.executeCommand(stop![1], ...stop![2]);
    await until(async () => titles((await ours(vscodeFile)).at('good')).join(' | ') === '$(plug) MCP Host: Stopped | Start | Show Log', 'the lens to say Stopped');
    // Unsaved edits move the lenses with the text (positions come from the document, not the file on disk).
    const editor = await vscode.window.showTextDocument(vscodeFile);
    await editor.edit(b => b.insert(new vscode.Position(0, 0), '// a comment line\n'));
    lenses = await ours(vscodeFile);
    assert.strictEqual(titles(lenses.at('good'))[0], '$(plug) MCP Host: Stopped');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('can be turned off (mcpHost.codeLens.enabled)', async () => {
    assert.ok((await ours(vscodeFile)).all.length > 0);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.codeLens, false, vscode.ConfigurationTarget.Global);
    await until(async () => (await ours(vscodeFile)).all.length === 0, 'our lenses to go');
    assert.deepStrictEqual((await ours(claudeFile)).all, []);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.codeLens, undefined, vscode.ConfigurationTarget.Global);
    await until(async () => (await ours(vscodeFile)).all.length > 0, 'our lenses to come back');
  });

  it('says "not used" above the entries of a "servers" object that a second one further down replaces (config16)', async () => {
    // JSON keeps the last of two equal keys: the first object's servers are not read (the loader warns at its key).
    const text = `{\n  "servers": { "firstblock": { "command": "node", "disabled": true } },\n  "servers": { "secondblock": { "command": "node", "disabled": true } }\n}\n`;
    await writeFile(vscodeFile, text);
    await until(() => host.registry.get('secondblock') !== undefined && host.registry.get('firstblock') === undefined, 'the second object to be read');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const lenses = await ours(vscodeFile);
    assert.deepStrictEqual(titles(lenses.at('firstblock')), ['$(plug) MCP Host: not used']);
    assert.notDeepStrictEqual(titles(lenses.at('secondblock')), ['$(plug) MCP Host: not used']);
    assert.ok(titles(lenses.at('secondblock')).length > 0);
  });
});
