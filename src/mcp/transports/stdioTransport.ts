import { ChildProcess, spawn } from 'child_process';
import { serializeMessage } from '@modelcontextprotocol/client';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { Emitter } from '../../common/event';
import type { ResultFiles } from '../resultFiles';
import { BoundedLineSplitter, LineSplitter, type Line } from './lineSplitter';
import { groupAlive, listDescendants, signalTree, waitForExit, waitForGroupExit } from './processTree';
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

/**
 * The shape of a JSON-RPC message, checked cheaply: the SDK validates each message fully when it dispatches
 * it, and a second schema parse here (a union, failing branch by branch) doubled the cost of a flood.
 */
function looksLikeJsonRpc(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return m.jsonrpc === '2.0' && (typeof m.method === 'string' || ('id' in m && ('result' in m || 'error' in m)));
}

/**
 * A response whose `result` is not an object (`null`, a string), or whose `error` has no numeric code or no
 * message, is dropped by the SDK as an unknown message, so the request it answers waited for its whole timeout
 * ("did not complete initialization within 30 s"). It is handed on as the error it is, and the request fails at once.
 */
export function answerOrError(message: JSONRPCMessage): JSONRPCMessage {
  if (!('id' in message)) return message;
  if ('result' in message) {
    const result: unknown = message.result;
    if (typeof result === 'object' && result !== null && !Array.isArray(result)) return message;
    let shown: string;
    try {
      shown = JSON.stringify(result) ?? String(result);
    } catch {
      shown = 'nested too deeply';
    }
    const what = `${shown.length > 60 ? `${shown.slice(0, 59)}…` : shown}`;
    return { jsonrpc: '2.0', id: message.id, error: { code: -32603, message: `The server's answer is malformed: its result is ${what}, not an object.` } };
  }
  if (!('error' in message)) return message;
  const error: unknown = message.error;
  const e = typeof error === 'object' && error !== null && !Array.isArray(error) ? (error as Record<string, unknown>) : undefined;
  if (e && Number.isSafeInteger(e.code) && typeof e.message === 'string') return message;
  const why = !e ? 'its error is not an object' : !Number.isSafeInteger(e.code) ? 'its error has no numeric code' : 'its error has no message';
  const said = e && typeof e.message === 'string' ? ` It said: ${e.message.length > 1_000 ? `${e.message.slice(0, 999)}…` : e.message}` : '';
  return { jsonrpc: '2.0', id: message.id, error: { code: -32603, message: `The server's answer is malformed: ${why}.${said}` } };
}

/** The longest the transport handles messages before letting the event loop run. */
const SLICE_MS = 10;

export const DEFAULT_SHUTDOWN_GRACE: ShutdownGrace = { stdinMs: 2000, termMs: 2000 };

export interface StdioTransportOptions {
  /** Largest single message accepted from the server; a larger one closes the connection with a clear error. */
  readonly maxMessageBytes?: number;
  /** Longest stderr line kept; the rest of a longer one (or of stderr without newlines) is dropped. */
  readonly maxStderrLineChars?: number;
  readonly grace?: ShutdownGrace;
  /**
   * Where messages too large to hold comfortably go as they arrive (see resultFiles.ts): only their cut
   * copy is parsed, on this thread, in time and memory that do not grow with the message. Without it,
   * every message is read whole.
   */
  readonly resultFiles?: ResultFiles;
  /** Masked in what is kept on disk. */
  readonly secrets?: readonly string[];
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

/** A message that cannot reach the server: its process is gone (or going). */
const NOT_CONNECTED = 'Not connected: the server process has exited';

/**
 * How long stdout may stay open after the server exited (once what is in the pipe has been read), or the
 * server may live on after its stdout closed, before the transport treats the connection as over.
 */
const STDOUT_LINGER_MS = 1000;

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

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

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
  /** The server exited by itself while processes it started were still in its process group. */
  private groupLeftAtExit = false;
  /** The wait for stdin's 'drain' that every send past the high-water mark shares; a failed write fails it. */
  private drain: { readonly done: Promise<void>; readonly fail: (err: Error) => void } | undefined;
  /**
   * The callback of every write: one function for all. A callback made per message had Node's stream schedule a
   * tick (and an object) per write to call it; writes with the same callback share one, as the SDK's transport's
   * writes (no callback) do. A write's error can fail only sends still waiting for 'drain': the others resolved
   * when their write was taken, so their callback could do nothing anyway.
   */
  private readonly written = (err?: Error | null): void => {
    // EPIPE and the like: the server died after a send's check, before its write reached it.
    if (err) this.drain?.fail(new Error(NOT_CONNECTED, { cause: err }));
  };
  private readonly grace: ShutdownGrace;
  private readonly splitter: LineSplitter;
  /**
   * Lines read but not handled yet, in order: a burst (20,000 progress notifications in one write) is
   * handled a slice of time at a time, and a spilled line holds back the lines after it until it is ready.
   */
  private readonly backlog: Line[] = [];
  private backlogHead = 0;
  /** A slice is scheduled, or a spilled line is being awaited. */
  private pumping = false;
  private closed = false;
  private readonly maxStderrLineChars: number;
  private readonly reaper: ProcessWatch | undefined;
  private _problem: string | undefined;

