import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { appFrame, closeAfterwards, openWorkbench, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, Workbench } from './workbench';

/**
 * A new user with an MCP App server from npm (server-basic-vanillajs), as they would: approve the workspace
 * server, run its app tool from the command palette, consent, see the app open in its panel, click its
 * button (the app's own tool call asks for consent again, as an app on that server), and see the app update.
 */
describe('e2e: an MCP App from the command palette', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const dialog = () => page.locator('.monaco-dialog-box');

  const serverTime = async (frame: Frame) => (await frame.locator('#server-time').innerText()).trim();

  it('asks before starting the workspace app server', async () => {
    wb = await openWorkbench('empty', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws => {
        fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
        fs.writeFileSync(
          path.join(ws, '.vscode', 'mcp.json'),
          JSON.stringify({ servers: { basic: { type: 'stdio', command: 'node', args: [serverScript('server-basic-vanillajs'), '--stdio'] } } }, null, 2),
        );
      },
    });
    page = wb.page;
    await dialog().waitFor({ timeout: 90_000 });
    assert.match(await dialog().innerText(), /Start the MCP server 'basic' from this workspace\?/);
    await dialog().getByRole('button', { name: 'Start Server' }).click();
    // Run Tool lists the tools of running servers only: wait for the status bar to count it running.
    await page.locator('.statusbar-item', { hasText: 'MCP 1/1' }).first().waitFor({ timeout: 60_000 });
  });

  it('runs the app tool from the palette: the pick marks it as an app, consent is asked, the app opens', async () => {
    await runCommand(page, 'MCP Host: Run Tool…');
    await (await waitForQuickInput(page, 'MCP Host: Run Tool')).fill('Get Time');
    const tool = await quickInputRow(page, 'Get Time', 60_000);
    assert.match(await tool.innerText(), /app/);
    await tool.click();
    await dialog().waitFor({ timeout: 30_000 });
    assert.match(await dialog().innerText(), /get-time[\s\S]*basic/i);
    await dialog().getByRole('button', { name: 'Allow Once' }).click();

    const app = await appFrame(page, '#server-time');
    const deadline = Date.now() + 30_000;
    while (!/^\d{4}-\d\d-\d\dT/.test(await serverTime(app))) {
      if (Date.now() > deadline) throw new Error(`the app did not show the result: ${await serverTime(app)}`);
      await page.waitForTimeout(250);
    }
    // The panel's header says which server the app is from and what it was granted (nothing).
    const header = await appFrame(page, '#mcp-app-header');
    assert.match(await header.locator('#mcp-app-header').innerText(), /App · Get Time on basic[\s\S]*Network: none[\s\S]*Permissions: none/);
  });

  it('clicks in the app: its tool call asks consent as an app on that server, and the app updates', async () => {
    const app = await appFrame(page, '#get-time-btn');
    const before = await serverTime(app);
    await page.waitForTimeout(1_100); // the time has second resolution at least
    await app.locator('#get-time-btn').click();
    await dialog().waitFor({ timeout: 30_000 });
    assert.match(await dialog().innerText(), /An app on server 'basic' asks to run the MCP tool[\s\S]*get-time/);
    await screenshot(page, 'apps-01-consent-from-app');
    await dialog().getByRole('button', { name: 'Allow Once' }).click();
    const deadline = Date.now() + 30_000;
    let now = before;
    while ((now = await serverTime(app)) === before || !/^\d{4}-/.test(now)) {
      if (Date.now() > deadline) throw new Error(`the app did not update: still ${now}`);
      await page.waitForTimeout(250);
    }
    await screenshot(page, 'apps-02-app-panel');
  });
});
