import * as assert from 'assert';
import { closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, waitForQuickInput, Workbench } from './workbench';

describe('e2e: a new user installs the VSIX and opens the sidebar', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;

  closeAfterwards(() => wb);

  it('installs the VSIX from the CLI', async () => {
    // No chat beside the editor: the walkthrough hides its images in an editor under 950 px wide.
    wb = await openWorkbench('empty', { settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' } });
    assert.match(wb.installOutput, /successfully installed/i);
  });

  it('shows the MCP Host activity-bar icon and opens its view', async () => {
    const page = wb!.page;
    const icon = page.locator('.activitybar .action-item a[aria-label^="MCP Host"], .activitybar .action-item [aria-label^="MCP Host"]').first();
    await icon.waitFor({ timeout: 30_000 });
    await icon.click();
    // With one view in the container, the workbench folds the view's header into the side bar title.
    await page.locator('.sidebar .composite.title', { hasText: 'MCP Host' }).waitFor({ timeout: 30_000 });
    await page.getByText('No MCP servers are configured for this workspace.').waitFor({ timeout: 30_000 });
    await screenshot(page, 'sidebar-empty-workspace');
  });

  it('lists its settings in titled sections, the servers first (uxreview item 9)', async () => {
    const page = wb!.page;
    await runCommand(page, 'Preferences: Open Settings (UI)');
    const editor = page.locator('.settings-editor');
    await editor.waitFor({ timeout: 30_000 });
    await editor.locator('.settings-header .monaco-editor').first().click();
    await page.keyboard.type('@ext:mcp-host.mcp-host', { delay: 5 });
    // One alphabetical list put "Chat: Confirmation" first and the servers setting in the middle.
    const toc = editor.locator('.settings-toc-container .monaco-list-row');
    await toc.filter({ hasText: 'Sampling' }).first().waitFor({ timeout: 30_000 });
    const sections = (await toc.allInnerTexts()).map(t => t.replace(/\s*\(\d+\)\s*$/, '').trim());
    const ours = sections.slice(sections.indexOf('Servers'));
    assert.deepStrictEqual(ours.slice(0, 6), ['Servers', 'Consent', 'Chat', 'Remote', 'Forms', 'Sampling'], sections.join(' | '));
    const first = editor.locator('.settings-editor-tree .setting-item-contents .setting-item-title').first();
    assert.match(await first.innerText(), /^Mcp Host: Servers\b/);
    await screenshot(page, 'settings-sections');
  });

  it('has a Get Started walkthrough: add servers, run a tool, @mcp in chat, with its images (uxreview item 11)', async () => {
    const page = wb!.page;
    await page.keyboard.press('Escape');
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await waitForQuickInput(page, /Get Started with MCP Host/);
    await (await quickInputRow(page, /Get Started with MCP Host/)).click();
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Get Started with MCP Host').first().waitFor({ timeout: 30_000 });
    for (const title of ['Add or open your servers', 'Run a tool', 'Use your servers in chat with @mcp']) await walkthrough.getByText(title).first().waitFor({ timeout: 15_000 });
    await walkthrough.getByRole('button', { name: 'Add Server…' }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'walkthrough-1');
    await walkthrough.getByText('Run a tool').first().click();
    await walkthrough.getByRole('button', { name: 'Run Tool…' }).first().waitFor({ timeout: 15_000 });
    // The step's image is shown beside the steps (the walkthrough hides it in an editor under 950 px wide).
    const media = walkthrough.locator('.getting-started-media').first();
    await media.waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(((await media.boundingBox())?.width ?? 0) > 200, 'the step has no image beside it');
    await screenshot(page, 'walkthrough-2');
  });
});
