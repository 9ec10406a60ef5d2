import * as assert from 'assert';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { APP_BUDGET, appToolResult } from '../../../src/apps/appResult';

describe('MCP App tool result budget', () => {
  it('sends a result within the budget unchanged', () => {
    const result: CallToolResult = { content: [{ type: 'text', text: 'x'.repeat(1000) }], structuredContent: { rows: [1, 2, 3] } };
    assert.strictEqual(appToolResult(result), result);
  });

  it('cuts huge text, leaves out structured content over the budget whole, and says so', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const result: CallToolResult = { content: [{ type: 'text', text: 'y'.repeat(APP_BUDGET.textChars + 5) }], structuredContent: { rows } };
    const sent = appToolResult(result);
    assert.strictEqual(sent.structuredContent, undefined, 'half a JSON value is no use to an app');
    const texts = sent.content.map(c => (c.type === 'text' ? c.text : ''));
    assert.strictEqual(texts[0]!.length, APP_BUDGET.textChars);
    assert.match(texts[1]!, /\[MCP Host: content block 1 cut to its first 1000000 characters/);
    assert.match(texts[1]!, /\[MCP Host: structured content left out for the app/);
  });

  it('leaves out structured content the connection already had to keep on disk', () => {
    const result: CallToolResult = { content: [{ type: 'text', text: 'ok' }], structuredContent: { partial: '…' } };
    const sent = appToolResult(result, [{ path: ['structuredContent'], bytes: 60_000_000, id: 'r1', part: 0 }]);
    assert.strictEqual(sent.structuredContent, undefined);
    assert.deepStrictEqual(sent.content[0], { type: 'text', text: 'ok' });
    assert.match((sent.content[1] as { text: string }).text, /structured content left out for the app: 60000000 bytes/);
  });
});
