import * as assert from 'assert';
import { callLine, inline, leftOutList, line, name } from '../../../../src/ui/chat/chatText';
import type { ToolResultView } from '../../../../src/ui/results/resultHtml';

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

describe('server text in a chat response', () => {
  it('cuts a 1 MB tool title and error message in the line of a call (they went whole into the response)', () => {
    const view: ToolResultView = { server: 'srv', tool: 't', label: `Title ${'[x](https://a.invalid) '.repeat(50_000)}`, status: 'failed', message: `Error: ${'y'.repeat(1_000_000)}`, content: [] };
    const shown = callLine(view, undefined);
    assert.ok(shown.length < 4_000, `${shown.length} characters`);
    assert.match(shown, /^\n\n✗ failed: \*\*Title \\\[x\\\]\\\(https\\:\/\/a\\\.invalid\\\)/);
    assert.ok(name('n'.repeat(500)).length <= 205 && inline('i'.repeat(5_000)).length <= 1_001);
    // One parameter: callers map over them (a second one took the index as a maximum).
    assert.deepStrictEqual(['x_1', 'yy'].map(name), ['**x\\_1**', '**yy**']);
    // Short text is as before: one line, escaped.
    assert.strictEqual(inline(' a\n_b_ '), 'a \\_b\\_');
  });
});
