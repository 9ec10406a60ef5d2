import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';

/**
 * The shipped schemas (contributed to VS Code through `jsonValidation`) are also what the parser validates
 * against, so editor squiggles and MCP Host's own problems cannot drift apart. They are written as draft-07,
 * which VS Code's JSON service understands best, using only keywords that mean the same in draft 2020-12.
 * Read when the first config is checked; in the VSIX, from the files in dist/ that VS Code reads (esbuild.js
 * `shippedSchemas`), so dist/extension.js holds no second copy of them.
 */
function shippedSchemas(): { readonly mcp: object; readonly claude: object } {
  return { mcp: require('./mcp-config.schema.json') as object, claude: require('./claude-mcp-config.schema.json') as object };
}

/** VS Code's editor-only annotations; declared so that ajv's strict mode still catches misspelt keywords. */
const VSCODE_SCHEMA_KEYWORDS = [
  'markdownDescription',
  'defaultSnippets',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'doNotSuggest',
  'errorMessage',
  'patternErrorMessage',
  'deprecationMessage',
];

/** The base URI the schema files are registered under, so the Claude schema's relative `$ref` resolves. */
export const SCHEMA_BASE_URI = 'https://mcp-host.invalid/schemas/';

export type SchemaDefinition = 'stdioServer' | 'remoteServer' | 'promptStringInput' | 'pickStringInput';

export type SchemaErrors = readonly ErrorObject[];

/** An Ajv instance that knows both shipped schemas, under their file names relative to `SCHEMA_BASE_URI`. */
export function createSchemaAjv(): Ajv2020 {
  // verbose: errors carry their schema, so a `patternErrorMessage` can explain a pattern in words.
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, verbose: true });
  ajv.addVocabulary(VSCODE_SCHEMA_KEYWORDS);
  const { mcp, claude } = shippedSchemas();
  ajv.addSchema(withoutDraft(mcp), `${SCHEMA_BASE_URI}mcp-config.schema.json`);
  ajv.addSchema(withoutDraft(claude), `${SCHEMA_BASE_URI}claude-mcp-config.schema.json`);
  return ajv;
}

/** Ajv2020 has no draft-07 meta-schema; the keywords used are the same in both drafts. */
function withoutDraft(schema: object): object {
  const { $schema: _draft, ...rest } = schema as { $schema?: string };
  return rest;
}

let validators: Map<SchemaDefinition, ValidateFunction> | undefined;

/** Validates `value` against one definition of the VS Code-format schema; returns its errors (empty when valid). */
export function validateAgainst(definition: SchemaDefinition, value: unknown): SchemaErrors {
  if (!validators) {
    const ajv = createSchemaAjv();
    validators = new Map(
      (['stdioServer', 'remoteServer', 'promptStringInput', 'pickStringInput'] as const).map(d => [
        d,
        ajv.getSchema(`${SCHEMA_BASE_URI}mcp-config.schema.json#/definitions/${d}`)!,
      ]),
    );
  }
  const validate = validators.get(definition)!;
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
