import type { Prompt, Tool } from '@modelcontextprotocol/client';
import { canBeStarted, ConnectionState, describeState } from '../../mcp/connectionState';
import type { ServerEntry } from '../../mcp/registry';
import { NO_SAFETY_HINTS, toolHints as safetyHints, type ToolHint } from '../../consent/safetyHints';
import { appResourceUri } from '../../apps/appMeta';

/** The words the tree, status bar and palette use for servers, tools and prompts. No `vscode` here. */

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** A number with thousands separators: "10,000". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "running · 14 tools", or the state in a few words. */
export function serverDescription(entry: ServerEntry): string {
  const state = entry.connection.state;
  // While a dropped stream is resumed, that is what the user needs to see (calls may wait or fail), not the tool count.
  if (state.kind === 'running' && !state.resuming) return `running · ${plural(entry.connection.tools.length, 'tool')}`;
  return describeState(state);
}

/** The codicon (and theme colour) of each connection state, in the tree, the status bar and server picks. */
export const STATE_ICON: Record<ConnectionState['kind'], { readonly id: string; readonly color?: string }> = {
  running: { id: 'circle-filled', color: 'testing.iconPassed' },
  starting: { id: 'loading~spin' },
  stopped: { id: 'circle-outline' },
  error: { id: 'error', color: 'errorForeground' },
  needsSignIn: { id: 'account', color: 'notificationsWarningIcon.foreground' },
  blocked: { id: 'circle-slash', color: 'disabledForeground' },
};

/** The icon of a running server whose dropped stream is being resumed. */
export const RESUMING_ICON = { id: 'sync~spin', color: 'list.warningForeground' } as const;

/** A server's icon: its state's, or `RESUMING_ICON` while a dropped stream is being resumed. */
export function stateIconOf(state: ConnectionState): { readonly id: string; readonly color?: string } {
  return state.kind === 'running' && state.resuming ? RESUMING_ICON : STATE_ICON[state.kind];
}

export { NO_SAFETY_HINTS, type ToolHint } from '../../consent/safetyHints';

/** The codicon of each hint: the tree's tool icon and the palette's markers. */
export const HINT_ICON: Record<ToolHint, string> = { 'read-only': 'eye', destructive: 'warning', 'open-world': 'globe', [NO_SAFETY_HINTS]: 'question' };

/** What a tool's annotations claim (hints, not guarantees), or that they claim nothing: the same reading as consent's. */
export function toolHints(tool: Tool): ToolHint[] {
  return safetyHints(tool.annotations);
}

/** The first line of a description, shortened to `max` characters. */
export function oneLine(text: string | undefined, max = 80): string {
  const line = (text ?? '').split(/\r?\n/).find(l => l.trim())?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A blank title is no title. */
export function toolLabel(tool: Tool): string {
  return tool.title?.trim() || tool.annotations?.title?.trim() || tool.name;
}

/** True when the tool declares an MCP App (an interactive UI in a `ui://` resource). */
export function hasApp(tool: Tool): boolean {
  return appResourceUri(tool) !== undefined;
}

/** A tool as dialogs and the history name it: "Title (name)", or the name alone when there is no other title. */
export function toolNamed(title: string | undefined, name: string): string {
  return title && title !== name ? `${title} (${name})` : name;
}

/** Chips, then the first line of the description: "app · read-only · Echoes text back". */
export function toolDescription(tool: Tool, disabled: boolean): string {
  return [...(disabled ? ['disabled in config'] : []), ...(hasApp(tool) ? ['app'] : []), ...toolHints(tool), oneLine(tool.description, 60)].filter(Boolean).join(' · ');
}

/** One line per top-level input property: `text*: string — Text to echo back` (`*` = required). */
export function schemaSummary(schema: unknown, max = 20): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  const entries = Object.entries(s.properties && typeof s.properties === 'object' ? s.properties : {});
  const lines = entries.slice(0, max).map(([name, prop]) => {
    const p = (prop && typeof prop === 'object' ? prop : {}) as { type?: unknown; enum?: unknown; items?: { type?: unknown }; description?: unknown };
    const description = typeof p.description === 'string' ? ` — ${oneLine(p.description, 70)}` : '';
    return `${name}${required.has(name) ? '*' : ''}: ${typeName(p)}${description}`;
  });
  if (entries.length > max) lines.push(`… ${entries.length - max} more`);
  return lines;
}

