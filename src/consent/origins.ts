import type { CallOrigin } from './types';

/**
 * Who asked for a call, in words: the consent dialog ("Requested from: …"), the history's tooltip and its
 * call details all say it so. The ids (`result`, `languageModel`, …) are ours, never shown.
 */
const ORIGIN_LABEL: Readonly<Record<CallOrigin, string>> = {
  palette: 'the command palette',
  tree: 'the MCP Host sidebar',
  chat: '@mcp chat',
  languageModel: 'a model (language model tool)',
  history: "the Tool Call History's Run Again",
  result: "the result panel's Run Again",
  app: 'an MCP App',
};

/**
 * The label of an origin. A history file can hold lines written by another version (or edited by hand):
 * an id this version does not know is not printed, it reads "an unknown source".
 */
export function originLabel(origin: string): string {
  return Object.prototype.hasOwnProperty.call(ORIGIN_LABEL, origin) ? ORIGIN_LABEL[origin as CallOrigin] : 'an unknown source';
}
