// E2E tier: Playwright drives Debian's chromium against a fresh code-server with the built VSIX installed
// from the CLI, as a new user would. Screenshots land in test-results/e2e.
//   node test/harness/e2e.js [spec ...]   (e.g. `npm run test:e2e -- chat` runs test/e2e/chat.test.ts only)
const { spawnSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { buildTests } = require('./buildTests');

/** Mocha's arguments: the tier's config, or only the named specs with the same options. */
function mochaArgs(names) {
  if (names.length === 0) return ['--config', 'test/e2e/.mocharc.json'];
  const config = require('../e2e/.mocharc.json');
  const specs = names.map(n => path.join('out', 'test', 'e2e', `${n.replace(/\.test(\.[jt]s)?$/, '')}.test.js`));
  return ['--no-config', '--timeout', String(config.timeout), '--reporter', config.reporter, ...config['node-option'].map(o => `--${o}`), ...specs];
}

async function main(names = []) {
  lib.ensureSetup();
  const vsix = lib.packageVsix();
  await buildTests();
  // The chat journey needs a chat model; offline, the scripted test model plays Copilot's part.
  const fixtureDir = lib.tempDir('fixture-vsix');
  try {
    const scriptedModel = lib.packageFixtureExtension('scripted-model', fixtureDir);
    const r = spawnSync(process.execPath, [path.join(lib.root, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...mochaArgs(names)], {
      cwd: lib.root,
      stdio: 'inherit',
      env: { ...process.env, MCP_HOST_VSIX: vsix, MCP_HOST_SCRIPTED_MODEL_VSIX: scriptedModel },
    });
    return r.status === 0;
  } finally {
    lib.removeDir(fixtureDir);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    ok => process.exit(lib.checkTempLeftovers(ok) ? 0 : 1),
    err => {
      console.error(err.stack || String(err));
      process.exit(1);
    },
  );
}

module.exports = { main };
