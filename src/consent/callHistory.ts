import { promises as fs } from 'fs';
import * as path from 'path';
import { Emitter } from '../common/event';
import type { ToolTaskStatus } from '../mcp/taskStatus';
import type { AllowReason } from './policy';
import type { CallOrigin, ConsentAnswer, GatedCallResult } from './types';

/** How consent was given (or refused) for one call. */
export type ConsentRecord = { readonly asked: true; readonly answer: ConsentAnswer } | { readonly asked: false; readonly reason: AllowReason };

/** One line of the history file. Arguments and messages are already masked and truncated. */
export interface HistoryEntry {
  readonly id: string;
  /** ISO 8601. */
  readonly time: string;
  readonly server: string;
  /** The tool's name; `title` is its title when it has one (shown as the pick and the dialogs show it). */
  readonly tool: string;
  readonly title?: string;
  readonly origin: CallOrigin;
  /** The saved call that was run, by name. */
  readonly savedCall?: string;
  readonly args: unknown;
  /** False when masking or truncation changed the arguments: such a call cannot be re-run from the history file. */
  readonly argsExact: boolean;
  /** Absent when the call failed before consent was asked (unknown server or tool, say). */
  readonly consent?: ConsentRecord;
  readonly outcome: GatedCallResult['kind'];
  readonly durationMs?: number;
  /** The tool reported an error in its result (`isError: true`). */
  readonly isError?: boolean;
  /** Why the call was denied, cancelled or failed; or the host's verdict on the structured output. */
  readonly message?: string;
  readonly summary?: string;
  /** The server ran the call as this task (2025-11-25 tasks). */
  readonly taskId?: string;
}

/** A call the server runs as a task, while it runs: shown in the history until its entry is recorded. */
export interface RunningCall extends Pick<HistoryEntry, 'id' | 'time' | 'server' | 'tool' | 'title' | 'origin'> {
  /** The task's last known status. */
  readonly task: ToolTaskStatus;
  /** Cancels the call (and so the task, with `tasks/cancel`). */
  cancel(): void;
}

/** Where the gate reports each call. */
export interface CallRecorder {
  /**
   * `args` are the arguments as sent: kept in memory only, so this window can re-run the call exactly.
   * `result` is kept in memory for the last few calls, so a history row can show it in full. The entry is
   * queued at once, in order; the promise resolves when it is in the file (a caller need not wait for that).
   */
  record(entry: HistoryEntry, args: Record<string, unknown>, result?: GatedCallResult): Promise<void>;
  /** A call became a task, or its task changed status; it shows as running until `record` gets its entry. */
  taskUpdated?(call: RunningCall): void;
}

/** How long the file stays open after the last write. */
const IDLE_CLOSE_MS = 1_000;
/**
 * How long a write waits for more calls to join it. Calls one at a time (a loop, an agent's turn) share a write
 * instead of making one each: a write costs the extension host as much CPU as sending the call. Anything that
 * reads the history (the view's list, flush, clear, dispose) has the waiting write go at once.
 */
export const DEFAULT_GATHER_MS = 20;
/** How many entries are kept in memory for the view. */
const MAX_LOADED = 1_000;
/** Size at which the file is rotated (the previous one is kept as `<name>.1.jsonl`), and the most read of either file. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;
/** How many calls of this window can be re-run with arguments that were masked or cut in the file. */
const MAX_EXACT_ARGS = 200;
/** How many full results are kept in memory (a result can be large; the file keeps only a summary). */
const MAX_RESULTS = 20;

/**
 * Every tool call, one JSON object per line, appended and never rewritten: a crash mid-write costs at
 * most the last line, and a corrupt line is skipped when reading, not fatal. When the file reaches
 * `maxFileBytes` it becomes `<name>.1.jsonl` (replacing the one before), so the history takes at most
 * twice that on disk, and reading it never takes more than the tail of each file.
 */
