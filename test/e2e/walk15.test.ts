import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { closeAfterwards, openWithTrustedServers, quickInputRow, runCommand, screenshot, waitForQuickInput, Workbench } from './workbench';

/**
 * What walk15 found trying MCP Host on servers from npm, kept in the real workbench. The `published` fixture serves
 * schemas copied from them: @playwright/mcp's `browser_take_screenshot` (zod 4 lists `scale`, default "css", as
 * required) and tavily-mcp's `tavily_search` (dates whose default is the empty string).
 */
describe('e2e: forms for schemas published on npm (walk15)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  /** The form editor's page: the only webview open (see openTool). */
  const form = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  /** Opens the tool's form from Run Tool, in a window with no other editor (a test that failed may have left its form open). */
  async function openTool(typed: string, row: RegExp): Promise<void> {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill(typed);
    await (await quickInputRow(page, row)).click();
  }

  before(async () => {
    wb = await openWithTrustedServers({ published: { type: 'stdio', command: 'node', args: [path.resolve(__dirname, '..', 'fixtures', 'servers', 'published.js')] } }, { running: /published\s*running · 2 tools/ });
    page = wb.page;
  });

  it('says an empty-text default as "" (tavily-mcp\'s dates), not a bare "default:"', async () => {
    await openTool('published tavily', /tavily_search/);
    const startDate = form().getByLabel(/^start_date/);
    await startDate.waitFor({ timeout: 30_000 });
    assert.strictEqual(await startDate.getAttribute('placeholder'), 'default: ""');
    assert.strictEqual(await form().getByLabel(/^max_results/).getAttribute('placeholder'), 'default: 5');
    await screenshot(page, 'walk15-empty-default');
    await form().getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.tabs-container .tab', { hasText: /tavily_search/ }).waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('starts a required field that has a default with it, so the form submits as the server describes it (@playwright/mcp\'s scale)', async () => {
    await openTool('published screenshot', /Take a screenshot/);
    const scale = form().getByLabel(/^scale/);
    await scale.waitFor({ timeout: 30_000 });
    const chosen = async (label: RegExp) => (await form().getByLabel(label).locator('option:checked').innerText()).trim();
    assert.strictEqual(await chosen(/^scale/), 'css', 'the required field starts with its default');
    // The optional fields stay empty: only what the user sees chosen is sent.
    assert.strictEqual(await chosen(/^type/), '(not set)');
    await form().getByText('Ready to submit').waitFor({ timeout: 15_000 });
    await screenshot(page, 'walk15-required-default');
    await form().getByRole('button', { name: 'Submit' }).click();
    const consent = page.locator('.monaco-dialog-box');
    await consent.waitFor({ timeout: 30_000 });
    assert.match(await consent.innerText(), /"scale": "css"/);
    await consent.getByRole('button', { name: 'Allow Once' }).click();
    await form().getByText(/"scale":\s*"css"/).first().waitFor({ timeout: 30_000 });
  });
});
