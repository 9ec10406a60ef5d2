import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Commands } from '../../../src/ids';
import type { ConnectionState } from '../../../src/mcp/connectionState';
import type { ServerEntry } from '../../../src/mcp/registry';
import { serverActions, serverContextValue, type ServerAction, type ServerFacts } from '../../../src/ui/tree/treeText';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The command each action runs: what the status bar's pick runs for it (src/ui/statusBar.ts). */
const COMMAND: Record<ServerAction, string> = {
  signIn: Commands.signIn,
  start: Commands.startServer,
  stop: Commands.stopServer,
  restart: Commands.restartServer,
  showLog: Commands.showLog,
  openConfig: Commands.openServerConfig,
  signOut: Commands.signOut,
};

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

/** Whether a `view/item/context` entry's when clause holds for a row of the servers view with this contextValue. */
function shows(item: MenuItem, contextValue: string): boolean {
  const when = item.when ?? '';
  if (!when.includes('view == mcpHost.servers')) return false;
  const regex = /viewItem =~ \/(.*)\/([a-z]*)/.exec(when);
  if (regex) return new RegExp(regex[1]!, regex[2]).test(contextValue);
  const equal = /viewItem == (\S+)/.exec(when);
  return equal ? equal[1] === contextValue : false;
}

/** The commands of the tree's context menu (or its inline buttons) for a row, in the order VS Code shows them. */
function menu(contextValue: string, inline: boolean): string[] {
  const order = (group = '') => {
    const [name, at] = group.split('@');
    return [name ?? '', Number(at ?? 0)] as const;
  };
  return (manifest.contributes.menus['view/item/context'] as MenuItem[])
    .filter(i => (i.group ?? '').startsWith('inline') === inline && shows(i, contextValue))
    .sort((a, b) => {
      const [ga, na] = order(a.group);
      const [gb, nb] = order(b.group);
      return ga === gb ? na - nb : ga < gb ? -1 : 1;
    })
    .map(i => i.command);
}

/** A server row as the tree sees it: plain data, the connection's state and facts. */
function entry(state: ConnectionState, facts: Partial<ServerFacts> = {}): ServerEntry {
  return { name: 's', definition: undefined, hash: undefined, problems: [], connection: { state, launched: false, signsIn: false, ...facts } } as unknown as ServerEntry;
}

const error = (restartAt?: number): ConnectionState => ({ kind: 'error', message: 'The server exited with code 3', stderrTail: [], attempt: 1, ...(restartAt ? { restartAt } : {}) });

const cases: Array<[string, ServerEntry, ServerAction[]]> = [
  ['never started (stopped)', entry({ kind: 'stopped' }), ['start', 'openConfig']],
  ['stopped after running', entry({ kind: 'stopped' }, { launched: true }), ['start', 'showLog', 'openConfig']],
  ['declined, never started', entry({ kind: 'blocked', reason: 'notApproved', message: 'Not started: you declined. Use Start to be asked again' }), ['start', 'openConfig']],
  ['declined after a run (its definition changed)', entry({ kind: 'blocked', reason: 'notApproved', message: 'x' }, { launched: true }), ['start', 'showLog', 'openConfig']],
  ['Restricted Mode', entry({ kind: 'blocked', reason: 'workspaceUntrusted', message: 'x' }), ['start', 'openConfig']],
  ['disabled', entry({ kind: 'blocked', reason: 'disabled', message: 'Disabled in config' }), ['start', 'openConfig']],
  ['an invalid entry', entry({ kind: 'blocked', reason: 'invalidConfig', message: 'x' }), ['openConfig']],
  ['starting', entry({ kind: 'starting', attempt: 1 }, { launched: true }), ['stop', 'showLog', 'openConfig']],
  ['running', entry({ kind: 'running' } as ConnectionState, { launched: true }), ['stop', 'restart', 'showLog', 'openConfig']],
  ['failed', entry(error(), { launched: true }), ['restart', 'showLog', 'openConfig']],
  ['failed, restarting by itself soon', entry(error(Date.now() + 5_000), { launched: true }), ['stop', 'restart', 'showLog', 'openConfig']],
  ['needs sign-in, signed in before', entry({ kind: 'needsSignIn', host: 'auth.example', scopes: [], reason: 'expired' }, { launched: true, signsIn: true }), ['signIn', 'signOut', 'showLog', 'openConfig']],
  ['running, signs in', entry({ kind: 'running' } as ConnectionState, { launched: true, signsIn: true }), ['stop', 'restart', 'signOut', 'showLog', 'openConfig']],
];

describe('a server\'s actions: the same in the status bar\'s pick, the tree\'s context menu and its inline buttons', () => {
  for (const [what, e, expected] of cases) {
    it(what, () => {
      const actions = serverActions(e.connection.state, { launched: e.connection.launched, signsIn: e.connection.signsIn });
      assert.deepStrictEqual(actions, expected, 'the status bar pick');
      const contextValue = serverContextValue(e);
      assert.deepStrictEqual(menu(contextValue, false), expected.map(a => COMMAND[a]), `the context menu of ${contextValue}`);
      // Inline: the same actions but Sign Out (the menu has it), so no button does what the menu would not.
      assert.deepStrictEqual(menu(contextValue, true).sort(), expected.filter(a => a !== 'signOut').map(a => COMMAND[a]).sort(), `the inline buttons of ${contextValue}`);
    });
  }

  it('offers no server action on rows that are not servers', () => {
    for (const other of ['tool', 'tool.saved', 'prompt', 'resource', 'group.tools', 'group.resources.more', 'action', 'info', 'savedCall']) {
      assert.deepStrictEqual(menu(other, false).filter(c => Object.values(COMMAND).includes(c)), [], other);
    }
  });
});
