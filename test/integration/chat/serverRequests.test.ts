import * as assert from 'assert';
import type { McpHostApi } from '../../../src/extension';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { activateHost, everythingServer, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { ask, newChat, press, scriptedModel, serverLogText, type ScriptedModel } from './chatUtil';

/**
 * What servers ask of the host, in the real extension host: server-everything's sampling and elicitation
 * tools, called from chat with /call, answered by the scripted model and the Test-mode dialogs.
 */
describe('sampling and elicitation', function () {
  this.timeout(120_000);
  let api: Required<McpHostApi>;
  let model: ScriptedModel;
  const dialogs = new ScriptedDialogs();
  const node = process.execPath;
  const everything = { type: 'stdio', command: node, args: [everythingServer()] };
  const paging = { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'paging.js')] };
  const rogue = { type: 'stdio', command: node, args: [repoPath('out', 'test', 'fixtures', 'servers', 'rogue.js')] };
  const running = (name: string) => api.host.registry.get(name)?.connection.state.kind === 'running';
  /** Calls a tool with /call, allowing it once in the response. */
  const call = (tool: string, args: object = {}): Promise<Transcript> => ask(api, model, `@mcp /call everything.${tool} ${JSON.stringify(args)}`, t => press(t, 'Allow Once').then(() => undefined));

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    model = await scriptedModel();
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { everything, paging, rogue } }, null, 2));
    await until(() => running('everything') && running('paging') && running('rogue'), 'the servers to run', 60_000);
  });

  beforeEach(async () => {
    model.reset();
    await newChat();
  });

  describe('sampling', () => {
    it('asks the first time, runs on the chat model with the server\'s system prompt and maxTokens, and logs request and reply', async () => {
      await api.host.forgetSamplingAnswers();
      dialogs.samplingAsked.length = 0;
      dialogs.samplingAnswers = ['once'];
      model.push({ text: 'a sampled reply' });
      const t = await call('trigger-sampling-request', { prompt: 'say hello', maxTokens: 42 });
      assert.match(t.text(), /a sampled reply/);
      const q = dialogs.samplingAsked[0]!;
      assert.deepStrictEqual([q.server, q.model, q.maxTokens, q.systemPrompt], ['everything', 'Scripted Model', 42, 'You are a helpful test server.']);
      assert.deepStrictEqual(q.messages, ['user: Resource trigger-sampling-request context: say hello']);
      const request = model.requests[0]!;
      assert.deepStrictEqual(request.messages.map(m => m.text), ['You are a helpful test server.', 'Resource trigger-sampling-request context: say hello']);
      assert.strictEqual(request.modelOptions['max_tokens'], 42);
      await until(() => /Sampling reply from Scripted Model in \d+ ms \(endTurn\): a sampled reply/.test(serverLogText(api, 'everything')), 'the reply in the server log');
      assert.match(serverLogText(api, 'everything'), /Sampling request: 1 message\(s\), maxTokens 42/);
    });

    it('remembers "Always Allow for This Server", and a denial reaches the server as a refusal', async () => {
      await api.host.forgetSamplingAnswers();
      dialogs.samplingAsked.length = 0;
      dialogs.samplingAnswers = ['always'];
      model.push({ text: 'first' }, { text: 'second' });
      assert.match((await call('trigger-sampling-request', { prompt: 'one' })).text(), /first/);
      assert.match((await call('trigger-sampling-request', { prompt: 'two' })).text(), /second/);
      assert.strictEqual(dialogs.samplingAsked.length, 1, 'asked again after "always"');

      await api.host.forgetSamplingAnswers();
      dialogs.samplingAnswers = ['deny'];
      const denied = await call('trigger-sampling-request', { prompt: 'three' });
      assert.match(denied.text(), /User rejected sampling request/);
      assert.strictEqual(model.requests.length, 2, 'a denied request reached the model');
    });

    it('cuts an answer at maxTokens when the model does not stop', async () => {
      await api.host.forgetSamplingAnswers();
      dialogs.samplingAnswers = ['once'];
      model.push({ text: 'word '.repeat(200) });
      const t = await call('trigger-sampling-request', { prompt: 'ramble', maxTokens: 10 });
      assert.match(t.text(), /"stopReason": "maxTokens"/);
      const text = /"text": "([^"]*)"/.exec(t.text())![1]!;
      assert.ok(Math.ceil(text.length / 4) <= 10, `${text.length} characters is more than 10 tokens`);
    });
  });

  describe('elicitation', () => {
    it('form: names the server, fills the form from the requested schema with defaults, and accepts', async () => {
      dialogs.elicitationsAsked.length = 0;
      dialogs.elicitationChoices = ['accept'];
      dialogs.argumentAnswers = { name: ['Ada Lovelace'], email: ['ada@example.com'] };
      const t = await call('trigger-elicitation-request');
      const q = dialogs.elicitationsAsked[0]!;
      assert.strictEqual(q.mode, 'form');
      assert.strictEqual(q.server, 'everything');
      assert.match(t.text(), /User provided the requested information!/);
      assert.match(t.text(), /- Name: Ada Lovelace/);
      assert.match(t.text(), /- Email: ada@example.com/);
      assert.match(t.text(), /- Favorite Integer: 42/);
      const asked = dialogs.argumentQuestions.filter(a => a.title.startsWith("'everything' asks"));
      // The form starts with the schema's defaults, as the spec asks of clients.
      const enumQuestion = asked.find(a => a.name === 'untitledSingleSelectEnum');
      assert.deepStrictEqual(enumQuestion?.choices?.filter(c => c.picked).map(c => c.label), ['Monica'], 'the enum default was not picked');
      assert.strictEqual(asked.find(a => a.name === 'firstLine')?.value, 'It was a dark and stormy night.', 'the text default was not prefilled');
    });

    it('form: decline and cancel go back to the server as such', async () => {
      dialogs.elicitationChoices = ['decline'];
      assert.match((await call('trigger-elicitation-request')).text(), /User declined to provide the requested information/);
      dialogs.elicitationChoices = ['cancel'];
      assert.match((await call('trigger-elicitation-request')).text(), /User cancelled the elicitation dialog/);
    });

    it('URL: shows the full URL and its host, and opens it only when the user agrees', async () => {
      dialogs.urlsOpened.length = 0;
      dialogs.elicitationsAsked.length = 0;
      dialogs.elicitationChoices = ['decline'];
      assert.match((await call('trigger-url-elicitation', { url: 'https://auth.example.com/login?step=1', message: 'Sign in to continue' })).text(), /declined to open the URL/);
      assert.deepStrictEqual(dialogs.urlsOpened, []);
      assert.deepStrictEqual(dialogs.elicitationsAsked[0], { mode: 'url', server: 'everything', message: 'Sign in to continue', url: 'https://auth.example.com/login?step=1', host: 'auth.example.com' });
      dialogs.elicitationChoices = ['accept'];
      assert.match((await call('trigger-url-elicitation', { url: 'https://auth.example.com/login?step=2' })).text(), /completed the URL elicitation flow/);
      assert.deepStrictEqual(dialogs.urlsOpened, ['https://auth.example.com/login?step=2']);
    });

    it('a server that asks again the moment the user says no: three dialogs, then refused without one, and the chat goes on', async () => {
      dialogs.elicitationsAsked.length = 0;
      dialogs.elicitationChoices = ['decline'];
      // Every later dialog is dismissed (the scripted dialogs' default): before, all 30 were shown, one after the other.
      const t = await ask(api, model, '@mcp /call rogue.ask_again {"kind": "elicitation", "count": 30}', t => press(t, 'Allow Once').then(() => undefined));
      assert.strictEqual(dialogs.elicitationsAsked.length, 3);
      assert.match(t.text(), /decline,cancel,cancel(,error){27}/);
      await until(() => /Elicitation refused without asking: it asked again on its own right after the user said no, 3 times in a row/.test(serverLogText(api, 'rogue')), 'the refusal in the server log');
      // A new request from the user is a new question.
      dialogs.elicitationChoices = ['decline'];
      assert.match((await ask(api, model, '@mcp /call rogue.ask_again {"kind": "elicitation", "count": 1}', t => press(t, 'Allow Once').then(() => undefined))).text(), /decline/);
      assert.strictEqual(dialogs.elicitationsAsked.length, 4);
    });
  });
});
