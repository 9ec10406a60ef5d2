import * as assert from 'assert';
import { closeAfterwards, openWorkbench, runCommand, screenshot, Workbench } from './workbench';

describe('e2e: a new user installs the VSIX and opens the sidebar', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;

  closeAfterwards(() => wb);

  it('installs the VSIX from the CLI', async () => {
    wb = await openWorkbench('empty');
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
});
