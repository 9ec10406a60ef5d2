import * as assert from 'assert';
import claudeConfigSchema from '../../../src/config/claude-mcp-config.schema.json';
import mcpConfigSchema from '../../../src/config/mcp-config.schema.json';
import { createSchemaAjv, SCHEMA_BASE_URI } from '../../../src/config/schema';
import { DEFAULT_MAX_CALL_MS, DEFAULT_TIMEOUTS } from '../../../src/config/types';

type SchemaNode = { [key: string]: unknown; properties?: Record<string, SchemaNode>; description?: string; $ref?: string };
const definitions = mcpConfigSchema.definitions as unknown as Record<string, SchemaNode>;

describe('config/schema', () => {
  const ajv = createSchemaAjv();
  const validateVscode = ajv.getSchema(`${SCHEMA_BASE_URI}mcp-config.schema.json`)!;
  const validateClaude = ajv.getSchema(`${SCHEMA_BASE_URI}claude-mcp-config.schema.json`)!;

  it('declares draft-07, which VS Code\'s JSON service understands best', () => {
    assert.strictEqual(mcpConfigSchema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.strictEqual(claudeConfigSchema.$schema, 'http://json-schema.org/draft-07/schema#');
  });

  it('validates a complete VS Code-format file and rejects a broken one', () => {
    const good = {
      servers: {
        fs: { type: 'stdio', command: 'npx', args: ['-y', 'x'], env: { A: 'b', B: null }, envFile: '.env', cwd: '/', disabled: false, timeout: 5000, disabledTools: ['rm'] },
        api: { url: 'https://x.example/mcp', headers: { A: 'b' }, timeout: { startup: 1, request: 2 } },
        legacy: { type: 'sse', url: 'https://x.example/sse' },
        oauthed: { type: 'http', url: 'https://x.example/mcp', oauth: { clientId: 'id', clientSecret: '${input:client-secret}', scopes: ['read'] } },
      },
      inputs: [
        { type: 'promptString', id: 'a', description: 'A', password: true, default: 'x' },
        { type: 'pickString', id: 'b', description: 'B', options: ['1', '2'], default: '1' },
      ],
    };
    assert.ok(validateVscode(good), JSON.stringify(validateVscode.errors));
    assert.ok(!validateVscode({ servers: { fs: { command: 1 } } }));
    assert.ok(!validateVscode({ servers: { fs: { command: 'x', timeout: 0 } } }));
    assert.ok(!validateVscode({ servers: { api: { url: 'https://x.example/mcp', oauth: { clientSecret: 's' } } } }), 'oauth needs a clientId');
  });

  it('shares the server entry definition with the Claude-format schema through a relative $ref', () => {
    assert.strictEqual(
      (claudeConfigSchema.properties.mcpServers.additionalProperties as SchemaNode).$ref,
      './mcp-config.schema.json#/definitions/serverEntry',
    );
    assert.ok(validateClaude({ mcpServers: { a: { command: 'x' }, b: { type: 'streamable-http', url: 'https://x' } } }));
    assert.ok(!validateClaude({ mcpServers: { a: { args: [] } } }));
  });

  it('documents every property, so completion in the editor explains it', () => {
    const undocumented: string[] = [];
    for (const name of ['stdioServer', 'remoteServer', 'promptStringInput', 'pickStringInput']) {
      for (const [prop, schema] of Object.entries(definitions[name]!.properties!)) {
        const target = schema.$ref ? definitions[schema.$ref.split('/').pop()!]! : schema;
        if (!target.description) undocumented.push(`${name}.${prop}`);
      }
    }
    assert.deepStrictEqual(undocumented, []);
  });

  it('states the same timeout defaults as the code', () => {
    const timeout = definitions.timeout!.properties!;
    assert.deepStrictEqual(
      { startupMs: timeout.startup!.default, requestMs: timeout.request!.default, totalMs: timeout.total!.default },
      { startupMs: DEFAULT_TIMEOUTS.startupMs, requestMs: DEFAULT_TIMEOUTS.requestMs, totalMs: DEFAULT_MAX_CALL_MS },
    );
  });
});
