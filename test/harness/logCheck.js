// The integration tier's log check: after each suite, the extension host's logs must show no unhandled
// rejection or uncaught error, and MCP Host must have logged nothing at error level (nor a warning about
// its own code, such as a deprecation) that the suite's tests did not declare they expected.
const fs = require('fs');
const path = require('path');

/** Must match EXPECT_TAG in test/integration/util.ts: a test declares a log line it provokes on purpose. */
const EXPECT_TAG = '[expect-log] ';

const ENTRY_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[(\w+)\] /;

/** A VS Code log file as entries: a timestamped line plus its continuation lines (stack traces). */
function parseLog(text) {
  const entries = [];
  for (const line of text.split('\n')) {
    const m = ENTRY_START.exec(line);
    if (m) entries.push({ level: m[1], text: line.slice(m[0].length) });
    else if (entries.length && line) entries[entries.length - 1].text += `\n${line}`;
  }
  return entries;
}

/** The extension-host log folders of a code-server user-data dir (one per window session and host). */
function extensionHostDirs(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return [];
  const dirs = [];
  for (const session of fs.readdirSync(logs)) {
    const sessionDir = path.join(logs, session);
    if (!fs.statSync(sessionDir).isDirectory()) continue;
    for (const name of fs.readdirSync(sessionDir)) if (/^exthost\d*$/.test(name)) dirs.push(path.join(sessionDir, name));
  }
  return dirs;
}

/** Where VS Code's built-in extensions live; their own failures (a language server's channel closed at shutdown) are not ours. */
const BUILT_IN_EXTENSIONS = '/lib/vscode/extensions/';
/** A built-in extension's own log line (`[vscode.json-language-features] provider FAILED`; its stack follows separately). */
const BUILT_IN_PREFIX = /^\[vscode\.[\w-]+\] /;

/**
 * VS Code cancelling its own request for a tree's children (the window closing while a view refreshes after
 * the last tool call was recorded) is logged as an error, but it is not one of ours.
 */
const CANCELLED_TREE_REFRESH = /^Unable to refresh tree view [\w.]+: Canceled$/;

/**
 * The problems in one run's logs: `{ source, text }` for each unexpected entry. `extensionId` names our
 * output channels' folder; `ownCode` lists path prefixes (the bundle, the compiled tests) that make an entry ours.
 */
function findProblems(userDataDir, { extensionId, ownCode, expected = [] }) {
  const ours = text => text.includes(extensionId) || ownCode.some(p => text.includes(p));
  const problems = [];
  const consider = (source, entry) => {
    const line = `${source}: [${entry.level}] ${entry.text}`;
    if (!expected.some(re => re.test(line))) problems.push({ source, text: line });
  };
  for (const dir of extensionHostDirs(userDataDir)) {
    // Unhandled rejections and uncaught errors are [error] entries here, with their stack: each counts
    // unless it was raised in a built-in extension. A warning counts when raised in our code (a deprecation).
    const hostLog = path.join(dir, 'remoteexthost.log');
    if (fs.existsSync(hostLog)) {
      for (const entry of parseLog(fs.readFileSync(hostLog, 'utf8'))) {
        const builtIn = (entry.text.includes(BUILT_IN_EXTENSIONS) || BUILT_IN_PREFIX.test(entry.text)) && !ours(entry.text);
        if (CANCELLED_TREE_REFRESH.test(entry.text)) continue;
        if ((entry.level === 'error' && !builtIn) || (entry.level === 'warning' && ours(entry.text))) consider('extension host', entry);
      }
    }
    const channels = path.join(dir, extensionId);
    if (!fs.existsSync(channels)) continue;
    for (const file of fs.readdirSync(channels).filter(f => f.endsWith('.log')).sort()) {
      for (const entry of parseLog(fs.readFileSync(path.join(channels, file), 'utf8'))) {
        if (entry.level === 'error') consider(file.slice(0, -'.log'.length), entry);
      }
    }
  }
  return problems;
}

/** An expectation printed by a test (`[expect-log] /source/flags`), or undefined for any other line. */
function parseExpectation(line) {
  if (!line.startsWith(EXPECT_TAG)) return undefined;
  const m = /^\/(.*)\/(\w*)$/s.exec(line.slice(EXPECT_TAG.length).trim());
  return m ? new RegExp(m[1], m[2]) : undefined;
}

module.exports = { EXPECT_TAG, parseLog, findProblems, parseExpectation };
