// E2E tier: Playwright drives Debian's chromium against a fresh code-server with the built VSIX installed
// from the CLI, as a new user would. Screenshots land in test-results/e2e.
const { spawnSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { buildTests } = require('./buildTests');

async function main() {
  lib.ensureSetup();
  const vsix = lib.packageVsix();
  await buildTests();
  const r = spawnSync(process.execPath, [path.join(lib.root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', 'test/e2e/.mocharc.json'], {
    cwd: lib.root,
    stdio: 'inherit',
    env: { ...process.env, MCP_HOST_VSIX: vsix },
  });
  return r.status === 0;
}

if (require.main === module) {
  main().then(
    ok => process.exit(lib.checkTempLeftovers(ok) ? 0 : 1),
    err => {
      console.error(err.stack || String(err));
      process.exit(1);
    },
  );
}

module.exports = { main };
