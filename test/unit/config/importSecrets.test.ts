import * as assert from 'assert';
import { extractSecrets, looksRandom } from '../../../src/config/importSecrets';
import type { ServerEntry } from '../../../src/config/types';

const none = () => false;
const moved = (entry: ServerEntry) => extractSecrets('s', entry, none);

describe('config/importSecrets', () => {
  it('moves secrets found by value in env: a URL password, a known token under a plain name', () => {
    const { entry, secrets } = moved({ type: 'stdio', command: 'db-mcp', env: { DATABASE_URL: 'postgres://app:s3cr3t-pw@db.internal:5432/app', OPENAI: 'sk-proj-abcdefghijklmnop1234', DEBUG: '1' } });
    assert.deepStrictEqual('command' in entry && entry.env, {
      DATABASE_URL: 'postgres://app:${input:s-DATABASE_URL-password}@db.internal:5432/app',
      OPENAI: '${input:s-OPENAI}',
      DEBUG: '1',
    });
    assert.deepStrictEqual(secrets.map(s => [s.where, s.value]), [
      ['env DATABASE_URL (password)', 's3cr3t-pw'],
      ['env OPENAI', 'sk-proj-abcdefghijklmnop1234'],
    ]);
  });

  it('moves secrets in arguments: --api-key X, --token=X, NAME=X, URLs and bare tokens; leaves paths and packages', () => {
    const args = [
      '-y', '@modelcontextprotocol/server-github', '/Users/me/projects/api',
      '--api-key', 'k-12345', '--token=abc123', '-e', 'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwx',
      '--dsn', 'mysql://root:hunter2@localhost/db', 'ghp_ABCDEFGHIJKLMNOPQRSTuvwx', '--port', '3000', '--model=gpt-4o-mini-2024-07-18',
      '--key', '${env:KEY}',
    ];
    const { entry, secrets } = moved({ type: 'stdio', command: 'npx', args });
    assert.deepStrictEqual('command' in entry && entry.args, [
      '-y', '@modelcontextprotocol/server-github', '/Users/me/projects/api',
      '--api-key', '${input:s-api-key}', '--token=${input:s-token}', '-e', 'GITHUB_TOKEN=${input:s-GITHUB_TOKEN}',
      '--dsn', 'mysql://root:${input:s-arg10-password}@localhost/db', '${input:s-arg11}', '--port', '3000', '--model=gpt-4o-mini-2024-07-18',
      '--key', '${env:KEY}',
    ]);
    assert.deepStrictEqual(secrets.map(s => s.value), ['k-12345', 'abc123', 'ghp_abcdefghijklmnopqrstuvwx', 'hunter2', 'ghp_ABCDEFGHIJKLMNOPQRSTuvwx']);
    assert.deepStrictEqual(secrets.map(s => s.where), ['argument --api-key', 'argument --token', 'argument GITHUB_TOKEN', 'argument 10 (password)', 'argument 11']);
  });

  it('moves keys in a URL path and query, and header values, keeping the auth scheme word', () => {
    const { entry, secrets } = moved({
      type: 'http',
      url: 'https://actions.example.com/mcp/a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F/sse?api_key=abc&region=eu',
      headers: { Authorization: 'Bearer t0k3n', 'X-Trace': 'on', 'X-Other': 'ghp_abcdefghijklmnopqrstuvwx' },
    });
    assert.deepStrictEqual(!('command' in entry) && [entry.url, entry.headers], [
      'https://actions.example.com/mcp/${input:s-url-path}/sse?api_key=${input:s-url-api_key}&region=eu',
      { Authorization: 'Bearer ${input:s-Authorization}', 'X-Trace': 'on', 'X-Other': '${input:s-X-Other}' },
    ]);
    assert.deepStrictEqual(secrets.map(s => s.value), ['a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F', 'abc', 't0k3n', 'ghp_abcdefghijklmnopqrstuvwx']);
  });

  it('leaves references alone and numbers ids past taken ones', () => {
    const { entry, secrets } = extractSecrets('s', { type: 'http', url: 'https://x.example/mcp?key=${input:k}', headers: { Authorization: 'Bearer ${env:TOKEN}', 'X-Api-Key': 'v' } }, id => id === 's-X-Api-Key');
    assert.deepStrictEqual(!('command' in entry) && [entry.url, entry.headers], ['https://x.example/mcp?key=${input:k}', { Authorization: 'Bearer ${env:TOKEN}', 'X-Api-Key': '${input:s-X-Api-Key-2}' }]);
    assert.strictEqual(secrets.length, 1);
  });

  it('tells random keys from words, versions and ids', () => {
    for (const v of ['a8Xk2Lq9Zr7Tw3Vb5Nc1Md4F', '3f2c9a1e-7b4d-4c1a-9e8f-2d6b5a4c3e1f']) assert.ok(looksRandom(v), v);
    for (const v of ['mcp-server-sequential-thinking', 'server-filesystem-2025.1.14', 'short1', '/usr/local/bin/server12345678']) assert.ok(!looksRandom(v), v);
  });
});
