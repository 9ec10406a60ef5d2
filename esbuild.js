// Builds the extension into one CommonJS bundle for Node (`vscode` stays external).
//   node esbuild.js               development build with source maps
//   node esbuild.js --production  minified, no source maps (what the VSIX ships)
//   node esbuild.js --watch       rebuild on change
//   --outdir=<dir> --metafile=<file>   build elsewhere and say what is in it (npm run bench measures the bundle so)
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const option = name => process.argv.find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const outdir = option('outdir') ?? 'dist';
const metafile = option('metafile');

/** The config JSON schemas are contributed through `jsonValidation`, so they ship beside the bundle. */
const copySchemas = {
  name: 'copy-schemas',
  setup(build) {
    build.onEnd(() => {
      for (const f of fs.readdirSync('src/config').filter(f => f.endsWith('.schema.json'))) {
        fs.copyFileSync(path.join('src/config', f), path.join(outdir, f));
      }
    });
  },
};

/** The SDK's default-validator shim, replaced by the host's own (see src/mcp/sdkShims.ts). */
const sdkShims = {
  name: 'sdk-shims',
  setup(build) {
    build.onResolve({ filter: /^@modelcontextprotocol\/client\/_shims$/ }, () => ({ path: path.resolve('src/mcp/sdkShims.ts') }));
  },
};

/** Prints esbuild's problems in the `file:line:col: message` form VS Code's problem matchers read. */
const reportProblems = {
  name: 'report-problems',
  setup(build) {
    build.onEnd(result => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
        console.error(`${where}${text}`);
      }
      if (watch) console.log(`[watch] build finished with ${result.errors.length} error(s)`);
    });
  },
};

async function main() {
  const ctx = await esbuild.context({
    // The reaper runs as a process of its own (src/mcp/reaper.ts says why).
    entryPoints: { extension: 'src/extension.ts', reaper: 'src/mcp/reaperProcess.ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir,
    metafile: !!metafile,
    external: ['vscode'],
    // jsonc-parser's default entry for Node is a UMD build whose dynamic requires break when bundled.
    mainFields: ['module', 'main'],
    // zod probes `navigator` (for Cloudflare) when it builds its first schema; in the extension host that
    // global is a deprecation shim that logs a PendingMigrationError warning on every activation.
    define: { navigator: 'undefined' },
    sourcemap: !production,
    sourcesContent: false,
    minify: production,
    legalComments: production ? 'none' : 'inline',
    logLevel: 'silent',
    plugins: [sdkShims, copySchemas, reportProblems],
  });
  if (watch) {
    await ctx.watch();
    return;
  }
  // A production bundle has no map; a stale one from a development build must not linger beside it.
  if (production) for (const map of ['extension.js.map', 'reaper.js.map']) fs.rmSync(path.join(outdir, map), { force: true });
  const result = await ctx.rebuild();
  await ctx.dispose();
  if (result.errors.length) process.exit(1);
  if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
