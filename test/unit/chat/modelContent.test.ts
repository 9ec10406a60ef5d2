import * as assert from 'assert';
import { budgetText, toolResultForModel } from '../../../src/ui/chat/modelContent';
import { toolResultView } from '../../../src/ui/results/resultHtml';
import type { GatedCallResult } from '../../../src/consent/types';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const completed = (content: unknown[], extra: object = {}): GatedCallResult => ({ kind: 'completed', durationMs: 5, outcome: { result: { content, ...extra } as never } });
const view = (r: GatedCallResult) => toolResultView(r, { server: 's', tool: 't' });

describe('tool results for the model', () => {
  it('leaves text under the budget alone and cuts text over it with a marker saying how much is left out', () => {
    assert.deepStrictEqual(budgetText('short', 10), { text: 'short', cut: 0 });
    const long = 'x'.repeat(25_000);
    const b = budgetText(long, 10_000);
    assert.strictEqual(b.cut, 15_000);
    assert.ok(b.text.startsWith('x'.repeat(10_000) + '\n[MCP Host left out the remaining 15,000 of 25,000 characters'));
  });

  it('never splits a surrogate pair', () => {
    const b = budgetText(`ab😀cd`, 3);
    assert.ok(b.text.startsWith('ab\n'), JSON.stringify(b.text));
    assert.strictEqual(b.cut, 4);
  });

  it('sends text, names resource links and embedded resources, and describes images to a model without image input', () => {
    const c = toolResultForModel(
      view(
        completed([
          { type: 'text', text: 'hello' },
          { type: 'image', data: PNG, mimeType: 'image/png' },
          { type: 'resource_link', uri: 'test://r/1', name: 'r1', mimeType: 'text/plain' },
          { type: 'resource', resource: { uri: 'test://r/2', text: 'inside' } },
        ]),
      ),
      { images: false, maxChars: 10_000 },
    );
    assert.strictEqual(c.parts.length, 1);
    const text = (c.parts[0] as { text: string }).text;
    assert.match(text, /^hello\n\[An image \(image\/png, 70 B\) was shown to the user; this model does not accept images\.\]\nResource link: r1 <test:\/\/r\/1> \(text\/plain\)\nResource test:\/\/r\/2:\ninside$/);
  });

  it('sends images as image parts to a model that accepts them', () => {
    const c = toolResultForModel(view(completed([{ type: 'image', data: PNG, mimeType: 'image/png' }])), { images: true, maxChars: 100 });
    assert.deepStrictEqual(c.parts, [{ kind: 'text', text: '(The tool returned no content.)' }, { kind: 'image', mimeType: 'image/png', data: PNG }]);
  });

  it('tells the model about denials, failures and tool errors as errors', () => {
    assert.deepStrictEqual(toolResultForModel(view({ kind: 'denied', message: 'Denied by user: x.' }), { images: false, maxChars: 100 }).parts, [
      { kind: 'text', text: 'Error: The user denied this tool call. Denied by user: x.' },
    ]);
    const err = toolResultForModel(view(completed([{ type: 'text', text: 'bad input' }], { isError: true })), { images: false, maxChars: 100 });
    assert.deepStrictEqual(err.parts, [{ kind: 'text', text: 'The tool reported an error:\nbad input' }]);
  });

  it('sends structured content as JSON when there is no text, budgeted with the rest', () => {
    const c = toolResultForModel(view(completed([], { structuredContent: { big: 'y'.repeat(500) } })), { images: false, maxChars: 100 });
    assert.ok(c.cut > 0);
    assert.match((c.parts[0] as { text: string }).text, /^\{\n {2}"big": "y+\n\[MCP Host left out/);
  });
});
