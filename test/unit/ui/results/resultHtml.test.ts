import * as assert from 'assert';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { GatedCallResult } from '../../../../src/consent/types';
import { base64Bytes, commandUri, contentView, promptTitle, promptView, renderPromptHtml, renderResultHtml, resultTitle, toolResultView } from '../../../../src/ui/results/resultHtml';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const info = { server: 'srv', tool: 'echo', title: 'Echo Tool' };
const completed = (result: CallToolResult, outputError?: string): GatedCallResult => ({ kind: 'completed', outcome: { result, ...(outputError ? { outputError } : {}) }, durationMs: 12 });
const render = (result: GatedCallResult, args?: Record<string, unknown>) => renderResultHtml(toolResultView(result, info, args), { openResourceCommand: 'mcpHost.openResource' });
/** The HTML with the page's own <style> and CSP removed, to look only at what was rendered. */
const body = (html: string) => html.slice(html.indexOf('<body>'));
const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)"> & 'quotes' "double"`;

describe('tool result rendering', () => {
  it('escapes every piece of server text, so nothing in it can run', () => {
    const html = render(
      completed({
        content: [
          { type: 'text', text: HOSTILE },
          { type: 'resource_link', uri: `demo://x"><script>alert(3)</script>`, name: HOSTILE, description: HOSTILE },
          { type: 'resource', resource: { uri: 'demo://r', text: HOSTILE } },
        ],
        structuredContent: { html: HOSTILE },
      }),
      { message: HOSTILE },
    );
    const b = body(html);
    assert.ok(!/<script/i.test(b), 'a script tag got through');
    assert.ok(!/<img src=x/i.test(b), 'an unescaped img tag got through');
    assert.ok(!b.includes('onerror="alert'), 'an event handler attribute got through');
    assert.ok(b.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(b.includes('&amp; &#39;quotes&#39; &quot;double&quot;'));
  });

  it('shows hidden and bidi characters in server text as ⟨U+…⟩, so nothing is invisible or reversed', () => {
    const html = render(
      completed({ content: [{ type: 'text', text: 'pay\u200b now' }, { type: 'resource_link', uri: 'demo://x', name: 'invoice\u202etxt.exe' }] }),
      { note: 'a\u2066b' },
    );
    const b = body(html);
    assert.ok(b.includes('pay⟨U+200B⟩ now'), b);
    assert.ok(b.includes('invoice⟨U+202E⟩txt.exe'), b);
    assert.ok(b.includes('a⟨U+2066⟩b'), b);
    assert.ok(!/[\u200b\u202e\u2066]/u.test(b), 'a hidden character is still in the page');
  });

  it('allows no scripts and only data: images and media in its content security policy', () => {
    const html = render(completed({ content: [{ type: 'text', text: 'hi' }] }));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.strictEqual(csp, "default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline';");
    assert.ok(!/<script/i.test(html));
  });

  it('shows text as preformatted plain text, never as markup', () => {
    const html = render(completed({ content: [{ type: 'text', text: '# Title\n**bold** <b>x</b>' }] }));
    assert.ok(body(html).includes('<pre># Title\n**bold** &lt;b&gt;x&lt;/b&gt;</pre>'));
  });

  it('shows images from checked base64 data of image types only', () => {
    const ok = render(completed({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }));
    assert.ok(ok.includes(`<img src="data:image/png;base64,${PNG}"`));
    assert.match(ok, /Image · image\/png · 70 B/);
    const html = toolResultView(completed({ content: [{ type: 'image', data: PNG, mimeType: 'text/html' }] }), info).content[0];
    assert.deepStrictEqual(html, { kind: 'unsupported', what: "image of type 'text/html'" });
    const notBase64 = toolResultView(completed({ content: [{ type: 'image', data: '"><script>', mimeType: 'image/png' }] }), info).content[0];
    assert.deepStrictEqual(notBase64, { kind: 'unsupported', what: 'image (image/png) whose data is not base64' });
    assert.ok(!render(completed({ content: [{ type: 'image', data: '"><script>', mimeType: 'image/png' }] })).includes('<img'));
  });

  it('gives audio a player', () => {
    const html = render(completed({ content: [{ type: 'audio', data: 'UklGRiQAAABXQVZF', mimeType: 'audio/wav' }] }));
    assert.ok(html.includes('<audio controls src="data:audio/wav;base64,UklGRiQAAABXQVZF"></audio>'));
    assert.match(html, /Audio · audio\/wav · 12 B/);
  });

  it('makes resource links and embedded resources openable through the open-resource command', () => {
    const result = completed({
      content: [
        { type: 'resource_link', uri: 'demo://resource/dynamic/text/2', name: 'Text Resource 2', mimeType: 'text/plain', description: 'Resource 2' },
        { type: 'resource', resource: { uri: 'demo://blob', mimeType: 'application/octet-stream', blob: 'AAECAw==' } },
      ],
    });
    const html = render(result);
    const link = commandUri('mcpHost.openResource', { server: 'srv', uri: 'demo://resource/dynamic/text/2' });
    assert.ok(html.includes(`href="${link.replace(/&/g, '&amp;')}"`));
    const [, args] = /^command:mcpHost\.openResource\?(.*)$/.exec(link)!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(args!)), [{ server: 'srv', uri: 'demo://resource/dynamic/text/2' }]);
    assert.ok(html.includes('>Text Resource 2</a>'));
    assert.match(html, /Binary content, 4 B, not shown\./);
  });

  it('shows structured content as formatted JSON, warning when it breaks the output schema', () => {
    const good = render(completed({ content: [], structuredContent: { temperature: 33, conditions: 'Cloudy' } }));
    assert.ok(good.includes('<pre class="structured">{\n  &quot;temperature&quot;: 33,\n  &quot;conditions&quot;: &quot;Cloudy&quot;\n}</pre>'));
    assert.ok(!good.includes('data-output-error'));
    const bad = render(completed({ content: [], structuredContent: { sum: 'x' } }, "the structured content does not match the tool's output schema: /sum must be number"));
    assert.match(bad, /data-output-error><strong>Structured output does not match the tool's output schema\.<\/strong> the structured content does not match/);
  });

  it('says when structured output was not checked because its schema is too big to check', () => {
    const unchecked = render({ kind: 'completed', outcome: { result: { content: [], structuredContent: { a: 1 } }, outputNotChecked: 'the schema is too big for MCP Host to check (more than 1,000 keywords and properties)' }, durationMs: 3 });
    assert.match(unchecked, /data-output-not-checked><strong>Structured output not checked against the tool's output schema:<\/strong> the schema is too big for MCP Host to check \(more than 1,000 keywords and properties\); the server is the judge of it\./);
    assert.ok(!unchecked.includes('data-output-error'));
  });

  it('marks results the tool reported as errors', () => {
    const view = toolResultView(completed({ content: [{ type: 'text', text: 'Invalid resourceId' }], isError: true }), info);
    assert.strictEqual(view.status, 'toolError');
    const html = render(completed({ content: [{ type: 'text', text: 'Invalid resourceId' }], isError: true }));
    assert.match(html, /class="banner error" data-status="toolError"><strong>The tool reported an error\.<\/strong>/);
    assert.match(html, /class="content tool-error"/);
  });

  it('explains denied, cancelled and failed calls', () => {
    for (const [kind, text] of [
      ['denied', 'Not run.'],
      ['cancelled', 'Cancelled.'],
      ['failed', 'The call failed.'],
    ] as const) {
      const view = toolResultView({ kind, message: `because <${kind}>` }, info);
      assert.strictEqual(view.status, kind);
      assert.deepStrictEqual(view.content, []);
      const html = renderResultHtml(view, { openResourceCommand: 'open' });
      assert.ok(html.includes(`data-status="${kind}"><strong>${text}</strong> because &lt;${kind}&gt;</div>`), html);
    }
  });

  it('masks secrets in everything it shows', () => {
    const mask = (t: string) => t.replace(/s3cret/g, '••••');
    const view = toolResultView(completed({ content: [{ type: 'text', text: 'token=s3cret' }], structuredContent: { t: 's3cret' } }), info, { key: 's3cret' }, mask);
    assert.ok(!JSON.stringify(view).includes('s3cret'));
  });

  it('renders a preview of a huge result, says how much it shows and links to the whole kept on disk', () => {
    const saved = { path: ['content', 0, 'text'], bytes: 50 * 1024 * 1024, id: '0123456789abcdef', part: 0 };
    const huge = 'h'.repeat(300_000);
    const result: GatedCallResult = { kind: 'completed', outcome: { result: { content: [{ type: 'text', text: huge }, { type: 'text', text: 'm'.repeat(200_000) }] }, saved: [saved] }, durationMs: 1 };
    const view = toolResultView(result, info);
    const html = renderResultHtml(view, { openResourceCommand: 'open', openValueCommand: 'mcpHost.openResultValue' });
    assert.ok(html.length < 500_000, `${html.length} characters of HTML`);
    assert.match(html, /Showing the first 100,000 characters of 50\.0 MB\. <a href="command:mcpHost\.openResultValue\?[^"]+" data-open-value>Open the full text<\/a>/);
    const href = /href="command:mcpHost\.openResultValue\?([^"]+)"/.exec(html)![1]!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(href)), [{ id: '0123456789abcdef', part: 0, name: 'Echo Tool result 1.txt' }]);
    // The second block, held only in memory and not kept: cut, and said so.
    assert.match(html, /Showing the first 100,000 characters of 195\.3 KB\. The rest is not kept\./);
  });

  it('names content it does not know instead of dropping it', () => {
    assert.deepStrictEqual(contentView({ type: 'hologram' }), { kind: 'unsupported', what: "content of type 'hologram'" });
    assert.deepStrictEqual(contentView(null), { kind: 'unsupported', what: "content of type 'unknown'" });
  });

  it('measures base64 data', () => {
    assert.strictEqual(base64Bytes('AAECAw=='), 4);
    assert.strictEqual(base64Bytes('AAECAwQ='), 5);
    assert.strictEqual(base64Bytes('AAECAwQF'), 6);
    assert.strictEqual(base64Bytes('not base64!'), undefined);
  });
});

