// Builds the extension into CommonJS bundles for Node (`vscode` stays external):
//   dist/extension.js   what activation loads: the host's own code (+ jsonc-parser)
//   dist/sdk.js         the MCP SDK (client, core, app bridge, zod), loaded when the first server connects
//   dist/validation.js  Ajv, re2js and the generated meta-schema validator, loaded when the first schema is
//                       compiled on the main thread (the config check, the SDK's fallback); and the validation
//                       worker thread's code (src/mcp/validationClient.ts says why), which runs only when the
//                       file is started as that worker: one copy of Ajv and re2js serves both
//   dist/reaper.js      the reaper process (src/mcp/reaper.ts says why)
// The lazy bundles are what keeps activation cheap: esbuild evaluates every bundled module when the bundle is
// loaded, so the SDK (1 MB minified, mostly zod) in dist/extension.js would be parsed and run on every
// activation, even in a workspace whose servers never start. Source code imports these packages as usual;
// in the bundles that do not hold a package (or one of our own heavy modules), `lazyPackages` stands in a facade
// whose exports are getters that load the bundle on first use (a type-only import costs nothing; an import used at a module's top
// level loads the bundle during activation, which test/integration/lazy fails on).
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

/**
 * Which bundle holds which package (by the exact specifiers the source imports) or module of our own (by its
 * path from the repository root, without extension: every relative import that resolves to it is routed).
 */
const LAZY = {
  sdk: ['@modelcontextprotocol/client', '@modelcontextprotocol/core', '@modelcontextprotocol/ext-apps/app-bridge'],
  // src/mcp/metaSchema2020.js: 49 KB of generated code that only compiling a schema needs.
  validation: ['ajv/dist/2020', 're2js', 'src/mcp/metaSchema2020'],
};
/** Modules a lazy bundle also runs when it is loaded: the validation worker answers checks when validation.js is started as it. */
const RUN_ON_LOAD = {
  validation: ['src/mcp/validationWorker'],
};
/** LAZY's own modules (keys starting with `src/`) and a filter for the import specifiers that may name them. */
const LOCAL = Object.values(LAZY).flat().filter(key => key.startsWith('src/'));
const LOCAL_FILTER = new RegExp(`(^|/)(${LOCAL.map(key => path.posix.basename(key)).join('|')})(\\.js)?$`);

/** The LAZY key of an import: a package specifier as written, a relative one as a path from the repository root. */
function lazyKey(specifier, fromDir) {
  if (!specifier.startsWith('.')) return specifier;
  return path.relative(__dirname, path.resolve(fromDir, specifier)).split(path.sep).join('/').replace(/\.js$/, '');
}
/** Packages that must only be reached through LAZY's specifiers (a new subpath has to be added there). */
const HEAVY = /^(@modelcontextprotocol\/(client|core|ext-apps)|zod|ajv|re2js)(\/|$)/;

/**
 * The names the source imports (as values) from each lazy specifier: the lazy bundles export exactly these, so
 * esbuild still drops what nothing uses (all of zod would be 1 MB), and the facades define one getter each.
 * `import * as`, re-exports and `require` of a lazy package would hide the names, so they fail the build.
 * (In --watch, importing a new name needs a restart; until then the facade throws naming it.)
 */
function importedNames() {
  const names = new Map(Object.values(LAZY).flat().map(s => [s, new Set()]));
  const files = fs.readdirSync('src', { recursive: true }).filter(f => f.endsWith('.ts')).map(f => path.join('src', f));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, clause, written] of text.matchAll(/^import\s+(?!type\s)([^;]*?)\s+from\s+'([^']+)'/gm)) {
      const specifier = lazyKey(written, path.dirname(file));
      if (!names.has(specifier)) continue;
      if (clause.includes('*')) throw new Error(`${file}: import * from '${specifier}' hides which names it uses; import them by name`);
      const [defaultPart, braces = ''] = clause.split('{');
      if (defaultPart.replace(',', '').trim()) names.get(specifier).add('default');
      for (const item of braces.replace('}', '').split(',').map(n => n.trim())) {
        if (item && !item.startsWith('type ')) names.get(specifier).add(item.split(/\s+as\s+/)[0]);
      }
    }
    for (const [, written] of text.matchAll(/(?:^export\s[^;]*?from\s+|require\(|import\()'([^']+)'/gm)) {
      const specifier = lazyKey(written, path.dirname(file));
      if (names.has(specifier)) throw new Error(`${file}: re-export, require or import() of '${specifier}' escapes the lazy facade; import by name`);
    }
  }
  return new Map([...names].map(([s, set]) => [s, [...set].sort()]));
}

