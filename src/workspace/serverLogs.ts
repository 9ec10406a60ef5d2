import * as vscode from 'vscode';
import { Emitter } from '../common/event';
import { plainBlock } from '../common/untrustedText';
import type { LogLevel, ServerLog } from '../mcp/log';

const FROM_VSCODE: Record<vscode.LogLevel, LogLevel> = {
  [vscode.LogLevel.Off]: 'error',
  [vscode.LogLevel.Trace]: 'trace',
  [vscode.LogLevel.Debug]: 'debug',
  [vscode.LogLevel.Info]: 'info',
  [vscode.LogLevel.Warning]: 'warn',
  [vscode.LogLevel.Error]: 'error',
};

export interface ServerLogChannel extends ServerLog, vscode.Disposable {
  show(): void;
}

/**
 * A message as the channel writes it: most carry a server's text (its log messages, stderr, errors), so hidden
 * characters (escape sequences, NUL, bidi overrides, zero-width) are shown as `⟨U+…⟩`, and every line after the first
 * is indented: a line break in a server's message cannot start a line that looks like one of MCP Host's own
 * (`<time> [info] …`).
 */
export function logLine(message: string): string {
  const shown = plainBlock(message);
  return shown.includes('\n') ? shown.replace(/\n/g, '\n    ') : shown;
}

/**
 * One `LogOutputChannel` per server ("MCP: <name>"), created with the server and disposed with it. The
 * channel's level (set by the user from the Output view) decides what is written and what log level the
 * server is asked for; at Trace it includes the JSON-RPC trace.
 */
export function createServerLog(name: string, onDispose: () => void = () => {}): ServerLogChannel {
  const channel = vscode.window.createOutputChannel(`MCP: ${name}`, { log: true });
  const levelChanged = new Emitter<LogLevel>();
  const sub = channel.onDidChangeLogLevel(level => levelChanged.fire(FROM_VSCODE[level]));
  // A message below the channel's level is dropped by VS Code: it is not made into a line first (a server's debug
  // flood at level Info would otherwise be scanned for hidden characters, up to 16 K characters a message, for nothing).
  const shows = (level: vscode.LogLevel) => channel.logLevel !== vscode.LogLevel.Off && channel.logLevel <= level;
  return {
    trace: m => {
      if (shows(vscode.LogLevel.Trace)) channel.trace(logLine(m));
    },
    debug: m => {
      if (shows(vscode.LogLevel.Debug)) channel.debug(logLine(m));
    },
    info: m => {
      if (shows(vscode.LogLevel.Info)) channel.info(logLine(m));
    },
    warn: m => {
      if (shows(vscode.LogLevel.Warning)) channel.warn(logLine(m));
    },
    error: m => {
      if (shows(vscode.LogLevel.Error)) channel.error(logLine(m));
    },
    get level() {
      return FROM_VSCODE[channel.logLevel];
    },
    onDidChangeLevel: levelChanged.event,
    show: () => channel.show(true),
    dispose() {
      onDispose();
      sub.dispose();
      levelChanged.dispose();
      channel.dispose();
    },
  };
}
