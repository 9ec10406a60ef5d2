import * as assert from 'assert';
import type { CreateMessageResult } from '@modelcontextprotocol/client';
import { MemoryLog } from '../../../src/mcp/log';
import { ServerConnection } from '../../../src/mcp/serverConnection';
import type { ResolvedLaunch } from '../../../src/mcp/launch';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { chooseModel, SamplingHandler, type SamplingAnswer, type SamplingModel, type SamplingParams, type SamplingQuestion } from '../../../src/serverRequests/sampling';
import { ElicitationHandler, urlHost, type ElicitationChoice, type ElicitationQuestion } from '../../../src/serverRequests/elicitation';
import type { ArgumentAnswer, ArgumentQuestion, FormOutcome } from '../../../src/forms/formFlow';
import type { EditorPreference, FormEditorRequest } from '../../../src/forms/formEditor';
import { everythingServer } from '../servers';

const everything: ResolvedLaunch = { type: 'stdio', command: process.execPath, args: [everythingServer], env: {} };
const MODELS: SamplingModel[] = [
  { id: 'gpt-x', vendor: 'v1', family: 'gpt', name: 'GPT X' },
  { id: 'claude-sonnet', vendor: 'v2', family: 'claude', name: 'Claude Sonnet' },
];
const params = (extra: Partial<SamplingParams> = {}): SamplingParams => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10, ...extra });

describe('choosing the model for a sampling request', () => {
  it('takes the first hint that names a model, by id, family or name', () => {
    assert.strictEqual(chooseModel(MODELS, params({ modelPreferences: { hints: [{ name: 'nope' }, { name: 'Sonnet' }] } }), '')!.id, 'claude-sonnet');
    assert.strictEqual(chooseModel(MODELS, params({ modelPreferences: { hints: [{ name: 'gpt' }] } }), 'v2/claude-sonnet')!.id, 'gpt-x');
  });

  it('falls back to the model chosen for sampling, then to the first model', () => {
    assert.strictEqual(chooseModel(MODELS, params({ modelPreferences: { hints: [{ name: 'gemini' }] } }), 'v2/claude-sonnet')!.id, 'claude-sonnet');
    assert.strictEqual(chooseModel(MODELS, params(), 'claude-sonnet')!.id, 'claude-sonnet');
    assert.strictEqual(chooseModel(MODELS, params(), 'v9/unknown')!.id, 'gpt-x');
    assert.strictEqual(chooseModel([], params(), ''), undefined);
  });
});