/**
 * In a build of `own` (a LAZY key, or undefined for the activation bundle), every other bundle's package
 * resolves to a facade: `require('./<bundle>.js')` (kept external, so it loads at run time from beside the
 * bundle) on first access of an export. Any other import of a heavy package fails the build.
 */
function lazyPackages(own) {
  const bundleOf = new Map(Object.entries(LAZY).flatMap(([bundle, specs]) => specs.map(s => [s, bundle])));
  return {
    name: 'lazy-packages',
    setup(build) {
      build.onResolve({ filter: HEAVY }, args => {
        const bundle = bundleOf.get(args.path);
        if (bundle === own) return undefined;
        if (!bundle) {
          // A package's own dependencies (zod for the SDK) go where the package goes.
          if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
          return { errors: [{ text: `${args.path} is not in esbuild.js LAZY: add it there so it stays out of the activation bundle` }] };
        }
        return { path: args.path, namespace: 'lazy-facade', pluginData: bundle };
      });
      // Our own lazy modules, however a file reaches them (`./metaSchema2020`, `../mcp/metaSchema2020.js`).
      build.onResolve({ filter: LOCAL_FILTER }, args => {
        if (args.namespace === 'lazy-facade' || !args.path.startsWith('.')) return undefined;
        const key = lazyKey(args.path, args.resolveDir);
        const bundle = bundleOf.get(key);
        if (!bundle || bundle === own) return undefined;
        return { path: key, namespace: 'lazy-facade', pluginData: bundle };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-facade' }, args => ({
        loader: 'js',
        contents: [
          `let m;`,
          `const load = () => (m ??= require('./${args.pluginData}.js').packages[${JSON.stringify(args.path)}]);`,
          `Object.defineProperty(exports, '__esModule', { value: true });`,
          `for (const name of ${JSON.stringify(importedNames().get(args.path))}) Object.defineProperty(exports, name, {`,
          `  enumerable: true,`,
          `  get: () => { const m = load(); if (!(name in m)) throw new Error(name + ' is not in ${args.pluginData}.js: rebuild'); return m[name]; },`,
          `});`,
        ].join('\n'),
      }));
      build.onResolve({ filter: /^\.\/(sdk|validation)\.js$/, namespace: 'lazy-facade' }, args => ({ path: args.path, external: true }));
    },
  };
}

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

/**
 * The config schemas ship as files beside the bundle (VS Code reads them for `jsonValidation`); src/config/schema.ts
 * `require`s them when the first config is checked, and in the bundle that reads those same files at run time
 * instead of a second copy inside dist/extension.js (9 KB). Tests bundle them as usual.
 */
