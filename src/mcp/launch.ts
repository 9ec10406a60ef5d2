import type { PreRegisteredClient } from './auth/serverOAuth';
import type { ServerTimeouts } from '../config/types';
import type { ProtocolChoice } from './eraNegotiation';
import { maskArgs, maskUrl } from '../config/launchPreview';

/** A server definition with every variable resolved: exactly what gets spawned or connected to. */
export type ResolvedLaunch =
  | {
      readonly type: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      /** Variables the definition sets (`null` removes an inherited one); merged over the host's environment at spawn. */
      readonly env: Readonly<Record<string, string | null>>;
      readonly cwd?: string;
    }
  | {
      readonly type: 'http' | 'sse';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      /** A client registered out of band with the authorization server (the definition's `oauth`). */
      readonly oauth?: PreRegisteredClient;
    };

export interface LaunchPlan {
  readonly launch: ResolvedLaunch;
  readonly timeouts: ServerTimeouts;
  /** The protocol era or version the definition asks for (`auto` when it says nothing). */
  readonly protocol?: ProtocolChoice;
  /** Values that must never reach a log, a tree item or an error message. */
  readonly secrets: readonly string[];
  /**
   * Defined in a workspace file, which a cloned repository controls: its timeouts may shorten the user's call limit
   * (`mcpHost.calls.maxMinutes`), never lift it (`callLimits`).
   */
  readonly workspaceDefined?: boolean;
}

/** The environment a stdio server gets: the host's, with the definition's variables over it. */
export function childEnvironment(base: NodeJS.ProcessEnv, overrides: Readonly<Record<string, string | null>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  return env;
}

const quote = (s: string) => (/[\s"'$`\\]/.test(s) || s === '' ? JSON.stringify(s) : s);

/** A command line as one string; arguments with spaces or shell characters are quoted. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(quote).join(' ');
}

/** A resolved launch in one line, for logs: secrets in the URL and in secret-looking flags' values masked. */
export function describeLaunch(launch: ResolvedLaunch): string {
  if (launch.type !== 'stdio') return `${launch.type === 'sse' ? 'SSE' : 'HTTP'} ${maskUrl(launch.url)}`;
  return commandLine(launch.command, maskArgs(launch.args));
}