export class CallHistory implements CallRecorder {
  /** Undefined until the file is first read. */
  private entries: HistoryEntry[] | undefined;
  private loading: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /**
   * The queued write that takes the entries recorded until it starts, in order: their lines, and the entries
   * themselves only for an in-memory list that is loaded (or being loaded) for the view.
   */
  private batch: { readonly lines: LineBuffer; readonly entries: HistoryEntry[] | undefined; readonly written: Promise<void>; readonly now: () => void } | undefined;
  /** A batch's buffer, kept after its write for the next batch. */
  private spare: LineBuffer | undefined;
  private readonly exactArgs = new Map<string, Record<string, unknown>>();
  /**
   * The last `MAX_RESULTS` results, by entry id: a ring, as a call's result is stored on every call and read only when
   * a history row is opened (a Map paid a hash insert and a delete of the oldest on every call).
   */
  private readonly results: Array<{ readonly id: string; readonly result: GatedCallResult } | undefined> = new Array(MAX_RESULTS).fill(undefined);
  private nextResult = 0;
  /** Calls running as tasks, by entry id (in memory only: the file records calls when they end). */
  private readonly runningCalls = new Map<string, RunningCall>();
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  /** Lines that could not be read, from the last load. */
  skippedLines = 0;

  /** Bytes in the current file, once known (from the first write). */
  private fileBytes: number | undefined;
  /**
   * The file, kept open for appending while calls come: `appendFile` opens and closes it each time, ~0.1 ms
   * of CPU per write, which is once per call when calls come one at a time. Closed to rotate, clear, on
   * dispose, and after a quiet second (so a history nobody disposes holds no file open).
   */
  private handle: fs.FileHandle | undefined;
  private idleClose: NodeJS.Timeout | undefined;
  readonly rotatedFile: string;

  constructor(
    readonly file: string,
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    private readonly gatherMs = DEFAULT_GATHER_MS,
  ) {
    const { dir, name, ext } = path.parse(file);
    this.rotatedFile = path.join(dir, `${name}.1${ext}`);
  }

  /** Newest first. */
  async list(): Promise<readonly HistoryEntry[]> {
    this.batch?.now();
    if (!this.entries) {
      this.loading ??= this.enqueue(async () => {
        this.entries = await this.load();
      }).finally(() => (this.loading = undefined));
      await this.loading;
    }
    // Calls recorded meanwhile join the list in their turn.
    this.batch?.now();
    await this.writing;
    return [...(this.entries ?? [])].reverse();
  }

  taskUpdated(call: RunningCall): void {
    this.runningCalls.set(call.id, call);
    this._onDidChange.fire();
  }

  /** Calls still running as tasks, newest first. */
  runningTasks(): readonly RunningCall[] {
    return [...this.runningCalls.values()].reverse();
  }

  record(entry: HistoryEntry, args: Record<string, unknown>, result?: GatedCallResult): Promise<void> {
    if (this.runningCalls.size) this.runningCalls.delete(entry.id);
    if (result) {
      this.results[this.nextResult] = { id: entry.id, result };
      this.nextResult = (this.nextResult + 1) % MAX_RESULTS;
    }
    if (!entry.argsExact) {
      this.exactArgs.set(entry.id, args);
      if (this.exactArgs.size > MAX_EXACT_ARGS) this.exactArgs.delete(this.exactArgs.keys().next().value!);
    }
    // One write for every entry recorded until it starts: a burst of calls, or calls made one after another within
    // `gatherMs`, cost one append, not one each.
    if (!this.batch) {
      // Each entry becomes its line's bytes when recorded, in a buffer outside the JavaScript heap: the entry is a graph
      // of objects and its line a string, which would be kept alive (and copied, then promoted, by the garbage collector:
      // with 50 calls in flight a batch lives through several scavenges) until the write. Only a loaded list needs the entries.
      const lines = this.spare ?? new LineBuffer();
      this.spare = undefined;
      const entries: HistoryEntry[] | undefined = this.entries || this.loading ? [] : undefined;
      let now!: () => void;
      const gathered = new Promise<void>(resolve => (now = resolve));
      const timer = setTimeout(now, this.gatherMs);
      const written = this.enqueue(async () => {
        await gathered;
        clearTimeout(timer);
        if (this.batch?.lines === lines) this.batch = undefined;
        // Not loaded yet: the load that comes later reads these calls from the file.
        if (this.entries) {
          // A clear made the list after this batch began (before any load): its entries are read back from their lines.
          this.entries.push(...(entries ?? lines.entries()));
          if (this.entries.length > MAX_LOADED) this.entries.splice(0, this.entries.length - MAX_LOADED);
        }
        try {
          if (lines.length) await this.append(lines.buffers(), lines.length);
        } finally {
          // Written (or failed): its bytes are no longer needed, and the next batch may write over them.
          this.spare = lines.clear();
        }
      }).catch(err => console.error(`MCP Host: could not write the tool call history: ${(err as Error).message}`));
      this.batch = { lines, entries, written, now };
    }
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch (err) {
      // Not JSON (a BigInt argument, say): this entry cannot be written, and the call it records is not failed for that.
      console.error(`MCP Host: could not write a tool call to the history: ${(err as Error).message}`);
      return this.batch.written;
    }
    this.batch.lines.add(line);
    this.batch.entries?.push(entry);
    const { written } = this.batch;
    this._onDidChange.fire();
    return written;
  }

