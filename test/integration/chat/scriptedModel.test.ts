import * as assert from 'assert';
import * as vscode from 'vscode';

/** The test-only scripted model must work, or no chat test can be trusted. */
describe('scripted language-model fixture', () => {
  interface ScriptedApi {
    vendor: string;
    push(...steps: Array<{ text?: string; toolCalls?: Array<{ name: string; input?: object }> }>): void;
    reset(): void;
    requests: Array<{ tools: string[] }>;
  }

  async function api(): Promise<ScriptedApi> {
    const ext = vscode.extensions.getExtension<ScriptedApi>('mcp-host-test.scripted-model');
    assert.ok(ext, 'the scripted-model fixture extension is not installed');
    return ext.activate();
  }

  async function collect(response: vscode.LanguageModelChatResponse) {
    const text: string[] = [];
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) text.push(part.value);
      else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    }
    return { text: text.join(''), calls };
  }

  it('is selectable and answers from its script, including tool calls', async () => {
    const scripted = await api();
    scripted.reset();
    const [model] = await vscode.lm.selectChatModels({ vendor: scripted.vendor });
    assert.ok(model, 'no model from the scripted vendor');

    const echo = await collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("hello")]));
    assert.strictEqual(echo.text, 'scripted echo: hello');

    scripted.push({ text: 'calling', toolCalls: [{ name: 'echo', input: { message: 'x' } }] });
    const tool: vscode.LanguageModelChatTool = { name: 'echo', description: 'echo', inputSchema: { type: 'object' } };
    const result = await collect(await model.sendRequest([vscode.LanguageModelChatMessage.User('use a tool')], { tools: [tool] }));
    assert.strictEqual(result.text, 'calling');
    assert.strictEqual(result.calls.length, 1);
    assert.strictEqual(result.calls[0]!.name, 'echo');
    assert.deepStrictEqual(result.calls[0]!.input, { message: 'x' });
    assert.deepStrictEqual(scripted.requests.at(-1)!.tools, ['echo']);
  });
});
