// Desktop runner: the same integration suites in desktop VS Code through @vscode/test-electron, for
// machines that can download VS Code (this project's CI machines cannot; they use integration.js).
//   node test/harness/desktop.js [suite ...]
const { spawnSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { buildTests } = require('./buildTests');
const { SUITES } = require('./integration');

async function main() {
  const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } = require('@vscode/test-electron');
  const wanted = process.argv.slice(2);
  const suites = wanted.length ? SUITES.filter(s => wanted.includes(s.name)) : SUITES;
  lib.buildExtension();
  await buildTests();
  const vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.VSCODE_VERSION || 'stable');
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
  const fixtureVsix = lib.packageFixtureExtension('scripted-model', lib.tempDir('fixture-vsix'));
  let failed = 0;
  for (const suite of suites) {
    const profile = lib.createProfile(`desktop-${suite.name}`);
    spawnSync(cli, [...cliArgs, '--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir, '--install-extension', fixtureVsix], { stdio: 'inherit' });
    const workspace = lib.copyWorkspace(suite.workspace, profile.dir);
    try {
      await runTests({
        vscodeExecutablePath,
        extensionDevelopmentPath: lib.root,
        extensionTestsPath: path.join(lib.root, 'out', 'test', 'integration', suite.name, 'index.js'),
        launchArgs: [workspace, '--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir, ...(suite.trust ? [] : ['--disable-workspace-trust'])],
      });
    } catch (err) {
      console.error(`suite ${suite.name} failed: ${err.message || err}`);
      failed++;
    } finally {
      lib.removeDir(profile.dir);
    }
  }
  lib.removeDir(path.dirname(fixtureVsix));
  return failed === 0;
}

main().then(
  ok => process.exit(lib.checkTempLeftovers(ok) ? 0 : 1),
  err => {
    console.error(err.stack || String(err));
    process.exit(1);
  },
);
