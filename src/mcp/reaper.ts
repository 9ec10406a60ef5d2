import { ChildProcess, spawn } from 'child_process';
import type { Socket } from 'net';
import type { IDisposable } from '../common/disposable';
import { DEFAULT_SHUTDOWN_GRACE, ShutdownGrace } from './transports/stdioTransport';

/** What a stdio transport tells the reaper: a server to stop if the host dies, and when it is stopped or gone. */
export interface ProcessWatch {
  watch(pid: number): void;
  unwatch(pid: number): void;
}

/**
 * Stops the stdio servers when the extension host dies without running `deactivate()` to the end: code-server
 * ends its extension host within ~0.2 s, and a crash or SIGKILL runs nothing at all. The servers run in
 * process groups of their own, so nothing else would stop them.
 *
 * A small process of its own (reaperProcess.ts, in its own session so a kill of the host's process group
 * spares it) reads a pipe from this process: the servers to watch and to forget. The pipe closes however
 * this process ends; the reaper then stops every server still watched, and its descendants, the way Stop
 * does (stdin EOF, SIGTERM, SIGKILL), and exits. It starts with the first stdio server.
 */
export class ProcessReaper implements ProcessWatch, IDisposable {
  private child: ChildProcess | undefined;
  private readonly watched = new Set<number>();
  private disposed = false;

  /**
   * `script` is the reaper's bundle (dist/reaper.js); `grace` is how long each step of the stop waits, as
   * on Stop; every `refreshMs` the reaper notes the servers' descendants (one `ps` run).
   */
  constructor(
    private readonly script: string,
    private readonly onError: (message: string) => void = () => {},
    private readonly grace: ShutdownGrace = DEFAULT_SHUTDOWN_GRACE,
    private readonly refreshMs = 5000,
  ) {}

  /** The reaper's pid once it runs (tests kill it or watch it exit). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  watch(pid: number): void {
    this.watched.add(pid);
    this.send(`watch ${pid}`);
  }

  unwatch(pid: number): void {
    if (this.watched.delete(pid)) this.send(`unwatch ${pid}`);
  }

  /** Closes the pipe: the reaper stops whatever is still watched (nothing, after a clean shutdown) and exits. */
  dispose(): void {
    this.disposed = true;
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private send(line: string): void {
    if (this.disposed) return;
    // A new reaper is told every server watched, this one included.
    if (!this.child) {
      if (this.watched.size) this.start();
      return;
    }
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }

  private start(): void {
    const child = spawn(process.execPath, [this.script, String(this.grace.stdinMs), String(this.grace.termMs), String(this.refreshMs)], {
      // Its own session: a signal to the host's process group (how code-server stops) must not reach it.
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'ignore', 'ignore'],
      // In desktop VS Code the host's executable is Electron; this makes it run the script as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    this.child = child;
    child.on('error', err => this.onError(`The process reaper could not start: ${err.message}`));
    child.stdin!.on('error', () => {});
    child.once('exit', () => {
      if (this.child !== child) return;
      // Killed from outside: the next watch starts another and tells it every server still running.
      this.child = undefined;
      if (!this.disposed) this.onError('The process reaper exited; it will be started again with the next server.');
    });
    // Neither the process nor the pipe may keep this process alive.
    child.unref();
    (child.stdin as Socket).unref();
    for (const pid of this.watched) child.stdin!.write(`watch ${pid}\n`);
  }
}
