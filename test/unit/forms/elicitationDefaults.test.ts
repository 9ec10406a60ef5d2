import * as assert from 'assert';
import { buildForm } from '../../../src/forms/schemaForm';
import { fillForm, type ArgumentAnswer, type ArgumentQuestion, type FormDialog } from '../../../src/forms/formFlow';

/** Accepts each question as shown: the prefilled text, else the picked choices, else a skip. */
class AcceptAsShown implements FormDialog {
  readonly asked: ArgumentQuestion[] = [];
  async askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
    this.asked.push(question);
    const picked = question.choices?.filter(c => c.picked).map(c => c.value) ?? [];
    if (picked.length) return { value: question.many ? picked : picked[0] };
    if (question.value !== undefined) return { text: question.value };
    return question.required ? undefined : { skip: true };
  }
}

// The shape of server-everything's elicitation form: one required field, the others optional with defaults.
const ELICITED = {
  type: 'object',
  properties: {
    name: { type: 'string', default: 'Ada' },
    firstLine: { type: 'string', default: 'It was a dark and stormy night.' },
    integer: { type: 'integer', default: 42 },
    check: { type: 'boolean', default: true },
    pet: { type: 'string', enum: ['cat', 'dog'], default: 'dog' },
    hobbies: { type: 'array', items: { type: 'string', enum: ['Guitar', 'Chess'] }, default: ['Guitar'] },
    nickname: { type: 'string' },
  },
  required: ['name'],
};

describe('elicitation forms start with the schema defaults (prefillDefaults)', () => {
  it('starts every field that has a default with it, and sends what the user accepts', async () => {
    const dialog = new AcceptAsShown();
    const outcome = await fillForm(dialog, buildForm(ELICITED), 'asks', undefined, { prefillDefaults: true });
    const byName = new Map(dialog.asked.map(q => [q.name, q]));
    assert.strictEqual(byName.get('firstLine')!.value, 'It was a dark and stormy night.');
    assert.strictEqual(byName.get('integer')!.value, '42');
    assert.deepStrictEqual(byName.get('check')!.choices!.filter(c => c.picked).map(c => c.value), [true]);
    assert.deepStrictEqual(byName.get('pet')!.choices!.filter(c => c.picked).map(c => c.value), ['dog']);
    assert.deepStrictEqual(byName.get('hobbies')!.choices!.filter(c => c.picked).map(c => c.value), ['Guitar']);
    assert.strictEqual(byName.get('nickname')!.value, undefined, 'a field without a default starts empty');
    assert.deepStrictEqual(outcome, { kind: 'filled', args: { name: 'Ada', firstLine: 'It was a dark and stormy night.', integer: 42, check: true, pet: 'dog', hobbies: ['Guitar'] } });
  });

  it('lets the user clear a prefilled optional field, which leaves it out', async () => {
    const dialog = new AcceptAsShown();
    const clear: FormDialog = { askArgument: async q => (q.name === 'firstLine' ? { text: '' } : dialog.askArgument(q)) };
    const outcome = await fillForm(clear, buildForm(ELICITED), 'asks', undefined, { prefillDefaults: true });
    assert.ok(outcome.kind === 'filled' && !('firstLine' in outcome.args), JSON.stringify(outcome));
  });

  it('without the option, an optional default is the server’s and is not prefilled (Run Tool, Use Prompt)', async () => {
    const dialog = new AcceptAsShown();
    const outcome = await fillForm(dialog, buildForm(ELICITED), 'asks');
    assert.strictEqual(dialog.asked.find(q => q.name === 'firstLine')!.value, undefined);
    assert.deepStrictEqual(outcome, { kind: 'filled', args: { name: 'Ada' } });
  });
});
