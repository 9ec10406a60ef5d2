import * as assert from 'assert';
import { buildForm } from '../../../src/forms/schemaForm';
import { fillForm, type ArgumentAnswer, type ArgumentQuestion, type FormDialog } from '../../../src/forms/formFlow';
import { filesystemServer, memoryServer, sequentialThinkingServer, toolsOf } from '../servers';

/** Answers by field name, in order; with none left, the question is accepted as shown (prefill, picked choice) or skipped. */
class Script implements FormDialog {
  readonly asked: ArgumentQuestion[] = [];
  constructor(private readonly answers: Record<string, ArgumentAnswer[]> = {}) {}
  async askArgument(question: ArgumentQuestion): Promise<ArgumentAnswer | undefined> {
    this.asked.push(question);
    const next = this.answers[question.name]?.shift();
    if (next) return next;
    const picked = question.choices?.filter(c => c.picked).map(c => c.value) ?? [];
    if (picked.length) return { value: picked[0] };
    if (question.value !== undefined) return { text: question.value };
    return question.required ? undefined : { skip: true };
  }
}


const GIT_STATUS_LIKE = { type: 'object', properties: { repo_path: { type: 'string' }, path: { type: 'string', default: '.' }, verbose: { type: 'boolean', default: false }, mode: { enum: ['short', 'long'], default: 'short' } }, required: ['repo_path'] };

