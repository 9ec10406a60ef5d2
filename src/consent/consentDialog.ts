import { inertBlock, safe, type DetailText, type SafeText } from '../common/untrustedText';
import * as ui from '../ui/window';
import { showReadOnlyText } from '../ui/readOnlyText';
import { originLabel } from './origins';
import { claimsReadOnly, safetyWarnings } from './safetyHints';
import type { ConsentAnswer, ConsentDialog, ToolConsentRequest } from './types';


const SHOW_FULL = 'Show Full Arguments';

export const CHOICES = {
  once: 'Allow Once',
  session: 'Allow for This Session',
  always: 'Always Allow in This Workspace',
} as const;

/** The dialog's text, kept apart from showing it so it can be read (and tested) as a whole. */
export function consentMessage(request: ToolConsentRequest): { message: SafeText; detail: DetailText; readOnly: boolean } {
  const a = request.annotations;
  // A tool claiming to be both read-only and destructive is treated as destructive.
  const readOnly = claimsReadOnly(a);
  const name = request.title && request.title !== request.tool ? `'${request.title}' (${request.tool})` : `'${request.tool}'`;
  const message = questionFor(request, name);
  const lines: string[] = [];
  // The spec's defaults: a tool that does not say it only reads may change, delete and reach outside.
  lines.push(...safetyWarnings(a));
  for (const w of request.warnings) lines.push(`⚠ ${w}`);
  if (request.changedSince) {
    lines.push('', `What changed since you approved it on ${new Date(request.changedSince.approvedAt).toLocaleString()}:`);
    if (request.changedSince.serverRedefined) lines.push("  • the server's definition in its config (what runs or where it connects)");
    else if (request.changedSince.changes.length === 0) lines.push('  • its definition (no visible field differs)');
    for (const c of request.changedSince.changes) {
      lines.push(`  • ${c.field}: ${c.before ?? '(none)'}`, `    → ${c.after ?? '(none)'}`);
    }
  }
  lines.push('', `Server: ${request.server}, from ${request.serverOrigin}`, `Requested from: ${originLabel(request.origin)}${request.origin === 'app' ? ' (an interactive UI the server provides)' : ''}${request.savedCall !== undefined ? `, running the saved call '${request.savedCall}'` : ''}`);
  if (request.description) lines.push(`Description: ${oneLine(request.description, 300)}`);
  lines.push(`Annotations (reported by the server, not verified): ${describeAnnotations(a)}`);
  lines.push('', request.fullArgumentsText ? `Arguments (cut here; "${SHOW_FULL}" opens all of them):` : 'Arguments:', request.argumentsText);
  return { message, detail: inertBlock(lines.join('\n')), readOnly };
}

/** The dialog's question: an app's request names the app as the one asking, the user did not start it. */
function questionFor(request: ToolConsentRequest, name: string): SafeText {
  const { server, origin, changedSince } = request;
  if (origin === 'app') {
    if (changedSince?.serverRedefined) return safe`The MCP server '${server}' was redefined since you approved ${name}. An app on that server asks to run it. Allow?`;
    if (changedSince) return safe`The MCP tool ${name} on server '${server}' changed since you approved it. An app on that server asks to run it. Allow?`;
    return safe`An app on server '${server}' asks to run the MCP tool ${name}. Allow?`;
  }
  if (changedSince?.serverRedefined) return safe`The MCP server '${server}' was redefined since you approved ${name}. Run it?`;
  if (changedSince) return safe`The MCP tool ${name} on server '${server}' changed since you approved it. Run it?`;
  return safe`Run the MCP tool ${name} on server '${server}'?`;
}

function describeAnnotations(a: ToolConsentRequest['annotations']): string {
  const parts = Object.entries(a).map(([k, v]) => `${k}: ${v}`);
  return parts.length ? parts.join(', ') : 'none (no safety hints from the server)';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export const consentDialog: ConsentDialog = { confirmToolCall: showConsentDialog };

/**
 * A modal dialog; Cancel or Escape denies. When the arguments had to be cut, "Show Full Arguments" opens all
 * of them read-only, as plain text, and the dialog asks again: the user approves what they could see.
 */
async function showConsentDialog(request: ToolConsentRequest): Promise<ConsentAnswer> {
  const { message, detail, readOnly } = consentMessage(request);
  const show = readOnly ? ui.showInformationMessage : ui.showWarningMessage;
  const choices = [CHOICES.once, CHOICES.session, CHOICES.always];
  let answer = await show(message, { modal: true, detail }, ...choices, ...(request.fullArgumentsText ? [SHOW_FULL] : []));
  while (answer === SHOW_FULL && request.fullArgumentsText) {
    await showReadOnlyText(`Arguments of ${request.tool} on ${request.server}`, request.fullArgumentsText);
    answer = await show(message, { modal: true, detail }, ...choices, SHOW_FULL);
  }
  if (answer === CHOICES.once) return 'once';
  if (answer === CHOICES.session) return 'session';
  if (answer === CHOICES.always) return 'always';
  return 'deny';
}
