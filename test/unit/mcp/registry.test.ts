import * as assert from 'assert';
import { waitForEvent } from '../../../src/common/event';
import { parseConfigText } from '../../../src/config/parse';
import type { ConfigOrigin, ServerDefinition } from '../../../src/config/types';
import { isAlive } from '../../../src/mcp/transports/processTree';
import { ServerRegistry, StartDecision } from '../../../src/mcp/registry';
import { MemoryLog } from '../../../src/mcp/log';
import { everythingServer } from '../servers';

const origin: ConfigOrigin = { kind: 'workspaceVscode', file: '/ws/.vscode/mcp.json', folder: '/ws', label: '.vscode/mcp.json' };

function config(servers: Record<string, unknown>) {
  const parsed = parseConfigText(JSON.stringify({ servers }), origin, 'vscode');
  return { servers: parsed.servers, problems: parsed.problems };
}

const everything = (extraArg?: string) => ({ type: 'stdio', command: process.execPath, args: extraArg ? [everythingServer, 'stdio', extraArg] : [everythingServer] });

function registry(decide: (d: ServerDefinition) => StartDecision = () => ({ allowed: true })) {
  const asked: string[][] = [];
  const logs = new Map<string, MemoryLog & { disposed?: boolean }>();
  const reg = new ServerRegistry({
    createLog: name => {
      const log = Object.assign(new MemoryLog(), { dispose: () => (log.disposed = true) }) as MemoryLog & { disposed?: boolean; dispose(): void };
      logs.set(name, log);
      return log;
    },
    plan: async def => {
      if (def.type !== 'stdio') throw new Error('stdio only in this test');
      return { launch: { type: 'stdio', command: def.command, args: def.args, env: def.env }, timeouts: def.timeouts, secrets: [] };
    },
    mayStart: async defs => {
      asked.push(defs.map(d => d.name));
      return new Map(defs.map(d => [d.name, decide(d)]));
    },
    handlers: { roots: () => [] },
    clientInfo: { name: 'test', version: '0' },
    connectionDefaults: { grace: { stdinMs: 300, termMs: 300 } },
  });
  return { reg, asked, logs };
}

const pidOf = (reg: ServerRegistry, name: string) => reg.get(name)!.connection.pid;

describe('ServerRegistry', function () {
  this.timeout(60_000);

  it('starts every server, restarts only the edited one, and stops removed ones', async () => {
    const { reg, asked } = registry();
    try {
      await reg.apply(config({ a: everything(), b: everything() }));
      assert.deepStrictEqual(asked, [['a', 'b']], 'both servers should be approved in one question');
      assert.strictEqual(reg.stateOf('a')?.kind, 'running');
      assert.strictEqual(reg.stateOf('b')?.kind, 'running');
      const [pidA, pidB] = [pidOf(reg, 'a')!, pidOf(reg, 'b')!];

      await reg.apply(config({ a: everything(), b: { ...everything(), env: { CHANGED: '1' } } }));
      assert.strictEqual(pidOf(reg, 'a'), pidA, 'the unchanged server was restarted');
      assert.notStrictEqual(pidOf(reg, 'b'), pidB, 'the edited server was not restarted');
      assert.ok(!isAlive(pidB), 'the edited server\'s old process is still alive');
      assert.strictEqual(reg.stateOf('b')?.kind, 'running');

      await reg.apply(config({ b: { ...everything(), env: { CHANGED: '1' } } }));
      assert.strictEqual(reg.get('a'), undefined);
      assert.ok(!isAlive(pidA), 'the removed server\'s process is still alive');
    } finally {
      await reg.shutdown();
    }
  });

  it('keeps a server that may not start blocked, with the reason', async () => {
    const { reg } = registry(() => ({ allowed: false, reason: 'notApproved', message: 'Not approved by the user' }));
    try {
      await reg.apply(config({ a: everything() }));
      assert.deepStrictEqual(reg.stateOf('a'), { kind: 'blocked', reason: 'notApproved', message: 'Not approved by the user' });
      assert.strictEqual(pidOf(reg, 'a'), undefined);
    } finally {
      await reg.shutdown();
    }
  });

  it('shows a broken entry as blocked while the valid ones run', async () => {
    const { reg } = registry();
    try {
      await reg.apply(config({ good: everything(), broken: { type: 'stdio', command: 42 } }));
      assert.strictEqual(reg.stateOf('good')?.kind, 'running');
      const broken = reg.stateOf('broken');
      assert.ok(broken?.kind === 'blocked' && broken.reason === 'invalidConfig', JSON.stringify(broken));
      assert.ok(reg.get('broken')!.problems.length > 0);
    } finally {
      await reg.shutdown();
    }
  });

  it('does not start disabled servers', async () => {
    const { reg, asked } = registry();
    try {
      await reg.apply(config({ off: { ...everything(), disabled: true } }));
      assert.deepStrictEqual(asked, []);
      assert.deepStrictEqual(reg.stateOf('off'), { kind: 'blocked', reason: 'disabled', message: 'Disabled in config' });
    } finally {
      await reg.shutdown();
    }
  });

  it('builds one catalog across servers and updates it on list_changed', async () => {
    const { reg } = registry();
    try {
      await reg.apply(config({ one: everything(), two: { ...everything(), disabledTools: ['echo'] } }));
      const names = reg.catalog().map(t => t.qualifiedName);
      assert.ok(names.includes('one_echo'));
      assert.ok(!names.includes('two_echo'), 'disabled tool reached the catalog');
      assert.ok(names.includes('two_get-sum'));
      const changed = waitForEvent(reg.onDidChangeTools, () => true, 10_000);
      await reg.stop('one');
      await changed;
      assert.ok(!reg.catalog().some(t => t.server === 'one'));
    } finally {
      await reg.shutdown();
    }
  });

  it('disposes each server\'s log with the server', async () => {
    const { reg, logs } = registry();
    await reg.apply(config({ a: everything() }));
    await reg.apply(config({}));
    assert.strictEqual(logs.get('a')!.disposed, true);
    await reg.shutdown();
  });
});