  constructor(
    private readonly launch: StdioLaunch,
    options: StdioTransportOptions = {},
  ) {
    this.grace = options.grace ?? DEFAULT_SHUTDOWN_GRACE;
    this.maxStderrLineChars = options.maxStderrLineChars ?? 16 * 1024;
    this.reaper = options.reaper;
    const files = options.resultFiles;
    this.splitter = new LineSplitter(
      options.maxMessageBytes ?? 64 * 1024 * 1024,
      files ? { thresholdBytes: files.limits.spillBytes, start: () => files.spill(options.secrets) } : undefined,
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /**
   * Why the connection ended when the process's exit alone does not say: it closed its stdout and kept
   * running, or it exited while a process it started held its stdout open.
   */
  get problem(): string | undefined {
    return this._problem;
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
      // At once, while its id cannot have been given to another process: whether processes it started stayed in its group.
      this.groupLeftAtExit = !this.closing && child.pid !== undefined && groupAlive(child.pid);
      this.exit = { code, signal };
      this._onExit.fire(this.exit);
      this.whenStdoutLingers(child);
    });
    child.stdout!.once('end', () => this.whenServerLingers(child));
    // After the messages still being read from disk, so a response the server sent before exiting is not lost.
    child.once('close', () => {
      this.splitter.abort();
      this.closed = true;
      if (!this.pumping) this.pump();
    });
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

  /**
   * The server exited, but its stdout stays open: a process it started inherited it. Nothing will ever
   * answer, and 'close' would never come. Once the pipe has been read empty, the streams are closed here.
   */
  private whenStdoutLingers(child: ChildProcess): void {
    const check = () => {
      if (child.stdout!.readableEnded || child.stdout!.destroyed || this.closing) return;
      if (this.backlogHead < this.backlog.length || this.splitter.backpressure || this.pumping) return void setTimeout(check, STDOUT_LINGER_MS).unref();
      this._problem = `The server ${describeExit(this.exit!)}, but a process it started kept its stdout open; MCP Host closed the connection.`;
      child.stdout!.destroy();
      child.stderr!.destroy();
    };
    setTimeout(check, STDOUT_LINGER_MS).unref();
  }

  /** The server closed its stdout but did not exit: it can no longer answer, so it is stopped. */
  private whenServerLingers(child: ChildProcess): void {
    setTimeout(() => {
      if (this.exit || this.closing || child.exitCode !== null || child.signalCode !== null) return;
      this._problem = 'The server closed its stdout but kept running, so it could no longer answer; MCP Host stopped it.';
      void this.close();
    }, STDOUT_LINGER_MS).unref();
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
    let lines: Line[];
    try {
      lines = this.splitter.push(chunk);
    } catch (err) {
      this.onerror?.(err as Error);
      void this.close();
      return;
    }
    for (const line of lines) this.backlog.push(line);
    if (!this.pumping) this.pump();
    const backpressure = this.splitter.backpressure;
    if (backpressure) {
      // The disk is behind the pipe: stop reading until it catches up, so memory stays bounded.
      this.child?.stdout?.pause();
      void backpressure.then(() => this.flow());
    }
  }

  /** Handles backlog lines for at most a slice of time, then yields to the event loop and goes on. */
  private pump(): void {
    const started = performance.now();
    while (this.backlogHead < this.backlog.length) {
      const line = this.backlog[this.backlogHead]!;
      if (typeof line !== 'string') {
        this.pumping = true;
        void line
          .then(
            l => {
              if (l.problem) this.onerror?.(new Error(l.problem));
              this.handleLine(l.text);
            },
            (err: Error) => this._onNonProtocolOutput.fire(`(a message too large to show, that is not JSON-RPC: ${err.message})`),
          )
          .finally(() => {
            this.take();
            this.pumping = false;
            this.pump();
          });
        this.flow();
        return;
      }
      this.take();
      this.handleLine(line);
      if (this.backlogHead < this.backlog.length && performance.now() - started > SLICE_MS) {
        this.pumping = true;
        setImmediate(() => {
          this.pumping = false;
          this.pump();
        });
        this.flow();
        return;
      }
    }
    this.flow();
    // After the last message, so a response the server sent before exiting is not lost.
    if (this.closed) {
      this.closed = false;
      this.onclose?.();
    }
  }

  private take(): void {
    this.backlogHead++;
    if (this.backlogHead === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogHead = 0;
    } else if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
  }

  /** Reads from the server only while nothing is waiting: a flood waits in the pipe, not in memory. */
  private flow(): void {
    const stdout = this.child?.stdout;
    if (!stdout) return;
    if (this.backlogHead < this.backlog.length || this.splitter.backpressure) stdout.pause();
    else stdout.resume();
  }

  private handleLine(line: string): void {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = undefined;
    }
    if (!looksLikeJsonRpc(message)) {
      this._onNonProtocolOutput.fire(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      return;
    }
    this.onmessage?.(answerOrError(message));
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.exit) return Promise.reject(new Error(NOT_CONNECTED));
    // Each message is written at once, as the SDK's own transport writes it. Corking a turn's messages into one write
    // (session 10) saved system calls but held the first back until every call of a burst had done its work before
    // sending, so the server started late: with 50 calls in flight the wall time per call was ~0.2x the bare SDK
    // client's higher with the cork (BENCH_ONLY=calls, 5 and 8 alternating runs, session 12).
    return new Promise((resolve, reject) => {
      if (stdin.write(serializeMessage(message), this.written)) resolve();
      // One 'drain' listener for every send that waits, however many: a burst of small messages passes the
      // stream's high-water mark after ~100 of them.
      else this.drained(stdin).then(resolve, reject);
    });
  }

