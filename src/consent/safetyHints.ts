/**
 * One reading of a tool's safety annotations for every place that shows it (the tree, the palette, the
 * consent dialog): what the server said, and, where it said nothing, that it said nothing. The spec's
 * defaults (a tool may modify, delete and reach outside unless it says otherwise) are how consent treats
 * an unannotated tool; both places word that as what the server did not say. No `vscode` here.
 */

export interface SafetyAnnotations {
  readonly readOnlyHint?: boolean | undefined;
  readonly destructiveHint?: boolean | undefined;
  readonly openWorldHint?: boolean | undefined;
}

export const NO_SAFETY_HINTS = 'no safety hints from the server';

export type ToolHint = 'read-only' | 'destructive' | 'open-world' | typeof NO_SAFETY_HINTS;

/** Whether the server said anything about reading, deleting or reaching outside. */
export function hasSafetyHints(a: SafetyAnnotations | undefined): boolean {
  return a?.readOnlyHint !== undefined || a?.destructiveHint !== undefined || a?.openWorldHint !== undefined;
}

/** The chips of the tree and the palette: what the server claims, or that it claims nothing. Hints, not guarantees. */
export function toolHints(a: SafetyAnnotations | undefined): ToolHint[] {
  if (!hasSafetyHints(a)) return [NO_SAFETY_HINTS];
  const hints: ToolHint[] = [];
  // A tool claiming to be read-only and destructive at once is destructive, as consent treats it.
  if (claimsReadOnly(a)) hints.push('read-only');
  if (a!.destructiveHint === true) hints.push('destructive');
  if (a!.openWorldHint === true) hints.push('open-world');
  return hints;
}

/** Whether consent treats the tool as only reading: it says so, and does not also say it is destructive. */
export function claimsReadOnly(a: SafetyAnnotations | undefined): boolean {
  return a?.readOnlyHint === true && a.destructiveHint !== true;
}

/** The consent dialog's warnings, by the spec's defaults, each saying which part the server did not state. */
export function safetyWarnings(a: SafetyAnnotations | undefined): string[] {
  if (!hasSafetyHints(a)) {
    return ['⚠ No safety hints from the server: it did not say whether this tool only reads, changes or deletes data, or reaches outside systems. Treat it as if it may.'];
  }
  const readOnly = claimsReadOnly(a);
  const lines: string[] = [];
  if (!readOnly) {
    lines.push(
      a!.destructiveHint === false
        ? '⚠ This tool may change data (the server says it only adds, never deletes).'
        : a!.destructiveHint === true
          ? '⚠ This tool may modify or delete data.'
          : '⚠ This tool may modify or delete data (the server did not say it only reads or never deletes).',
    );
  }
  if (a!.openWorldHint === true) lines.push('⚠ This tool reaches outside systems (the internet, other services).');
  else if (a!.openWorldHint === undefined && !readOnly) lines.push('⚠ This tool may reach outside systems (the server did not say it stays inside).');
  return lines;
}
