import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Whether git would share a file: committed already, in a repository and not ignored, ignored, or no repository (or no git). */
export type GitTracking = 'tracked' | 'notIgnored' | 'ignored' | 'noRepository';

/**
 * Asks git about `file` (which may not exist yet). fsmonitor is switched off: a repository's own config
 * must not make this question run one of its programs.
 */
export async function gitTracking(file: string): Promise<GitTracking> {
  let dir = path.dirname(file);
  while (!(await fs.stat(dir).then(s => s.isDirectory(), () => false))) {
    const up = path.dirname(dir);
    if (up === dir) return 'noRepository';
    dir = up;
  }
  const git = (...args: string[]) =>
    new Promise<number>(resolve => {
      execFile('git', ['-c', 'core.fsmonitor=false', ...args, '--', file], { cwd: dir, timeout: 10_000, windowsHide: true }, err => {
        resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0);
      });
    });
  if ((await git('ls-files', '--error-unmatch')) === 0) return 'tracked';
  const ignored = await git('check-ignore', '-q');
  return ignored === 0 ? 'ignored' : ignored === 1 ? 'notIgnored' : 'noRepository';
}
