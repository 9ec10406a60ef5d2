import * as vscode from 'vscode';

/**
 * A MarkdownString for text from servers, configs and tool calls: codicons, but no command links and no
 * HTML. Whatever goes in still has to be escaped (`escapeMarkdown`) or fenced (`codeBlock`).
 */
export function untrustedMarkdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

/**
 * Markdown whose links are MCP Host's own command links (`commandLink`), trusted with exactly `commands`, all
 * MCP Host's (a link to any other command does not run), and no HTML. Untrusted text in `value` must still be
 * escaped (`escapeMarkdown`): trust is per command, not per link, so escaping is what keeps a server's text from
 * forming a link to one of these commands with arguments of its choosing.
 */
export function commandLinksMarkdown(value: string, commands: readonly string[]): vscode.MarkdownString {
  const foreign = commands.filter(c => !/^mcpHost\.[\w.]+$/.test(c));
  if (foreign.length) throw new Error(`not MCP Host's commands: ${foreign.join(', ')}`);
  const md = new vscode.MarkdownString(value, false);
  md.isTrusted = { enabledCommands: [...commands] };
  md.supportHtml = false;
  return md;
}
