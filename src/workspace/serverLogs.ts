import * as vscode from 'vscode';
import { Emitter } from '../common/event';
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
 * One `LogOutputChannel` per server ("MCP: <name>"), created with the server and disposed with it. The
 * channel's level (set by the user from the Output view) decides what is written and what log level the
 * server is asked for; at Trace it includes the JSON-RPC trace.
 */
export function createServerLog(name: string, onDispose: () => void = () => {}): ServerLogChannel {
  const channel = vscode.window.createOutputChannel(`MCP: ${name}`, { log: true });
  const levelChanged = new Emitter<LogLevel>();
  const sub = channel.onDidChangeLogLevel(level => levelChanged.fire(FROM_VSCODE[level]));
  return {
    trace: m => channel.trace(m),
    debug: m => channel.debug(m),
    info: m => channel.info(m),
    warn: m => channel.warn(m),
    error: m => channel.error(m),
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
