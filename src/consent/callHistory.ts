import { promises as fs } from 'fs';
import * as path from 'path';
import { Emitter } from '../common/event';
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
  readonly tool: string;
  readonly origin: CallOrigin;
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
}

/** Where the gate reports each call. */
export interface CallRecorder {
  /** `args` are the arguments as sent: kept in memory only, so this window can re-run the call exactly. */
  record(entry: HistoryEntry, args: Record<string, unknown>): Promise<void>;
}

/** How many entries are kept in memory for the view; the file keeps everything until cleared. */
const MAX_LOADED = 1_000;
/** How many calls of this window can be re-run with arguments that were masked or cut in the file. */
const MAX_EXACT_ARGS = 200;

/**
 * Every tool call, one JSON object per line, appended and never rewritten: a crash mid-write costs at
 * most the last line, and a corrupt line is skipped when reading, not fatal.
 */
export class CallHistory implements CallRecorder {
  /** Undefined until the file is first read. */
  private entries: HistoryEntry[] | undefined;
  private loading: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly exactArgs = new Map<string, Record<string, unknown>>();
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  /** Lines that could not be read, from the last load. */
  skippedLines = 0;

  constructor(readonly file: string) {}

  /** Newest first. */
  async list(): Promise<readonly HistoryEntry[]> {
    if (!this.entries) {
      this.loading ??= this.enqueue(async () => {
        this.entries = await this.load();
      }).finally(() => (this.loading = undefined));
      await this.loading;
    }
    // Calls recorded meanwhile join the list in their turn.
    await this.writing;
    return [...(this.entries ?? [])].reverse();
  }

  record(entry: HistoryEntry, args: Record<string, unknown>): Promise<void> {
    if (!entry.argsExact) {
      this.exactArgs.set(entry.id, args);
      if (this.exactArgs.size > MAX_EXACT_ARGS) this.exactArgs.delete(this.exactArgs.keys().next().value!);
    }
    const written = this.enqueue(async () => {
      // Not loaded yet: the load that comes later reads this call from the file.
      this.entries?.push(entry);
      if (this.entries && this.entries.length > MAX_LOADED) this.entries.splice(0, this.entries.length - MAX_LOADED);
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
    }).catch(err => console.error(`MCP Host: could not write the tool call history: ${(err as Error).message}`));
    this._onDidChange.fire();
    return written;
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

  /** Deletes the file: the one time history is not appended to is when the user clears it. */
  async clear(): Promise<void> {
    this.exactArgs.clear();
    await this.enqueue(async () => {
      this.entries = [];
      await fs.rm(this.file, { force: true });
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

  private async load(): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    this.skippedLines = 0;
    const entries: HistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isEntry(value)) entries.push(value);
        else this.skippedLines++;
      } catch {
        this.skippedLines++;
      }
    }
    return entries.slice(-MAX_LOADED);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}

function isEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.time === 'string' && typeof e.server === 'string' && typeof e.tool === 'string' && typeof e.outcome === 'string';
}
