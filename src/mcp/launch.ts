import type { ServerTimeouts } from '../config/types';

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
    };

export interface LaunchPlan {
  readonly launch: ResolvedLaunch;
  readonly timeouts: ServerTimeouts;
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

/** A one-line rendering for logs, tooltips and trust dialogs; arguments with spaces are quoted. */
export function describeLaunch(launch: ResolvedLaunch): string {
  if (launch.type !== 'stdio') return `${launch.type === 'sse' ? 'SSE' : 'HTTP'} ${launch.url}`;
  const quote = (s: string) => (/[\s"'$`\\]/.test(s) || s === '' ? JSON.stringify(s) : s);
  return [launch.command, ...launch.args].map(quote).join(' ');
}