  /** Resolves once every call recorded so far is in the file (shutdown waits for this). */
  async flush(): Promise<void> {
    let writing: Promise<void>;
    do {
      this.batch?.now();
      writing = this.writing;
      await writing;
    } while (writing !== this.writing);
  }

  /**
   * The arguments to re-run a call with: as recorded when nothing was masked or cut, otherwise as sent
   * if the call was made in this window; undefined when they are lost (masked in an earlier window).
   */
  argsForRerun(entry: HistoryEntry): Record<string, unknown> | undefined {
    const exact = this.exactArgs.get(entry.id);
    if (exact) return exact;
    return entry.argsExact && typeof entry.args === 'object' && entry.args !== null && !Array.isArray(entry.args) ? (entry.args as Record<string, unknown>) : undefined;
  }

  /** The call's full result while this window still keeps it (one of its last few calls), else undefined. */
  resultOf(entry: HistoryEntry): GatedCallResult | undefined {
    for (let back = 1; back <= MAX_RESULTS; back++) {
      const kept = this.results[(this.nextResult - back + MAX_RESULTS) % MAX_RESULTS];
      if (kept?.id === entry.id) return kept.result;
    }
    return undefined;
  }

  /** Deletes the file: the one time history is not appended to is when the user clears it. */
  async clear(): Promise<void> {
    // Running calls stay: they are not in the file yet, and each will be recorded when it ends.
    this.exactArgs.clear();
    this.results.fill(undefined);
    // Calls recorded from now on go after the clear, not into a write queued before it.
    this.batch?.now();
    this.batch = undefined;
    await this.enqueue(async () => {
      this.entries = [];
      // Unknown again: the next write makes the folder if it is missing (a clear before the first write found none).
      this.fileBytes = undefined;
      await this.closeFile();
      await Promise.all([fs.rm(this.file, { force: true }), fs.rm(this.rotatedFile, { force: true })]);
    }).catch(err => console.error(`MCP Host: could not clear the tool call history: ${(err as Error).message}`));
    this._onDidChange.fire();
  }

