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
