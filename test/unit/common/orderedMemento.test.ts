import * as assert from 'assert';
import { OrderedMemento, type Memento } from '../../../src/common/orderedMemento';

/** A store whose writes are stored only when the test says so, each write recorded as it reaches the store. */
class SlowStore implements Memento {
  readonly values = new Map<string, unknown>();
  readonly writes: Array<{ key: string; value: unknown; store: () => void; fail: (err: Error) => void }> = [];

  keys(): readonly string[] {
    return [...this.values.keys()];
  }

  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }

  update(key: string, value: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.writes.push({
        key,
        value,
        store: () => {
          if (value === undefined) this.values.delete(key);
          else this.values.set(key, value);
          resolve();
        },
        fail: reject,
      });
    });
  }
}

const settle = () => new Promise<void>(resolve => setImmediate(resolve));

describe('OrderedMemento: one write at a time, reads see what waits', () => {
  it('sends a write only once the one before is stored, and reads see the waiting values meanwhile', async () => {
    const store = new SlowStore();
    const memento = new OrderedMemento(store);
    const first = memento.update('mcpHost.protocolEras', { a: 'modern' });
    const second = memento.update('mcpHost.trustedServers', ['paging']);
    await settle();
    assert.deepStrictEqual(store.writes.map(w => w.key), ['mcpHost.protocolEras'], 'the second write went before the first was stored');
    assert.deepStrictEqual(memento.get('mcpHost.trustedServers'), ['paging']);
    assert.deepStrictEqual(memento.get('mcpHost.protocolEras'), { a: 'modern' });
    assert.deepStrictEqual([...memento.keys()].sort(), ['mcpHost.protocolEras', 'mcpHost.trustedServers']);
    store.writes[0]!.store();
    await first;
    await settle();
    assert.deepStrictEqual(store.writes.map(w => w.key), ['mcpHost.protocolEras', 'mcpHost.trustedServers']);
    store.writes[1]!.store();
    await second;
    assert.deepStrictEqual(store.get('mcpHost.trustedServers'), ['paging']);
    assert.deepStrictEqual(memento.get('mcpHost.trustedServers'), ['paging']);
  });

  it('keeps the newest of several waiting writes to one key, stores them in order, and reads the store once they are done', async () => {
    const store = new SlowStore();
    const memento = new OrderedMemento(store);
    const writes = [memento.update('k', 1), memento.update('k', 2), memento.update('k', undefined)];
    assert.strictEqual(memento.get('k', 'default'), 'default', 'a waiting removal reads as no value');
    assert.deepStrictEqual(memento.keys(), []);
    for (let i = 0; i < 3; i++) {
      await settle();
      store.writes[i]!.store();
    }
    await Promise.all(writes);
    assert.deepStrictEqual(store.writes.map(w => w.value), [1, 2, undefined]);
    store.values.set('k', 'from elsewhere');
    assert.strictEqual(memento.get('k'), 'from elsewhere', 'a stored value is read from the store');
  });

  it('stores a copy: changing the object written afterwards changes nothing', async () => {
    const store = new SlowStore();
    const memento = new OrderedMemento(store);
    const list = ['a'];
    const written = memento.update('k', list);
    list.push('b');
    assert.deepStrictEqual(memento.get('k'), ['a']);
    await settle();
    store.writes[0]!.store();
    await written;
    assert.deepStrictEqual(store.get('k'), ['a']);
  });

  it('lets a failed write fail for its caller, and the next write still goes', async () => {
    const store = new SlowStore();
    const memento = new OrderedMemento(store);
    const failed = memento.update('a', 1);
    const next = memento.update('b', 2);
    await settle();
    store.writes[0]!.fail(new Error('disk full'));
    await assert.rejects(failed, /disk full/);
    await settle();
    assert.strictEqual(memento.get('a'), undefined, 'a failed write is read from the store again');
    store.writes[1]!.store();
    await next;
    assert.strictEqual(memento.get('b'), 2);
  });
});
