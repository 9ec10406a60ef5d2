import * as assert from 'assert';
import type { Tool } from '@modelcontextprotocol/client';
import { toolDefinitionHash } from '../../../src/mcp/catalog';
import { ApprovalMemento, ApprovalStore } from '../../../src/consent/approvalStore';
import { ApprovalIndex, type ApprovalLookup, approvedDefinition, type ConsentQuestion, ConsentSettings, decideConsent, DEFAULT_CONSENT_SETTINGS, StoredApproval } from '../../../src/consent/policy';
import type { ConfigSourceKind } from '../../../src/config/types';

const echo: Tool = {
  name: 'echo',
  title: 'Echo',
  description: 'Echoes text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  annotations: { readOnlyHint: true },
};
const wipe: Tool = { name: 'wipe', description: 'Deletes everything', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } };

/** Identities stand for `serverIdentity(definition)`; the tests of that function are in hash.test.ts. */
function question(tool: Tool, server = 'fs', serverOrigin: ConfigSourceKind = 'workspaceVscode', serverIdentity = `${serverOrigin}/${server}`) {
  return { server, serverOrigin, serverOriginLabel: serverOrigin === 'userSettings' ? 'User Settings' : '.vscode/mcp.json', serverIdentity, tool, definitionHash: toolDefinitionHash(tool) };
}

function approval(tool: Tool, scope: StoredApproval['scope'], extra: Partial<StoredApproval> = {}): StoredApproval {
  const server = extra.server ?? 'fs';
  return {
    server,
    tool: tool.name,
    serverIdentity: `workspaceVscode/${server}`,
    serverOrigin: 'workspaceVscode',
    serverOriginLabel: '.vscode/mcp.json',
    scope,
    definitionHash: toolDefinitionHash(tool),
    definition: approvedDefinition(tool),
    approvedAt: 1000,
    ...extra,
  };
}

/** A `vscode.Memento` stand-in that keeps values the way workspaceState does: JSON round-tripped. */
class JsonMemento implements ApprovalMemento {
  readonly values = new Map<string, string>();
  get<T>(key: string, defaultValue: T): T {
    const v = this.values.get(key);
    return v === undefined ? defaultValue : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.stringify(value));
  }
}

/** Decides against a list (indexed as the store indexes it) or against a store itself. */
function decide(q: ConsentQuestion, settings: ConsentSettings, approvals: readonly StoredApproval[] | ApprovalLookup) {
  return decideConsent(q, settings, Array.isArray(approvals) ? new ApprovalIndex(approvals) : (approvals as ApprovalLookup));
}

