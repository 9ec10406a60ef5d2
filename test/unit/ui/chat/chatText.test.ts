import * as assert from 'assert';
import { leftOutList, line } from '../../../../src/ui/chat/chatText';

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

describe('tools left out of a chat request', () => {
  const tools = (server: string, n: number) => Array.from({ length: n }, (_, i) => ({ server, tool: `${server}_${i}` }));

  it('names the first tools, then counts each further server\'s tools: never "server: and 18 more" (walk15)', () => {
    const text = leftOutList([...tools('many', 21), ...tools('firecrawl', 18), ...tools('one', 1)], 20);
    assert.doesNotMatch(text, /: and \d+ more/);
    assert.strictEqual(rendered(text), `**many**: ${tools('many', 20).map(t => t.tool).join(', ')} and 1 more; **firecrawl**: 18 tools; **one**: 1 tool`);
    assert.strictEqual(rendered(leftOutList(tools('a', 2), 20)), '**a**: a_0, a_1');
  });
});
