/**
 * The reaper's own process (bundled as dist/reaper.js; see reaper.ts). It reads `watch <pid>` and
 * `unwatch <pid>` lines on stdin, a pipe from the extension host. When the pipe closes, the host is gone:
 * every server still watched is stopped with its process group and descendants, the way Stop does it,
 * and the reaper exits.
 *   node reaper.js <eof-grace-ms> <term-grace-ms> <refresh-ms>
 * Only Node built-ins and processTree.ts: the bundle stays small and starts fast.
 */
import { descendantsIn, ProcessInfo, processTable, signalTree, waitForExit } from './transports/processTree';

const [eofGraceMs, termGraceMs, refreshMs] = process.argv.slice(2, 5).map(Number) as [number, number, number];
if (![eofGraceMs, termGraceMs, refreshMs].every(Number.isFinite)) {
  process.stderr.write('usage: reaper.js <eof-grace-ms> <term-grace-ms> <refresh-ms>\n');
  process.exit(2);
}

/**
 * Each watched server's descendants as last seen, by pid and start time. A server that dies with its host
 * (stderr gone: EPIPE) leaves its children to init, where no tree walk finds them; this list still does,
 * and the start time tells a descendant from a later process that got its pid.
 */
const watched = new Map<number, Map<number, string>>();

async function refresh(): Promise<void> {
  const table = await processTable();
  for (const [server, known] of watched) {
    for (const [pid, started] of known) if (table.get(pid)?.started !== started) known.delete(pid);
    for (const pid of descendantsIn(table, server)) known.set(pid, (table.get(pid) as ProcessInfo).started);
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  const lines = (pending + text).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^(watch|unwatch) (\d+)$/.exec(line.trim());
    if (!m) continue;
    const pid = Number(m[2]);
    if (m[1] === 'watch') watched.set(pid, watched.get(pid) ?? new Map());
    else watched.delete(pid);
  }
});

const timer = setInterval(() => void (watched.size ? refresh() : undefined), refreshMs);
let reaping = false;
const reapAndExit = () => {
  if (reaping) return;
  reaping = true;
  clearInterval(timer);
  reap().finally(() => process.exit(0));
};
process.stdin.on('end', reapAndExit);
process.stdin.on('close', reapAndExit);
process.stdin.on('error', reapAndExit);

/**
 * The servers' stdin closed with the host, so those that exit on EOF get the same grace as on Stop; then
 * SIGTERM, then SIGKILL, each to every server's process group and every descendant it was seen with.
 */
async function reap(): Promise<void> {
  if (watched.size === 0) return;
  await refresh();
  const trees = [...watched].map(([pid, known]) => ({ pid, descendants: [...known.keys()] }));
  const all = trees.flatMap(t => [t.pid, ...t.descendants]);
  const signal = (sig: NodeJS.Signals) => trees.forEach(t => signalTree(t.pid, t.descendants, sig));
  if (!(await waitForExit(all, eofGraceMs))) {
    signal('SIGTERM');
    if (!(await waitForExit(all, termGraceMs))) signal('SIGKILL');
  }
  // A group outlives its leader while children that stayed in it run, seen by a refresh or not: they go too.
  for (const t of trees) signalTree(t.pid, [], 'SIGKILL');
  await waitForExit(all, 1000);
}
