// Compiles the TypeScript under test/ into out/test/, one bundle per entry (test files, suite entries,
// fixture servers), with npm packages left external and `vscode` provided by the extension host.
// Used by every tier; takes well under a second.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

function entries(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'workspaces' && e.name !== 'extensions') entries(p, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && isEntry(p)) {
      out.push(p);
    }
  }
  return out;
}

/** Test files, suite entries, fixture programs and the conformance client are entries; helpers are bundled into them. */
function isEntry(file) {
  const rel = path.relative(path.join(root, 'test'), file).split(path.sep).join('/');
  return (
    rel.endsWith('.test.ts') ||
    /^integration\/[^/]+\/index\.ts$/.test(rel) ||
    rel.startsWith('fixtures/servers/') ||
    rel.startsWith('fixtures/bin/') ||
    /^conformance\/[^/]+\.ts$/.test(rel) ||
    /^bench\/[^/]+\.ts$/.test(rel)
  );
}

async function buildTests() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries(path.join(root, 'test')),
    outbase: 'test',
    outdir: 'out/test',
    bundle: true,
    packages: 'external',
    external: ['vscode'],
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    metafile: true,
  });
  if (result.errors.length) throw new Error('test build failed');
  removeStale(new Set(Object.keys(result.metafile.outputs).map(f => path.resolve(root, f))));
  // MCP App UIs run in a browser frame: each is one self-contained script, its packages included.
  const apps = path.join(root, 'test', 'fixtures', 'apps');
  const browser = await esbuild.build({
    absWorkingDir: root,
    entryPoints: fs.readdirSync(apps).filter(f => f.endsWith('.ts')).map(f => path.join(apps, f)),
    outdir: 'out/test/fixtures/apps',
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  if (browser.errors.length) throw new Error('test app build failed');
}

/**
 * Deletes compiled tests whose source is gone (a renamed or removed test file would otherwise keep running from
 * out/test in a working copy, and its tests would count in the totals). The browser apps have their own build.
 */
function removeStale(built) {
  const apps = path.join(root, 'out', 'test', 'fixtures', 'apps');
  const walk = dir => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p === apps) continue;
        walk(p);
        if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
      } else if (e.name.endsWith('.js') && !built.has(p)) {
        fs.rmSync(p, { force: true });
      }
    }
  };
  walk(path.join(root, 'out', 'test'));
}

module.exports = { buildTests };

if (require.main === module) {
  buildTests().catch(err => {
    console.error(err.message);
    process.exit(1);
  });
}
