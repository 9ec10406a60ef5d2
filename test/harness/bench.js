// `npm run bench`: speed and memory of the MCP core as ratios against the raw SDK client and a raw pipe.
// See test/bench/bench.ts for what is measured and the targets. BENCH_ROUNDS sets the rounds (default 5).
const { spawnSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { buildTests } = require('./buildTests');

lib.ensureDependencies();
buildTests().then(
  () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--enable-source-maps', path.join(lib.root, 'out', 'test', 'bench', 'bench.js')], { cwd: lib.root, stdio: 'inherit' });
    process.exit(r.status ?? 1);
  },
  err => {
    console.error(err.stack || String(err));
    process.exit(1);
  },
);
