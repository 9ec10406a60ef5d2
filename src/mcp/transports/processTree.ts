import { execFile } from 'child_process';
import { readFileSync } from 'fs';

/**
 * Process-tree helpers for stopping stdio servers. A server launched through `npx`, `uvx` or a shell
 * script is rarely the process doing the work: its descendants must go when it goes.
 */

/** A process's parent and start time (`ps`'s `lstart`); pid and start time together name one process, whatever reuses the pid later. */
export interface ProcessInfo {
  readonly ppid: number;
  readonly started: string;
}

/** Every process, read from one `ps` run on POSIX. Empty on Windows and on failure. */
export function processTable(): Promise<Map<number, ProcessInfo>> {
  const table = new Map<number, ProcessInfo>();
  if (process.platform === 'win32') return Promise.resolve(table);
  return new Promise(resolve => {
    execFile('ps', ['-A', '-o', 'pid=,ppid=,lstart='], { maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve(table);
      for (const line of stdout.split('\n')) {
        const m = /^\s*(\d+)\s+(\d+)\s+(.+?)\s*$/.exec(line);
        if (m) table.set(Number(m[1]), { ppid: Number(m[2]), started: m[3]! });
      }
      resolve(table);
    });
  });
}

/** Every descendant of `pid` in `table` (children, grandchildren, …). */
export function descendantsIn(table: ReadonlyMap<number, ProcessInfo>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [child, { ppid }] of table) {
    const list = children.get(ppid) ?? [];
    list.push(child);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (!out.includes(c)) {
        out.push(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/** Every descendant of `pid` (children, grandchildren, …), read from `ps` on POSIX. Empty on failure. */
export async function listDescendants(pid: number): Promise<number[]> {
  return descendantsIn(await processTable(), pid);
}

/** Whether `pid` is a live process. A zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may contain spaces or parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to the process group led by `leader` (POSIX, where servers are spawned as group leaders)
 * and to every pid in `pids` (descendants that left the group). Missing processes are ignored.
 */
export function signalTree(leader: number, pids: readonly number[], signal: NodeJS.Signals): void {
  if (process.platform === 'win32') {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') execFile('taskkill', ['/pid', String(leader), '/T', '/F'], () => {});
    return;
  }
  const send = (target: number) => {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  };
  send(-leader);
  for (const pid of pids) send(pid);
}

/** Whether any process is left in the process group led by `leader` (POSIX; false on Windows). */
export function groupAlive(leader: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-leader, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves true once the process group led by `leader` is empty, or false after `timeoutMs`. */
export async function waitForGroupExit(leader: number, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(leader)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise(r => setTimeout(r, pollMs));
  }
}

/** Resolves true once none of `pids` is alive, or false after `timeoutMs`. */
export async function waitForExit(pids: readonly number[], timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!pids.some(isAlive)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise(r => setTimeout(r, pollMs));
  }
}
