/**
 * Stands in for `@modelcontextprotocol/client/_shims` in dist/sdk.js (esbuild.js aliases it). The SDK's Node shim
 * brings its own inlined copy of Ajv (150 KB minified) as the default validator of tool output schemas. MCP Host
 * gives every `Client` its own (`SchemaValidator`, passed in src/mcp/hostClient.ts, on the `ajv` package the forms
 * use too, checking in the validation worker), so the default is never made: this one holds no validator, and
 * dist/sdk.js holds no second copy of the host's (7 KB, with the worker client; it did until session 10).
 * A `Client` made without a validator would fail its first output-schema check, saying so. Unit tests run the real shim.
 */
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';

/** In Node a `fetch` TypeError is a network failure, never CORS. */
export const CORS_IS_POSSIBLE = false;

export class DefaultJsonSchemaValidator implements jsonSchemaValidator {
  getValidator<T>(): JsonSchemaValidator<T> {
    throw new Error('MCP Host makes every SDK Client with its own schema validator (src/mcp/hostClient.ts); this one was made without it');
  }
}