describe('prompt rendering', () => {
  const result = {
    description: 'Team <management>',
    messages: [
      { role: 'user' as const, content: { type: 'text' as const, text: 'Please promote <Alice>.' } },
      { role: 'assistant' as const, content: { type: 'resource' as const, resource: { uri: 'demo://doc', text: 'Doc text' } } },
    ],
  };

  it('shows each message under its role, escaped, with a Send to Chat action', () => {
    const view = promptView('srv', { name: 'completable-prompt', title: 'Team Management' }, { department: 'Engineering' }, result);
    assert.strictEqual(view.chatText, 'Please promote <Alice>.\n\nDoc text');
    const send = commandUri('workbench.action.chat.open', { query: view.chatText, isPartialQuery: true });
    const html = renderPromptHtml(view, { openResourceCommand: 'mcpHost.openResource', sendToChatUri: send, sendToChatNote: 'puts the text in the chat input' });
    const b = body(html);
    assert.ok(b.includes('<h2>user</h2>'));
    assert.ok(b.includes('<h2>assistant</h2>'));
    assert.ok(b.includes('<pre>Please promote &lt;Alice&gt;.</pre>'));
    assert.ok(b.includes('Team &lt;management&gt;'));
    assert.ok(b.includes('department=&quot;Engineering&quot;'));
    assert.ok(b.includes(`<a class="action" href="${send.replace(/&/g, '&amp;')}">Send to Chat</a>`));
    assert.ok(!/<script/i.test(b));
  });
});

describe('result and prompt panel tab titles', () => {
  it("show a server's title as plain text: hidden and bidi characters revealed, one line, cut", () => {
    // An editor tab draws its title as given: U+202E reversed the rest ("MCP: invoiceexe.txt result").
    assert.strictEqual(resultTitle({ label: 'invoice\u202etxt.exe' }), 'MCP: invoice⟨U+202E⟩txt.exe result');
    assert.strictEqual(resultTitle({ label: 'Echo\n\nSystem: approved\u200b' }), 'MCP: Echo System: approved⟨U+200B⟩ result');
    assert.ok(resultTitle({ label: 'x'.repeat(5000) }).length < 100);
    assert.strictEqual(promptTitle({ label: 'Review\u202e prompt' }), 'MCP: Review⟨U+202E⟩ prompt');
    assert.strictEqual(promptTitle({ label: 'Arguments Prompt' }), 'MCP: Arguments Prompt');
  });
});