function typeName(p: { type?: unknown; enum?: unknown; items?: { type?: unknown } }): string {
  if (Array.isArray(p.enum)) return p.enum.map(v => JSON.stringify(v)).join(' | ');
  const type = Array.isArray(p.type) ? p.type.join(' | ') : typeof p.type === 'string' ? p.type : 'any';
  if (type === 'array' && p.items && typeof p.items.type === 'string') return `${p.items.type}[]`;
  return type;
}

export function promptLabel(prompt: Prompt): string {
  return prompt.title?.trim() || prompt.name;
}

/** `(language*, name)`: its arguments, `*` = required; empty when it has none. */
export function promptArguments(prompt: Prompt): string {
  const args = (prompt.arguments ?? []).map(a => `${a.name}${a.required ? '*' : ''}`).join(', ');
  return args && `(${args})`;
}

/** Its arguments, then the first line of its description. */
export function promptDescription(prompt: Prompt): string {
  return [promptArguments(prompt), oneLine(prompt.description, 60)].filter(Boolean).join(' ');
}

/** The status bar's summary of all servers. */
export interface ServersSummary {
  readonly total: number;
  readonly running: number;
  readonly starting: number;
  readonly errors: number;
  readonly needsSignIn: number;
  /** e.g. `$(plug) MCP 3/4 $(error) 1`; empty when no server is configured. */
  readonly text: string;
}

export function summarizeServers(entries: readonly ServerEntry[]): ServersSummary {
  const count = (kind: string) => entries.filter(e => e.connection.state.kind === kind).length;
  const total = entries.length;
  const running = count('running');
  const starting = count('starting');
  const errors = count('error');
  const needsSignIn = count('needsSignIn');
  const resuming = entries.some(e => e.connection.state.kind === 'running' && e.connection.state.resuming);
  const icon = starting || resuming ? '$(sync~spin)' : '$(plug)';
  const text = total === 0 ? '' : `${icon} MCP ${running}/${total}${errors ? ` $(error) ${errors}` : ''}${needsSignIn ? ` $(account) ${needsSignIn}` : ''}`;
  return { total, running, starting, errors, needsSignIn, text };
}

export type ServerAction = 'signIn' | 'start' | 'stop' | 'restart' | 'showLog' | 'openConfig' | 'signOut';

/** What the actions of a server depend on besides its state. */
export interface ServerFacts {
  /** Whether it was launched since it was defined as it is (else its log is empty: Show Log shows nothing). */
  readonly launched: boolean;
  /** Whether it signs in with OAuth (then Sign Out). */
  readonly signsIn: boolean;
}

/**
 * What can be done with a server in its state, in menu order (lifecycle, Sign Out, then Show Log and Open Config): the one list the status bar's pick, the tree's
 * context menu and inline buttons (through `serverContextValue`) and the palette's server picks offer.
 * - stopped, declined (not approved), disabled, Restricted Mode: Start (asks again; in Restricted Mode it says why not);
 * - starting: Stop; running: Stop, Restart;
 * - failed: Restart, and Stop while an automatic restart is due (it cancels it);
 * - needs sign-in: Sign In; an invalid entry: only Open Config.
 * Show Log once it was launched; Sign Out when it signs in.
 */
export function serverActions(state: ConnectionState, facts: ServerFacts = { launched: true, signsIn: false }): ServerAction[] {
  const actions: ServerAction[] = [];
  switch (state.kind) {
    case 'needsSignIn':
      actions.push('signIn');
      break;
    case 'stopped':
      actions.push('start');
      break;
    case 'blocked':
      if (canBeStarted(state)) actions.push('start');
      break;
    case 'starting':
      actions.push('stop');
      break;
    case 'running':
      actions.push('stop', 'restart');
      break;
    case 'error':
      if (state.restartAt !== undefined) actions.push('stop');
      actions.push('restart');
      break;
  }
  if (facts.signsIn) actions.push('signOut');
  const launched = facts.launched || state.kind === 'starting' || state.kind === 'running' || state.kind === 'error' || state.kind === 'needsSignIn';
  if (launched) actions.push('showLog');
  actions.push('openConfig');
  return actions;
}

/** A server's actions, from its connection. */
export function entryActions(entry: ServerEntry): ServerAction[] {
  return serverActions(entry.connection.state, { launched: entry.connection.launched, signsIn: entry.connection.signsIn });
}

/**
 * A server row's `contextValue`: `server.<state>` and then each of its actions, space-separated
 * (`server.error restart showLog openConfig`). package.json's menus match an action as a word, so the tree's menu
 * and inline buttons are exactly `serverActions`.
 */
export function serverContextValue(entry: ServerEntry): string {
  return [`server.${entry.connection.state.kind}`, ...entryActions(entry)].join(' ');
}
