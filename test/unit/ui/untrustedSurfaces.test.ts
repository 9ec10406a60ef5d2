import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { SafeText } from '../../../src/common/untrustedText';
import { root } from '../servers';

/**
 * Untrusted text reaches VS Code's rendering surfaces only through the helpers (src/common/untrustedText.ts):
 * the adapters in src/ui/window.ts take `SafeText`, so the compiler follows every string there; this scan
 * closes the ways around them, the way onlyGateCalls.test.ts guards the consent gate.
 */

const WINDOW_ADAPTER = 'src/ui/window.ts';
const MARKDOWN_ADAPTER = 'src/ui/markdown.ts';
const HELPERS = 'src/common/untrustedText.ts';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

/** `file:line: text` of every line of src/ matching `pattern`, outside the `allowed` files. */
function hits(pattern: { test(line: string): boolean }, allowed: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (allowed.includes(rel)) continue;
    // Comments may name the functions; code may not call them.
    const code = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, m => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    code.split('\n').forEach((line, i) => pattern.test(line) && found.push(`${rel}:${i + 1}: ${line.trim()}`));
  }
  return found;
}

const RAW_TEXT_SURFACES = /\bwindow\s*\.\s*(showInformationMessage|showWarningMessage|showErrorMessage|withProgress|showQuickPick|createQuickPick|showInputBox|createInputBox)\b/;

/**
 * A chat button whose title may hold untrusted text: an interpolation other than `buttonTitle(…)` in its title, or a
 * title (or a branch of a conditional title) that is a bare variable. `test` of one line, as `hits` needs.
 */