  /**
   * Runs `step` after every earlier load, write and clear. The in-memory list changes only in these steps,
   * so it always agrees with the file: a call recorded while the file is being read is neither read twice nor lost.
   */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const done = this.writing.then(step);
    this.writing = done.catch(() => undefined);
    return done;
  }

  private async append(data: readonly Buffer[], bytes: number): Promise<void> {
    if (this.fileBytes === undefined) {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      this.fileBytes = await fs.stat(this.file).then(
        st => st.size,
        () => 0,
      );
    }
    if (this.fileBytes > 0 && this.fileBytes + bytes > this.maxFileBytes) {
      // A rename, not a rewrite: what was written stays as it was, under the rotated name.
      await this.closeFile();
      await fs.rename(this.file, this.rotatedFile).catch(err => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
      this.fileBytes = 0;
    }
    this.handle ??= await fs.open(this.file, 'a');
    if (this.idleClose) this.idleClose.refresh();
    else this.idleClose = setTimeout(() => void this.enqueue(() => this.closeFile()).catch(() => undefined), IDLE_CLOSE_MS).unref();
    try {
      if (data.length === 1) await this.handle.write(data[0]!, 0, bytes, null);
      else await this.handle.writev(data as Buffer[]);
    } catch (err) {
      // The next write opens the file again.
      await this.closeFile().catch(() => undefined);
      throw err;
    }
    this.fileBytes += bytes;
  }

  private async closeFile(): Promise<void> {
    clearTimeout(this.idleClose);
    this.idleClose = undefined;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** The newest entries: the current file's, preceded by the rotated file's when the current one holds too few. */
  private async load(): Promise<HistoryEntry[]> {
    this.skippedLines = 0;
    const entries = await this.readTail(this.file);
    if (entries.length < MAX_LOADED) entries.unshift(...(await this.readTail(this.rotatedFile)));
    return entries.slice(-MAX_LOADED);
  }

  /** The entries in the last `maxFileBytes` of a file (a file from before rotation may be larger); none when it is missing. */
  private async readTail(file: string): Promise<HistoryEntry[]> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let text: string;
    let partialFirstLine: boolean;
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, this.maxFileBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
      partialFirstLine = length < size;
    } finally {
      await handle.close();
    }
    const lines = text.split('\n');
    if (partialFirstLine) lines.shift();
    const entries: HistoryEntry[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isEntry(value)) entries.push(value);
        else this.skippedLines++;
      } catch {
        this.skippedLines++;
      }
    }
    return entries;
  }

  dispose(): void {
    this._onDidChange.dispose();
    // After the writes already queued (shutdown flushes them first).
    this.batch?.now();
    void this.enqueue(() => this.closeFile()).catch(() => undefined);
  }
}

/** The size of a batch's buffers: ~200 lines of a call with small arguments. A longer line gets a buffer of its own size. */
const LINE_CHUNK_BYTES = 64 * 1024;

/**
 * The lines of one batch as UTF-8 bytes, one after another, each ending with a newline: what the write appends. A line
 * is encoded once, as it is recorded (where the strings of a batch were kept, then joined, then encoded at the write),
 * into buffers outside the JavaScript heap, filled one after another (nothing is copied when a batch outgrows one).
 */
class LineBuffer {
  /** Buffers filled before the current one, each cut to its bytes. */
  private filled: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(LINE_CHUNK_BYTES);
  private used = 0;
  /** Bytes in all. */
  length = 0;

  add(line: string): void {
    // At most 3 bytes per UTF-16 code unit, and the newline.
    const most = line.length * 3 + 1;
    if (this.chunk.length - this.used < most) {
      if (this.used) this.filled.push(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(Math.max(LINE_CHUNK_BYTES, most));
      this.used = 0;
    }
    const bytes = this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used + bytes] = 0x0a;
    this.used += bytes + 1;
    this.length += bytes + 1;
  }

  /** The bytes, in order. */
  buffers(): Buffer[] {
    return this.used ? [...this.filled, this.chunk.subarray(0, this.used)] : [...this.filled];
  }

  /** The entries, read back from their lines (only when a clear made the list while the batch was gathering). */
  entries(): HistoryEntry[] {
    return Buffer.concat(this.buffers())
      .toString('utf8')
      .split('\n')
      .filter(line => line)
      .map(line => JSON.parse(line) as HistoryEntry);
  }

  /** Empty again, for the next batch once this one's write has ended; it keeps its last buffer if that is of the usual size. */
  clear(): this {
    this.filled = [];
    this.used = 0;
    this.length = 0;
    if (this.chunk.length !== LINE_CHUNK_BYTES) this.chunk = Buffer.allocUnsafe(LINE_CHUNK_BYTES);
    return this;
  }
}

function isEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.time === 'string' && typeof e.server === 'string' && typeof e.tool === 'string' && typeof e.outcome === 'string' && (e.savedCall === undefined || typeof e.savedCall === 'string');
}
