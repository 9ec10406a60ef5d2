import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inflateRawSync } from 'zlib';

const root = path.resolve(__dirname, '..', '..', '..');
const MAX_BYTES = 1024 * 1024;

/** Reads the names in a zip's central directory (a VSIX is a zip). */
function zipEntries(file: string): Array<{ name: string; size: number; data: () => Buffer }> {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${file} is not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.strictEqual(buf.readUInt32LE(p), 0x02014b50, 'bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const data = () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + compressed);
      return method === 0 ? raw : inflateRawSync(raw);
    };
    out.push({ name, size, data });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** What the VSIX may hold: the bundle, media, manifest, README, LICENSE, CHANGELOG (and the VSIX's own metadata). */
const ALLOWED = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/dist\/(extension|reaper|sdk|validation)\.js$/,
  /^extension\/dist\/[\w.-]+\.schema\.json$/,
  /^extension\/media\/[\w.-]+\.(svg|png)$/,
  /^extension\/media\/walkthrough\/[\w.-]+\.png$/,
  /^extension\/media\/formEditor\.(js|css)$/,
];

describe('VSIX', function () {
  this.timeout(120_000);
  let vsix: string;
  let out: string;

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-host-vsix-'));
    vsix = path.join(out, 'mcp-host.vsix');
    execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: root, stdio: 'inherit' });
    execFileSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('holds only the bundle, media, manifest, README, LICENSE and CHANGELOG', () => {
    const names = zipEntries(vsix).map(e => e.name);
    const unexpected = names.filter(n => !ALLOWED.some(re => re.test(n)));
    assert.deepStrictEqual(unexpected, [], `unexpected files in the VSIX:\n${unexpected.join('\n')}`);
    for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/reaper.js', 'extension/dist/sdk.js', 'extension/dist/validation.js', 'extension/readme.md', 'extension/LICENSE.txt', 'extension/changelog.md']) {
      assert.ok(names.some(n => n.toLowerCase() === required.toLowerCase()), `missing ${required}`);
    }
    assert.ok(names.some(n => n.startsWith('extension/media/')), 'no media in the VSIX');
    // The Get Started walkthrough's images.
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: Array<{ steps: Array<{ media: { image: string } }> }> } };
    for (const step of manifest.contributes.walkthroughs.flatMap(w => w.steps)) assert.ok(names.includes(`extension/${step.media.image}`), `the walkthrough's ${step.media.image} is not in the VSIX`);
  });

  it("holds zod in sdk.js without what no client reads: a namespace import of zod (the app bridge's) does not keep all of it", () => {
    const sdk = zipEntries(vsix).find(e => e.name === 'extension/dist/sdk.js')!.data().toString('utf8');
    // zod's German locale, one of 40-odd (264 KB together) that esbuild kept while the app bridge's `z` object was whole (esbuild.js zodMembers).
    assert.ok(!sdk.includes('ISO-Datum und -Uhrzeit'), "zod's locales are in dist/sdk.js again");
    assert.ok(sdk.length < 450_000, `dist/sdk.js is ${sdk.length} bytes (354 KB when zod was shaken, 702 KB when it was whole)`);
  });

  it('holds each piece of code once: no host validator in sdk.js, no config schema inside extension.js', () => {
    const bundle = (name: string) => zipEntries(vsix).find(e => e.name === `extension/dist/${name}`)!.data().toString('utf8');
    // The SDK's default validator is stood in by an empty one (src/mcp/sdkShims.ts): the host passes its own to every Client.
    assert.ok(!bundle('sdk.js').includes('mcpHostValidationWorker'), 'dist/sdk.js holds a copy of the host\'s validator again');
    // The config schemas are read from the files VS Code reads (esbuild.js shippedSchemas), not bundled a second time.
    const description = 'Model Context Protocol servers for this workspace';
    assert.ok(bundle('mcp-config.schema.json').includes(description));
    assert.ok(!bundle('extension.js').includes(description), 'dist/extension.js holds a copy of mcp-config.schema.json again');
  });

  it('is under 1 MB, with minified bundles and no source maps', () => {
    const size = fs.statSync(vsix).size;
    assert.ok(size < MAX_BYTES, `VSIX is ${size} bytes`);
    for (const name of ['extension', 'sdk', 'validation']) {
      const bundle = zipEntries(vsix).find(e => e.name === `extension/dist/${name}.js`)!.data().toString('utf8');
      assert.ok(!bundle.includes('sourceMappingURL'), `dist/${name}.js references a source map`);
      // Minified code is almost all in long lines; template literals keep line breaks of their own, so the count
      // of lines says little (dist/extension.js minified: ~380 lines, 93% of it in lines over 1,000 characters; unminified: none).
      const lines = bundle.split('\n');
      const inLongLines = lines.filter(line => line.length > 1000).reduce((sum, line) => sum + line.length, 0);
      assert.ok(inLongLines / bundle.length > 0.75, `dist/${name}.js does not look minified (${lines.length} lines, ${Math.round((100 * inLongLines) / bundle.length)}% in lines over 1,000 characters)`);
    }
  });
});
