// Shared machinery for the test tiers and `npm start`: set-up, a real code-server (VS Code 1.139 with a
// real extension host), Debian's chromium through playwright-core, and clean shutdown of all of it.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

/** The repository root: found by walking up, so this file also works when bundled into out/test. */
function findRoot(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'mcp-host') return d;
    if (path.dirname(d) === d) throw new Error(`no mcp-host package.json above ${dir}`);
  }
}
const root = findRoot(__dirname);
const cache = process.env.MCP_HOST_CACHE || path.join(os.homedir(), '.cache', 'mcp-host');

/**
 * Every temp file of a run lives in one folder of its own: TMPDIR points there for this process and every
 * child (code-server, chromium, MCP servers), so the run can tell what it left behind and remove it even
 * when it fails. The first harness process of a run owns the folder; tiers it spawns share it.
 */
const RUN_TMP_ENV = 'MCP_HOST_RUN_TMP';
const RUN_TMP_NAME = /^mcp-host-(\d+)-\w{6}$/;
const runTmp = (() => {
  const inherited = process.env[RUN_TMP_ENV];
  if (inherited && fs.existsSync(inherited)) return { dir: inherited, owned: false };
  sweepDeadRuns();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mcp-host-${process.pid}-`));
  process.env[RUN_TMP_ENV] = dir;
  process.env.TMPDIR = dir;
  return { dir, owned: true };
})();

/** Removes the temp folders of runs whose owner was killed before it could clean up (SIGKILL, a crash). */
function sweepDeadRuns() {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(RUN_TMP_NAME.exec(name)?.[1]);
    if (pid && !isAlive(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * What the run left in its temp folder since the last call, removed. Each tier cleans up after itself, so
 * anything here is a leak (a test or a harness step that does not remove what it made); the caller fails.
 */
function takeTempLeftovers() {
  const left = fs.readdirSync(runTmp.dir);
  for (const name of left) fs.rmSync(path.join(runTmp.dir, name), { recursive: true, force: true });
  return left;
}

/** For a tier's main: fails the run (returns false) when it left temp files behind; only the folder's owner checks. */
function checkTempLeftovers(ok) {
  if (!runTmp.owned) return ok;
  const left = takeTempLeftovers();
  if (left.length === 0) return ok;
  console.error(`the run left ${left.length} temp file(s) behind (now removed): ${left.join(', ')}`);
  return false;
}

/** Runs the idempotent set-up script (Debian packages, Node 24, code-server) and returns the paths it wrote. */
function ensureSetup() {
  const r = spawnSync('bash', [path.join(root, 'test', 'harness', 'setup.sh')], { stdio: 'inherit', env: { ...process.env, MCP_HOST_CACHE: cache } });
  if (r.status !== 0) throw new Error(`set-up failed (exit ${r.status}); see the [setup] lines above`);
  return JSON.parse(fs.readFileSync(path.join(cache, 'env.json'), 'utf8'));
}

/**
 * Runs `npm ci` when node_modules is missing or was installed from another package-lock.json, so that
 * `npm test` and `npm start` work on a fresh clone. Needs only Node built-ins.
 */
function ensureDependencies() {
  const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
  const digest = require('crypto').createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(root, 'node_modules', '.mcp-host-lock-sha256');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) return;
  // Installed by hand (`npm ci` removes the stamp): what npm installed matches the lock, so no second install.
  if (installedMatchesLock()) {
    fs.writeFileSync(stamp, digest);
    return;
  }
  console.log('[setup] installing npm dependencies (npm ci)');
  // A cold npm cache downloads ~500 packages; one dropped connection should not fail the run.
  for (let attempt = 1; ; attempt++) {
    try {
      run('npm', ['ci', '--no-audit', '--no-fund']);
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      console.log(`[setup] npm ci failed (attempt ${attempt} of 3): ${err.message}`);
    }
  }
  fs.writeFileSync(stamp, digest);
}

/**
 * npm records what it installed in node_modules/.package-lock.json: every package of package-lock.json must be
 * there at the same version, except optional ones for other platforms.
 */
function installedMatchesLock() {
  let wanted, installed;
  try {
    wanted = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;
    installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', '.package-lock.json'), 'utf8')).packages;
  } catch {
    return false;
  }
  return Object.entries(wanted).every(([key, pkg]) => key === '' || (installed[key] ? installed[key].version === pkg.version : pkg.optional === true));
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh folder in the run's temp folder; remove it with `removeDir` when done. */
function tempDir(prefix) {
  return fs.mkdtempSync(path.join(runTmp.dir, `${prefix}-`));
}

function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies a fixture workspace into a temp folder, so tests may edit it freely. */
function copyWorkspace(name, into = tempDir('ws')) {
  const dest = path.join(into, name);
  fs.cpSync(path.join(root, 'test', 'fixtures', 'workspaces', name), dest, { recursive: true });
  return dest;
}

const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': false,
  // Fixture servers listen on localhost; code-server would otherwise toast "Your application is running on
  // port …" over the UI under test (and into the README screenshots).
  'remote.autoForwardPorts': false,
  // code-server is a browser window (sign-in redirect `auto` → URI handler); here the browser and the
  // extension host share the machine, and the sign-in tests follow the redirect to the loopback listener.
  'mcpHost.remote.signInRedirect': 'loopback',
  // code-server's extension host otherwise looks for new ports every few seconds by running processes (`cat
  // /proc/…`), and each spawn forks the whole extension host: a 40–70 ms stall that is code-server's, not ours
  // (desktop VS Code's local extension host does not do it), in the middle of what the integration tier measures.
  'remote.autoForwardPortsSource': 'output',
};

/**
 * A code-server profile: its own user-data, extensions, temp and runtime folders, so nothing leaks between
 * runs and removing `dir` removes everything code-server, its extension hosts and MCP servers wrote
 * (IPC sockets, the git and TypeScript extensions' temp files). Paths stay short: a Unix socket path has
 * at most 107 characters.
 */
function createProfile(prefix, settings = {}) {
  const dir = tempDir(prefix);
  const profile = {
    dir,
    userDataDir: path.join(dir, 'ud'),
    extensionsDir: path.join(dir, 'exts'),
    xdg: path.join(dir, 'xdg'),
    tmp: path.join(dir, 't'),
    runtime: path.join(dir, 'r'),
  };
  fs.mkdirSync(path.join(profile.userDataDir, 'User'), { recursive: true });
  for (const d of [profile.extensionsDir, profile.xdg, profile.tmp, profile.runtime]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  return profile;
}

function codeServerEnv(env, profile) {
  return {
    ...process.env,
    PATH: `${env.node24Bin}${path.delimiter}${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(profile.xdg, 'config'),
    XDG_DATA_HOME: path.join(profile.xdg, 'data'),
    XDG_CACHE_HOME: path.join(profile.xdg, 'cache'),
    XDG_RUNTIME_DIR: profile.runtime,
    TMPDIR: profile.tmp,
    EXTENSIONS_GALLERY: '{}',
  };
}

/** Installs a VSIX into the profile with code-server's CLI (the way a user installs ours). */
function installExtension(env, profile, vsix) {
  const r = spawnSync(env.codeServer, ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--install-extension', vsix, '--force'], {
    env: codeServerEnv(env, profile),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`installing ${path.basename(vsix)} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts code-server on a free loopback port in its own process group, waits until /healthz answers,
 * and returns `{ url, port, stop() }`. `stop` kills the whole group so extension hosts and MCP servers go too.
 */
async function startCodeServer(env, profile, { workspace, trust = false, smokeDriver = false, port, logFile } = {}) {
  port ??= await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--reconnection-grace-time', '5',
  ];
  if (!trust) args.push('--disable-workspace-trust');
  if (smokeDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (workspace) args.push(workspace);
  const out = fs.openSync(logFile ?? path.join(profile.dir, 'code-server.log'), 'a');
  const child = spawn(env.codeServer, args, { env: codeServerEnv(env, profile), detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    exited: new Promise(resolve => child.once('exit', code => resolve(code))),
    async stop() {
      await killGroup(child.pid, server.exited);
    },
  };
  trackForCleanup(server);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${profile.dir}/code-server.log`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${profile.dir}/code-server.log`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return server;
}

/** SIGTERM to the process group, then SIGKILL after a grace period. */
async function killGroup(pid, exited, graceMs = 3000) {
  const signal = sig => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  const done = await Promise.race([exited.then(() => true), new Promise(r => setTimeout(() => r(false), graceMs))]);
  // Even when the leader has exited, stragglers in the group (extension hosts, MCP servers) get SIGKILL.
  await new Promise(r => setTimeout(r, done ? 200 : 0));
  signal('SIGKILL');
}

const live = new Set();
function trackForCleanup(server) {
  live.add(server);
  server.exited.then(() => live.delete(server));
}
async function stopAll() {
  await Promise.all([...live].map(s => s.stop()));
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const s of live) {
    try {
      process.kill(-s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (runTmp.owned) removeDir(runTmp.dir);
});

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Debian's chromium with its config, cache and temp files in a folder of its own, removed when it closes. */
async function launchBrowser(env) {
  const { chromium } = require('playwright-core');
  const xdg = tempDir('chromium');
  const browser = await chromium.launch({
    executablePath: env.chromium,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache'), TMPDIR: xdg },
  });
  browser.on('disconnected', () => removeDir(xdg));
  return browser;
}

/** Builds the development bundle of the extension (source maps on). */
function buildExtension({ production = false } = {}) {
  run(process.execPath, [path.join(root, 'esbuild.js'), ...(production ? ['--production'] : [])]);
}

/** Builds the VSIX with vsce and returns its path. */
function packageVsix() {
  const { version } = require(path.join(root, 'package.json'));
  const vsix = path.join(root, `mcp-host-${version}.vsix`);
  run('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!fs.existsSync(vsix)) throw new Error(`npm run package did not produce ${vsix}`);
  return vsix;
}

/** Packages a fixture extension folder (test/fixtures/extensions/<name>) into a VSIX in `outDir`. */
function packageFixtureExtension(name, outDir) {
  const dir = path.join(root, 'test', 'fixtures', 'extensions', name);
  const out = path.join(outDir, `${name}.vsix`);
  run(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

module.exports = {
  root,
  cache,
  ensureDependencies,
  ensureSetup,
  run,
  freePort,
  tempDir,
  removeDir,
  takeTempLeftovers,
  checkTempLeftovers,
  copyWorkspace,
  createProfile,
  installExtension,
  startCodeServer,
  launchBrowser,
  buildExtension,
  packageVsix,
  packageFixtureExtension,
  stopAll,
};
