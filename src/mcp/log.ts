import type { Event } from '../common/event';

/** Log levels, in the order of `vscode.LogLevel` (Off excluded). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Where a server's lifecycle, stderr, notifications and protocol trace go: a `LogOutputChannel` in VS Code. */
export interface ServerLog {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** The level the sink shows; decides whether tracing is worth building and what `logging/setLevel` asks for. */
  readonly level: LogLevel;
  /** Fires when the user changes the level the sink shows. */
  readonly onDidChangeLevel?: Event<LogLevel>;
}

/** A log that drops everything (tests that don't look at logs). */
export const nullLog: ServerLog = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, level: 'error' };

export function levelEnabled(log: ServerLog, level: LogLevel): boolean {
  // The protocol trace asks twice per request (each message sent and received): the lowest level needs no search.
  if (level === 'trace') return log.level === 'trace';
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(log.level);
}

/** Wraps a log so every message has the current secrets masked before it is written. */
export function maskingLog(inner: ServerLog, mask: (text: string) => string): ServerLog {
  return {
    trace: m => inner.trace(mask(m)),
    debug: m => inner.debug(mask(m)),
    info: m => inner.info(mask(m)),
    warn: m => inner.warn(mask(m)),
    error: m => inner.error(mask(m)),
    get level() {
      return inner.level;
    },
    ...(inner.onDidChangeLevel ? { onDidChangeLevel: inner.onDidChangeLevel } : {}),
  };
}

/** A log that keeps its lines in memory, for tests and for the error details of a failed start. */
export class MemoryLog implements ServerLog {
  readonly lines: Array<{ level: LogLevel; message: string }> = [];
  constructor(public level: LogLevel = 'trace') {}
  trace(m: string) {
    this.lines.push({ level: 'trace', message: m });
  }
  debug(m: string) {
    this.lines.push({ level: 'debug', message: m });
  }
  info(m: string) {
    this.lines.push({ level: 'info', message: m });
  }
  warn(m: string) {
    this.lines.push({ level: 'warn', message: m });
  }
  error(m: string) {
    this.lines.push({ level: 'error', message: m });
  }
  text(): string {
    return this.lines.map(l => `[${l.level}] ${l.message}`).join('\n');
  }
}
