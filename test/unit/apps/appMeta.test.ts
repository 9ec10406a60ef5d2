import * as assert from 'assert';
import { allowAttribute, appCspHeader, appResourceUri, sandboxPolicy, toolVisibility, withCspMeta } from '../../../src/apps/appMeta';
import { AppResourceCache, fetchAppResource, type ResourceReader } from '../../../src/apps/appResource';

describe('MCP Apps metadata', () => {
  it('reads the nested resourceUri, falls back to the deprecated flat key, and refuses anything but ui://', () => {
    assert.strictEqual(appResourceUri({ _meta: { ui: { resourceUri: 'ui://a/app.html' } } }), 'ui://a/app.html');
    assert.strictEqual(appResourceUri({ _meta: { 'ui/resourceUri': 'ui://flat/app.html' } }), 'ui://flat/app.html');
    assert.strictEqual(appResourceUri({ _meta: { ui: { resourceUri: 'ui://nested' }, 'ui/resourceUri': 'ui://flat' } }), 'ui://nested');
    for (const uri of ['https://evil.example/app.html', 'file:///etc/passwd', 'ui://has space', 42, '']) {
      assert.strictEqual(appResourceUri({ _meta: { ui: { resourceUri: uri } } }), undefined, String(uri));
    }
    assert.strictEqual(appResourceUri({}), undefined);
  });

  it('defaults visibility to model and app, and reads a declared list', () => {
    assert.deepStrictEqual(toolVisibility({}), { model: true, app: true });
    assert.deepStrictEqual(toolVisibility({ _meta: { ui: { visibility: ['app'] } } }), { model: false, app: true });
    assert.deepStrictEqual(toolVisibility({ _meta: { ui: { visibility: ['model'] } } }), { model: true, app: false });
  });

  it('is restrictive by default: no network, frames, plugins, forms or base', () => {
    const csp = appCspHeader(sandboxPolicy(undefined).csp);
    for (const directive of ["default-src 'none'", "connect-src 'none'", "frame-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
      assert.ok(csp.includes(directive), `${directive} missing from ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-eval|\*/);
  });

  it('adds only well-formed origins to the directive each field maps to, and reports the rest as ignored', () => {
    const policy = sandboxPolicy({
      ui: {
        csp: {
          connectDomains: ['https://api.example.com', "* 'unsafe-eval'", 'https://x.example; script-src *', 'https:', '*'],
          resourceDomains: ['https://*.cdn.example', 'data:'],
          frameDomains: ['https://embed.example:8443'],
        },
        permissions: { camera: {}, clipboardWrite: {}, usb: {} },
      },
    });
    assert.deepStrictEqual(policy.csp.connectDomains, ['https://api.example.com']);
    assert.deepStrictEqual(policy.csp.resourceDomains, ['https://*.cdn.example']);
    assert.deepStrictEqual(policy.permissions, ['camera', 'clipboardWrite']);
    assert.strictEqual(policy.ignored.length, 6, policy.ignored.join('\n'));
    const csp = appCspHeader(policy.csp);
    assert.match(csp, /connect-src https:\/\/api\.example\.com;/);
    assert.match(csp, /script-src 'unsafe-inline' https:\/\/\*\.cdn\.example;/);
    assert.match(csp, /frame-src https:\/\/embed\.example:8443;/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.strictEqual(allowAttribute(policy.permissions), 'camera; clipboard-write');
    assert.strictEqual(allowAttribute([]), '');
  });

  it('puts the CSP first in <head>, or makes a head after the doctype', () => {
    assert.match(withCspMeta('<!DOCTYPE html><html><head><title>x</title></head></html>', "default-src 'none'"), /<head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>/);
    assert.match(withCspMeta('<!doctype html><p>x</p>', 'a'), /^<!doctype html><head><meta [^>]+><\/head><p>/);
    assert.match(withCspMeta('<p>x</p>', 'a"b'), /content="a&quot;b"/);
  });
});

describe('MCP App resources', () => {
  const reader = (contents: Array<Record<string, unknown>>, counter = { reads: 0 }): ResourceReader => ({
    async readResource(uri) {
      counter.reads++;
      return { contents: contents.map(c => ({ uri, ...c })) as never };
    },
  });

  it('accepts only the MCP App MIME type, text or base64', async () => {
    const app = await fetchAppResource(reader([{ mimeType: 'text/html;profile=mcp-app', text: '<p>hi</p>', _meta: { ui: { permissions: { microphone: {} } } } }]), 'ui://a');
    assert.strictEqual(app.html, '<p>hi</p>');
    assert.deepStrictEqual(app.policy.permissions, ['microphone']);
    const blob = await fetchAppResource(reader([{ mimeType: 'text/html; profile=mcp-app', blob: Buffer.from('<b>x</b>').toString('base64') }]), 'ui://b');
    assert.strictEqual(blob.html, '<b>x</b>');
    await assert.rejects(fetchAppResource(reader([{ mimeType: 'text/html', text: '<p>' }]), 'ui://c'), /not 'text\/html;profile=mcp-app'/);
    await assert.rejects(fetchAppResource(reader([]), 'ui://d'), /no content/);
  });

  it('caches per server definition and reads again after a failure or a changed definition', async () => {
    const cache = new AppResourceCache();
    const counter = { reads: 0 };
    const ok = reader([{ mimeType: 'text/html;profile=mcp-app', text: 'x' }], counter);
    await cache.get('s', 'hash1', 'ui://a', ok);
    await cache.get('s', 'hash1', 'ui://a', ok);
    assert.strictEqual(counter.reads, 1);
    await cache.get('s', 'hash2', 'ui://a', ok);
    assert.strictEqual(counter.reads, 2);
    cache.forget('s');
    await cache.get('s', 'hash2', 'ui://a', ok);
    assert.strictEqual(counter.reads, 3);
    const bad = reader([{ mimeType: 'text/plain', text: 'x' }], counter);
    await assert.rejects(cache.get('t', 'h', 'ui://a', bad));
    await assert.rejects(cache.get('t', 'h', 'ui://a', bad));
    assert.strictEqual(counter.reads, 5);
  });
});
