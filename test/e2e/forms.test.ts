import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, webviewShownWithFocus, Workbench } from './workbench';

/**
 * A new user fills a tool whose input is a list of objects (server-memory's create_entities) in the form
 * editor: adds two entities, fills them (one with two observations), saves the call under a name, submits,
 * accepts consent, reads the result; then runs the saved call again from the palette and from its node
 * under the tool in the sidebar, each time through consent.
 */
describe('e2e: the form editor with server-memory', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  /** The form editor's page, inside the workbench's webview frames. */
  const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  it('starts server-memory once the user agrees', async () => {
    // A user who turned VS Code's own MCP off (its notice would cover the form in every screenshot).
    wb = await openWithTrustedServers(ws => ({ memory: { type: 'stdio', command: 'node', args: [serverScript('server-memory')], env: { MEMORY_FILE_PATH: path.join(ws, 'memory.jsonl') } } }), { settings: { 'chat.mcp.access': 'none' } });
    page = wb.page;
  });

  it('opens create_entities in the form editor from "Run Tool…"', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('create entities');
    await (await quickInputRow(page, 'Create Entities')).click();
    await form().getByRole('heading', { name: /Create Entities on 'memory'/ }).waitFor({ timeout: 30_000 });
    await form().getByRole('button', { name: /Add to entities/ }).waitFor();
  });

  it('adds two entities and fills them, with problems shown at the field until they are fixed', async () => {
    const add = form().getByRole('button', { name: /Add to entities/ });
    await add.click();
    // The new item's first field has the focus: the user types straight away.
    await page.keyboard.type('Ada Lovelace');
    const item = (n: number) => form().getByRole('group', { name: `entities item ${n}`, exact: true });
    await item(1).getByLabel('entityType').fill('person');
    await add.click();
    await item(2).getByLabel('name').fill('Analytical Engine');
    await item(2).getByLabel('entityType').fill('machine');
    // Submitting with an item's observations missing explains it at that item.
    await form().getByRole('button', { name: 'Submit' }).click();
    await item(1).getByText(/observations.*required|Is required/i).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'form-editor-problems');
    await item(1).getByRole('button', { name: /Add to observations/ }).click();
    await page.keyboard.type('wrote the first program');
    await item(1).getByRole('button', { name: /Add to observations/ }).click();
    await page.keyboard.type('worked with Babbage');
    await item(2).getByRole('button', { name: /Add to observations/ }).click();
    await page.keyboard.type('designed by Babbage');
    await form().getByText('Ready to submit').waitFor({ timeout: 15_000 });
    await screenshot(page, 'form-editor-filled');
  });

  it('shows the same values in the JSON tab', async () => {
    await form().getByRole('tab', { name: 'JSON' }).click();
    const json = JSON.parse(await form().getByLabel('Arguments as JSON').inputValue());
    assert.deepStrictEqual(json, {
      entities: [
        { name: 'Ada Lovelace', entityType: 'person', observations: ['wrote the first program', 'worked with Babbage'] },
        { name: 'Analytical Engine', entityType: 'machine', observations: ['designed by Babbage'] },
      ],
    });
    await screenshot(page, 'form-editor-json');
    await form().getByRole('tab', { name: 'Form' }).click();
  });

  it('saves the filled form under a name for this workspace; the form stays open', async () => {
    await form().getByRole('button', { name: 'Save…' }).click();
    const input = await waitForQuickInput(page, 'Save Create Entities', 15_000);
    assert.strictEqual(await input.inputValue(), 'Create Entities', 'the name is not suggested from the tool');
    await input.fill('Two pioneers');
    await screenshot(page, 'saved-call-name');
    await input.press('Enter');
    await (await quickInputRow(page, 'This workspace')).click();
    await form().getByText("Saved as 'Two pioneers'.").waitFor({ timeout: 15_000 });
  });

  it('submits, asks consent with exactly those arguments, and shows the result', async () => {
    await form().getByRole('button', { name: 'Submit' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /Create Entities[\s\S]*memory[\s\S]*Ada Lovelace[\s\S]*Analytical Engine/);
    await screenshot(page, 'form-editor-consent');
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await webviewShownWithFocus(page, 'wrote the first program');
  });

  it('re-runs the saved call from the palette, through consent again', async () => {
    await runCommand(page, 'MCP Host: Run Saved Call…');
    const row = await quickInputRow(page, 'Two pioneers');
    assert.match(await row.innerText(), /Create Entities[\s\S]*memory/);
    await screenshot(page, 'saved-call-pick');
    await row.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /Create Entities[\s\S]*Ada Lovelace[\s\S]*worked with Babbage[\s\S]*Analytical Engine/);
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    // Both runs are in the history (the second created nothing new: server-memory keeps names unique).
    await page.locator('.sidebar .monaco-list-row', { hasText: 'Create Entities' }).nth(1).waitFor({ timeout: 30_000 });
    // The result panel (its page headed by the tool's title) comes to the front again, with the focus: the next
    // step starts after that.
    await webviewShownWithFocus(page, /^Create Entities$/);
  });

  it('shows the saved call under its tool in the sidebar and runs it from there; consent names it', async () => {
    const treeRow = (label: string) => page.locator('.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
    const expand = async (row: ReturnType<typeof treeRow>) => {
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    };
    await expand(treeRow('memory'));
    await expand(treeRow('Tools'));
    // The tool's own row runs it; its twistie shows its saved calls. Level 3 (server → Tools → tool): the Tool Call
    // History rows carry the same label, and a click must never toggle a node that is already open.
    const tool = page.locator('.sidebar .monaco-list-row[aria-level="3"]', { has: page.locator('.label-name', { hasText: 'Create Entities' }) }).first();
    await tool.waitFor({ timeout: 15_000 });
    await expand(tool);
    const saved = treeRow('Two pioneers');
    await saved.waitFor({ timeout: 15_000 });
    await saved.hover();
    await screenshot(page, 'saved-call-tree');
    await saved.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match(await dialog.innerText(), /running the saved call 'Two pioneers'[\s\S]*Ada Lovelace/);
    await dialog.getByRole('button', { name: 'Allow Once' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  });
});
