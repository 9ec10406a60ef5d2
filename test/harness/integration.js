// Integration tier: mocha inside the real extension host of VS Code 1.139 (code-server), with the real
// `vscode` API. Each suite gets a fresh code-server profile and its own workspace, because activation
// and trust behaviour depend on what the window opened with.
//   node test/harness/integration.js [suite ...]
const fs = require('fs');
const path = require('path');
const { format } = require('util');
const lib = require('./lib');
const { buildTests } = require('./buildTests');
const logCheck = require('./logCheck');
const { startFrameDriver } = require('./frameDriver');

const { publisher, name: packageName } = require('../../package.json');
const EXTENSION_ID = `${publisher}.${packageName}`;

/**
 * Suites: the folder under test/integration, the fixture workspace it opens, and whether trust is enforced.
 * A suite may set its own time limit (the soak, also runnable alone as `npm run soak`).
 */
const SUITES = [
  { name: 'lazy', workspace: 'empty' },
  { name: 'chat', workspace: 'empty' },
  { name: 'core', workspace: 'empty' },
  { name: 'untrusted', workspace: 'untrusted', trust: true },
  { name: 'consent', workspace: 'empty' },
  { name: 'tree', workspace: 'empty' },
  { name: 'resources', workspace: 'resources' },
  { name: 'palette', workspace: 'empty' },
  { name: 'forms', workspace: 'empty' },
  { name: 'results', workspace: 'empty' },
  { name: 'soak', workspace: 'empty', timeoutMs: 20 * 60_000 },
  { name: 'security', workspace: 'empty' },
  { name: 'remote', workspace: 'empty' },
  { name: 'eras', workspace: 'empty' },
  { name: 'apps', workspace: 'empty' },
];

const SUITE_TIMEOUT_MS = 10 * 60_000;
/** Must match REPORT_TAG in test/integration/runner.ts. */
const REPORT_TAG = '[mocha] ';

/** Keeps what explains a failed suite (its logs) under test-results, since its profile is removed. */
function keepLogs(suite, profile) {
  const dest = path.join(lib.root, 'test-results', `integration-${suite.name}`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  for (const name of ['code-server.log', 'workbench.log']) {
    const file = path.join(profile.dir, name);
    if (fs.existsSync(file)) fs.copyFileSync(file, path.join(dest, name));
  }
  const logs = path.join(profile.userDataDir, 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'logs'), { recursive: true });
  return dest;
}

/**
 * Fails a suite whose extension host logged an unhandled rejection, an uncaught error, or an error-level
 * line from MCP Host (its output channels, or console.error with its prefix) that no test declared.
 */
function checkLogs(profile, expected, consoleErrors) {
  const problems = logCheck.findProblems(profile.userDataDir, { extensionId: EXTENSION_ID, ownCode: [path.join(lib.root, 'dist'), path.join(lib.root, 'out')], expected });
  for (const text of consoleErrors) {
    const line = `console: [error] ${text}`;
    if (!expected.some(re => re.test(line))) problems.push({ source: 'console', text: line });
  }
  for (const p of problems) console.error(`unexpected log entry: ${p.text.split('\n').slice(0, 8).join('\n    ')}`);
  return problems.length === 0;
}

/** Runs one suite in a fresh profile, checks its logs, and removes the profile (keeping the logs of a failure). */
async function runSuite(env, browser, suite, fixtureVsixes, frames) {
  // VS Code's own MCP support would start a second copy of every fixture server of .vscode/mcp.json on each chat
  // request (chat.mcp.autostart): load that tests nothing of ours. it core's builtinMcp test turns it on for itself.
  const profile = lib.createProfile(`it-${suite.name}`, { 'chat.mcp.autostart': 'never' });
  try {
    const run = await runInProfile(env, browser, suite, fixtureVsixes, profile, frames);
    // After code-server has stopped, so the logs are complete.
    const ok = checkLogs(profile, run.expected, run.consoleErrors) && run.ok;
    if (!ok) console.error(`suite ${suite.name}: logs kept in ${keepLogs(suite, profile)}`);
    return { ok, passing: run.passing, failing: run.failing };
  } catch (err) {
    console.error(`suite ${suite.name}: logs kept in ${keepLogs(suite, profile)}`);
    throw err;
  } finally {
    lib.removeDir(profile.dir);
  }
}

