import * as assert from 'assert';
import { checkBinding, inputDestination } from '../../../src/config/inputBinding';

describe('config/inputBinding', () => {
  it('binds a remote value to the scheme, host and port the URL names', () => {
    const a = inputDestination({ url: 'https://API.example.com/mcp?x=${input:k}' });
    assert.strictEqual(a, 'https://api.example.com');
    assert.strictEqual(inputDestination({ url: 'https://api.example.com/other/path' }), a, 'a path change is not a move');
    assert.strictEqual(inputDestination({ url: 'https://user:pw@api.example.com/mcp' }), a);
    for (const moved of ['https://api.example.com.evil.test/mcp', 'http://api.example.com/mcp', 'https://api.example.com:8443/mcp', 'https://evil.test/mcp#api.example.com']) {
      assert.notStrictEqual(inputDestination({ url: moved }), a, moved);
    }
  });

  it('binds a local value to the program line, whatever the input ids are called', () => {
    const a = inputDestination({ command: 'npx', args: ['-y', '@acme/server', '--token', '${input:acme-token}'] });
    assert.strictEqual(inputDestination({ command: 'npx', args: ['-y', '@acme/server', '--token', '${input:acme-token-2}'] }), a);
    assert.notStrictEqual(inputDestination({ command: 'npx', args: ['-y', '@evil/server', '--token', '${input:acme-token}'] }), a);
    assert.notStrictEqual(inputDestination({ command: './bin/npx', args: ['-y', '@acme/server', '--token', '${input:acme-token}'] }), a);
  });

  it('says whether a stored value may go where it is about to', () => {
    assert.deepStrictEqual(checkBinding(undefined, 'https://a.test'), { kind: 'unbound' });
    assert.deepStrictEqual(checkBinding(['https://a.test'], 'https://a.test'), { kind: 'bound' });
    assert.deepStrictEqual(checkBinding(['https://a.test'], 'https://b.test'), { kind: 'moved', boundTo: ['https://a.test'] });
  });
});