describe('consent policy', () => {
  const none = DEFAULT_CONSENT_SETTINGS;

  it('asks when nothing approves the call, and by default even for read-only tools', () => {
    assert.deepStrictEqual(decide(question(echo), none, []), { kind: 'ask' });
    assert.deepStrictEqual(decide(question(wipe), none, []), { kind: 'ask' });
  });

  it('allows a tool approved for the session or always, for exactly that definition', () => {
    assert.deepStrictEqual(decide(question(wipe), none, [approval(wipe, 'session')]), { kind: 'allow', reason: 'approvedForSession' });
    assert.deepStrictEqual(decide(question(wipe), none, [approval(wipe, 'always')]), { kind: 'allow', reason: 'approvedInWorkspace' });
    assert.deepStrictEqual(decide(question(wipe), none, [approval(wipe, 'session'), approval(wipe, 'always')]), { kind: 'allow', reason: 'approvedInWorkspace' });
  });

  it('does not carry an approval to another tool, another server, or the same name from another source', () => {
    assert.strictEqual(decide(question(echo), none, [approval(wipe, 'always')]).kind, 'ask');
    assert.strictEqual(decide(question(wipe, 'other'), none, [approval(wipe, 'always')]).kind, 'ask');
    assert.strictEqual(decide(question(wipe, 'fs', 'userSettings'), none, [approval(wipe, 'always')]).kind, 'ask');
  });

  it('does not carry an approval to a same-named server with another identity (another folder, a rewritten command)', () => {
    const elsewhere = { ...question(wipe, 'fs', 'workspaceVscode', 'folder-b/fs'), serverOriginLabel: '.vscode/mcp.json (b)' };
    assert.deepStrictEqual(decide(elsewhere, none, [approval(wipe, 'always'), approval(wipe, 'session')]), { kind: 'ask' });
    // Each identity keeps its own approvals side by side.
    assert.strictEqual(decide(elsewhere, none, [approval(wipe, 'always'), approval(wipe, 'session', { serverIdentity: 'folder-b/fs' })]).kind, 'allow');
    // The same entry of the same file, redefined (a rewritten command): asked, and told the server was redefined.
    const rewritten = question(wipe, 'fs', 'workspaceVscode', 'rewritten/fs');
    const decision = decide(rewritten, none, [approval(wipe, 'always', { approvedAt: 7 })]);
    assert.deepStrictEqual(decision, { kind: 'ask', changedSince: { previousHash: toolDefinitionHash(wipe), approvedAt: 7, changes: [], serverRedefined: true } });
  });

  it('asks again when the server changed the tool after approval, and says what changed', () => {
    const changed: Tool = { ...wipe, description: 'Deletes everything, including backups', annotations: { destructiveHint: true, openWorldHint: true } };
    const decision = decide(question(changed), none, [approval(wipe, 'always', { approvedAt: 42 })]);
    assert.strictEqual(decision.kind, 'ask');
    assert.ok(decision.kind === 'ask' && decision.changedSince);
    assert.strictEqual(decision.changedSince.previousHash, toolDefinitionHash(wipe));
    assert.strictEqual(decision.changedSince.approvedAt, 42);
    assert.deepStrictEqual(decision.changedSince.changes, [
      { field: 'description', before: 'Deletes everything', after: 'Deletes everything, including backups' },
      { field: 'annotations', before: '{"destructiveHint":true}', after: '{"destructiveHint":true,"openWorldHint":true}' },
    ]);
  });

  it('reports schema, title and added or removed fields, cutting long values', () => {
    const changed: Tool = { ...echo, title: undefined, inputSchema: { type: 'object', properties: { text: { type: 'string' }, path: { type: 'string', description: 'x'.repeat(400) } } } } as Tool;
    const decision = decide(question(changed), none, [approval(echo, 'session')]);
    assert.ok(decision.kind === 'ask' && decision.changedSince);
    const fields = decision.changedSince.changes.map(c => c.field);
    assert.deepStrictEqual(fields, ['title', 'inputSchema']);
    const title = decision.changedSince.changes[0]!;
    assert.strictEqual(title.before, 'Echo');
    assert.strictEqual(title.after, undefined);
    assert.match(decision.changedSince.changes[1]!.after!, /… \(\d+ more characters\)$/);
  });

  it('auto-approves read-only tools only when the user turned it on', () => {
    const on: ConsentSettings = { autoApproveReadOnly: true, trustedServers: [] };
    assert.deepStrictEqual(decide(question(echo), on, []), { kind: 'allow', reason: 'readOnly' });
    assert.strictEqual(decide(question(wipe), on, []).kind, 'ask');
    const hintFalse: Tool = { ...echo, annotations: { readOnlyHint: false } };
    assert.strictEqual(decide(question(hintFalse), on, []).kind, 'ask');
    const contradictory: Tool = { ...echo, annotations: { readOnlyHint: true, destructiveHint: true } };
    assert.strictEqual(decide(question(contradictory), on, []).kind, 'ask');
    const noHints: Tool = { ...echo, annotations: undefined } as Tool;
    assert.strictEqual(decide(question(noHints), on, []).kind, 'ask');
  });

  it('trusts a named server only when it is defined in the user settings', () => {
    const trusted: ConsentSettings = { autoApproveReadOnly: false, trustedServers: ['fs'] };
    assert.deepStrictEqual(decide(question(wipe, 'fs', 'userSettings'), trusted, []), { kind: 'allow', reason: 'trustedServer' });
    // A repository can define a server under a trusted name; it is not the server the user trusted.
    assert.strictEqual(decide(question(wipe, 'fs', 'workspaceVscode'), trusted, []).kind, 'ask');
    assert.strictEqual(decide(question(wipe, 'fs', 'workspaceClaude'), trusted, []).kind, 'ask');
    assert.strictEqual(decide(question(wipe, 'other', 'userSettings'), trusted, []).kind, 'ask');
  });
});