describe('filling a form (the question loop)', () => {
  describe('sends only what the user set or accepted (issue 13 item 4)', () => {
    it('leaves an untouched optional default out, and shows it as the server’s default', async () => {
      const dialog = new Script({ repo_path: [{ text: '/repo' }] });
      const outcome = await fillForm(dialog, buildForm(GIT_STATUS_LIKE), 'git_status');
      assert.deepStrictEqual(outcome, { kind: 'filled', args: { repo_path: '/repo' } });
      const path = dialog.asked.find(q => q.name === 'path')!;
      assert.strictEqual(path.value, undefined, 'the default is not typed in for the user');
      assert.strictEqual(path.defaultText, '.');
      assert.match(path.prompt, /leave empty and the server uses its default \(\.\)/);
      const mode = dialog.asked.find(q => q.name === 'mode')!;
      assert.deepStrictEqual(mode.choices!.map(c => [c.label, c.picked ?? false, c.description ?? '']), [['short', false, 'default'], ['long', false, '']]);
    });

    it('sends a default the user accepted for a required field', async () => {
      const form = buildForm({ type: 'object', properties: { n: { type: 'integer', default: 3 } }, required: ['n'] });
      assert.deepStrictEqual(await fillForm(new Script(), form, 't'), { kind: 'filled', args: { n: 3 } });
    });

    it('asks sequential thinking’s required true/false fields without a prefilled false', async () => {
      const [tool] = await toolsOf(sequentialThinkingServer);
      const dialog = new Script({ thought: [{ text: 'first' }], thoughtNumber: [{ text: '1' }], totalThoughts: [{ text: '2' }] });
      const outcome = await fillForm(dialog, buildForm(tool!.inputSchema), tool!.name);
      assert.deepStrictEqual(outcome, { kind: 'dismissed' }, 'nextThoughtNeeded has no answer, so the required question is dismissed, not answered false');
      const next = dialog.asked.find(q => q.name === 'nextThoughtNeeded')!;
      assert.strictEqual(next.value, undefined);
    });
  });

  describe('the prompt says what the field is and whether it is required (walk14 E)', () => {
    it('names a field without a description: server-filesystem read_file’s path read just "text"', async () => {
      const tools = await toolsOf(filesystemServer, {}, [process.cwd()]);
      const readFile = tools.find(t => t.name === 'read_file')!;
      const dialog = new Script();
      await fillForm(dialog, buildForm(readFile.inputSchema), readFile.name);
      const path = dialog.asked.find(q => q.name === 'path')!;
      assert.strictEqual(path.prompt, 'path — text, required');
    });

    it('for every field kind, required or optional', async () => {
      const schema = {
        type: 'object',
        properties: {
          name: { type: 'string' },
          count: { type: 'integer', minimum: 1 },
          ratio: { type: 'number', description: 'How much' },
          on: { type: 'boolean' },
          mode: { enum: ['a', 'b'] },
          tags: { type: 'array', items: { type: 'string' } },
          extra: { type: 'object', properties: { x: { type: 'string' } } },
          either: { type: ['boolean', 'string'] },
        },
        required: ['name', 'count', 'on'],
      };
      const dialog = new Script({ name: [{ text: 'n' }], count: [{ text: '1' }], on: [{ value: true }] });
      await fillForm(dialog, buildForm(schema), 't');
      const prompts = Object.fromEntries(dialog.asked.map(q => [q.name, q.prompt]));
      assert.strictEqual(prompts.name, 'name — text, required');
      assert.strictEqual(prompts.count, 'count — a whole number, at least 1, required');
      assert.strictEqual(prompts.on, 'on — true or false, required');
      assert.strictEqual(prompts.ratio, 'How much — a number, optional: leave empty to skip');
      for (const name of ['mode', 'tags', 'extra', 'either']) assert.match(prompts[name]!, new RegExp(`^${name} — .+, optional: leave empty to skip$`), name);
    });
  });

  describe('a list of simple types in the quick input (forms14: it was asked as JSON)', () => {
    it('offers true and false to pick, takes typed words as text, and says what typed text is read as', async () => {
      const schema = { type: 'object', properties: { answer: { type: ['boolean', 'string'] }, count: { anyOf: [{ type: 'integer' }, { type: 'string' }] } }, required: ['answer', 'count'] };
      const dialog = new Script({ answer: [{ text: 'not yet' }], count: [{ text: '3' }] });
      assert.deepStrictEqual(await fillForm(dialog, buildForm(schema), 't'), { kind: 'filled', args: { answer: 'not yet', count: 3 } });
      const [answer, count] = dialog.asked;
      assert.deepStrictEqual(answer!.choices?.map(c => c.value), [true, false]);
      assert.strictEqual(answer!.prompt, 'answer — true or false, or text, required');
      assert.deepStrictEqual(['TRUE', 'not yet', '"false"'].map(t => answer!.typedAs?.(t)), ['as true or false', 'as text', 'as text']);
      assert.strictEqual(count!.choices, undefined, 'nothing to pick: an input box');
      assert.strictEqual(count!.prompt, 'count — a whole number, or text, required');
      // Back to a text answer: shown as typed (quoted when it would read as something else).
      const again = new Script({ answer: [{ text: '"true"' }], count: [{ back: true }, { text: 'x' }] });
      assert.deepStrictEqual(await fillForm(again, buildForm(schema), 't'), { kind: 'filled', args: { answer: 'true', count: 'x' } });
      assert.strictEqual(again.asked[2]!.value, '"true"');
    });
  });

  describe('skipping the remaining optional fields (issue 13 item 3)', () => {
    it('is offered on optional steps only when every later field is optional too, and leaves them all out', async () => {
      const [tool] = await toolsOf(sequentialThinkingServer);
      const dialog = new Script({ thought: [{ text: 'first' }], nextThoughtNeeded: [{ text: 'true' }], thoughtNumber: [{ text: '1' }], totalThoughts: [{ text: '2' }] });
      const firstOptional = buildForm(tool!.inputSchema).fields.find(f => !f.required)!.name;
      dialog['answers'][firstOptional] = [{ skipRest: true }];
      const outcome = await fillForm(dialog, buildForm(tool!.inputSchema), tool!.name);
      assert.deepStrictEqual(outcome, { kind: 'filled', args: { thought: 'first', nextThoughtNeeded: true, thoughtNumber: 1, totalThoughts: 2 } });
      assert.deepStrictEqual(
        dialog.asked.map(q => [q.name, q.canSkipRest]),
        [['thought', false], ['nextThoughtNeeded', false], ['thoughtNumber', false], ['totalThoughts', false], [firstOptional, true]],
        'one optional question asked, then none',
      );
    });

    it('leaves out answers given to later fields before going back', async () => {
      const form = buildForm({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } } });
      // a, b answered; back from c to b, back to a, then skip the rest: b's answer goes too.
      const dialog = new Script({ a: [{ text: 'A' }, { skipRest: true }], b: [{ text: 'B' }, { back: true }], c: [{ back: true }] });
      assert.deepStrictEqual(await fillForm(dialog, form, 't'), { kind: 'filled', args: {} });
      assert.deepStrictEqual(dialog.asked.map(q => q.name), ['a', 'b', 'c', 'b', 'a']);
    });

    it('is refused while a required field is still ahead', async () => {
      const form = buildForm({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] });
      const dialog = new Script({ a: [{ skipRest: true }, { text: 'x' }] });
      assert.deepStrictEqual(await fillForm(dialog, form, 't'), { kind: 'filled', args: { a: 'x' } });
      assert.deepStrictEqual(dialog.asked.map(q => q.name), ['a', 'a', 'b']);
    });
  });

  describe('a list of objects (issue 13 item 2): server-memory’s create_entities', () => {
    it('shows the item’s fields in the prompt and starts from a one-item template', async () => {
      const tools = await toolsOf(memoryServer, { MEMORY_FILE_PATH: '/dev/null' });
      const create = tools.find(t => t.name === 'create_entities')!;
      const dialog = new Script();
      await fillForm(dialog, buildForm(create.inputSchema), create.name);
      const q = dialog.asked[0]!;
      assert.match(q.prompt, /JSON list of objects, each \{name\*: text, entityType\*: text, observations\*: list of text\} \(\* required\)/);
      assert.deepStrictEqual(JSON.parse(q.value!), [{ name: '', entityType: '', observations: [] }]);
    });
  });
});
