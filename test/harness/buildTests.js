// Compiles the TypeScript under test/ into out/test/, one bundle per entry (test files, suite entries,
// fixture servers), with npm packages left external and `vscode` provided by the extension host; the
// conformance client is one minified file with its packages (see buildTests). Used by every tier; takes about a second.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

function entries(dir, isEntry, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'workspaces' && e.name !== 'extensions') entries(p, isEntry, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && isEntry(p)) {
      out.push(p);
    }
  }
  return out;
}

const testPath = file => path.relative(path.join(root, 'test'), file).split(path.sep).join('/');

/** Test files, suite entries, fixture programs and bench scripts are entries; helpers are bundled into them. */
function isEntry(file) {
  const rel = testPath(file);
  return (
    rel.endsWith('.test.ts') ||
    /^integration\/[^/]+\/index\.ts$/.test(rel) ||
    rel.startsWith('fixtures/servers/') ||
    rel.startsWith('fixtures/bin/') ||
    /^bench\/[^/]+\.ts$/.test(rel)
  );
}

/** The conformance client (test/conformance/*.ts; its helpers in lib/ are bundled into it). */
const isConformanceEntry = file => /^conformance\/[^/]+\.ts$/.test(testPath(file));

async function buildTests() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries(path.join(root, 'test'), isEntry),
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
  // The conformance CLI starts ~50 clients at once on a machine other runs share. Loading the SDK and its packages
  // module by module from node_modules took a starved client 12–18 s before its first line (notes/8.md); one
  // minified file with everything in it loads in a fraction of that (README: Development, test:conformance).
  const conformance = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries(path.join(root, 'test', 'conformance'), isConformanceEntry),
    outbase: 'test',
    outdir: 'out/test',
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    metafile: true,
  });
  if (conformance.errors.length) throw new Error('conformance client build failed');
  removeStale(new Set([result, conformance].flatMap(r => Object.keys(r.metafile.outputs)).map(f => path.resolve(root, f))));
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
