import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ImportConfirmation, ImportOutcome } from '../../../src/commands/importServers';
import { Commands, Settings } from '../../../src/ids';
import { activateHost, ScriptedDialogs, workspaceFile, writeFile } from '../host';

/**
 * §6: "Import MCP Servers…" in the real extension host. Credentials found by name or by value (a key in a URL
 * path or query, an --api-key argument, a database URL's password) reach SecretStorage and never a file; the
 * user's own servers go to user settings; the workspace file is edited through its document (the user's unsaved
 * edit survives, Undo reverts the import) and the confirmation warns that git would commit it.
 */
describe('§6 import keeps secrets out of files', function () {
  this.timeout(60_000);
  let api: Awaited<ReturnType<typeof activateHost>>;
  /** Scripted, except that a test may hand the confirmation to the extension's own dialog (diff previews, modal). */
  class Prompts extends ScriptedDialogs {
    realConfirmation = false;
    override confirmImport(confirmation: ImportConfirmation): Promise<boolean> {
      return this.realConfirmation ? api.defaultDialogs.confirmImport(confirmation) : super.confirmImport(confirmation);
    }
  }
  const prompts = new Prompts();
  let sources: string;
  const mcpJson = workspaceFile('.vscode', 'mcp.json');
  const folder = workspaceFile().fsPath;
  const SECRETS = ['a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F', 'sk-user-secret-1', 'pw-secret-42', 'k-123', 'ghp_abcdefghijklmnopqrstuvwx'];

  before(async () => {
    api = await activateHost();
    api.setDialogs(prompts);
    // VS Code in the browser auto-saves after a second by default, which would save the user's unsaved edit
    // while the import runs; desktop VS Code does not, and that is the case this test is about.
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    sources = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-host-import-'));
    const cursorUser = path.join(sources, 'cursor-user.json');
    const claudeProject = path.join(sources, 'project.mcp.json');
    await fs.writeFile(cursorUser, JSON.stringify({ mcpServers: { 'imported-remote': { url: 'https://remote.invalid/mcp/a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F?api_key=sk-user-secret-1', disabled: true } } }));
    await fs.writeFile(
      claudeProject,
      JSON.stringify({
        mcpServers: {
          'imported-db': {
            command: 'node',
            args: ['server.js', '--api-key', 'k-123'],
            env: { DATABASE_URL: 'postgres://app:pw-secret-42@db.internal/app', GH: 'ghp_abcdefghijklmnopqrstuvwx' },
            disabled: true,
          },
        },
      }),
    );
    api.setImportLocations([
      { host: 'Cursor', path: cursorUser, format: 'cursor', scope: 'user' },
      { host: 'Claude Code', path: claudeProject, format: 'claudeCode', scope: 'workspace' },
    ]);
    await writeFile(mcpJson, '{\n  "servers": {}\n}\n');
    execFileSync('git', ['init', '-q'], { cwd: folder });
  });

  after(async () => {
    api.setImportLocations(undefined);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
    await config.update(Settings.inputs, undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    await fs.rm(path.join(folder, '.git'), { recursive: true, force: true });
    await fs.rm(sources, { recursive: true, force: true });
  });

  it('previews the planned file beside the current one, read-only and without the secrets, and writes nothing when the user cancels', async () => {
    const before = await fs.readFile(mcpJson.fsPath, 'utf8');
    const previews: Array<{ original: vscode.Uri; modified: string; scheme: string }> = [];
    prompts.realConfirmation = true;
    api.answerModals(() => {
      for (const tab of vscode.window.tabGroups.all.flatMap(g => g.tabs)) {
        if (!(tab.input instanceof vscode.TabInputTextDiff)) continue;
        const modified = vscode.workspace.textDocuments.find(d => d.uri.toString() === (tab.input as vscode.TabInputTextDiff).modified.toString());
        previews.push({ original: tab.input.original, modified: modified?.getText() ?? '', scheme: tab.input.modified.scheme });
      }
      return undefined;
    });
    try {
      assert.strictEqual(await vscode.commands.executeCommand<ImportOutcome | undefined>(Commands.importServers), undefined);
    } finally {
      api.answerModals(undefined);
      prompts.realConfirmation = false;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    assert.strictEqual(previews.length, 1, JSON.stringify(previews));
    const [preview] = previews;
    assert.strictEqual(preview!.original.toString(), mcpJson.toString());
    assert.strictEqual(preview!.scheme, 'mcp-host-text');
    assert.match(preview!.modified, /"imported-db"/);
    assert.match(preview!.modified, /\$\{input:imported-db-api-key\}/);
    for (const secret of SECRETS) assert.ok(!preview!.modified.includes(secret), `${secret} in the preview`);
    assert.strictEqual(await fs.readFile(mcpJson.fsPath, 'utf8'), before);
    assert.strictEqual(vscode.workspace.getConfiguration(Settings.section).inspect(Settings.servers)?.globalValue, undefined);
  });

  it('moves secrets from args, URLs and values to SecretStorage, user servers to user settings, through an undoable edit, with a git warning', async () => {
    // An unsaved edit of the user's in the open file: the import must keep it.
    const editor = await vscode.window.showTextDocument(mcpJson);
    await editor.edit(b => b.insert(new vscode.Position(0, 0), '// my unsaved note\n'));

    const outcome = await vscode.commands.executeCommand<ImportOutcome | undefined>(Commands.importServers);
    assert.deepStrictEqual(outcome?.written.map(w => [w.target, w.added]), [
      ['user settings', ['imported-remote']],
      ['.vscode/mcp.json', ['imported-db']],
    ]);

    const offered = prompts.importOffers.at(-1)!;
    assert.deepStrictEqual(offered.map(c => [c.server.name, c.scope]), [['imported-remote', 'user'], ['imported-db', 'workspace']]);
    const confirmation = prompts.importConfirmations.at(-1)!;
    assert.ok(confirmation.warning);
    assert.match(confirmation.detail, /\.vscode\/mcp\.json is in a git repository and not ignored/);
    assert.match(confirmation.detail, /imported-db: argument --api-key\n\s+imported-db: env DATABASE_URL \(password\)\n\s+imported-db: env GH/);
    for (const shown of [confirmation.detail, ...offered.map(c => c.summary)]) {
      for (const secret of SECRETS) assert.ok(!shown.includes(secret), `${secret} shown in ${shown}`);
    }

    // The workspace file: the user's note kept, the document left unsaved (it was), no secret in it.
    const document = editor.document;
    const text = document.getText();
    assert.ok(text.startsWith('// my unsaved note\n'), text);
    assert.ok(document.isDirty, 'the import saved the document the user had not saved');
    assert.match(text, /"DATABASE_URL": "postgres:\/\/app:\$\{input:imported-db-DATABASE_URL-password\}@db\.internal\/app"/);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} written to mcp.json`);

    // User settings: the remote server, with its path key and query key as inputs.
    const config = vscode.workspace.getConfiguration(Settings.section);
    const servers = config.inspect<Record<string, { url: string }>>(Settings.servers)?.globalValue;
    assert.strictEqual(servers?.['imported-remote']?.url, 'https://remote.invalid/mcp/${input:imported-remote-url-path}?api_key=${input:imported-remote-url-api_key}');
    const settingsText = JSON.stringify([servers, config.inspect(Settings.inputs)?.globalValue]);
    for (const secret of SECRETS) assert.ok(!settingsText.includes(secret), `${secret} written to user settings`);

    // The values are in SecretStorage, under each target's scope: resolved without asking.
    const asked = prompts.inputsAsked.length;
    const stored = (scope: string, id: string) => api.host.inputs.resolve({ type: 'promptString', id, description: '', password: true }, scope, 'x');
    assert.strictEqual(await stored('user', 'imported-remote-url-path'), 'a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F');
    assert.strictEqual(await stored('user', 'imported-remote-url-api_key'), 'sk-user-secret-1');
    assert.strictEqual(await stored(mcpJson.fsPath, 'imported-db-DATABASE_URL-password'), 'pw-secret-42');
    assert.strictEqual(await stored(mcpJson.fsPath, 'imported-db-api-key'), 'k-123');
    assert.strictEqual(prompts.inputsAsked.length, asked);

    // Undo takes the import back out of the document, the user's note stays.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(document.getText(), '// my unsaved note\n{\n  "servers": {}\n}\n');
  });

  it("offers the servers of a project's .continue/mcpServers JSON files, and says its YAML files are not read (config16)", async () => {
    const continueDir = path.join(sources, 'continue-mcpServers');
    await fs.mkdir(continueDir);
    await fs.writeFile(
      path.join(continueDir, 'from-cursor.json'),
      JSON.stringify({ mcpServers: { 'continue-json': { command: 'node', args: ['c.js'], disabled: true, alwaysAllow: ['x'] }, broken: { args: ['x'] } } }, null, 2),
    );
    await fs.writeFile(path.join(continueDir, 'blocks.yaml'), 'name: x\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: yaml-only\n    command: npx\n');
    api.setImportLocations([{ host: 'Continue', path: continueDir, jsonFilesIn: true, format: 'cursor', scope: 'workspace' }]);
    const offered = prompts.importOffers.length;
    const shown = api.shownTexts!.length;
    prompts.importAnswer = false;
    try {
      assert.strictEqual(await vscode.commands.executeCommand<ImportOutcome | undefined>(Commands.importServers), undefined);
    } finally {
      prompts.importAnswer = true;
    }
    assert.deepStrictEqual(
      prompts.importOffers.slice(offered).flat().map(c => [c.host, c.server.name, c.source, c.scope]),
      [['Continue', 'continue-json', path.join(continueDir, 'from-cursor.json'), 'workspace']],
    );
    const said = api.shownTexts!.slice(shown).filter(t => t.kind === 'information').map(t => t.text);
    assert.ok(said.includes(`Continue's YAML files are not read (1 in ${continueDir}): add their servers with Add Server….`), JSON.stringify(said));
    // What is not carried over is said in the confirmation, by file and line (before: never shown).
    const detail = prompts.importConfirmations.at(-1)!.detail;
    const file = path.join(continueDir, 'from-cursor.json');
    assert.ok(detail.includes(`Not carried over:\n  ${file}: mcpServers.continue-json.alwaysAllow: has no equivalent in MCP Host and is not imported (line 3)`), detail);
    assert.ok(detail.includes(`  ${file}: Not imported: mcpServers.broken: has neither a "command" nor a "url"; skipped (line 13)`), detail);
  });
});
