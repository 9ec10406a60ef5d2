import * as assert from 'assert';
import { inertLine, safe } from '../../../src/common/untrustedText';
import { groupedDescription, suggestionRows } from '../../../src/ui/pickRows';

describe('quick pick rows', () => {
  it('names the server in every row of a grouped pick, one server or several, since filtering drops the separators (issue 13 item 1, walk15)', () => {
    assert.strictEqual(groupedDescription(inertLine('everything'), undefined), 'everything');
    assert.strictEqual(groupedDescription(inertLine('fixture'), safe`echo  $(eye) read-only`), 'fixture · echo  $(eye) read-only');
    // VS Code drops the separator once a filter is typed: with one server too, typing its name must find its rows (walk15).
    assert.strictEqual(groupedDescription(inertLine('only'), inertLine('x')), 'only · x', 'one server: named on the row too');
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
