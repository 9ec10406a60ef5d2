import type { PreRegisteredClient } from './auth/serverOAuth';
import type { ServerDefinition, ServerTimeouts } from '../config/types';
import type { ProtocolChoice } from './eraNegotiation';

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

/** A resolved launch in one line, for logs. */
export function describeLaunch(launch: ResolvedLaunch): string {
  if (launch.type !== 'stdio') return `${launch.type === 'sse' ? 'SSE' : 'HTTP'} ${launch.url}`;
  return commandLine(launch.command, launch.args);
}

/**
 * A definition as written (variables unresolved), for trust dialogs and tooltips: everything that decides
 * what runs or where data goes, including the headers a remote server is sent and the env file read.
 */
export function describeDefinition(def: ServerDefinition): string {
  if (def.type !== 'stdio') {
    const headers = Object.entries(def.headers).map(([k, v]) => `\n  header ${k}: ${v}`);
    return `${def.type === 'sse' ? 'SSE' : 'HTTP'} ${def.url}${headers.join('')}`;
  }
  const extra = [
    ...(Object.keys(def.env).length ? [`env: ${Object.keys(def.env).join(', ')}`] : []),
    ...(def.envFile ? [`envFile: ${def.envFile}`] : []),
    ...(def.cwd ? [`cwd: ${def.cwd}`] : []),
  ];
  return `${commandLine(def.command, def.args)}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}
