import * as assert from 'assert';
import { sandboxPolicy } from '../../../src/apps/appMeta';
import { appPageHtml } from '../../../src/ui/apps/appPage';

describe('MCP App page header', () => {
  it('shows hidden and bidi characters in server text as ⟨U+…⟩ and escapes markup', () => {
    const html = appPageHtml({
      server: 'evil\u202Egnp.exe',
      tool: '<img src=x onerror=alert(1)>\u200B',
      resource: { uri: 'ui://a/"app".html', html: '<p>app</p>', policy: sandboxPolicy(undefined) },
      load: 1,
    });
    const header = /<header id="mcp-app-header">(.*?)<\/header>/s.exec(html)?.[1] ?? '';
    assert.ok(header.includes('evil⟨U+202E⟩gnp.exe'), header);
    assert.ok(header.includes('&lt;img src=x onerror=alert(1)&gt;⟨U+200B⟩'), header);
    assert.ok(header.includes('ui://a/&quot;app&quot;.html'), header);
    assert.ok(!html.includes('\u202E') && !html.includes('\u200B'), 'no raw hidden characters in the page');
    assert.ok(!html.includes('<p>app</p>'), 'the page holds no server markup');
  });

  it('differs on every load, so VS Code reloads the webview when the tool is run again', () => {
    const info = { server: 's', tool: 't', resource: { uri: 'ui://a/app.html', html: '', policy: sandboxPolicy(undefined) } };
    assert.notStrictEqual(appPageHtml({ ...info, load: 1 }), appPageHtml({ ...info, load: 2 }));
  });
});