  private drained(stdin: NodeJS.WritableStream): Promise<void> {
    if (!this.drain) {
      let fail!: (err: Error) => void;
      const done = new Promise<void>((resolve, reject) => {
        fail = err => {
          if (this.drain?.done === done) this.drain = undefined;
          stdin.removeListener('drain', drained);
          reject(err);
        };
        const drained = () => {
          if (this.drain?.done === done) this.drain = undefined;
          resolve();
        };
        stdin.once('drain', drained);
      });
      this.drain = { done, fail };
    }
    return this.drain.done;
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
    const exitedBefore = this.exit !== undefined;
    // Its stdout not ended after it exited: a process it started holds it, so its process group is not empty (a pid
    // is not reused while it names a live group). Only then is the group signalled below: the id of an empty group
    // may already be another process's.
    const stdoutHeld = this._problem !== undefined || (child.stdout !== null && !child.stdout.readableEnded);
    child.stdin?.end();
    if (!this.exit && !(await exitedWithin(this.grace.stdinMs))) {
      signalTree(pid, descendants, 'SIGTERM');
      if (!(await exitedWithin(this.grace.termMs))) signalTree(pid, descendants, 'SIGKILL');
    }
    // A server that had exited by itself was never signalled, and its children, re-parented, are not among
    // its descendants: what is left of its process group is (orphans no one else would stop; a crashing server that
    // restarts added more each time).
    if (exitedBefore && (stdoutHeld || this.groupLeftAtExit) && groupAlive(pid)) {
      signalTree(pid, descendants, 'SIGTERM');
      if (!(await waitForGroupExit(pid, this.grace.termMs))) signalTree(pid, descendants, 'SIGKILL');
      await waitForGroupExit(pid, 1000);
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
