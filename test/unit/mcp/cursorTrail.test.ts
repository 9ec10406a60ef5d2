import * as assert from 'assert';
import { CursorTrail, MAX_CURSOR_CHARS } from '../../../src/mcp/pagination';

/** The one reading of `nextCursor` that collectPages, the tree's "Load more…" and "Read Resource…" share. */
describe('CursorTrail', () => {
  it('follows new cursors, ends quietly on an absent, null or empty one, and stops on one given before (A → B → A)', () => {
    for (const end of [undefined, null, '']) assert.deepStrictEqual(new CursorTrail().next(end), {});
    const trail = new CursorTrail();
    assert.deepStrictEqual(trail.next('a'), { cursor: 'a' });
    assert.deepStrictEqual(trail.next('b'), { cursor: 'b' });
    assert.deepStrictEqual(trail.next('a'), { stop: 'the server repeated cursor "a"' });
    // A long cursor is remembered by its hash, and still recognised.
    const long = 'x'.repeat(1000);
    assert.deepStrictEqual(trail.next(long), { cursor: long });
    assert.match(trail.next(long).stop ?? '', /^the server repeated cursor "x{40}"$/);
  });

  it('stops on a cursor that is not a string or is too long, saying which', () => {
    assert.deepStrictEqual(new CursorTrail().next(42), { stop: 'the server sent a cursor that is not a string (number)' });
    assert.deepStrictEqual(new CursorTrail().next({}), { stop: 'the server sent a cursor that is not a string (object)' });
    assert.match(new CursorTrail().next('y'.repeat(MAX_CURSOR_CHARS + 1)).stop ?? '', /^the server sent a cursor of 65,537 characters \(at most 65,536 are followed\)$/);
    // A cursor that was refused is not remembered: the trail only holds cursors it gave to follow.
    const trail = new CursorTrail();
    trail.next(7);
    assert.deepStrictEqual(trail.next('7'), { cursor: '7' });
  });
});
