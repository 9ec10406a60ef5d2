import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { McpHost } from '../../../src/workspace/mcpHost';
import { Commands, Settings } from '../../../src/ids';
import type { ServerDefinition } from '../../../src/config/types';
import type { StartDecision } from '../../../src/mcp/registry';
import { ServerTrust, trustDetail, trustRow, type ServerToTrust } from '../../../src/workspace/serverTrust';
import { activateHost, everythingServer, isAlive, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';

/**
 * The workspace starts with no MCP config, so the extension activates only when asked; the tests then
 * write .vscode/mcp.json as a user would and watch servers start, restart and stop.
 */
describe('servers from .vscode/mcp.json in the real extension host', function () {
  this.timeout(60_000);
  let host: McpHost;
  const dialogs = new ScriptedDialogs();
  const config = workspaceFile('.vscode', 'mcp.json');
  const node = process.execPath;
  const entry = (extra: object = {}) => ({ type: 'stdio', command: node, args: [everythingServer()], ...extra });
  const write = (servers: Record<string, unknown>, inputs: unknown[] = []) => writeFile(config, JSON.stringify({ servers, inputs }, null, 2));
  const state = (name: string) => host.registry.get(name)?.connection.state.kind;
  const pid = (name: string) => host.registry.get(name)?.connection.pid;

  let api: Awaited<ReturnType<typeof activateHost>>;

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    host = api.host;
  });

  it('asks once for all new workspace servers, then starts them', async () => {
    await write({ alpha: entry(), beta: entry() });
    await until(() => state('alpha') === 'running' && state('beta') === 'running', 'alpha and beta to run');
    assert.deepStrictEqual(dialogs.confirmations, [['alpha', 'beta']]);
    assert.ok(host.registry.catalog().some(t => t.qualifiedName === 'alpha_echo'));
  });

  it('keeps an approval given while another write to the global state is on its way back from the workbench', async function () {
    this.timeout(120_000);
    // VS Code sends a write to the extension's global state to the workbench, which echoes the whole state back, and the
    // extension host takes the echo as its state. An echo read after a newer write and before that write was sent undid
    // it for good: in ci-run18 a protocol-era verdict (written as "everything" started) undid the approval of "paging",
    // added a moment later, and its start was refused as "its definition changed after you approved the server".
    // Here a saved call is the other write. The approval is given at a range of moments after it, each time in an I/O
    // callback that holds the thread until the echo is surely back, as a server's answer held it in ci-run18.
    const alpha = host.registry.get('alpha')!.definition!;
    const lost: number[] = [];
    for (let delayMs = 0; delayMs <= 15; delayMs++) {
      const racer = { ...alpha, name: 'racer', args: [...(alpha.type === 'stdio' ? alpha.args : []), `--racer-${delayMs}`] } as ServerDefinition;
      const decided = await new Promise<ReadonlyMap<string, StartDecision>>(resolve => {
        void host.savedCalls.save({ name: 'race', scope: 'user', server: 'alpha', tool: 'echo', args: { message: String(delayMs) }, schema: {} });
        setTimeout(
          () =>
            fs.stat(__filename, () => {
              const until = Date.now() + 200;
              while (Date.now() < until) {
                /* the echo arrives meanwhile, and waits to be read */
              }
              resolve(host.trust.mayStart([racer]));
            }),
          delayMs,
        );
      });
      assert.deepStrictEqual(decided.get('racer'), { allowed: true });
      // After another write has gone there and back, what is stored is what the extension host holds.
      await host.savedCalls.remove('user', 'race');
      if (!host.trust.isApproved(racer, undefined)) lost.push(delayMs);
    }
    assert.deepStrictEqual(lost, [], `the approval was lost when given this many ms after the other write: ${lost.join(', ')}`);
  });

  it('restarts exactly the edited server when the file changes, asking again only for it', async () => {
    const [alphaPid, betaPid] = [pid('alpha')!, pid('beta')!];
    const alphaConnection = host.registry.get('alpha')!.connection;
    dialogs.confirmations.length = 0;
    await write({ alpha: entry(), beta: entry({ env: { EDITED: '1' } }) });
    await until(() => state('beta') === 'running' && pid('beta') !== betaPid, 'beta to restart');
    assert.strictEqual(pid('alpha'), alphaPid, 'alpha was restarted although its definition did not change');
    assert.strictEqual(host.registry.get('alpha')!.connection, alphaConnection);
    assert.ok(!isAlive(betaPid), 'the old beta process outlived the restart');
    assert.deepStrictEqual(dialogs.confirmations, [['beta']], 'an edited definition must be approved again, alone');
  });

  it('shows a broken entry as a diagnostic at the exact range, and keeps the valid servers running', async () => {
    const alphaPid = pid('alpha');
    const text = JSON.stringify({ servers: { alpha: entry(), beta: entry({ env: { EDITED: '1' } }), gamma: { type: 'stdio', command: 42 } } }, null, 2);
    await writeFile(config, text);
    const diagnostics = await until(() => {
      const list = vscode.languages.getDiagnostics(config).filter(d => d.source === 'MCP Host');
      return list.length ? list : undefined;
    }, 'a diagnostic for the broken entry');
    const offset = text.indexOf('42');
    const lines = text.slice(0, offset).split('\n');
    const expected = new vscode.Position(lines.length - 1, lines.at(-1)!.length);
    const d = diagnostics.find(x => x.range.start.isEqual(expected));
    assert.ok(d, `no diagnostic at ${expected.line}:${expected.character}; got ${diagnostics.map(x => `${x.range.start.line}:${x.range.start.character} ${x.message}`).join(' | ')}`);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /gamma/);
    await until(() => host.registry.get('gamma')?.connection.state.kind === 'blocked', 'gamma to show as blocked');
    assert.strictEqual(pid('alpha'), alphaPid);
    assert.strictEqual(state('beta'), 'running');
  });

  it('keeps a running server as it was when its entry is saved with a syntax error, and says so at it (config16)', async () => {
    const alphaPid = pid('alpha')!;
    // A save mid-edit: a comma missing inside alpha's entry. Before, alpha was stopped and left the tree until the fix.
    const good = JSON.stringify({ servers: { alpha: entry(), beta: entry({ env: { EDITED: '1' } }) } }, null, 2);
    const text = good.replace(/("alpha": \{\n\s+"type": "stdio"),/, '$1');
    assert.notStrictEqual(text, good, 'the test did not break the entry');
    await writeFile(config, text);
    const warning = await until(() => vscode.languages.getDiagnostics(config).find(d => d.source === 'MCP Host' && d.message.includes('keeps its definition as last read')), 'the warning at alpha');
    assert.match(warning.message, /^servers\.alpha: a syntax error runs through this entry/);
    assert.strictEqual(warning.range.start.line, text.slice(0, text.indexOf('"alpha"')).split('\n').length - 1);
    assert.strictEqual(pid('alpha'), alphaPid, 'alpha was stopped or restarted by a save with a syntax error');
    assert.strictEqual(state('alpha'), 'running');
    assert.strictEqual(state('beta'), 'running');
  });

  it('stops and forgets a server removed from the file, leaving no process', async () => {
    const alphaPid = pid('alpha')!;
    await write({ beta: entry({ env: { EDITED: '1' } }) });
    await until(() => !host.registry.get('alpha') && !host.registry.get('gamma'), 'alpha and gamma to be forgotten');
    await until(() => !isAlive(alphaPid), `alpha's process ${alphaPid} to exit`);
    assert.strictEqual(vscode.languages.getDiagnostics(config).filter(d => d.source === 'MCP Host').length, 0, 'the fixed file still has diagnostics');
  });

  it('asks for a password input once, keeps it in secret storage, and asks again after Clear Stored Inputs', async () => {
    dialogs.inputsAsked.length = 0;
    dialogs.inputValue = 's3cret-token';
    await write({ beta: entry({ env: { EDITED: '1' } }), secretive: entry({ env: { API_TOKEN: '${input:token}' } }) }, [
      { type: 'promptString', id: 'token', description: 'API token', password: true },
    ]);
    await until(() => state('secretive') === 'running', 'the server with an input to run');
    assert.deepStrictEqual(dialogs.inputsAsked, ['token']);
    await vscode.commands.executeCommand(Commands.restartServer, 'secretive');
    await until(() => state('secretive') === 'running', 'the restarted server to run');
    assert.deepStrictEqual(dialogs.inputsAsked, ['token'], 'a stored input was asked again');
    await vscode.commands.executeCommand(Commands.clearInputs);
    await vscode.commands.executeCommand(Commands.restartServer, 'secretive');
    await until(() => state('secretive') === 'running', 'the server to run after clearing inputs');
    assert.deepStrictEqual(dialogs.inputsAsked, ['token', 'token']);
  });

  it('keeps a declined server blocked, and asks again after Reset Server Trust', async () => {
    dialogs.approve = false;
    dialogs.confirmations.length = 0;
    await vscode.commands.executeCommand(Commands.resetServerTrust);
    await vscode.commands.executeCommand(Commands.restartServer, 'beta');
    await until(() => state('beta') === 'blocked', 'beta to be blocked after the user declined');
    assert.deepStrictEqual(dialogs.confirmations, [['beta']]);
    dialogs.approve = true;
    await vscode.commands.executeCommand(Commands.startServer, 'beta');
    await until(() => state('beta') === 'running', 'beta to run once approved');
  });

  it('a trust question closed unanswered (Escape in Choose…, Cancel) declines nothing: nothing starts, the next start asks again, even one the user did not click', async () => {
    const beta = host.registry.get('beta')!.definition!;
    const unanswered = { ...beta, name: 'unanswered', args: [...(beta.type === 'stdio' ? beta.args : []), '--unanswered'] } as ServerDefinition;
    dialogs.confirmations.length = 0;
    dialogs.dismissTrust = true;
    try {
      const closed = (await host.trust.mayStart([unanswered])).get('unanswered');
      assert.ok(closed && !closed.allowed && closed.reason === 'notApproved', JSON.stringify(closed));
      // Not "you declined": the user declined nothing.
      assert.match(closed.message, /^Not started: waiting for your approval \(the question was closed\)\. Use Start to be asked$/);
      assert.ok(!host.trust.isApproved(unanswered, undefined), 'closing the question approved the server');
    } finally {
      dialogs.dismissTrust = false;
    }
    // A start the user did not ask for (the config loaded again, the workspace trusted) asks again: the close was no "no".
    assert.deepStrictEqual((await host.trust.mayStart([unanswered])).get('unanswered'), { allowed: true });
    assert.deepStrictEqual(dialogs.confirmations, [['unanswered'], ['unanswered']]);
    // An explicit "no" (Choose… with the server left unchecked) is still remembered for the window.
    const declined = { ...unanswered, name: 'declined', args: [...(unanswered.type === 'stdio' ? unanswered.args : []), '--declined'] } as ServerDefinition;
    dialogs.approve = false;
    try {
      assert.strictEqual((await host.trust.mayStart([declined])).get('declined')?.allowed, false);
    } finally {
      dialogs.approve = true;
    }
    dialogs.confirmations.length = 0;
    const again = (await host.trust.mayStart([declined])).get('declined');
    assert.ok(again && !again.allowed && /you declined/.test(again.message), JSON.stringify(again));
    assert.deepStrictEqual(dialogs.confirmations, [], 'a declined server was asked about again without the user starting it');
  });

  it("an npx server whose package the repository ships in node_modules: Add Server does not pre-approve it, the question warns, an approval from before does not cover it", async () => {
    const beta = host.registry.get('beta')!.definition!;
    const shadowed = { ...beta, name: 'shadowed', command: 'npx', args: ['-y', 'shadowed-mcp@1.0.0'] } as ServerDefinition;
    const bin = workspaceFile('node_modules', '.bin', 'shadowed-mcp');
    try {
      // Approved while the folder had no copy of its own; then a pull adds one: not covered, and the launch says why.
      dialogs.confirmations.length = 0;
      assert.deepStrictEqual((await host.trust.mayStart([shadowed])).get('shadowed'), { allowed: true });
      await writeFile(bin, '#!/usr/bin/env node\nconsole.log("the repository\'s code")\n');
      assert.match(host.trust.launchRefusal(shadowed, undefined) ?? '', /^Not started: the workspace's files that decide what its npx runs \(a package\.json bin, node_modules, an \.npmrc, a yarn setting, a bunfig\.toml\) changed after you approved the server/);
      // What "Add Server…" writes for an npm package the user typed is not approved unseen while the repository ships its own.
      const withdraw = await host.trust.approveWritten(shadowed);
      assert.ok(!host.trust.isApproved(shadowed, undefined), 'approved an npx server that runs the repository\'s own copy');
      await withdraw();
      // The question says so, and its answer is bound to it.
      dialogs.serversAsked.length = 0;
      assert.deepStrictEqual((await host.trust.mayStart([shadowed])).get('shadowed'), { allowed: true });
      assert.deepStrictEqual(dialogs.confirmations, [['shadowed'], ['shadowed']]);
      const preview = dialogs.serversAsked[0]!.preview;
      assert.match(preview.warnings.join('\n'), /^npx runs the workspace's own node_modules\/\.bin\/shadowed-mcp, not the package shadowed-mcp from the registry/);
      assert.match(trustDetail(dialogs.serversAsked), /⚠ npx runs the workspace's own node_modules\/\.bin\/shadowed-mcp/);
      assert.strictEqual(host.trust.launchRefusal(shadowed, undefined), undefined);
    } finally {
      await vscode.workspace.fs.delete(workspaceFile('node_modules'), { recursive: true });
    }
  });

  it('says why a start is refused at launch: a definition changed since its approval, or the approval withdrawn meanwhile', async () => {
    const beta = host.registry.get('beta')!.definition!;
    const why = { ...beta, name: 'why', args: [...(beta.type === 'stdio' ? beta.args : []), '--why'] } as ServerDefinition;
    assert.deepStrictEqual((await host.trust.mayStart([why])).get('why'), { allowed: true });
    assert.strictEqual(host.trust.launchRefusal(why, undefined), undefined);
    const edited = { ...why, args: [...(why.type === 'stdio' ? why.args : []), '--edited'] } as ServerDefinition;
    assert.match(host.trust.launchRefusal(edited, undefined) ?? '', /^Not started: its definition changed after you approved the server/);
    await vscode.commands.executeCommand(Commands.resetServerTrust);
    assert.match(host.trust.launchRefusal(why, undefined) ?? '', /^Not started: its approval was withdrawn \(Reset Server Trust\)/);
    // beta keeps running (a reset stops nothing); approved again, as the tests after this one expect.
    assert.deepStrictEqual((await host.trust.mayStart([beta])).get('beta'), { allowed: true });
  });

  it('adds only its own answer to the approvals another window shares: a Reset Server Trust or an approval made there while this window asks stays', async () => {
    // Two windows share the global state; each window's ServerTrust reads it as VS Code's memento shows it then.
    const stored = new Map<string, unknown>();
    const shared = {
      keys: () => [...stored.keys()],
      get: <T>(key: string, defaultValue?: T) => (stored.has(key) ? (stored.get(key) as T) : defaultValue),
      update: async (key: string, value: unknown) => void (value === undefined ? stored.delete(key) : stored.set(key, value)),
    } as vscode.Memento;
    const beta = host.registry.get('beta')!.definition!;
    const named = (name: string) => ({ ...beta, name, args: [...(beta.type === 'stdio' ? beta.args : []), `--${name}`] }) as ServerDefinition;
    const [old, mine, theirs] = [named('old'), named('mine'), named('theirs')];
    let meanwhile = async () => {};
    const dialog = { confirmServers: async (servers: readonly ServerToTrust[]) => (await meanwhile(), servers) };
    const here = new ServerTrust(shared, () => dialog);
    const there = new ServerTrust(shared, () => ({ confirmServers: async (servers: readonly ServerToTrust[]) => servers }));
    assert.deepStrictEqual((await here.mayStart([old])).get('old'), { allowed: true });

    // The other window resets, then approves a server of its own, while this window's dialog is open.
    meanwhile = async () => {
      await there.reset();
      assert.deepStrictEqual((await there.mayStart([theirs])).get('theirs'), { allowed: true });
    };
    assert.deepStrictEqual((await here.mayStart([mine])).get('mine'), { allowed: true });
    assert.strictEqual(here.launchRefusal(mine, undefined), undefined, 'the answer given here is stored');
    assert.strictEqual(here.launchRefusal(theirs, undefined), undefined, "the other window's approval is kept");
    assert.match(here.launchRefusal(old, undefined) ?? '', /^Not started: its approval was withdrawn \(Reset Server Trust\)/, 'the reset is not undone');
  });

  it('shows what a workspace server runs (variables expanded, env file included) and asks again when its env file changes', async () => {
    const envFile = workspaceFile('mcp-test.env');
    await writeFile(envFile, 'MODE=fast\nAPI_TOKEN=from-the-env-file\n');
    dialogs.confirmations.length = 0;
    dialogs.serversAsked.length = 0;
    await write({ beta: entry({ env: { EDITED: '1' } }), envy: entry({ env: { ROOT: '${workspaceFolder}/data' }, envFile: '${workspaceFolder}/mcp-test.env' }) });
    await until(() => state('envy') === 'running', 'envy to run');
    assert.deepStrictEqual(dialogs.confirmations, [['envy']]);
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const first = dialogs.serversAsked[0]!;
    assert.ok(first.preview.type === 'stdio');
    assert.deepStrictEqual(
      first.preview.env.map(v => `${v.name}=${v.value}`),
      [`ROOT=${folder}/data`, 'MODE=fast', 'API_TOKEN=***'],
      'the dialog shows expanded values and the env file, masking the secret',
    );
    const detail = trustDetail(dialogs.serversAsked);
    assert.match(detail, /\n\nIt runs with your permissions\./, 'one server: "It runs"');
    assert.match(trustDetail([first, first]), /\n\nThey run with your permissions\./);
    assert.ok(!detail.includes('from-the-env-file') && !detail.includes('${workspaceFolder}'), detail);

    // A pull adds NODE_OPTIONS to the env file: the next start asks again, and says so loudly.
    await writeFile(envFile, 'MODE=fast\nAPI_TOKEN=from-the-env-file\nNODE_OPTIONS=--max-old-space-size=256\n');
    dialogs.confirmations.length = 0;
    dialogs.serversAsked.length = 0;
    await vscode.commands.executeCommand(Commands.restartServer, 'envy');
    await until(() => dialogs.confirmations.length > 0 && state('envy') === 'running', 'envy to be asked about again and run');
    assert.deepStrictEqual(dialogs.confirmations, [['envy']], 'a changed env file started without asking');
    assert.match(dialogs.serversAsked[0]!.preview.warnings.join('\n'), /NODE_OPTIONS is set by the env file \(--max-old-space-size=256\): it can make Node load and run other code/);
    await vscode.workspace.fs.delete(envFile);
  });

  it('starts only the servers chosen in the dialog ("Choose…"), each shown where it is defined relative to its folder; the others are declined', async () => {
    dialogs.confirmations.length = 0;
    dialogs.serversAsked.length = 0;
    dialogs.approveOnly = ['trusted'];
    try {
      await write({ beta: entry({ env: { EDITED: '1' } }), trusted: entry({ env: { WHO: 'trusted' } }), doubtful: entry({ env: { WHO: 'doubtful' } }) });
      await until(() => state('trusted') === 'running' && state('doubtful') === 'blocked', 'trusted to run and doubtful to be declined');
      assert.deepStrictEqual(dialogs.confirmations, [['doubtful', 'trusted']], 'one question for both');
      const doubtful = host.registry.get('doubtful')!.connection.state;
      assert.ok(doubtful.kind === 'blocked' && doubtful.reason === 'notApproved', JSON.stringify(doubtful));
      // Only the chosen one's approval is stored, bound to its definition.
      assert.ok(host.trust.isApproved(host.registry.get('trusted')!.definition!, undefined));
      assert.ok(!host.trust.isApproved(host.registry.get('doubtful')!.definition!, undefined));
      // Where each is defined, as the tree says it: relative to its folder, never the absolute path.
      const folder = vscode.workspace.workspaceFolders![0]!;
      const detail = trustDetail(dialogs.serversAsked);
      assert.match(detail, new RegExp(`• trusted — defined in \\.vscode/mcp\\.json \\(${folder.name}\\)\n`));
      assert.ok(!detail.includes(`defined in ${folder.uri.fsPath}`), detail);
      const row = trustRow(dialogs.serversAsked.find(s => s.definition.name === 'trusted')!);
      assert.deepStrictEqual([row.name, row.description], ['trusted', `stdio · .vscode/mcp.json (${folder.name})`]);
      assert.match(row.detail, /^runs: .*server-everything/);
      // Declined stays declined until the user starts it; then it is asked about alone.
      dialogs.approveOnly = undefined;
      dialogs.confirmations.length = 0;
      await vscode.commands.executeCommand(Commands.startServer, 'doubtful');
      await until(() => state('doubtful') === 'running', 'doubtful to run once approved');
      assert.deepStrictEqual(dialogs.confirmations, [['doubtful']]);
    } finally {
      dialogs.approveOnly = undefined;
    }
  });

  it('"Add Server…" starts what the user just described without a trust question, asks again once the entry is edited, and still asks for what a caller described', async () => {
    dialogs.confirmations.length = 0;
    await write({ beta: entry({ env: { EDITED: '1' } }) });
    await until(() => !host.registry.get('trusted'), 'the servers of the last test to go');
    // Each is a definition of its own (a server's approval is bound to what runs, not to its name): stdio is the default transport.
    const commandLine = `${JSON.stringify(node)} ${JSON.stringify(everythingServer())} stdio`;
    dialogs.newServers = [{ answers: { kind: 'command', commandLine }, name: 'typed' }];
    const file = await vscode.commands.executeCommand<vscode.Uri>(Commands.addServer);
    assert.ok(file, 'the command wrote the entry');
    await until(() => state('typed') === 'running', 'the server the user typed to run');
    assert.deepStrictEqual(dialogs.confirmations, [], 'asked to trust what the user had just typed');

    // Bound to that definition: the entry edited (an env variable added), the next start asks.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const edited = JSON.parse(fs.readFileSync(config.fsPath, 'utf8'));
    edited.servers.typed.env = { EDITED: '1' };
    await writeFile(config, JSON.stringify(edited, null, 2));
    await until(() => dialogs.confirmations.length > 0 && state('typed') === 'running', 'the edited server to be asked about and run');
    assert.deepStrictEqual(dialogs.confirmations, [['typed']]);

    // What a caller described (another extension, a link) is confirmed, then asked about as before.
    dialogs.confirmations.length = 0;
    await vscode.commands.executeCommand(Commands.addServer, { answers: { kind: 'command', commandLine: `${JSON.stringify(node)} --no-warnings ${JSON.stringify(everythingServer())} stdio` }, name: 'described' });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await until(() => state('described') === 'running', 'the described server to run once approved');
    assert.deepStrictEqual(dialogs.confirmations, [['described']], 'a caller\'s server started without the trust question');
  });

  it('"Add Server…" withdraws its approval when the file cannot be written: the entry saved later is asked about (review13 NIT)', async () => {
    dialogs.confirmations.length = 0;
    await write({ beta: entry({ env: { EDITED: '1' } }) });
    await until(() => !host.registry.get('typed'), 'the servers of the last test to go');
    // A real failing write: the file cannot be changed on disk (root ignores file modes, not the immutable flag).
    const root = process.getuid?.() === 0;
    const lock = (on: boolean) => (root ? execFileSync('chattr', [on ? '+i' : '-i', config.fsPath]) : fs.chmodSync(config.fsPath, on ? 0o444 : 0o644));
    lock(true);
    let file: vscode.Uri | undefined;
    try {
      assert.throws(() => fs.appendFileSync(config.fsPath, ' '), 'the file is still writable: the test proves nothing');
      dialogs.newServers = [{ answers: { kind: 'command', commandLine: `${JSON.stringify(node)} --no-deprecation ${JSON.stringify(everythingServer())} stdio` }, name: 'unwritten' }];
      file = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.addServer);
    } finally {
      lock(false);
    }
    const document = await vscode.workspace.openTextDocument(config);
    try {
      assert.strictEqual(file, undefined, 'Add Server… reported a write that failed as done');
      assert.ok(!fs.readFileSync(config.fsPath, 'utf8').includes('unwritten'));
      // The entry is still in the editor, unsaved; saved now (by the user, later), the server is asked about.
      assert.ok(document.isDirty && document.getText().includes('"unwritten"'), 'the entry is not left in the editor');
      assert.ok(await document.save());
      await until(() => dialogs.confirmations.some(c => c.includes('unwritten')) && state('unwritten') === 'running', 'the saved entry to be asked about and run');
      assert.deepStrictEqual(dialogs.confirmations, [['unwritten']], 'the approval of a write that failed still applied');
    } finally {
      // A failure above must stay one failure: the next tests read this file, so an unsaved edit must not outlive it.
      if (document.isDirty) {
        await vscode.window.showTextDocument(document);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }
  });

  it("looks through an npx server's folders once per start (twice when it asked between), and not when the tree draws its row", async () => {
    // A program called npx (what counts is the name) that runs the fixture server offline, whatever package it is given.
    const tools = workspaceFile('.tools');
    const npx = vscode.Uri.joinPath(tools, 'npx').fsPath;
    fs.mkdirSync(tools.fsPath, { recursive: true });
    fs.writeFileSync(npx, `#!/bin/sh\nexec ${JSON.stringify(node)} --no-deprecation ${JSON.stringify(everythingServer())} stdio\n`, { mode: 0o755 });
    const walks = api.npxFolderWalks;
    try {
      dialogs.confirmations.length = 0;
      let before = walks();
      await write({ beta: entry({ env: { EDITED: '1' } }), walked: { command: npx, args: ['-y', 'walked-mcp'] } });
      await until(() => state('walked') === 'running', 'the npx server to run');
      assert.deepStrictEqual(dialogs.confirmations, [['walked']]);
      // One look for the question and its answer's key, one at launch (the folders may have changed while it was open).
      assert.strictEqual(walks() - before, 2, 'looks at its folders for a start that asked');
      await host.registry.stop('walked');
      before = walks();
      await host.registry.start('walked');
      await until(() => state('walked') === 'running', 'the npx server to run again');
      assert.strictEqual(walks() - before, 1, 'looks at its folders for a start of an approved server');

      // The tree draws the row on every state change; its tooltip (the launch preview, which looks) only when hovered.
      const provider = api.serversView.provider;
      const row = (await provider.getChildren()).find(n => n.kind === 'server' && n.name === 'walked')!;
      before = walks();
      for (let i = 0; i < 5; i++) assert.strictEqual(provider.getTreeItem(row).tooltip, undefined);
      assert.strictEqual(walks() - before, 0, 'looks at its folders when the tree draws its row');
      const tooltip = (provider.resolveTreeItem(provider.getTreeItem(row), row).tooltip as vscode.MarkdownString).value;
      assert.ok(tooltip.includes('walked-mcp'), tooltip);
      assert.strictEqual(walks() - before, 1, 'the hovered tooltip looks once');

      // A decision's look stands for its launch only briefly (DECIDED_LOOK_MS, 2 s): a package written 2.5 s after it is seen.
      const def = host.registry.get('walked')!.definition!;
      assert.strictEqual((await host.trust.mayStart([def])).get('walked')?.allowed, true);
      await new Promise(resolve => setTimeout(resolve, 2_500));
      const modules = workspaceFile('node_modules').fsPath;
      assert.ok(!fs.existsSync(modules), 'the test workspace has a node_modules of its own');
      fs.mkdirSync(vscode.Uri.joinPath(workspaceFile('node_modules'), '.bin').fsPath, { recursive: true });
      fs.writeFileSync(vscode.Uri.joinPath(workspaceFile('node_modules'), '.bin', 'walked-mcp').fsPath, '#!/bin/sh\n', { mode: 0o755 });
      try {
        // The old window (10 s) let the launch use the decision's look: started with the unseen package.
        assert.match(host.trust.launchRefusal(def, undefined, true) ?? 'launched', /^Not started: the workspace's files that decide what its npx runs/);
      } finally {
        fs.rmSync(modules, { recursive: true, force: true });
      }
    } finally {
      await write({ beta: entry({ env: { EDITED: '1' } }) });
      await until(() => !host.registry.get('walked'), 'the npx server to go');
      fs.rmSync(tools.fsPath, { recursive: true, force: true });
    }
  });

  it('reads a 10 MB config file whole: every server in it, none lost (config16 walk)', async () => {
    // One entry holds a 10 MB value (a pasted blob), around it ordinary servers; disabled, so nothing spawns with it.
    const big = { type: 'stdio', command: node, args: ['x'.repeat(10 * 1024 * 1024)], disabled: true };
    const text = JSON.stringify({ servers: { before: entry({ env: { SIDE: 'before' } }), big, after: entry({ env: { SIDE: 'after' } }) } });
    const started = Date.now();
    await writeFile(config, text);
    await until(() => state('before') === 'running' && state('after') === 'running' && state('big') === 'blocked', 'the servers around the 10 MB entry to run', 60_000);
    console.log(`    (10 MB config: read, applied and two servers running in ${Date.now() - started} ms on this machine)`);
    const read = host.registry.get('big')!.definition!;
    assert.strictEqual(read.type === 'stdio' && read.args[0]!.length, 10 * 1024 * 1024);
    await write({ beta: entry({ env: { EDITED: '1' } }) });
    await until(() => !host.registry.get('big') && !host.registry.get('before'), 'the 10 MB file to be replaced');
  });

  it("resolves ${workspaceFolder} of a server in the user's settings to the open folder, as VS Code does (config16)", async () => {
    const config = vscode.workspace.getConfiguration(Settings.section);
    const folder = vscode.workspace.workspaceFolders![0]!;
    await config.update(Settings.servers, { 'user-wf': { ...entry(), env: { MCP_HOST_WF: '${workspaceFolder}', MCP_HOST_WFB: '${workspaceFolderBasename}' } } }, vscode.ConfigurationTarget.Global);
    try {
      // Before, it never started: "${workspaceFolder} needs an open workspace folder", with this folder open.
      await until(() => state('user-wf') === 'running' || state('user-wf') === 'error', 'the user server to start or fail');
      assert.strictEqual(state('user-wf'), 'running', JSON.stringify(host.registry.get('user-wf')?.connection.state));
      const environ = fs.readFileSync(`/proc/${pid('user-wf')}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes(`MCP_HOST_WF=${folder.uri.fsPath}`), environ.filter(e => e.startsWith('MCP_HOST_')).join(' '));
      assert.ok(environ.includes(`MCP_HOST_WFB=${folder.name}`));
    } finally {
      await config.update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
      await until(() => !host.registry.get('user-wf'), 'the user server to go');
    }
  });

  it('stops every server and its process when the host shuts down', async () => {
    // Its own servers, not the last test's: one failure above stays one failure.
    await write({ beta: entry({ env: { EDITED: '1' } }), last: entry({ env: { WHO: 'last' } }) });
    await until(() => state('beta') === 'running' && state('last') === 'running', 'beta and last to run');
    const pids = host.registry.servers.map(s => s.connection.pid).filter((p): p is number => p !== undefined);
    assert.ok(pids.length >= 2);
    await host.registry.shutdown();
    for (const p of pids) assert.ok(!isAlive(p), `process ${p} outlived the host`);
  });
});
