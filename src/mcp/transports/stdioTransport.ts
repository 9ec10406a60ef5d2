import { ChildProcess, spawn } from 'child_process';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/client';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { Emitter } from '../../common/event';
import { BoundedLineSplitter, LineSplitter } from './lineSplitter';
import { listDescendants, signalTree, waitForExit } from './processTree';
import { resolveWindowsCommand, SpawnTarget, windowsSpawnTarget } from './windowsCommand';
import type { ProcessWatch } from '../reaper';

export interface StdioLaunch {
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the child (the caller merges the host's environment in). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface ShutdownGrace {
  /** How long a server gets to exit by itself after its stdin closes. */
  readonly stdinMs: number;
  /** How long it gets after SIGTERM before the whole tree is killed. */
  readonly termMs: number;
}

export const DEFAULT_SHUTDOWN_GRACE: ShutdownGrace = { stdinMs: 2000, termMs: 2000 };

export interface StdioTransportOptions {
  /** Largest single message accepted from the server; a larger one closes the connection with a clear error. */
  readonly maxMessageBytes?: number;
  /** Longest stderr line kept; the rest of a longer one (or of stderr without newlines) is dropped. */
  readonly maxStderrLineChars?: number;
  readonly grace?: ShutdownGrace;
  /** Stops the server if the host dies without closing this transport. */
  readonly reaper?: ProcessWatch;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Raised when the command cannot be spawned at all (ENOENT, EACCES …). */
export class SpawnError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SpawnError';
  }
}

/**
 * A stdio client transport for the SDK's `Client`, built on the SDK's own message framing
 * (`serializeMessage` / `deserializeMessage`). The host owns the process rather than using
 * `StdioClientTransport` because it must:
 * - on Windows, find the command on PATH itself and spawn the absolute file (`windowsCommand.ts`);
 * - spawn without a shell as a process-group leader and stop the whole tree (stdin EOF, SIGTERM, kill)
 *   with grace periods tests can shorten; the SDK's close signals only the direct child;
 * - report the exit code and signal, and keep draining stderr so a chatty server never stalls, in lines
 *   of bounded length so one without newlines cannot fill the host's memory;
 * - split lines in linear time (the SDK's buffer, v2's too, copies everything buffered on every chunk) and call out non-protocol text on stdout.
 */
export class StdioProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private readonly _onStderr = new Emitter<string>();
  /** Each line the server writes to stderr. */
  readonly onStderr = this._onStderr.event;
  private readonly _onNonProtocolOutput = new Emitter<string>();
  /** A line on stdout that is not a JSON-RPC message (a banner, a stray `console.log`). */
  readonly onNonProtocolOutput = this._onNonProtocolOutput.event;
  private readonly _onExit = new Emitter<ProcessExit>();
  readonly onExit = this._onExit.event;

  private child: ChildProcess | undefined;
  private exit: ProcessExit | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly grace: ShutdownGrace;
  private readonly splitter: LineSplitter;
  private readonly maxStderrLineChars: number;
  private readonly reaper: ProcessWatch | undefined;

  constructor(
    private readonly launch: StdioLaunch,
    options: StdioTransportOptions = {},
  ) {
    this.grace = options.grace ?? DEFAULT_SHUTDOWN_GRACE;
    this.splitter = new LineSplitter(options.maxMessageBytes ?? 64 * 1024 * 1024);
    this.maxStderrLineChars = options.maxStderrLineChars ?? 16 * 1024;
    this.reaper = options.reaper;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('StdioProcessTransport already started');
    let target: SpawnTarget;
    try {
      target = this.spawnTarget();
    } catch (err) {
      this.exit = { code: null, signal: null };
      return Promise.reject(err);
    }
    const child = spawn(target.command, [...target.args], {
      env: this.launch.env,
      windowsVerbatimArguments: target.windowsVerbatimArguments,
      ...(this.launch.cwd ? { cwd: this.launch.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      // A group leader on POSIX, so the whole group can be signalled; Windows uses taskkill /T.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    this.exited = new Promise(resolve => child.once('close', () => resolve()));
    if (child.pid !== undefined) {
      const pid = child.pid;
      this.reaper?.watch(pid);
      // Forgotten once the server is gone: when it exits by itself, or when close() has stopped its tree.
      child.once('close', () => void (this.closing ?? Promise.resolve()).then(() => this.reaper?.unwatch(pid)));
    }
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this._onExit.fire(this.exit);
    });
    child.once('close', () => this.onclose?.());
    child.stdin!.on('error', err => this.onerror?.(err));
    child.stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr!.setEncoding('utf8');
    const stderrLines = new BoundedLineSplitter(this.maxStderrLineChars);
    child.stderr!.on('data', (text: string) => {
      for (const line of stderrLines.push(text)) this._onStderr.fire(line);
    });
    child.stderr!.on('end', () => {
      for (const line of stderrLines.end()) this._onStderr.fire(line);
    });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', err => {
        const code = (err as NodeJS.ErrnoException).code;
        const spawnError = new SpawnError(err.message, code);
        // 'error' after a successful spawn (a failed kill, say) is reported, not thrown.
        if (child.pid === undefined) {
          this.exit = { code: null, signal: null };
          reject(spawnError);
        } else {
          this.onerror?.(spawnError);
        }
      });
    });
  }

  /** On Windows, the absolute file found on PATH (never in the working directory); elsewhere, the command as given. */
  private spawnTarget(): SpawnTarget {
    const { command, args, env, cwd } = this.launch;
    if (process.platform !== 'win32') return { command, args, windowsVerbatimArguments: false };
    const file = resolveWindowsCommand(command, { env, cwd });
    if (!file) throw new SpawnError(`spawn ${command} ENOENT`, 'ENOENT');
    try {
      return windowsSpawnTarget(file, args, env);
    } catch (err) {
      throw new SpawnError((err as Error).message, 'EINVAL');
    }
  }

  private onStdout(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.splitter.push(chunk);
    } catch (err) {
      this.onerror?.(err as Error);
      void this.close();
      return;
    }
    for (const line of lines) {
      if (!line.trim()) continue;
      let message: JSONRPCMessage;
      try {
        message = deserializeMessage(line);
      } catch {
        this._onNonProtocolOutput.fire(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        continue;
      }
      this.onmessage?.(message);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.exit) return Promise.reject(new Error('Not connected: the server process has exited'));
    return new Promise((resolve, reject) => {
      const ok = stdin.write(serializeMessage(message), err => (err ? reject(err) : undefined));
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Stops the server and every process it started: stdin EOF, then SIGTERM, then SIGKILL to the tree. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pid = child.pid;
    // Taken before anything exits: once the server dies its children are re-parented and hard to find.
    const descendants = await listDescendants(pid);
    const exitedWithin = (ms: number) => Promise.race([this.exited.then(() => true), new Promise<boolean>(r => setTimeout(() => r(false), ms))]);
    child.stdin?.end();
    if (!this.exit && !(await exitedWithin(this.grace.stdinMs))) {
      signalTree(pid, descendants, 'SIGTERM');
      if (!(await exitedWithin(this.grace.termMs))) signalTree(pid, descendants, 'SIGKILL');
    }
    // The server is gone; its descendants may not be (orphans of a server that exited on EOF).
    if (!(await waitForExit(descendants, 0))) {
      signalTree(pid, descendants, 'SIGTERM');
      if (!(await waitForExit(descendants, this.grace.termMs))) signalTree(pid, descendants, 'SIGKILL');
      await waitForExit(descendants, 1000);
    }
    await exitedWithin(1000);
    this._onStderr.dispose();
    this._onNonProtocolOutput.dispose();
  }
}
