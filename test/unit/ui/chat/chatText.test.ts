import * as assert from 'assert';
import { line } from '../../../../src/ui/chat/chatText';

/** What a markdown renderer shows for escaped text: each backslash escape as its character. */
const rendered = (markdown: string) => markdown.replace(/\\(.)/g, '$1');

describe('chat progress text', () => {
  it('keeps server text on a progress line as typed: no link, autolink or emphasis, hidden characters shown, one line', () => {
    const text = line('step 2/4 [open](https://attacker.invalid) *now*\n\u202egnp.exe www.x.invalid');
    assert.doesNotMatch(text, /(?<!\\)[[\]()*:]|\u202e|\n/);
    assert.strictEqual(rendered(text), 'step 2/4 [open](https://attacker.invalid) *now* ⟨U+202E⟩gnp.exe www.x.invalid');
  });

  it('cuts long text without leaving a dangling escape', () => {
    const text = line('a'.repeat(199) + '.' + 'b'.repeat(500));
    assert.strictEqual(rendered(text), `${'a'.repeat(199)}…`);
    assert.ok(line('x'.repeat(1000), 50).length <= 51);
  });
});
