/**
 * The one HTML escaper for the webview pages we build as strings (result panel, app panel, form editor).
 * It is safe in text and in quoted attribute values. Untrusted text goes through `plainLabel`/`plainBlock`
 * (src/common/untrustedText.ts) first, so hidden characters are shown, then through this.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
