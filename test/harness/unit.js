// Unit tier: plain Node, no VS Code. Builds the tests, then runs mocha over out/test/unit.
const { spawnSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { buildTests } = require('./buildTests');

buildTests().then(
  () => {
    const r = spawnSync(process.execPath, [path.join(lib.root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', 'test/unit/.mocharc.json'], {
      cwd: lib.root,
      stdio: 'inherit',
      // Checks that go through the validation worker use the real one (the extension ships it in dist/validation.js).
      env: { ...process.env, MCP_HOST_VALIDATION_WORKER: path.join(lib.root, 'out', 'test', 'fixtures', 'bin', 'validationWorker.js') },
    });
    process.exit(lib.checkTempLeftovers(r.status === 0) ? 0 : 1);
  },
  err => {
    console.error(err.stack || String(err));
    process.exit(1);
  },
);
