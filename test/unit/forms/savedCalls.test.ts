import * as assert from 'assert';
import { MAX_SAVED_CALLS, SAVED_CALLS_KEY, SavedCallStore, withoutSecrets, type KeyValueStore } from '../../../src/forms/savedCalls';
import { memoryServer, toolsOf } from '../servers';

/** A Memento's behaviour: values kept as JSON, as VS Code stores them. */
class JsonStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }
}

const LOGIN_SCHEMA = {
  type: 'object',
  $defs: { creds: { type: 'object', properties: { user: { type: 'string' }, pass: { type: 'string', format: 'password' } } } },
  properties: {
    host: { type: 'string' },
    login: { $ref: '#/$defs/creds' },
    headers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string', writeOnly: true } } } },
    apiKey: { type: 'string' },
  },
};

describe('saved calls', () => {
  let workspace: JsonStore;
  let user: JsonStore;
  let store: SavedCallStore;
  beforeEach(() => {
    workspace = new JsonStore();
    user = new JsonStore();
    store = new SavedCallStore({ workspace, user });
  });

  it('keeps server-memory’s create_entities arguments exactly, in the scope chosen, and replaces a call saved under the same name', async () => {
    const tool = (await toolsOf(memoryServer, { MEMORY_FILE_PATH: '/nonexistent/never-written.jsonl' })).find(t => t.name === 'create_entities')!;
    const args = { entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }, { name: 'Engine', entityType: 'machine', observations: [] }] };
    let changes = 0;
    store.onDidChange(() => changes++);
    const saved = await store.save({ name: ' two entities ', scope: 'workspace', server: 'memory', tool: tool.name, title: 'Create Entities', args, schema: tool.inputSchema }, new Date('2026-11-28T14:00:00Z'));
    assert.deepStrictEqual(saved, { name: 'two entities', scope: 'workspace', server: 'memory', tool: 'create_entities', title: 'Create Entities', args, leftOut: [], savedAt: '2026-11-28T14:00:00.000Z' });
    assert.deepStrictEqual(store.list(), [saved]);
    assert.strictEqual(user.data.size, 0, 'nothing went to the user scope');
    await store.save({ name: 'two entities', scope: 'user', server: 'memory', tool: tool.name, args: { entities: [] }, schema: tool.inputSchema });
    await store.save({ name: 'two entities', scope: 'workspace', server: 'memory', tool: tool.name, args: { entities: [args.entities[0]] }, schema: tool.inputSchema });
    assert.deepStrictEqual(store.list().map(c => [c.scope, c.name, (c.args.entities as unknown[]).length]), [['workspace', 'two entities', 1], ['user', 'two entities', 0]]);
    assert.deepStrictEqual(store.forTool('memory', 'create_entities').length, 2);
    assert.deepStrictEqual(store.forTool('memory', 'create_relations'), []);
    assert.strictEqual(changes, 3);
  });

  it('never keeps a secret: password formats (through $ref), writeOnly values in lists, and secret-named fields, and says where', async () => {
    const args = { host: 'db.example', login: { user: 'ada', pass: 'hunter2' }, headers: [{ name: 'X-Trace', value: 's3cr3t' }], apiKey: 'sk-123' };
    assert.deepStrictEqual(withoutSecrets(LOGIN_SCHEMA, args), {
      args: { host: 'db.example', login: { user: 'ada' }, headers: [{ name: 'X-Trace' }] },
      leftOut: ['/login/pass', '/headers/0/value', '/apiKey'],
    });
    const saved = await store.save({ name: 'db', scope: 'user', server: 's', tool: 't', args, schema: LOGIN_SCHEMA });
    assert.deepStrictEqual(saved.leftOut, ['/login/pass', '/headers/0/value', '/apiKey']);
    const stored = user.data.get(SAVED_CALLS_KEY)!;
    for (const secret of ['hunter2', 's3cr3t', 'sk-123']) assert.ok(!stored.includes(secret), `${secret} was stored`);
  });

  it('keeps an argument named __proto__ (an own key after JSON.parse) in what it saves', () => {
    const args = JSON.parse('{"host":"db.example","__proto__":{"depth":2}}') as Record<string, unknown>;
    const { args: kept } = withoutSecrets({ type: 'object' }, args);
    assert.strictEqual(JSON.stringify(kept), '{"host":"db.example","__proto__":{"depth":2}}');
  });

  it('deletes by scope and name, ignores state it cannot read, and refuses a nameless or 201st call', async () => {
    await store.save({ name: 'a', scope: 'workspace', server: 's', tool: 't', args: {}, schema: {} });
    assert.strictEqual(await store.remove('user', 'a'), false);
    assert.strictEqual(await store.remove('workspace', 'a'), true);
    assert.deepStrictEqual(store.list(), []);
    await workspace.update(SAVED_CALLS_KEY, [{ name: 'ok', server: 's', tool: 't', args: { x: 1 } }, { name: 5 }, 'junk', { name: 'no args', server: 's', tool: 't' }]);
    assert.deepStrictEqual(store.list().map(c => c.name), ['ok']);
    await workspace.update(SAVED_CALLS_KEY, 'not a list');
    assert.deepStrictEqual(store.list(), []);
    await assert.rejects(store.save({ name: '  ', scope: 'workspace', server: 's', tool: 't', args: {}, schema: {} }), /needs a name/);
    await workspace.update(SAVED_CALLS_KEY, Array.from({ length: MAX_SAVED_CALLS }, (_, i) => ({ name: `c${i}`, server: 's', tool: 't', args: {} })));
    await assert.rejects(store.save({ name: 'one more', scope: 'workspace', server: 's', tool: 't', args: {}, schema: {} }), /already 200 saved calls/);
    await store.save({ name: 'c7', scope: 'workspace', server: 's', tool: 't', args: { replaced: true }, schema: {} });
    assert.deepStrictEqual(store.find('workspace', 'c7')?.args, { replaced: true }, 'replacing one at the limit is allowed');
  });
});
