import * as assert from 'assert';
import { inertLine, safe } from '../../../src/common/untrustedText';
import { groupedDescription, suggestionRows } from '../../../src/ui/pickRows';

describe('quick pick rows', () => {
  it('names the server in every row of a pick with several servers, since filtering drops the separators (issue 13 item 1)', () => {
    assert.strictEqual(groupedDescription(inertLine('everything'), undefined, 2), 'everything');
    assert.strictEqual(groupedDescription(inertLine('fixture'), safe`echo  $(eye) read-only`, 2), 'fixture · echo  $(eye) read-only');
    assert.strictEqual(groupedDescription(inertLine('only'), inertLine('x'), 1), 'x', 'one server: its separator is enough');
  });

  it('makes the first suggestion active when it continues what was typed (issue 13 item 5)', () => {
    const r = suggestionRows('En', ['Engineering', 'Marketing']);
    assert.deepStrictEqual(r.rows.map(x => x.value), ['En', 'Engineering', 'Marketing']);
    assert.strictEqual(r.rows[r.active]!.value, 'Engineering');
    assert.strictEqual(suggestionRows('en', ['Engineering']).rows[suggestionRows('en', ['Engineering']).active]!.value, 'Engineering', 'case-insensitively');
  });

  it('keeps the typed text active when no suggestion continues it, or nothing is typed', () => {
    const r = suggestionRows('Zed', ['Engineering']);
    assert.strictEqual(r.rows[r.active]!.value, 'Zed');
    assert.strictEqual(suggestionRows('', ['Engineering']).active, 0);
    assert.deepStrictEqual(suggestionRows('Sales', ['Sales']).rows, [{ value: 'Sales', typed: false }], 'an exact suggestion is not offered twice');
  });
});