async function runInProfile(env, browser, suite, fixtureVsixes, profile, frames) {
  for (const vsix of fixtureVsixes) lib.installExtension(env, profile, vsix);
  const workspace = lib.copyWorkspace(suite.workspace, profile.dir);
  const server = await lib.startCodeServer(env, profile, { smokeDriver: true, trust: !!suite.trust });
  const remote = p => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(lib.root)],
    ['extensionTestsPath', remote(path.join(lib.root, 'out', 'test', 'integration', suite.name, 'index.js'))],
  ];
  const page = await browser.newPage();
  frames.setPage(page);
  const counts = { passing: 0, failing: 0 };
  const workbenchLog = path.join(profile.dir, 'workbench.log');
  const chatter = [];
  const expected = [];
  const consoleErrors = [];
  let ok = false;
  try {
    const exit = new Promise(resolve => page.exposeFunction('codeAutomationExit', code => resolve(code)));
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      fs.appendFileSync(workbenchLog, `[${level}] ${line}\n`);
      const expectation = logCheck.parseExpectation(line);
      if (expectation) expected.push(expectation);
      if (level === 'error' && line.startsWith('MCP Host')) consoleErrors.push(line);
      if (!line.startsWith(REPORT_TAG)) {
        chatter.push(line);
        return;
      }
      const report = line.slice(REPORT_TAG.length);
      const summary = /^\s*(\d+) (passing|failing)\b/.exec(report);
      if (summary) counts[summary[2]] += Number(summary[1]);
      process.stdout.write(`${report}\n`);
    });
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    // The workbench page can take well over Playwright's default 30 s to load on a shared, loaded machine.
    await page.goto(url, { timeout: 180_000 });
    const code = await Promise.race([
      exit,
      new Promise(resolve => setTimeout(() => resolve('timeout'), suite.timeoutMs ?? SUITE_TIMEOUT_MS)),
      server.exited.then(c => `code-server exited (${c})`),
    ]);
    if (code !== 0) {
      const shot = path.join(lib.root, 'test-results', `integration-${suite.name}.png`);
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot }).catch(() => {});
      console.error(`--- last workbench console lines:\n${chatter.slice(-40).join('\n')}`);
      console.error(`suite ${suite.name}: exit ${code}; screenshot ${shot}`);
    }
    ok = code === 0;
  } finally {
    await page.close().catch(() => {});
    await server.stop();
  }
  return { ok, ...counts, expected, consoleErrors };
}

async function main() {
  const wanted = process.argv.slice(2);
  const suites = wanted.length ? SUITES.filter(s => wanted.includes(s.name)) : SUITES;
  if (suites.length === 0) throw new Error(`no such suite: ${wanted.join(', ')}; have ${SUITES.map(s => s.name).join(', ')}`);
  const env = lib.ensureSetup();
  lib.buildExtension();
  await buildTests();
  const vsixDir = lib.tempDir('fixture-vsix');
  const fixtureVsixes = [lib.packageFixtureExtension('scripted-model', vsixDir)];
  const browser = await lib.launchBrowser(env);
  const frames = await startFrameDriver();
  process.env.MCP_HOST_TEST_FRAMES = frames.url;
  const totals = { passing: 0, failing: 0, failedSuites: [] };
  try {
    for (const suite of suites) {
      console.log(`\n=== integration suite: ${suite.name} (workspace: ${suite.workspace}${suite.trust ? ', trust enforced' : ''})`);
      const r = await runSuite(env, browser, suite, fixtureVsixes, frames);
      totals.passing += r.passing;
      totals.failing += r.failing;
      if (!r.ok) totals.failedSuites.push(suite.name);
    }
  } finally {
    await frames.close();
    await browser.close();
    lib.removeDir(vsixDir);
  }
  // A suite that crashed before mocha reported counts as a failure even with no failing test counted.
  const failed = totals.failing + (totals.failedSuites.length && !totals.failing ? totals.failedSuites.length : 0);
  console.log(`\nintegration: ${totals.passing} passed, ${failed} failed`);
  if (totals.failedSuites.length) console.log(`failed suites: ${totals.failedSuites.join(', ')}`);
  return totals.failedSuites.length === 0 && totals.passing > 0;
}

if (require.main === module) {
  main().then(
    ok => process.exit(lib.checkTempLeftovers(ok) ? 0 : 1),
    err => {
      console.error(err.stack || String(err));
      lib.stopAll().finally(() => process.exit(1));
    },
  );
}

module.exports = { main, SUITES };