const shippedSchemas = {
  name: 'shipped-schemas',
  setup(build) {
    build.onResolve({ filter: /^\.\/[\w-]+\.schema\.json$/ }, args => {
      if (path.relative(__dirname, args.importer).split(path.sep).join('/') !== 'src/config/schema.ts') return undefined;
      return { path: args.path, external: true };
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

/**
 * A package that imports zod's whole namespace object by name (`import { z as F } from "zod/v4"`, as ext-apps'
 * app bridge does) makes esbuild keep every member of zod, its 40-odd locales included (264 KB of sdk.js), since
 * it cannot tell which the object is used for. For such a file, `z` is instead a plain object of the members it
 * reads (`F.object`, `F.string`…), imported by name, so the rest is shaken out. Only when the name is used for
 * nothing but member reads; otherwise the import stays as it is. The package's code is not changed.
 */
const zodMembers = {
  name: 'zod-members',
  setup(build) {
    build.onResolve({ filter: /^zod\/v4$/ }, args => {
      if (args.namespace !== 'file' || !/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      return zodMembersOf(args.importer) ? { path: args.importer, namespace: 'zod-members' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-members' }, args => {
      const members = zodMembersOf(args.path);
      return {
        loader: 'js',
        resolveDir: path.dirname(args.path),
        contents: `import { ${members.map((m, i) => `${m} as m${i}`).join(', ')} } from 'zod/v4';\nexport const z = { ${members.map((m, i) => `${m}: m${i}`).join(', ')} };\n`,
      };
    });
  },
};
/**
 * The zod members a file reads through `import { z as X } from "zod/v4"`, or undefined when X is used otherwise too
 * (a spread `...X` included: only `a.X`, a property, is not a use).
 */
function zodMembersOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/import\s*\{\s*z(?:\s+as\s+([\w$]+))?\s*\}\s*from\s*["']zod\/v4["']/g)];
  if (imports.length !== 1) return undefined;
  const local = imports[0][1] ?? 'z';
  const rest = text.slice(0, imports[0].index) + text.slice(imports[0].index + imports[0][0].length);
  const uses = [...rest.matchAll(new RegExp(`(?<![\\w$])(?<!(?:^|[^.])\\.)${local.replace(/\$/g, '\\$')}(?![\\w$])(\\.([A-Za-z_$][\\w$]*))?`, 'g'))];
  if (uses.length === 0 || uses.some(u => !u[2])) return undefined;
  return [...new Set(uses.map(u => u[2]))].sort();
}

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

/** esbuild options shared by every bundle. */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
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
  metafile: !!metafile,
};

/** A lazy bundle's entry: `packages[specifier]` holds the names the source imports from that specifier. */
function lazyEntry(bundle) {
  const names = importedNames();
  const specs = LAZY[bundle];
  return [
    ...specs.map((s, i) => `import * as p${i} from ${JSON.stringify(s.startsWith('src/') ? `./${s}` : s)};`),
    ...(RUN_ON_LOAD[bundle] ?? []).map(s => `import ${JSON.stringify(`./${s}`)};`),
    `export const packages = {`,
    ...specs.map((s, i) => `  ${JSON.stringify(s)}: { ${names.get(s).map(n => `${JSON.stringify(n)}: p${i}.${n}`).join(', ')} },`),
    `};`,
  ].join('\n');
}

/** A lazy bundle: one object holding each of its packages, keyed by specifier (what the facades read). */
function lazyBundle(bundle) {
  return {
    ...common,
    stdin: {
      contents: lazyEntry(bundle),
      resolveDir: __dirname,
      sourcefile: `${bundle}-bundle.js`,
      loader: 'js',
    },
    outfile: path.join(outdir, `${bundle}.js`),
    plugins: [lazyPackages(bundle), sdkShims, zodMembers, reportProblems],
  };
}

async function main() {
  const builds = [
    {
      ...common,
      entryPoints: { extension: 'src/extension.ts' },
      outdir,
      // Evaluating the bundle, before VS Code calls activate(): src/extension.ts measures between these marks.
      banner: { js: `'use strict'; performance.mark('mcpHost.bundle:start');` },
      footer: { js: `performance.mark('mcpHost.bundle:end');` },
      plugins: [lazyPackages(undefined), copySchemas, shippedSchemas, reportProblems],
    },
    // The reaper runs as a process of its own (src/mcp/reaper.ts says why).
    { ...common, entryPoints: { reaper: 'src/mcp/reaperProcess.ts' }, outdir, plugins: [lazyPackages(undefined), reportProblems] },
    ...Object.keys(LAZY).map(lazyBundle),
  ];
  const contexts = await Promise.all(builds.map(options => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map(ctx => ctx.watch()));
    return;
  }
  // A production bundle has no map; a stale one from a development build must not linger beside it.
  if (production && fs.existsSync(outdir)) for (const file of fs.readdirSync(outdir, { withFileTypes: true })) if (file.name.endsWith('.js.map')) fs.rmSync(path.join(outdir, file.name), { force: true });
  // Nor a bundle no build makes any more (the validation worker's own, now in validation.js).
  fs.rmSync(path.join(outdir, 'validationWorker.js'), { force: true });
  fs.rmSync(path.join(outdir, 'validationWorker.js.map'), { force: true });
  const results = await Promise.all(contexts.map(ctx => ctx.rebuild()));
  await Promise.all(contexts.map(ctx => ctx.dispose()));
  if (results.some(r => r.errors.length)) process.exit(1);
  if (metafile) {
    const merged = { inputs: {}, outputs: {} };
    for (const r of results) Object.assign(merged.inputs, r.metafile.inputs), Object.assign(merged.outputs, r.metafile.outputs);
    fs.writeFileSync(metafile, JSON.stringify(merged));
  }
}

// test/unit/zodMembers.test.ts holds zodMembersOf to a parse of the files it stands in a partial z for.
module.exports = { zodMembersOf };
if (require.main === module)
  main().catch(err => {
    console.error(err);
    process.exit(1);
  });
