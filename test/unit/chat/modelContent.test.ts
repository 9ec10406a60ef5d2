import * as assert from 'assert';
import { budgetText, chatBudget, describeModelCut, modelToolDescription, modelToolSchema, toolResultForModel } from '../../../src/ui/chat/modelContent';
import { HOSTILE, LONG_DESCRIPTION, tagged } from '../../fixtures/lib/hostileText';
import { toolResultView } from '../../../src/ui/results/resultHtml';
import type { GatedCallResult } from '../../../src/consent/types';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const completed = (content: unknown[], extra: object = {}): GatedCallResult => ({ kind: 'completed', durationMs: 5, outcome: { result: { content, ...extra } as never } });
const view = (r: GatedCallResult, maxChars = 10_000) => toolResultView(r, { server: 's', tool: 't' }, undefined, undefined, { budget: chatBudget(maxChars) });

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

  it('sends structured content as JSON when there is no text, cut to the budget with a marker', () => {
    const c = toolResultForModel(view(completed([], { structuredContent: { big: 'y'.repeat(500) } }), 100), { images: false, maxChars: 100 });
    const text = (c.parts[0] as { text: string }).text;
    assert.match(text, /^\{\n {2}"big": "y+\n\[MCP Host: structured content cut to its first 100 characters \(in full: larger\)\]\n/);
    // Structured content is measured only as far as it is shown: its full size is unknown, and not claimed.
    assert.deepStrictEqual(c.cut, { keptChars: 100, fullBytes: NaN });
    assert.match(describeModelCut(c.cut!), /^The model got part of this result: 100 characters \(the/);
  });

  it('builds the view of a 50 MB result within the budget, and tells the model and the user how much was cut', () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const v = view(completed([{ type: 'text', text: 'a'.repeat(150) }, { type: 'text', text: huge }, { type: 'text', text: 'zz' }]), 200);
    // The budget is spent across values: the second keeps what the first left, the third nothing.
    assert.deepStrictEqual(
      v.content.map(b => (b.kind === 'text' ? b.text.length : -1)),
      [150, 50, 0],
    );
    const c = toolResultForModel(v, { images: false, maxChars: 200 });
    const text = (c.parts[0] as { text: string }).text;
    assert.strictEqual(
      text,
      `${'a'.repeat(150)}\n${'x'.repeat(50)}\n[MCP Host: content block 2 cut to its first 50 characters (in full: 52428800 bytes)]\n[MCP Host: content block 3 left out (2 bytes)]\n[MCP Host: The user can open the full result from the chat response.]`,
    );
    assert.deepStrictEqual(c.cut, { keptChars: 50, fullBytes: 52_428_800 + 2 });
    assert.strictEqual(describeModelCut(c.cut!), 'The model got part of this result: 50 characters of 50.0 MB (the `mcpHost.chat.maxToolOutput` setting); Open Result shows all of it.');
  });

  it('leaves a result within the budget whole, with no marker', () => {
    const c = toolResultForModel(view(completed([{ type: 'text', text: 'y'.repeat(200) }]), 200), { images: false, maxChars: 200 });
    assert.deepStrictEqual(c, { parts: [{ kind: 'text', text: 'y'.repeat(200) }] });
  });

  it('cuts what surrounds the values (many resource links) when it adds up past the budget', () => {
    const links = Array.from({ length: 20 }, (_, i) => ({ type: 'resource_link', uri: `test://r/${i}`, name: `resource ${i}` }));
    const c = toolResultForModel(view(completed(links), 100), { images: false, maxChars: 100 });
    assert.match((c.parts[0] as { text: string }).text, /^Resource link: resource 0 <test:\/\/r\/0>\n[\s\S]{0,100}\n\[MCP Host left out the remaining [\d,]+ of [\d,]+ characters/);
    assert.strictEqual(c.cut!.keptChars, 119, 'the budget and the newlines between the 20 lines');
  });

  it('removes words hidden in Unicode tag characters from what the model gets (a result, an error, a description), and says so; a flag emoji keeps its tags', () => {
    const flag = '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';
    const c = toolResultForModel(view(completed([{ type: 'text', text: `ok ${HOSTILE.smuggled} ${flag}` }])), { images: false, maxChars: 10_000 });
    const text = (c.parts[0] as { text: string }).text;
    assert.strictEqual(text, `ok [MCP Host: ${[...HOSTILE.smuggled].length} invisible Unicode tag characters removed] ${flag}`);
    const failed = toolResultForModel(view({ kind: 'failed', durationMs: 1, message: `no ${tagged('x')}` } as GatedCallResult), { images: false, maxChars: 10_000 });
    assert.strictEqual((failed.parts[0] as { text: string }).text, 'Error: The tool call failed. no [MCP Host: 1 invisible Unicode tag character removed]');
    const description = modelToolDescription('hostile', LONG_DESCRIPTION);
    assert.ok(!/[\u{e0000}-\u{e007f}]/u.test(description) && !/\p{Cs}/u.test(description), 'hidden tags or half an emoji left');
    // Cut at 1,024 characters: the emoji across that point is left out whole, not split.
    assert.ok(description.startsWith('[MCP server hostile] Long description: a') && description.endsWith('a…'), description.slice(-20));
    assert.strictEqual(modelToolDescription('s', 'short 😀'), '[MCP server s] short 😀');
  });

  it("removes words hidden in tag characters from a tool's input schema too (descriptions, enums, names), once per schema; a clean schema is passed as it is", () => {
    const schema = {
      type: 'object',
      properties: { [`path${tagged('x')}`]: { type: 'string', description: `Where. ${HOSTILE.smuggled}`, enum: [`a${tagged('y')}`, 'b'] } },
      required: [`path${tagged('x')}`],
    };
    const forIt = modelToolSchema(schema);
    const text = JSON.stringify(forIt);
    assert.ok(!/[\u{e0000}-\u{e007f}]/u.test(text), text);
    assert.deepStrictEqual(forIt, {
      type: 'object',
      properties: {
        'path[MCP Host: 1 invisible Unicode tag character removed]': {
          type: 'string',
          description: `Where. [MCP Host: ${[...HOSTILE.smuggled].length} invisible Unicode tag characters removed]`,
          enum: ['a[MCP Host: 1 invisible Unicode tag character removed]', 'b'],
        },
      },
      required: ['path[MCP Host: 1 invisible Unicode tag character removed]'],
    });
    assert.strictEqual(modelToolSchema(schema), forIt, 'made once per schema object');
    assert.ok(/[\u{e0000}-\u{e007f}]/u.test(JSON.stringify(schema)), "the catalog's own schema is not changed");
    const clean = { type: 'object', properties: { q: { type: 'string', description: 'flag 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}' } } };
    assert.strictEqual(modelToolSchema(clean), clean);
  });
});
