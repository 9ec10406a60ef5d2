import * as assert from 'assert';
import * as vscode from 'vscode';
import { CHOICES } from '../../../src/consent/consentDialog';
import type { ConsentAnswer, ToolConsentRequest } from '../../../src/consent/types';
import { Commands, Settings } from '../../../src/ids';
import { activateHost, everythingServer, ScriptedDialogs } from '../host';
import { until } from '../util';

/**
 * §7: the consent dialog cuts long arguments; "Show Full Arguments" opens all of them (secrets still masked)
 * in a read-only plain-text editor (a virtual document of our own scheme), then the dialog asks again. The extension's own consent dialog runs here;
 * only its modal's buttons are pressed by the test (`answerModals`), which also sees the editor the user sees.
 */
describe('§7 Show Full Arguments', function () {
  this.timeout(60_000);
  let api: Awaited<ReturnType<typeof activateHost>>;
  const SECRET = 'sk-full-args-Zq81Lm27Xc';
  const TAIL = 'END-OF-THE-LONG-ARGUMENT';
  const config = () => vscode.workspace.getConfiguration(Settings.section);

  /** Scripted everywhere but at the consent question, which goes to the real dialog. */
  class RealConsent extends ScriptedDialogs {
    override confirmToolCall(request: ToolConsentRequest): Promise<ConsentAnswer> {
      this.toolCallsAsked.push(request);
      return api.defaultDialogs.confirmToolCall(request);
    }
  }
  const prompts = new RealConsent();

  before(async () => {
    api = await activateHost();
    api.setDialogs(prompts);
    prompts.inputValue = SECRET;
    await config().update(Settings.inputs, [{ type: 'promptString', id: 'full-args-token', description: 'Token', password: true }], vscode.ConfigurationTarget.Global);
    await config().update(
      Settings.servers,
      { 'full-args': { type: 'stdio', command: process.execPath, args: [everythingServer()], env: { FULL_ARGS_TOKEN: '${input:full-args-token}' } } },
      vscode.ConfigurationTarget.Global,
    );
    await until(() => api.host.registry.get('full-args')?.connection.state.kind === 'running', 'the server to run', 30_000);
  });

  after(async () => {
    api.answerModals(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update(Settings.servers, undefined, vscode.ConfigurationTarget.Global);
    await config().update(Settings.inputs, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(Commands.clearInputs);
  });

  it('opens the uncut arguments, secrets masked, read-only, then asks again; the call runs only after that answer', async () => {
    const message = `token ${SECRET} ${'x'.repeat(600)} ${TAIL}`;
    const questions: Array<{ text: string; buttons: readonly string[]; shown: vscode.TextDocument | undefined }> = [];
    api.answerModals((shown, buttons) => {
      questions.push({ text: shown.text, buttons, shown: vscode.window.activeTextEditor?.document });
      return questions.length === 1 ? 'Show Full Arguments' : CHOICES.once;
    });
    const result = await api.host.gate.call({ server: 'full-args', tool: 'echo', args: { message }, origin: 'palette' });
    api.answerModals(undefined);

    assert.strictEqual(result.kind, 'completed', JSON.stringify(result));
    assert.strictEqual(questions.length, 2, 'asked again after showing the arguments');
    const [first, second] = questions;
    // The dialog shows the argument cut, and offers the whole.
    assert.ok(first!.buttons.includes('Show Full Arguments'), first!.buttons.join());
    assert.ok(!first!.text.includes(TAIL), 'the dialog was expected to cut the argument');
    assert.ok(!first!.text.includes(SECRET), 'secret shown in the dialog');
    // Before the second question the user sees the whole argument, with the secret masked, as plain read-only text.
    const document = second!.shown;
    assert.ok(document, 'no editor showed the arguments');
    assert.strictEqual(document.uri.scheme, 'mcp-host-text');
    assert.strictEqual(document.languageId, 'plaintext');
    assert.ok(document.getText().includes(TAIL), document.getText());
    assert.ok(!document.getText().includes(SECRET), 'secret shown in the full arguments');
    assert.ok(document.getText().includes('token '), document.getText());
  });
});
