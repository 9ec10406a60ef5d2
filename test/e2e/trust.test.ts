import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { closeAfterwards, openWorkbench, quickInput, quickInputBox, quickInputRow, runCommand, screenshot, serverScript, waitForQuickInput, Workbench, writeMcpConfig } from './workbench';

/**
 * A new user opens a repository with three workspace servers: one they trust (server-everything), one that fails
 * (exits with code 3), one they do not trust. The start dialog lets them choose; the failed and the declined
 * server offer the same actions in the status bar's pick as in the tree's context menu; "Add Server…" starts
 * what they typed without a second question.
 */
describe('e2e: trust per server, one set of actions per server, Add Server without a second question', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let page: Page;

  closeAfterwards(() => wb);

  const sidebar = () => page.locator('.sidebar');
  const treeRow = (label: string | RegExp) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  const dialog = () => page.locator('.monaco-dialog-box');
  /** Action labels as the tree's menu words them ("Show Server Log"), the way the status bar's pick does ("Show Log"). */
  const plain = (labels: string[]) => labels.map(l => l.replace(' Server', '').trim());

  /** The labels of the context menu of a sidebar row, closed again. */
  const contextMenu = async (row: string | RegExp): Promise<string[]> => {
    await treeRow(row).click({ button: 'right' });
    const shown = page.locator('.context-view .monaco-menu');
    await shown.waitFor({ timeout: 5_000 });
    const labels = (await shown.locator('.action-label').allInnerTexts()).filter(l => l.trim());
    await page.keyboard.press('Escape');
    return labels;
  };

  /** The actions the status bar's pick offers for a server, with a screenshot of them; closed again. */
  const statusBarActions = async (server: string, shot?: string): Promise<string[]> => {
    await page.locator('.statusbar-item', { hasText: /MCP \d+\/\d+/ }).first().click();
    await waitForQuickInput(page, 'MCP Servers');
    const row = quickInput(page).locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${server}\\s*$`) }) }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await waitForQuickInput(page, `MCP server '${server}'`);
    // Each row's label (its detail line is a label too).
    const rows = await quickInput(page).locator('.quick-input-list .monaco-list-row').all();
    const labels = await Promise.all(rows.map(async r => (await r.locator('.label-name').first().innerText()).trim()));
    if (shot) await screenshot(page, shot);
    await page.keyboard.press('Escape');
    return labels;
  };

  it('asks once, with Choose… to start only some: a pick with each server, its transport, where it is defined and what it runs', async () => {
    wb = await openWorkbench('everything', {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      prepare: ws =>
        writeMcpConfig(ws, {
          everything: { type: 'stdio', command: 'node', args: [serverScript('server-everything')] },
          broken: { type: 'stdio', command: 'node', args: ['-e', 'console.error("cannot open database: ./missing.db"); process.exit(3)'] },
          sketchy: { type: 'stdio', command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], env: { NODE_OPTIONS: '--require ./preload.js' } },
        }),
    });
    page = wb.page;
    await dialog().waitFor({ timeout: 90_000 });
    const text = await dialog().innerText();
    assert.match(text, /Start 3 MCP servers from this workspace\?/);
    // Where each is defined, as the tree says it: relative to its folder, not /tmp/…/everything/.vscode/mcp.json.
    assert.match(text, /• everything — defined in \.vscode\/mcp\.json \(\S+\)/);
    assert.doesNotMatch(text, /defined in \//);
    // The working folder too (it was /tmp/…/everything): relative to the workspace folder.
    assert.match(text, /\n\s*in: the workspace folder\n/);
    assert.doesNotMatch(text, /in: \//);
    await screenshot(page, 'trust-01-dialog');
    await dialog().getByRole('button', { name: 'Choose…' }).click();

    await waitForQuickInput(page, 'Start which MCP servers from this workspace?');
    const everything = await quickInputRow(page, /everything/);
    assert.match(await everything.innerText(), /stdio · \.vscode\/mcp\.json \(\S+\)[\s\S]*runs: node \S*server-everything/);
    const sketchy = await quickInputRow(page, /sketchy/);
    // What runs first, then the warning: the pick cuts the row's detail (it showed the warning and cut the command).
    assert.match(await sketchy.innerText(), /runs: node -e [^\n]*· ⚠ NODE_OPTIONS/);
    await screenshot(page, 'trust-02-choose');
    // Trusted: everything and broken (it fails on its own); sketchy is left unchecked.
    for (const name of ['everything', 'broken']) {
      await (await quickInputRow(page, new RegExp(name))).locator('.quick-input-list-checkbox, [role="checkbox"], input[type="checkbox"]').first().click();
    }
    await screenshot(page, 'trust-03-chosen');
    await quickInputBox(page).press('Enter');

    await page.locator('.activitybar [aria-label^="MCP Host"]').first().click();
    await sidebar().locator('.monaco-list-row', { hasText: /everything\s*running · \d+ tools/ }).first().waitFor({ timeout: 60_000 });
    await sidebar().locator('.monaco-list-row', { hasText: /broken\s*error/ }).first().waitFor({ timeout: 30_000 });
    await sidebar().locator('.monaco-list-row', { hasText: /sketchy\s*Not started: you declined/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'trust-04-sidebar');
  });

  it('offers the same actions for a failed and a declined server in the status bar as in the tree, and only those that apply', async () => {
    const brokenMenu = await contextMenu(/^broken$/);
    await treeRow(/^broken$/).click({ button: 'right' });
    await page.locator('.context-view .monaco-menu').waitFor({ timeout: 5_000 });
    // The menu fades in: the picture after it has.
    await page.waitForTimeout(400);
    await screenshot(page, 'trust-05-menu-broken');
    await page.keyboard.press('Escape');
    const brokenPick = await statusBarActions('broken', 'trust-06-status-broken');
    assert.deepStrictEqual(plain(brokenMenu), ['Restart', 'Show Log', 'Open Config'], 'a failed server: Restart (not Start and Restart)');
    assert.deepStrictEqual(brokenPick, ['Restart', 'Show Log', 'Open Config'], 'the status bar offers what the tree offers (it offered Stop)');

    const sketchyMenu = await contextMenu(/^sketchy$/);
    const sketchyPick = await statusBarActions('sketchy', 'trust-07-status-declined');
    // Declined, never started: nothing to restart, no log to show.
    assert.deepStrictEqual(plain(sketchyMenu), ['Start', 'Open Config']);
    assert.deepStrictEqual(sketchyPick, ['Start', 'Open Config']);

    assert.deepStrictEqual(plain(await contextMenu(/^everything$/)), ['Stop', 'Restart', 'Show Log', 'Open Config']);
  });

  it('"Add Server…" starts the server the user just typed without asking to trust it', async () => {
    await runCommand(page, 'MCP Host: Add Server…');
    await waitForQuickInput(page, 'Add MCP Server (1/3)');
    await (await quickInputRow(page, /Command/)).click();
    const line = await waitForQuickInput(page, 'Add MCP Server (2/3)');
    await line.fill(`node ${serverScript('server-everything')} stdio`);
    await line.press('Enter');
    const name = await waitForQuickInput(page, 'Add MCP Server (3/3)');
    await name.fill('typed');
    await screenshot(page, 'trust-08-add-name');
    await name.press('Enter');
    const running = sidebar().locator('.monaco-list-row', { hasText: /typed\s*running · \d+ tools/ }).first();
    // No trust dialog comes between: with one, the server would wait for it, blocked.
    const first = await Promise.race([running.waitFor({ timeout: 60_000 }).then(() => 'running' as const), dialog().waitFor({ timeout: 60_000 }).then(() => 'dialog' as const)]);
    if (first === 'dialog') await screenshot(page, 'FAILED trust-add-dialog');
    assert.strictEqual(first, 'running', `asked: ${first === 'dialog' ? await dialog().innerText() : ''}`);
    assert.strictEqual(await dialog().count(), 0);
    await screenshot(page, 'trust-09-added-running');
  });

  it("shows MCP Host's own CodeLens above each server in .vscode/mcp.json, and it follows the server's state (uxreview item 4)", async () => {
    // Add Server… left .vscode/mcp.json open, at its last entry: to the top, where the first entry's lens is.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    // Ours say whose they are (VS Code's built-in MCP shows its own, "Start | More…", on the same lines).
    const decoration = (text: RegExp) => page.locator('.monaco-editor .codelens-decoration', { hasText: text }).first();
    await decoration(/MCP Host: Running · \d+ tools/).waitFor({ timeout: 30_000 });
    await decoration(/MCP Host: Failed/).waitFor({ timeout: 15_000 });
    await decoration(/MCP Host: Not trusted/).waitFor({ timeout: 15_000 });
    // In file order: everything, broken, sketchy, typed; each with the tree's actions for its state (no Open Config).
    // VS Code's own lens on a line may come before or after ours: each decoration is read from "MCP Host:" on, and
    // ours must be all of it or be followed by theirs. The lenses follow the state, so wait for typed's to say Running.
    const expected = ['MCP Host: Running · N tools | Stop | Restart | Show Log', 'MCP Host: Failed | Restart | Show Log', 'MCP Host: Not trusted | Trust and Start…', 'MCP Host: Running · N tools | Stop | Restart | Show Log'];
    const lensTexts = async () =>
      (await page.locator('.monaco-editor .codelens-decoration').allInnerTexts())
        .map(t => t.replace(/\s+/g, ' ').trim())
        .filter(t => t.includes('MCP Host:'))
        .map(t => t.slice(t.indexOf('MCP Host:')).replace(/\d+ tools/, 'N tools'));
    const matches = (shown: string[]) => shown.length === expected.length && shown.every((t, i) => t === expected[i] || t.startsWith(`${expected[i]} | `));
    let shown: string[] = [];
    for (const until = Date.now() + 30_000; Date.now() < until && !matches((shown = await lensTexts())); ) await page.waitForTimeout(250);
    assert.ok(matches(shown), shown.join('\n'));
    await screenshot(page, 'codelens-01-config');
    // Its Stop stops our server, and the lens says so.
    const everything = decoration(/MCP Host: Running/);
    await everything.locator(':is(span, a):has-text("MCP Host:") ~ a', { hasText: /^Stop$/ }).first().click();
    await decoration(/MCP Host: Stopped\s+\|\s+Start\s+\|\s+Show Log/).waitFor({ timeout: 30_000 });
    await sidebar().locator('.monaco-list-row', { hasText: /everything\s*stopped/ }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'codelens-02-stopped');
  });
});