const UNTRUSTED_BUTTON_TITLE = {
  test(line: string): boolean {
    const m = /\bstream\s*\.\s*button\(.*?\btitle:\s*(.*?)(?:,\s*[A-Za-z_$][\w$]*:|\s*\}\s*\)\s*;?\s*$)/.exec(line);
    if (!m) return false;
    const expr = m[1]!.trim();
    if (/^buttonTitle\([^]*\)$/.test(expr)) return false;
    if (/\$\{(?!buttonTitle\()/.test(expr)) return true;
    const branch = /\?(?!\.)/.exec(expr);
    const values = branch ? expr.slice(branch.index + 1).split(/\s:\s/) : [expr];
    return values.some(v => /^[A-Za-z_$][\w$?.]*$/.test(v.trim()));
  },
};

describe('untrusted text reaches the UI only through the helpers', () => {
  it('calls vscode.window message, progress, quick-pick and input-box functions only in the SafeText adapter', () => {
    const offenders = hits(RAW_TEXT_SURFACES, [WINDOW_ADAPTER]);
    assert.deepStrictEqual(offenders, [], `call these through src/ui/window.ts with safe\`…\`/inertLine:\n${offenders.join('\n')}`);
    // Vacuous if the adapter stopped matching the pattern.
    const adapter = fs.readFileSync(path.join(root, WINDOW_ADAPTER), 'utf8');
    for (const fn of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'withProgress', 'showQuickPick', 'createQuickPick', 'showInputBox', 'createInputBox']) {
      assert.match(adapter, new RegExp(`vscode\\.window\\.${fn}\\b`), fn);
    }
  });

  it('finds no other way to reach vscode.window: no alias, no destructuring, no named import', () => {
    const offenders = [
      ...hits(/\bvscode\s*\.\s*window\b(?!\s*\.)/, [WINDOW_ADAPTER]),
      ...hits(/\bimport\s*\{[^}]*\bwindow\b[^}]*\}\s*from\s*['"]vscode['"]/, []),
      ...hits(/\{[^}]*\b(showInformationMessage|showWarningMessage|showErrorMessage|withProgress|showQuickPick|createQuickPick|showInputBox|createInputBox)\b[^}]*\}\s*=\s*vscode/, []),
    ];
    assert.deepStrictEqual(offenders, [], offenders.join('\n'));
  });

  it('makes SafeText and DetailText only in the helpers: no cast forges one', () => {
    const offenders = hits(/\bas\s+(SafeText|DetailText)\b|<(SafeText|DetailText)>\s*[\w('"`]/, [HELPERS]);
    assert.deepStrictEqual(offenders, [], offenders.join('\n'));
  });

  it('builds MarkdownStrings only in the markdown adapter, never wholly trusted or with HTML; trusted with commands only there', () => {
    assert.deepStrictEqual(hits(/\bnew\s+(vscode\s*\.\s*)?MarkdownString\b/, [MARKDOWN_ADAPTER]), []);
    assert.deepStrictEqual(hits(/\b(isTrusted|supportHtml)\s*[:=]\s*true\b/, []), []);
    // Trusted with a list of commands (MCP Host's own, checked as it is built): only in the adapter.
    assert.deepStrictEqual(hits(/\b(isTrusted|supportHtml)\s*[:=]\s*\{/, [MARKDOWN_ADAPTER]), []);
    assert.match(fs.readFileSync(path.join(root, MARKDOWN_ADAPTER), 'utf8'), /new vscode\.MarkdownString\(/);
  });

  it('puts server text in a chat button title only through buttonTitle: VS Code draws $(icon)s in a button title', () => {
    // A response button (`stream.button`) is a Button with `supportIcons`: a server named `$(pass-filled) Verified`, or a
    // prompt titled so, drew a check icon in "Turn Off …", "Start …", "Open …" and the /prompt buttons.
    const offenders = hits(UNTRUSTED_BUTTON_TITLE, []);
    assert.deepStrictEqual(offenders, [], `titles with untrusted text go through buttonTitle (src/ui/chat/chatText.ts):\n${offenders.join('\n')}`);
    const flags = (line: string) => UNTRUSTED_BUTTON_TITLE.test(line);
    assert.ok(flags("stream.button({ command: c, title: `Start ${s.name}`, arguments: [s.name] });"));
    assert.ok(flags('stream.button({ command: c, title: label, arguments: [] });'));
    // Either branch of a conditional (review14 NIT: the first scan did not see past `cond ?`).
    assert.ok(flags('stream.button({ command: c, title: on ? `Turn Off ${s.name}` : `Turn On ${buttonTitle(s.name)}`, arguments: [] });'));
    assert.ok(flags("stream.button({ command: c, title: on ? 'Turn Off' : label, arguments: [] });"));
    assert.ok(flags('stream.button({ command: c, title: s?.name });'));
    assert.ok(!flags("stream.button({ command: c, title: `Start ${buttonTitle(s.name)}`, arguments: [s.name] });"));
    assert.ok(!flags('stream.button({ command: c, title: on ? `Turn Off ${buttonTitle(s.name)}` : `Turn On ${buttonTitle(s.name)}`, arguments: [] });'));
    assert.ok(!flags("stream.button({ command: c, title: `Open ${buttonTitle(c.name, 40) || 'resource'}`, arguments: [id] });"));
    assert.ok(!flags("stream.button({ command: c, title: 'Open Result', arguments: [id] });"));
    assert.ok(!flags('stream.button({ command: c, title: buttonTitle(`${p.server}: ${label}`), arguments: [] });'));
  });

  it('the scan sees code, not comments, and catches each form', () => {
    const probe = (line: string, re: RegExp) => re.test(line);
    assert.ok(probe('void vscode.window.showErrorMessage(`${x}`);', RAW_TEXT_SURFACES));
    assert.ok(probe('const show = readOnly ? window.showInformationMessage : other;', RAW_TEXT_SURFACES));
    assert.ok(probe('await vscode.window.withProgress({ title }, task)', RAW_TEXT_SURFACES));
    assert.ok(!probe('void ui.showErrorMessage(safe`${x}`);', RAW_TEXT_SURFACES));
  });

  it('does not compile untrusted strings into those surfaces', () => {
    // Compile-time checks: `tsc -p test` fails if any of these lines stops being an error.
    type Window = typeof import('../../../src/ui/window');
    const typeChecks = (ui: Window, untrusted: string, safe: SafeText) => {
      // @ts-expect-error a plain string is not a message
      void ui.showErrorMessage(untrusted);
      // @ts-expect-error nor a modal's detail
      void ui.showWarningMessage(safe, { modal: true, detail: untrusted });
      // @ts-expect-error nor a quick-pick label
      void ui.showQuickPick([{ label: untrusted }]);
      // @ts-expect-error nor a quick-pick description
      void ui.showQuickPick([{ label: safe, description: untrusted }]);
      // @ts-expect-error nor an input prompt (VS Code renders links in it)
      void ui.showInputBox({ prompt: untrusted });
      // @ts-expect-error nor a progress message
      void ui.withProgress({ location: 15 }, async p => p.report({ message: untrusted }));
      const box = ui.createInputBox();
      // @ts-expect-error nor a validation message
      box.validationMessage = untrusted;
      void ui.showErrorMessage(safe);
    };
    assert.strictEqual(typeof typeChecks, 'function');
  });
});
