import * as assert from 'assert';
import { NO_SAFETY_HINTS, safetyWarnings, toolHints } from '../../../src/consent/safetyHints';
import { toolDescription, toolHints as treeHints } from '../../../src/ui/tree/treeText';

describe('safety hints: one reading for the tree, the palette and consent (issue 13 item 7)', () => {
  const cases = [{}, { readOnlyHint: true }, { destructiveHint: true }, { readOnlyHint: false }, { openWorldHint: true }, { readOnlyHint: true, destructiveHint: true }, { idempotentHint: true }];

  it('shows an unannotated tool as such in the tree, where consent words the same thing', () => {
    const tool = { name: 't', description: 'Does things', inputSchema: { type: 'object' as const } };
    assert.deepStrictEqual(treeHints(tool), [NO_SAFETY_HINTS]);
    assert.strictEqual(toolDescription(tool, false), 'no safety hints from the server · Does things');
    assert.match(safetyWarnings(undefined)[0]!, /^⚠ No safety hints from the server/);
  });

  it('agrees on every combination: the tree says "no safety hints" exactly when consent does', () => {
    for (const a of cases) {
      const tree = toolHints(a).includes(NO_SAFETY_HINTS);
      const consent = safetyWarnings(a).some(l => l.toLowerCase().includes(NO_SAFETY_HINTS));
      assert.strictEqual(tree, consent, JSON.stringify(a));
    }
  });

  it('marks a tool destructive in the tree only when consent warns it may delete', () => {
    for (const a of cases) {
      if (toolHints(a).includes('destructive')) assert.ok(safetyWarnings(a).some(l => /may modify or delete data\.$/.test(l)), JSON.stringify(a));
    }
    assert.deepStrictEqual(toolHints({ readOnlyHint: true, destructiveHint: true }), ['destructive']);
    assert.deepStrictEqual(safetyWarnings({ readOnlyHint: true }), []);
  });
});