describe('sampling and elicitation handlers against server-everything', function () {
  this.timeout(60_000);
  const log = new MemoryLog();
  const questions: SamplingQuestion[] = [];
  let answers: SamplingAnswer[] = [];
  const remembered = new Set<string>();
  let allowedServers: string[] = [];
  let fromUserSettings = false;
  const runs: Array<{ model: string; params: SamplingParams }> = [];
  let hold: Promise<void> | undefined;
  const sampling = new SamplingHandler({
    identify: name => ({ key: `workspace:${name}:hash`, fromUserSettings, originLabel: '.vscode/mcp.json' }),
    settings: () => ({ allowedServers, model: '' }),
    remembered: { has: k => remembered.has(k), add: async k => void remembered.add(k) },
    confirm: async q => {
      questions.push(q);
      await hold;
      return answers.shift() ?? 'deny';
    },
    models: async () => MODELS,
    run: async (model, p): Promise<CreateMessageResult> => {
      runs.push({ model: model.id, params: p });
      return { role: 'assistant', model: model.id, content: { type: 'text', text: `answer from ${model.name}` }, stopReason: 'endTurn' };
    },
  });

  const elicitQuestions: ElicitationQuestion[] = [];
  let elicitChoice: ElicitationChoice = 'accept';
  const formAnswers: Record<string, ArgumentAnswer> = {};
  const opened: string[] = [];
  let editorPreference: EditorPreference = 'never';
  const editorRequests: FormEditorRequest[] = [];
  let editorAnswer: (request: FormEditorRequest) => FormOutcome = () => ({ kind: 'dismissed' });
  const elicitation = new ElicitationHandler({
    editorPreference: () => editorPreference,
    dialogs: () => ({
      editForm: async request => {
        editorRequests.push(request);
        return editorAnswer(request);
      },
      confirmElicitation: async q => {
        elicitQuestions.push(q);
        return elicitChoice;
      },
      // Every field takes its prefilled value (defaults, picked choices) unless the test gave an answer.
      askArgument: async (q: ArgumentQuestion) => {
        if (formAnswers[q.name]) return formAnswers[q.name];
        if (q.choices) {
          const picked = q.choices.filter(c => c.picked).map(c => c.value);
          return picked.length ? { value: q.many ? picked : picked[0] } : { skip: true };
        }
        return q.value !== undefined ? { text: q.value } : { skip: true };
      },
      openUrl: async url => {
        opened.push(url);
        return true;
      },
    }),
  });

  const conn = new ServerConnection({
    name: 'everything',
    plan: async () => ({ launch: everything, timeouts: { startupMs: 20_000, requestMs: 20_000 }, secrets: ['sampling-secret-123'] }),
    log,
    clientInfo: { name: 'mcp-host-tests', version: '0' },
    handlers: {
      roots: () => [],
      sampling: (server, p, signal) => sampling.handle(server, p, signal),
      elicitation: (server, p, signal) => elicitation.handle(server, p, signal),
    },
    grace: { stdinMs: 300, termMs: 300 },
  });
  const call = async (tool: string, args: Record<string, unknown>) => {
    const outcome = await conn.callTool(tool, args, consentForTests(conn, tool));
    return { text: outcome.result.content.map(c => (c.type === 'text' ? c.text : '')).join('\n'), isError: !!outcome.result.isError };
  };

  before(() => conn.start());
  after(() => conn.shutdown());
  beforeEach(() => {
    questions.length = 0;
    runs.length = 0;
    answers = [];
  });

  it('asks the first time, showing the server, model, system prompt, messages (masked) and limits; "once" asks again', async () => {
    answers = ['once', 'once'];
    const first = await call('trigger-sampling-request', { prompt: 'tell me sampling-secret-123', maxTokens: 42 });
    assert.match(first.text, /answer from GPT X/);
    assert.strictEqual(questions.length, 1);
    const q = questions[0]!;
    assert.strictEqual(q.server, 'everything');
    assert.strictEqual(q.model, 'GPT X');
    assert.strictEqual(q.maxTokens, 42);
    assert.strictEqual(q.systemPrompt, 'You are a helpful test server.');
    assert.deepStrictEqual(q.messages, ['user: Resource trigger-sampling-request context: tell me ***']);
    assert.strictEqual(runs[0]!.params.maxTokens, 42);
    await call('trigger-sampling-request', { prompt: 'again' });
    assert.strictEqual(questions.length, 2);
  });

  it('remembers "always" for the server\'s definition, and logs every request and reply with secrets masked', async () => {
    answers = ['always'];
    await call('trigger-sampling-request', { prompt: 'first sampling-secret-123' });
    await call('trigger-sampling-request', { prompt: 'second' });
    assert.strictEqual(questions.length, 1);
    assert.strictEqual(runs.length, 2);
    assert.deepStrictEqual([...remembered], ['workspace:everything:hash']);
    const text = log.text();
    assert.match(text, /Sampling request: 1 message\(s\), maxTokens 100\n {2}system: You are a helpful test server\.\n {2}user: Resource trigger-sampling-request context: second/);
    assert.match(text, /Sampling reply from GPT X in \d+ ms \(endTurn\): answer from GPT X/);
    assert.doesNotMatch(text, /sampling-secret-123/);
    remembered.clear();
  });

  it('reports a denial to the server as the user rejecting the request', async () => {
    answers = ['deny'];
    const denied = await call('trigger-sampling-request', { prompt: 'x' });
    assert.ok(denied.isError, denied.text);
    assert.match(denied.text, /User rejected sampling request/);
    assert.strictEqual(runs.length, 0);
  });

  it('lets the user settings pre-allow only servers defined in the user settings', async () => {
    allowedServers = ['everything'];
    try {
      answers = ['once'];
      await call('trigger-sampling-request', { prompt: 'x' });
      assert.strictEqual(questions.length, 1, 'a workspace server was pre-allowed by a name in user settings');
      fromUserSettings = true;
      await call('trigger-sampling-request', { prompt: 'x' });
      assert.strictEqual(questions.length, 1);
      assert.strictEqual(runs.length, 2);
    } finally {
      allowedServers = [];
      fromUserSettings = false;
    }
  });

  it('refuses a second request from a server while its first question is open', async () => {
    let release!: () => void;
    hold = new Promise(r => (release = r));
    answers = ['once'];
    try {
      const first = call('trigger-sampling-request', { prompt: 'first' });
      while (questions.length === 0) await new Promise(r => setTimeout(r, 20));
      const second = await call('trigger-sampling-request', { prompt: 'second' });
      assert.ok(second.isError);
      assert.match(second.text, /Another sampling request from this server is waiting for the user/);
      release();
      assert.match((await first).text, /answer from GPT X/);
      assert.strictEqual(questions.length, 1);
    } finally {
      hold = undefined;
    }
  });

  it('fills a form from the requested schema with defaults and choices, and returns what was filled', async () => {
    elicitChoice = 'accept';
    formAnswers['name'] = { text: 'Ada Lovelace' };
    formAnswers['legacyTitledEnum'] = { value: 'pet-2' };
    const r = await call('trigger-elicitation-request', {});
    const q = elicitQuestions.at(-1)!;
    assert.strictEqual(q.mode, 'form');
    assert.strictEqual(q.server, 'everything');
    assert.strictEqual(q.message, 'Please provide inputs for the following fields:');
    assert.ok(q.mode === 'form' && q.fields.includes('String with email format'));
    const raw = JSON.parse(r.text.slice(r.text.indexOf('{')));
    assert.strictEqual(raw.action, 'accept');
    assert.deepStrictEqual(raw.content, {
      name: 'Ada Lovelace',
      firstLine: 'It was a dark and stormy night.',
      integer: 42,
      number: 3.14,
      untitledSingleSelectEnum: 'Monica',
      untitledMultipleSelectEnum: ['Guitar'],
      titledSingleSelectEnum: 'hero-1',
      titledMultipleSelectEnum: ['fish-1'],
      legacyTitledEnum: 'pet-2',
    });
  });

  it('fills a complex form in the form editor when the setting says so: starting from the defaults, sending what it returns', async () => {
    editorPreference = 'complexOnly';
    try {
      elicitChoice = 'accept';
      // Nine fields: more than a handful, so "complex only" picks the editor.
      editorAnswer = request => ({ kind: 'filled', args: { ...request.initial, name: 'Ada Lovelace', legacyTitledEnum: 'pet-2' } });
      const r = await call('trigger-elicitation-request', {});
      const request = editorRequests.at(-1)!;
      assert.strictEqual(request.title, "'everything' asks");
      assert.strictEqual(request.message, 'Please provide inputs for the following fields:');
      // The spec's pre-population: every default, and nothing else.
      assert.deepStrictEqual(request.initial, {
        firstLine: 'It was a dark and stormy night.',
        integer: 42,
        number: 3.14,
        untitledSingleSelectEnum: 'Monica',
        untitledMultipleSelectEnum: ['Guitar'],
        titledSingleSelectEnum: 'hero-1',
        titledMultipleSelectEnum: ['fish-1'],
        legacyTitledEnum: 'pet-1',
      });
      const raw = JSON.parse(r.text.slice(r.text.indexOf('{')));
      assert.strictEqual(raw.action, 'accept');
      assert.deepStrictEqual(raw.content, { ...request.initial, name: 'Ada Lovelace', legacyTitledEnum: 'pet-2' });
      // Closing the editor is a cancel, as dismissing the quick input is.
      editorAnswer = () => ({ kind: 'dismissed' });
      assert.match((await call('trigger-elicitation-request', {})).text, /"action": "cancel"/);
      assert.strictEqual(editorRequests.length, 2);
      editorPreference = 'never';
      formAnswers['name'] = { text: 'Ada Lovelace' };
      assert.match((await call('trigger-elicitation-request', {})).text, /"action": "accept"/);
      assert.strictEqual(editorRequests.length, 2, '"never" opened the editor');
    } finally {
      editorPreference = 'never';
    }
  });

  it('returns decline and cancel as the user chose, without asking for the form', async () => {
    for (const choice of ['decline', 'cancel'] as const) {
      elicitChoice = choice;
      const r = await call('trigger-elicitation-request', {});
      assert.match(r.text, new RegExp(`"action": "${choice}"`));
    }
  });

  it('shows a URL with its host and opens it only when the user agrees', async () => {
    elicitChoice = 'decline';
    const declined = await call('trigger-url-elicitation', { url: 'https://example.com/auth?x=1', message: 'Sign in' });
    assert.match(declined.text, /declined/);
    assert.deepStrictEqual(opened, []);
    const q = elicitQuestions.at(-1)!;
    assert.deepStrictEqual(q, { mode: 'url', server: 'everything', message: 'Sign in', url: 'https://example.com/auth?x=1', host: 'example.com' });
    elicitChoice = 'accept';
    const accepted = await call('trigger-url-elicitation', { url: 'https://example.com/auth?x=2' });
    assert.match(accepted.text, /completed the URL elicitation/);
    assert.deepStrictEqual(opened, ['https://example.com/auth?x=2']);
  });

  it('names the real host of a URL and refuses other schemes', () => {
    assert.strictEqual(urlHost('https://user:pw@exаmple.com:8443/x'), 'xn--exmple-4nf.com');
    assert.strictEqual(urlHost('javascript:alert(1)'), undefined);
    assert.strictEqual(urlHost('not a url'), undefined);
  });
});
