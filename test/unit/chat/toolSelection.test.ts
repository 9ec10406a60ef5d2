import * as assert from 'assert';
import type { Tool } from '@modelcontextprotocol/client';
import { buildCatalog } from '../../../src/mcp/catalog';
import { selectTools, terms } from '../../../src/ui/chat/toolSelection';

const tool = (name: string, description = ''): Tool => ({ name, description, inputSchema: { type: 'object' } });

describe('choosing tools for a request when there are more than the model accepts', () => {
  const filler = Array.from({ length: 150 }, (_, i) => tool(`generated_${String(i).padStart(3, '0')}`, `Generated tool number ${i} for load testing`));
  const catalog = buildCatalog([
    { server: 'big', tools: filler, disabledTools: [] },
    { server: 'fs', tools: [tool('read_file', 'Read the complete contents of a file'), tool('list_directory', 'List files and folders in a directory')], disabledTools: [] },
    { server: 'weather', tools: [tool('get_forecast', 'Weather forecast for a city')], disabledTools: [] },
  ]);

  it('splits identifiers and sentences into comparable terms', () => {
    assert.deepStrictEqual(terms('readFile list_directory Files-and.Folders'), ['read', 'file', 'list', 'directory', 'file', 'folder']);
    assert.deepStrictEqual(terms('matches listing queries address'), ['match', 'list', 'query', 'address']);
    assert.deepStrictEqual(terms('What is the weather in Berlin?'), ['weather', 'berlin']);
  });

  it('offers everything, leaving nothing out, under the limit', () => {
    const s = selectTools(catalog.slice(0, 10), 'anything', 128);
    assert.strictEqual(s.offered.length, 10);
    assert.deepStrictEqual(s.leftOut, []);
  });

  it('offers exactly the limit, ranks tools that match the request first, and returns every other tool as left out', () => {
    const s = selectTools(catalog, 'show me the files in this directory', 128);
    assert.strictEqual(s.offered.length, 128);
    assert.strictEqual(s.leftOut.length, catalog.length - 128);
    const offered = new Set(s.offered.map(t => t.qualifiedName));
    assert.ok(offered.has('fs_list_directory') && offered.has('fs_read_file'), 'the file tools were left out');
    assert.deepStrictEqual(new Set([...s.offered, ...s.leftOut].map(t => t.qualifiedName)).size, catalog.length);
  });

  it('always offers a tool the request names, by its own or its qualified name', () => {
    const s = selectTools(catalog, 'call weather_get_forecast please, and generated_149', 2);
    assert.deepStrictEqual(s.offered.map(t => t.qualifiedName).sort(), ['big_generated_149', 'weather_get_forecast']);
    const two = buildCatalog([{ server: 's', tools: [tool('alpha'), tool('zeta')], disabledTools: [] }]);
    assert.deepStrictEqual(selectTools(two, 'use betazeta', 1).offered.map(t => t.tool.name), ['alpha'], 'a name inside a longer word is not a mention');
  });

  it('keeps catalog order among equals, so the same request gets the same tools', () => {
    const a = selectTools(catalog, 'nothing matches zzz', 5);
    assert.deepStrictEqual(a.offered.map(t => t.tool.name), ['generated_000', 'generated_001', 'generated_002', 'generated_003', 'generated_004']);
    assert.deepStrictEqual(selectTools(catalog, 'nothing matches zzz', 5), a);
  });
});
