// The one test command (`npm test`, called by .ci/run): set-up on a fresh machine, type checks, then the
// unit, integration and e2e tiers. Every tier runs even when an earlier one fails; the exit code is
// non-zero if anything failed, and the last line is the overall "N passed, N failed".
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

/** Runs a command, mirroring its output, and returns { code, passed, failed } read from mocha-style summaries. */
function step(title, cmd, args) {
  console.log(`\n##### ${title}`);
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd: lib.root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let passed = 0;
    let failed = 0;
    let tail = '';
    const scan = chunk => {
      const text = tail + chunk.toString();
      const lines = text.split('\n');
      tail = lines.pop();
      for (const line of lines) {
        const total = /^\w+: (\d+) passed, (\d+) failed$/.exec(line.trim());
        if (total) {
          // A tier harness that prints its own total replaces the per-suite counts.
          passed = Number(total[1]);
          failed = Number(total[2]);
          continue;
        }
        const m = /^\s*(\d+) (passing|failing)\b/.exec(line);
        if (m && m[2] === 'passing') passed += Number(m[1]);
        if (m && m[2] === 'failing') failed += Number(m[1]);
      }
    };
    child.stdout.on('data', d => {
      process.stdout.write(d);
      scan(d);
    });
    child.stderr.on('data', d => process.stderr.write(d));
    child.on('close', code => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      // Each step removes the temp files it made; what is left is a leak, reported as this step's failure.
      const left = lib.takeTempLeftovers();
      if (left.length) {
        console.error(`${title} left ${left.length} temp file(s) behind (now removed): ${left.join(', ')}`);
        failed++;
        if (code === 0) code = 1;
      }
      console.log(`##### ${title}: exit ${code}, ${passed} passed, ${failed} failed, ${seconds} s`);
      resolve({ title, code, passed, failed, seconds });
    });
  });
}

async function main() {
  const t0 = Date.now();
  console.log('##### set-up (idempotent; cached in ' + lib.cache + ')');
  lib.ensureDependencies();
  lib.ensureSetup();
  fs.rmSync(path.join(lib.root, 'out'), { recursive: true, force: true });
  fs.rmSync(path.join(lib.root, 'test-results'), { recursive: true, force: true });
  const bin = name => path.join(lib.root, 'node_modules', '.bin', name);
  const results = [];
  results.push(await step('type check (src)', bin('tsc'), ['--noEmit', '-p', '.']));
  results.push(await step('type check (test)', bin('tsc'), ['--noEmit', '-p', 'test']));
  results.push(await step('unit', process.execPath, [path.join(__dirname, 'unit.js')]));
  results.push(await step('conformance', process.execPath, [path.join(__dirname, 'conformance.js')]));
  results.push(await step('integration', process.execPath, [path.join(__dirname, 'integration.js')]));
  results.push(await step('e2e', process.execPath, [path.join(__dirname, 'e2e.js')]));

  console.log('\n##### summary');
  for (const r of results) console.log(`${r.code === 0 ? 'ok  ' : 'FAIL'}  ${r.title.padEnd(20)} ${r.passed} passed, ${r.failed} failed, ${r.seconds} s`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  // A step that exited non-zero without counting a failing test (a crash, a type error) still counts as one.
  const failed = results.reduce((n, r) => n + (r.failed || (r.code !== 0 ? 1 : 0)), 0);
  const ranNothing = results.filter(r => /unit|integration|e2e/.test(r.title) && r.passed === 0 && r.code === 0);
  if (ranNothing.length) console.log(`tiers that ran no test: ${ranNothing.map(r => r.title).join(', ')}`);
  console.log(`total time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed + ranNothing.length} failed`);
  return failed === 0 && ranNothing.length === 0;
}

main().then(
  ok => process.exit(ok ? 0 : 1),
  err => {
    console.error(err.stack || String(err));
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
