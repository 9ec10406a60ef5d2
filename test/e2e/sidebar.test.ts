import * as assert from 'assert';
import { closeAfterwards, openWorkbench, screenshot, Workbench } from './workbench';

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
});
