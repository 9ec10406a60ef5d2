import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputBox, quickInputRow, runCommand, screenshot, waitForQuickInput, webviewShownWithFocus, Workbench } from './workbench';

/**
 * Forms against schemas as real servers publish them (forms15), in the real workbench with the forms fixture:
 * a small tool whose field is true, false or words is asked in the quick input as a pick that also takes typed
 * text (it was a JSON box); a zod 4 discriminated union is a choice of forms named by their tag, the tag filled in
 * by the form; and a field's old problem ("Is required.") goes the moment it is edited, not ~200 ms later.
 */
describe('e2e: forms for either-type fields and discriminated unions (forms fixture)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  it('starts the forms fixture once approved', async () => {
    wb = await openWithTrustedServers({ forms: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'forms.js')] } }, { settings: { 'chat.mcp.access': 'none' } });
    page = wb.page;
  });

  it('asks a true/false-or-words field as a pick of true and false that takes typed words as text; the server gets the text', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('ask');
    await (await quickInputRow(page, 'Answers with what it received.')).click();
    await quickInputRow(page, 'true');
    await quickInputRow(page, 'false');
    assert.match((await quickInputBox(page).getAttribute('placeholder')) ?? '', /Yes, no, or in words — true or false, or text, required/);
    await quickInputBox(page).fill('not yet');
    const typed = await quickInputRow(page, 'as text');
    assert.match(await typed.innerText(), /not yet/);
    await screenshot(page, 'quick-input-either');
    await page.keyboard.press('Enter');
    // The optional note: left out.
    await waitForQuickInput(page, /\(2\/2\)/);
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const consent = await dialog.innerText();
    assert.match(consent, /"answer": "not yet"/, consent);
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, /not yet/);
  });

  it('offers a zod discriminated union as forms named circle and square, fills the tag, and clears a problem as soon as the field is edited', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('draw');
    await (await quickInputRow(page, 'Answers with the shape it received.')).click();
    await form().getByRole('heading', { name: /Draw on 'forms'/ }).waitFor({ timeout: 30_000 });
    // Submitted empty: every problem shows.
    await form().getByRole('button', { name: 'Submit' }).click();
    const titleError = form().locator('.field', { has: form().getByRole('textbox', { name: 'title', exact: true }) }).locator('.error');
    await titleError.filter({ hasText: 'Is required.' }).waitFor({ timeout: 15_000 });
    // Typing clears the field's old problem at once: in the same task as the input event, before any check answers.
    const right = await form()
      .getByRole('textbox', { name: 'title', exact: true })
      .evaluate(input => {
        const e = input as unknown as { value: string; dispatchEvent(e: unknown): boolean; closest(s: string): { querySelector(s: string): { textContent: string } } };
        e.value = 'A square';
        e.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
        return [e.closest('.field').querySelector('.error').textContent, (globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean } } }).document.getElementById('checking').hidden];
      });
    assert.deepStrictEqual(right, ['', false], 'the old "Is required." stayed until the next check answered (or "Checking…" was not shown)');
    const shape = form().getByRole('group', { name: /^shape/ });
    assert.deepStrictEqual(await shape.getByLabel('Form').locator('option').allInnerTexts(), ['circle', 'square']);
    await shape.getByLabel('Form').selectOption({ label: 'square' });
    const kind = shape.getByRole('textbox', { name: 'kind' });
    assert.strictEqual(await kind.inputValue(), 'square');
    assert.strictEqual(await kind.getAttribute('readonly'), '', 'the tag is shown, not chosen');
    await shape.getByRole('textbox', { name: 'side' }).fill('2');
    await form().getByText('Ready to submit').waitFor({ timeout: 15_000 });
    await screenshot(page, 'form-editor-union');
    await form().getByRole('button', { name: 'Submit' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const consent = await dialog.innerText();
    assert.match(consent, /"kind": "square"[\s\S]*"side": 2/, consent);
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, /square/);
  });
});
