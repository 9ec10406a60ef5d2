import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputRow, runCommand, screenshot, waitForQuickInput, webviewShownWithFocus, Workbench } from './workbench';

/**
 * The form editor with dates and a map, as real servers write them (forms16), in the real workbench with the forms
 * fixture's `schedule` tool: a date, a time and a date and time are the browser's pickers and are sent in the format's
 * exact form (a time picked as 09:30 is 09:30:00); a map (`dict[str, str]`) is rows of a name and a value; the status a
 * screen reader hears changes when the verdict does, not at every keystroke; and a check's answer that comes after a
 * later check was sent does not bring back a problem with a value changed since.
 */
describe('e2e: the form editor’s dates, maps, status and late answers (forms fixture)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const titleBox = () => form().getByRole('textbox', { name: 'title', exact: true });

  it('starts the forms fixture once approved, and opens schedule in the form editor', async () => {
    wb = await openWithTrustedServers({ forms: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'forms.js')] } }, { settings: { 'chat.mcp.access': 'none' } });
    page = wb.page;
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('schedule');
    await (await quickInputRow(page, 'Answers with the meeting it received.')).click();
    await form().getByRole('heading', { name: /Schedule on 'forms'/ }).waitFor({ timeout: 30_000 });
    await form().getByRole('status').filter({ hasText: '1 problem to fix before submitting' }).waitFor({ timeout: 15_000 });
  });

  it('labels a property typed through $ref by its name, not its type’s title', async () => {
    await form().getByLabel('remind', { exact: true }).waitFor();
    assert.strictEqual(await form().getByLabel('Reminder', { exact: true }).count(), 0);
  });

  it('changes the status a screen reader hears only when the verdict changes, not at each keystroke', async () => {
    await form()
      .locator('body')
      .evaluate(() => {
        const g = globalThis as unknown as { document: { getElementById(id: string): { textContent: string } }; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void }; heard: string[] };
        const status = g.document.getElementById('status');
        g.heard = [];
        new g.MutationObserver(() => g.heard.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
      });
    // Slowly enough for each keystroke's check to be answered.
    await titleBox().pressSequentially('Weekly', { delay: 350 });
    await form().getByRole('status').filter({ hasText: 'Ready to submit' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(600);
    const heard = await form()
      .locator('body')
      .evaluate(() => (globalThis as unknown as { heard: string[] }).heard);
    assert.deepStrictEqual(heard, ['Ready to submit'], 'the live region flipped at every keystroke (Checking… / the verdict)');
  });

  it('keeps a problem hidden when its check’s answer comes after the value was changed and checked again', async () => {
    // The real answers are held in the page (a capturing listener runs first), then the older one is let through alone.
    const shown = await form()
      .locator('body')
      .evaluate(async () => {
        const g = globalThis as unknown as {
          addEventListener(t: string, f: (e: { data: { type?: string }; stopImmediatePropagation(): void }) => void, capture: boolean): void;
          dispatchEvent(e: unknown): boolean;
          MessageEvent: new (t: string, o: object) => unknown;
          document: { querySelector(s: string): { value: string; dispatchEvent(e: unknown): boolean; closest(s: string): { querySelector(s: string): { textContent: string } } } };
          Event: new (t: string, o: object) => unknown;
        };
        const held: unknown[] = [];
        let hold = true;
        g.addEventListener(
          'message',
          e => {
            if (hold && e.data && e.data.type === 'problems') {
              held.push(e.data);
              e.stopImmediatePropagation();
            }
          },
          true,
        );
        const title = g.document.querySelector('input[data-pointer="/title"]');
        const type = (text: string) => {
          title.value = text;
          title.dispatchEvent(new g.Event('input', { bubbles: true }));
        };
        const answers = async (n: number) => {
          for (let i = 0; i < 100 && held.length < n; i++) await new Promise(r => setTimeout(r, 50));
          if (held.length < n) throw new Error(`only ${held.length} answers came`);
        };
        type('');
        await answers(1); // "Is required.", for the emptied title
        type('Weekly review');
        await answers(2); // nothing wrong, for the new title
        hold = false;
        g.dispatchEvent(new g.MessageEvent('message', { data: held[0] }));
        const late = title.closest('.field').querySelector('.error').textContent;
        g.dispatchEvent(new g.MessageEvent('message', { data: held[1] }));
        return [late, title.closest('.field').querySelector('.error').textContent];
      });
    assert.deepStrictEqual(shown, ['', ''], 'the late answer showed "Is required." under a filled title');
  });

  it('offers the browser’s date, time and date-time pickers and sends each in its format’s exact form', async () => {
    const day = form().getByLabel('day', { exact: true });
    const at = form().getByLabel('at', { exact: true });
    const remind = form().getByLabel('remind', { exact: true });
    assert.deepStrictEqual([await day.getAttribute('type'), await at.getAttribute('type'), await remind.getAttribute('type')], ['date', 'time', 'datetime-local']);
    await day.fill('2026-12-01');
    await at.fill('09:30');
    await remind.fill('2026-11-30T17:45');
  });

  it('edits a map as rows of a name and a value: add, name, refuse a name used twice, remove', async () => {
    const headers = form().getByRole('group', { name: /^headers/ });
    await headers.getByRole('button', { name: 'Add entry to headers' }).click();
    await headers.getByRole('textbox', { name: 'Name of headers entry 1' }).fill('Accept');
    await page.keyboard.press('Enter');
    // Named: the focus is on its value.
    const accept = headers.getByRole('textbox', { name: 'Value of headers entry 1' });
    await accept.waitFor();
    assert.ok(await accept.evaluate(e => e === (e as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement), 'the value did not take the focus');
    await page.keyboard.type('text/plain');
    await headers.getByRole('button', { name: 'Add entry to headers' }).click();
    await headers.getByRole('textbox', { name: 'Name of headers entry 2' }).fill('Accept');
    await page.keyboard.press('Enter');
    await headers.getByText('Another entry is already named Accept.').waitFor();
    await headers.getByRole('textbox', { name: 'Name of headers entry 2' }).fill('__proto__');
    await page.keyboard.press('Tab');
    await headers.getByRole('textbox', { name: 'Value of headers entry 2' }).fill('not a prototype');
    await headers.getByRole('button', { name: 'Add entry to headers' }).click();
    await headers.getByRole('textbox', { name: 'Name of headers entry 3' }).fill('X-Trace');
    await headers.getByRole('button', { name: 'Remove headers entry 3' }).click();
    assert.match(await headers.locator('legend').first().innerText(), /headers \(2 entries\)/);
    await form().getByRole('status').filter({ hasText: 'Ready to submit' }).waitFor({ timeout: 15_000 });
    await form().getByRole('heading').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'form-editor-dates-map');
  });

  it('sends exactly what was picked and named', async () => {
    await form().getByRole('button', { name: 'Submit' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const consent = await dialog.innerText();
    assert.match(consent, /"day": "2026-12-01"/, consent);
    assert.match(consent, /"at": "09:30:00"/, consent);
    assert.match(consent, /"remind": "2026-11-30T17:45:00(Z|[+-]\d\d:\d\d)"/, consent);
    assert.match(consent, /"headers": \{\s*"Accept": "text\/plain",\s*"__proto__": "not a prototype"\s*\}/, consent);
    assert.doesNotMatch(consent, /X-Trace/);
    await screenshot(page, 'form-editor-dates-map-consent');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, /not a prototype/);
  });
});
