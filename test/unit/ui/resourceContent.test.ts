import * as assert from 'assert';
import {
  extensionForMime,
  fileNameFor,
  formatResourcePath,
  formatResourceQuery,
  hexPreview,
  languageForMime,
  parseResourcePath,
  viewOfPart,
  viewOfRead,
} from '../../../src/mcp/resourceContent';
import { expandTemplate, templateVariables } from '../../../src/mcp/resourceTemplate';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('resource content', () => {
  it('round-trips addresses whatever the server name and resource URI contain', () => {
    const cases = [
      { server: 'paging', uri: 'fixture://static/readme.md', fileName: 'readme.md' },
      { server: 'my server/with slash', uri: 'file:///a b/%2F?x=1#frag', part: 2, fileName: 'a b.txt' },
      { server: '~tilde', uri: 'demo://resource/dynamic/text/1', fileName: '~weird name (2 parts).md' },
    ];
    for (const address of cases) {
      const path = formatResourcePath(address);
      const query = formatResourceQuery(address);
      assert.ok(path.startsWith('/'), path);
      assert.ok(!path.includes('%') && !query.includes('%'), `percent signs would meet a URI parser: ${path}?${query}`);
      assert.deepStrictEqual(parseResourcePath(path, query), address);
    }
    assert.strictEqual(parseResourcePath(formatResourcePath({ server: 's', uri: 'u', fileName: 'a/b%2F.md' }), 'dQ')!.fileName, 'a_b_2F.md', 'a file name is one safe segment');
    assert.strictEqual(parseResourcePath('/only', 'dXJp'), undefined);
    assert.strictEqual(parseResourcePath('/s/part-0/f.txt', 'dXJp'), undefined, 'parts count from 1');
    assert.strictEqual(parseResourcePath('/s/part-2', 'dXJp'), undefined, 'the folder above a part');
  });

  it('keeps the breadcrumb readable: the path is the server and the resource’s file name, nothing encoded (issue 13 item 9)', () => {
    const address = { server: 'everything', uri: 'demo://resource/static/document/architecture.md', fileName: 'architecture.md' };
    assert.strictEqual(formatResourcePath(address), '/everything/architecture.md');
    assert.strictEqual(formatResourcePath({ ...address, part: 1 }), '/everything/part-2/architecture.md');
  });

  it('still opens a document URI of the earlier form (the resource URI as the second path segment)', () => {
    assert.deepStrictEqual(parseResourcePath('/paging/Zml4dHVyZTovL3N0YXRpYy9yZWFkbWUubWQ/readme.md'), { server: 'paging', uri: 'fixture://static/readme.md', fileName: 'readme.md' });
    assert.deepStrictEqual(parseResourcePath('/s/dXJp/part-2/f.txt'), { server: 's', uri: 'uri', part: 1, fileName: 'f.txt' });
    assert.strictEqual(parseResourcePath('/only/two'), undefined);
  });

  it('maps MIME types to the extension (and so the language) VS Code picks', () => {
    assert.strictEqual(extensionForMime('text/markdown; charset=utf-8'), '.md');
    assert.strictEqual(extensionForMime('application/vnd.api+json'), '.json');
    assert.strictEqual(extensionForMime('text/x-python'), '.py');
    assert.strictEqual(extensionForMime('application/octet-stream'), undefined);
    assert.strictEqual(languageForMime('application/json'), 'json');
    assert.strictEqual(languageForMime('text/x-python'), 'python');
    assert.strictEqual(languageForMime('text/plain'), 'plaintext');
  });

  it('names files from the URI, adding the extension the MIME type needs only when missing', () => {
    assert.strictEqual(fileNameFor('fixture://static/readme.md', 'text/markdown'), 'readme.md');
    assert.strictEqual(fileNameFor('file:///notes/README.markdown', 'text/markdown'), 'README.markdown');
    assert.strictEqual(fileNameFor('demo://resource/dynamic/text/1', 'text/plain'), '1.txt');
    assert.strictEqual(fileNameFor('config://app', 'application/json', 'settings'), 'settings.json');
    assert.strictEqual(fileNameFor('x://h/a%2Fb%3F.py?q=1', 'text/x-python'), 'a_b_.py');
    assert.strictEqual(fileNameFor('x://h/evil\u202Etxt.exe', undefined), 'eviltxt.exe', 'bidi controls are dropped');
  });

  it('pretty-prints JSON text, and keeps text that is not JSON as it is', () => {
    const view = viewOfPart({ uri: 'c://data/config.json', mimeType: 'application/json', text: '{"a":1,"b":[1,2]}' }, { uri: 'c://data/config.json' });
    assert.strictEqual(view.kind, 'text');
    assert.strictEqual(view.fileName, 'config.json');
    assert.strictEqual(view.kind === 'text' && view.text, '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}\n');
    const broken = viewOfPart({ uri: 'c://x.json', mimeType: 'application/json', text: '{nope' }, { uri: 'c://x.json' });
    assert.strictEqual(broken.kind === 'text' && broken.text, '{nope');
  });

  it('shows an image blob as its bytes under an image file name', () => {
    const view = viewOfPart({ uri: 'fixture://static/pixel.png', mimeType: 'image/png', blob: PNG }, { uri: 'fixture://static/pixel.png' });
    assert.strictEqual(view.kind, 'image');
    assert.strictEqual(view.fileName, 'pixel.png');
    assert.deepStrictEqual([...(view.kind === 'image' ? view.bytes.subarray(0, 8) : [])], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('summarises other binary content with its type, size and a hex preview instead of dumping it', () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x41, 0x42]);
    const view = viewOfPart({ uri: 'x://b/data.bin', mimeType: 'application/octet-stream', blob: bytes.toString('base64') }, { uri: 'x://b/data.bin' });
    assert.strictEqual(view.kind, 'summary');
    assert.ok(view.fileName.endsWith('.md'));
    assert.match(view.kind === 'summary' ? view.text : '', /application\/octet-stream`, 6 bytes/);
    assert.match(view.kind === 'summary' ? view.text : '', /00 01 02 ff 41 42 +\|\.\.\.\.AB\|/);
    assert.deepStrictEqual(view.kind === 'summary' && [...view.binary!.bytes], [...bytes]);
  });

  it('decodes a blob of a textual type as text', () => {
    const view = viewOfPart({ uri: 'demo://resource/dynamic/blob/1', mimeType: 'text/plain', blob: Buffer.from('hello').toString('base64') }, { uri: 'demo://resource/dynamic/blob/1' });
    assert.deepStrictEqual(view, { kind: 'text', fileName: '1.txt', text: 'hello' });
  });

  it('lists every part of a multi-part read, text inline and the rest as links to the parts', () => {
    const view = viewOfRead(
      [
        { uri: 'b://bundle/notes.md', mimeType: 'text/markdown', text: 'some ``` fenced ``` text' },
        { uri: 'b://bundle/pixel.png', mimeType: 'image/png', blob: PNG },
        { uri: 'b://bundle/raw', mimeType: 'application/octet-stream', blob: 'AAEC' },
      ],
      { uri: 'b://bundle', name: 'bundle', linkToPart: (i, name) => `link:${i}/${name}` },
    );
    assert.strictEqual(view.kind, 'summary');
    const text = view.kind === 'summary' ? view.text : '';
    assert.strictEqual(view.fileName, 'bundle (3 parts).md');
    assert.match(text, /## Part 1 of 3/);
    assert.match(text, /## Part 2 of 3/);
    assert.match(text, /## Part 3 of 3/);
    assert.match(text, /````markdown\nsome ``` fenced ``` text\n````/, 'text whose backticks would close the fence gets a longer one');
    assert.match(text, /\(link:1\/pixel\.png\)/);
    assert.match(text, /\(link:2\/raw\)/);
  });

  it('makes a readable hex dump and says how much is left out', () => {
    const dump = hexPreview(new Uint8Array(40).map((_, i) => i), 32);
    assert.strictEqual(dump.split('\n').length, 3);
    assert.match(dump, /^00000000  00 01 02/);
    assert.match(dump, /… 8 more bytes$/);
  });

  it('reads the variables of RFC 6570 templates and expands them with encoding', () => {
    assert.deepStrictEqual(templateVariables('fixture://items/{kind}/{id}'), ['kind', 'id']);
    assert.deepStrictEqual(templateVariables('x://{a}/{a}{?b,c}'), ['a', 'b', 'c']);
    assert.strictEqual(expandTemplate('fixture://items/{kind}/{id}', { kind: 'a b/c', id: 'x' }), 'fixture://items/a%20b%2Fc/x');
  });
});
