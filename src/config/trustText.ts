import { BLOCK_MAX, plainLabel } from '../common/untrustedText';
import { describePreview, type LaunchPreview } from './launchPreview';
import type { ServerDefinition } from './types';

/**
 * The text of the workspace trust question: what each server runs and where it is defined. Everything in it comes
 * from the repository (names, folder names from a `.code-workspace`, commands, paths, env values), so each value is
 * one line and bounded: a value cannot print a line of its own (a fake `runs:`), nor push a server's real command
 * out of the dialog. The dialog makes the whole text inert on top (src/workspace/serverTrust.ts).
 */

/** A workspace server waiting for the user's approval, with what it would run as the dialog shows it. */
export interface ServerToTrust {
  readonly definition: ServerDefinition;
  readonly preview: LaunchPreview;
}

/** Longest name or "defined in" text in the detail. */
const NAME_MAX = 200;
/** Longest line of a server's launch (its command line, an env value, a header). */
const LINE_MAX = 1_000;
/** The lines kept when the detail is too long for all of them: warnings, and what runs or where it connects. */
const WHAT_RUNS = /^(runs: |connects to: )/u;

/** Where a server is defined, as the tree says it (`.vscode/mcp.json (demo)`): the folder's name, not its absolute path. */
export function definedIn(def: ServerDefinition): string {
  return def.origin.label;
}

/**
 * The dialog's detail: per server what runs (expanded, secrets masked), risky overrides first, and where it is
 * defined. Over BLOCK_MAX, servers keep only their command line or URL and their warnings; still over, the servers
 * that fit are shown and the rest are counted (`left`): the dialog must then not offer to start them all unseen.
 */
export function trustQuestion(servers: readonly ServerToTrust[]): { readonly detail: string; readonly left: number } {
  const runs = servers.length === 1 ? 'It runs' : 'They run';
  const choose = servers.length > 1 ? ' Choose… starts only those you pick.' : '';
  const footer = `${runs} with your permissions. Only start servers from sources you trust; you are asked again if a definition or its env file changes.${choose}`;
  const budget = BLOCK_MAX - footer.length - 2;
  const size = (blocks: string[]) => blocks.reduce((n, b) => n + b.length + 2, 0);
  let blocks = servers.map(s => serverBlock(s, false));
  if (size(blocks) > budget) blocks = servers.map(s => serverBlock(s, true));
  const shown: string[] = [];
  let used = 0;
  for (const [i, block] of blocks.entries()) {
    const rest = blocks.length - i - 1;
    // Room for this block, and for the line counting the others if any are left after it.
    if (used + block.length + 2 + (rest > 0 ? 120 : 0) > budget) {
      // Not even the first fits (one server with pages of warnings): its lines up to the budget, what runs first.
      if (shown.length === 0) shown.push(firstLines(block, budget - 120));
      const more = blocks.length - shown.length;
      if (more > 0) {
        shown.push(`… and ${more} more server${more === 1 ? '' : 's'}, not listed here: Choose… lists each with what it runs.`);
        return { detail: `${shown.join('\n\n')}\n\n${footer}`, left: more };
      }
      break;
    }
    shown.push(block);
    used += block.length + 2;
  }
  return { detail: `${shown.join('\n\n')}\n\n${footer}`, left: 0 };
}

/** The dialog's detail (trustQuestion's). */
export function trustDetail(servers: readonly ServerToTrust[]): string {
  return trustQuestion(servers).detail;
}

/** The whole lines of `block` that fit in `max` characters, and a line saying how many did not. */
function firstLines(block: string, max: number): string {
  const lines = block.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max - 40) break;
    kept.push(line);
    used += line.length + 1;
  }
  return [...kept, `   … ${lines.length - kept.length} more lines`].join('\n');
}

/** One server's lines; `essentials`: only its warnings and what runs, and how many lines were left out. */
function serverBlock({ definition: d, preview }: ServerToTrust, essentials: boolean): string {
  const all = describePreview(preview, d.origin.folder);
  // Short of room, what runs (or where it connects) comes before the warnings, so no warning can push it out.
  const lines = essentials ? [...all.filter(line => WHAT_RUNS.test(line)), ...all.filter(line => line.startsWith('⚠ '))] : all;
  const omitted = all.length - lines.length;
  return [
    `• ${plainLabel(d.name, NAME_MAX)} — defined in ${plainLabel(definedIn(d), NAME_MAX)}`,
    ...lines.map(line => `   ${plainLabel(line, LINE_MAX)}`),
    ...(omitted > 0 ? [`   … ${omitted} more line${omitted === 1 ? '' : 's'} (env, headers): see its definition`] : []),
  ].join('\n');
}

/** A row of the "Choose…" pick: the server's name, its transport and where it is defined, and what it runs or where it connects. */
export interface ServerTrustRow {
  readonly name: string;
  readonly description: string;
  readonly detail: string;
  readonly risky: boolean;
}

/**
 * The "Choose…" pick's row for one server, as plain (still untrusted) text: the pick makes it inert. The pick
 * cuts a detail after ~90 characters, so what runs (or where it connects) comes first, then the warnings
 * (the row's ⚠ icon says there are some).
 */
export function trustRow({ definition: d, preview }: ServerToTrust): ServerTrustRow {
  const transport = preview.type === 'stdio' ? 'stdio' : preview.type === 'sse' ? 'SSE' : 'HTTP';
  const lines = describePreview(preview, d.origin.folder);
  const what = [...lines.filter(line => WHAT_RUNS.test(line)), ...lines.filter(line => line.startsWith('⚠ '))];
  return { name: d.name, description: `${transport} · ${definedIn(d)}`, detail: what.join(' · '), risky: preview.warnings.length > 0 };
}