describe('approval store', () => {
  it('keeps session approvals in memory and "always" in workspace state, surviving a new store (a reload)', async () => {
    const memento = new JsonMemento();
    const store = new ApprovalStore(memento);
    await store.add(approval(echo, 'session'));
    await store.add(approval(wipe, 'always'));
    assert.deepStrictEqual(store.all().map(a => `${a.tool}:${a.scope}`), ['echo:session', 'wipe:always']);
    const reloaded = new ApprovalStore(memento);
    assert.deepStrictEqual(reloaded.all().map(a => `${a.tool}:${a.scope}`), ['wipe:always']);
    assert.strictEqual(decide(question(wipe), DEFAULT_CONSENT_SETTINGS, reloaded).kind, 'allow');
  });

  it('replaces an older approval of the same tool, and "always" supersedes "session"', async () => {
    const store = new ApprovalStore(new JsonMemento());
    await store.add(approval(wipe, 'session', { definitionHash: 'old' }));
    await store.add(approval(wipe, 'session'));
    assert.strictEqual(store.all().length, 1);
    await store.add(approval(wipe, 'always'));
    assert.deepStrictEqual(store.all().map(a => a.scope), ['always']);
  });

  it('revokes chosen approvals, or all of them', async () => {
    const memento = new JsonMemento();
    const store = new ApprovalStore(memento);
    let changes = 0;
    store.onDidChange(() => changes++);
    await store.add(approval(echo, 'session'));
    await store.add(approval(wipe, 'always'));
    await store.add(approval(echo, 'always', { server: 'other' }));
    await store.add(approval(wipe, 'always', { serverIdentity: 'folder-b/fs' }));
    await store.revoke([approval(wipe, 'always')]);
    assert.deepStrictEqual(store.all().map(a => `${a.serverIdentity}/${a.tool}:${a.scope}`), ['workspaceVscode/fs/echo:session', 'workspaceVscode/other/echo:always', 'folder-b/fs/wipe:always']);
    await store.revokeAll();
    assert.deepStrictEqual(store.all(), []);
    assert.deepStrictEqual(new ApprovalStore(memento).all(), []);
    assert.strictEqual(changes, 6);
  });

  it('drops approvals stored before they named a server identity: nothing says which server earned them', async () => {
    const memento = new JsonMemento();
    const { serverIdentity: _, serverOriginLabel: __, ...old } = approval(wipe, 'always');
    await memento.update('mcpHost.toolApprovals', [old]);
    const store = new ApprovalStore(memento);
    assert.deepStrictEqual(store.all(), []);
    assert.deepStrictEqual(decide(question(wipe), DEFAULT_CONSENT_SETTINGS, store), { kind: 'ask' });
    await store.add(approval(echo, 'always'));
    assert.deepStrictEqual(memento.get<StoredApproval[]>('mcpHost.toolApprovals', []).map(a => a.tool), ['echo']);
  });

  it('ignores malformed stored values instead of trusting them', () => {
    const memento = new JsonMemento();
    memento.values.set('mcpHost.toolApprovals', JSON.stringify([{ server: 'fs', tool: 'wipe' }, 'junk', approval(wipe, 'always')]));
    assert.deepStrictEqual(new ApprovalStore(memento).all().map(a => a.tool), ['wipe']);
    memento.values.set('mcpHost.toolApprovals', JSON.stringify({ not: 'an array' }));
    assert.deepStrictEqual(new ApprovalStore(memento).all(), []);
  });

  it('finds a call\'s approvals among 10,000 stored ones without reading or copying the list again', async () => {
    // Keeps the stored object, as workspaceState does (the same object until the key is written), and counts
    // reads of its elements: after the first lookup builds the index, a call reads none of them.
    let reads = 0;
    const values = new Map<string, unknown>();
    const memento: ApprovalMemento = {
      get: <T>(key: string, defaultValue: T) => (values.has(key) ? (values.get(key) as T) : defaultValue),
      update: async (key, value) => {
        const list = JSON.parse(JSON.stringify(value)) as StoredApproval[];
        values.set(key, new Proxy(list, { get: (target, p, receiver) => (typeof p === 'string' && /^\d+$/.test(p) && reads++, Reflect.get(target, p, receiver)) }));
      },
    };
    const many = Array.from({ length: 10_000 }, (_, i) => approval({ ...wipe, name: `tool-${i}` }, 'always', { server: `s${i % 100}`, serverIdentity: `workspaceVscode/s${i % 100}` }));
    await memento.update('mcpHost.toolApprovals', many);
    const store = new ApprovalStore(memento);
    const tool = (i: number): Tool => ({ ...wipe, name: `tool-${i}` });
    assert.strictEqual(decide(question(tool(0), 's0'), DEFAULT_CONSENT_SETTINGS, store).kind, 'allow');
    reads = 0;
    for (let i = 0; i < 1_000; i++) {
      const approved = decide(question(tool(i * 7), `s${(i * 7) % 100}`), DEFAULT_CONSENT_SETTINGS, store);
      assert.strictEqual(approved.kind, 'allow');
      // Another server's tool-N, and a changed definition, are still asked about.
      assert.strictEqual(decide(question(tool(i * 7), `s${(i * 7 + 1) % 100}`), DEFAULT_CONSENT_SETTINGS, store).kind, 'ask');
      assert.strictEqual(decide(question({ ...tool(i * 7), description: 'changed' }, `s${(i * 7) % 100}`), DEFAULT_CONSENT_SETTINGS, store).kind, 'ask');
    }
    assert.strictEqual(reads, 0);
    // The bucket itself, not a copy, and only the matching approvals.
    const bucket = store.ofTool('workspaceVscode/s7', 'tool-7');
    assert.strictEqual(store.ofTool('workspaceVscode/s7', 'tool-7'), bucket);
    assert.deepStrictEqual(bucket.map(a => `${a.serverIdentity}/${a.tool}`), ['workspaceVscode/s7/tool-7']);

    // A write, by this store or another on the same memento (a reload), is seen by the next lookup.
    await store.revoke([many[7]!]);
    assert.strictEqual(decide(question(tool(7), 's7'), DEFAULT_CONSENT_SETTINGS, store).kind, 'ask');
    await new ApprovalStore(memento).add(many[7]!);
    assert.strictEqual(decide(question(tool(7), 's7'), DEFAULT_CONSENT_SETTINGS, store).kind, 'allow');
    await store.add({ ...many[8]!, scope: 'session', definitionHash: toolDefinitionHash({ ...tool(8), description: 'changed' }) });
    assert.strictEqual(decide(question({ ...tool(8), description: 'changed' }, 's8'), DEFAULT_CONSENT_SETTINGS, store).kind, 'allow');
  });
});
