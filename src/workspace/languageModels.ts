import type * as vscode from 'vscode';

/**
 * Whether a chat model accepts images. The stable API does not declare it, but the extension host's model
 * object carries the provider's `capabilities` (`supportsImageToText`); a model without them gets text only.
 */
export function acceptsImages(model: vscode.LanguageModelChat): boolean {
  const capabilities = (model as { capabilities?: { supportsImageToText?: unknown } }).capabilities;
  return capabilities?.supportsImageToText === true;
}

/** Whether a chat model can call tools; assumed when the provider does not say. */
export function acceptsTools(model: vscode.LanguageModelChat): boolean {
  const capabilities = (model as { capabilities?: { supportsToolCalling?: unknown } }).capabilities;
  return capabilities?.supportsToolCalling !== false;
}
