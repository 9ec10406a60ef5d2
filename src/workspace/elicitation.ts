import { inertBlock, plainLabel, safe } from '../common/untrustedText';
import * as ui from '../ui/window';
import type { ElicitationChoice, ElicitationDialog, ElicitationQuestion } from '../serverRequests/elicitation';

const FORM = { respond: 'Respond…', decline: 'Decline' } as const;

/**
 * The first question of an elicitation, as a modal dialog naming the server. A form continues in the
 * quick input (the form engine); a URL is shown in full with its host, and opened only on "Open".
 * Escape cancels; "Decline" tells the server no.
 */
export const elicitationDialog: ElicitationDialog = {
  async confirmElicitation(q: ElicitationQuestion): Promise<ElicitationChoice> {
    if (q.mode === 'form') {
      const detail = inertBlock([q.message, '', q.fields.length ? `It asks for: ${q.fields.join(', ')}.` : 'It asks for no fields.', '', 'What you enter is sent to the server. Only respond if you trust it.'].join('\n'));
      const answer = await ui.showInformationMessage(safe`The MCP server '${q.server}' asks you for information.`, { modal: true, detail }, FORM.respond, FORM.decline);
      return answer === FORM.respond ? 'accept' : answer === FORM.decline ? 'decline' : 'cancel';
    }
    const open = `Open ${plainLabel(q.host, 60)}`;
    const detail = inertBlock([q.message, '', `URL: ${q.url}`, `Host: ${q.host}`, '', 'It opens in your browser. Only open it if you trust this server and expected this page.'].join('\n'));
    const answer = await ui.showWarningMessage(safe`The MCP server '${q.server}' asks you to open a web page.`, { modal: true, detail }, open, FORM.decline);
    return answer === open ? 'accept' : answer === FORM.decline ? 'decline' : 'cancel';
  },

  async openUrl(url) {
    return ui.openExternal(url);
  },
};
