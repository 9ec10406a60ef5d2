import { escapeHtml } from '../../common/html';

/**
 * The form editor's page: a fixed shell whose only script is our own file, loaded with a fresh nonce.
 * The form itself is built by that script from the escaped `data-init` JSON, with DOM text nodes only, so server
 * text (titles, descriptions, enum labels) is never parsed as HTML. No `vscode` here.
 */

export interface FormPageResources {
  /** `webview.cspSource`: where our script and style may come from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The form to show, as JSON in an attribute the script reads: escaped, so no server text is markup. */
  readonly init: unknown;
}

/** A nonce for one page: 128 random bits, base64. */
export function newNonce(random: (size: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString('base64');
}

export function formPageHtml(r: FormPageResources): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${r.nonce}'`,
    `style-src ${r.cspSource}`,
    // Nothing is fetched, framed or submitted by the page itself: values leave only through postMessage.
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(r.styleUri)}">
<title>MCP form</title>
</head>
<body>
<main id="app" data-init="${escapeHtml(JSON.stringify(r.init))}"><p>Loading the form…</p></main>
<script nonce="${escapeHtml(r.nonce)}" src="${escapeHtml(r.scriptUri)}"></script>
</body>
</html>`;
}
