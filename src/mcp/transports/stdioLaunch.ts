import type { DisposableStore } from '../../common/disposable';
import { childEnvironment, type ResolvedLaunch } from '../launch';
import type { ServerLog } from '../log';
import type { ProcessWatch } from '../reaper';
import type { ResultFiles } from '../resultFiles';
import { DEFAULT_SHUTDOWN_GRACE, type ProcessExit, type ShutdownGrace, StdioProcessTransport } from './stdioTransport';

const STDERR_TAIL_LINES = 20;

/**
 * What a server's process said besides MCP and how it ended, for the diagnosis of a failed start and the error
 * state of a crash. One per start; a stdio launch resets it, so it is about the last process started.
 */
export class ProcessReport {
  private tail: string[] = [];
  /** Lines on stdout that were not MCP (a server logging to the wrong stream). */
  nonProtocolOutput: string[] = [];
  exit: ProcessExit | undefined;
  /** The PATH the command was looked up in. */
  pathUsed: string | undefined;

  /** The last lines of stderr. */
  get stderrTail(): readonly string[] {
    return this.tail;
  }

  addStderr(line: string): void {
    this.tail.push(line);
    if (this.tail.length > STDERR_TAIL_LINES) this.tail.shift();
  }

  reset(): void {
    this.tail = [];
    this.nonProtocolOutput = [];
    this.exit = undefined;
    this.pathUsed = undefined;
  }
}

export interface StdioLaunchOptions {
  /** The server's log (masking its secrets). */
  readonly log: ServerLog;
  readonly grace?: ShutdownGrace | undefined;
  readonly reaper?: ProcessWatch | undefined;
  readonly resultFiles?: ResultFiles | undefined;
  /** Masked in the large messages kept on disk. */
  readonly secrets: readonly string[];
}

/**
 * Spawns a stdio server for one connect attempt: the host's environment with the definition's variables over
 * it; stderr logged, with its tail kept in `report`; stray stdout lines logged as the mistake they are; the exit
 * logged and recorded. The listeners go into `store`, which the connection clears when the launch ends.
 */
export function launchStdio(launch: Extract<ResolvedLaunch, { type: 'stdio' }>, report: ProcessReport, store: DisposableStore, options: StdioLaunchOptions): StdioProcessTransport {
  const { log } = options;
  report.reset();
  const env = childEnvironment(process.env, launch.env);
  report.pathUsed = env.PATH ?? env.Path;
  const stdio = new StdioProcessTransport(
    { command: launch.command, args: launch.args, env, ...(launch.cwd ? { cwd: launch.cwd } : {}) },
    {
      grace: options.grace ?? DEFAULT_SHUTDOWN_GRACE,
      ...(options.reaper ? { reaper: options.reaper } : {}),
      ...(options.resultFiles ? { resultFiles: options.resultFiles, secrets: options.secrets } : {}),
    },
  );
  store.add(
    stdio.onStderr(line => {
      report.addStderr(line);
      log.info(`[stderr] ${line}`);
    }),
  );
  store.add(
    stdio.onNonProtocolOutput(line => {
      report.nonProtocolOutput.push(line);
      log.warn(`Not MCP on stdout (stdio servers must log to stderr): ${line}`);
    }),
  );
  store.add(
    stdio.onExit(e => {
      report.exit = e;
      log.info(`Process exited (${e.signal ? `signal ${e.signal}` : `code ${e.code}`})`);
    }),
  );
  return stdio;
}
