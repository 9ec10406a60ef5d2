/**
 * Stands in for `@modelcontextprotocol/client/_shims` in the extension bundle (esbuild.js aliases it). The
 * SDK's Node shim brings its own inlined copy of Ajv (150 KB minified) as the default output validator; the
 * host always passes its own validator (`SchemaValidator`, on the `ajv` package the forms use too), so the
 * default is the same validator and the bundle holds one Ajv instead of two. Unit tests run the real shim.
 */
import { SchemaValidator } from './schemaValidator';

/** In Node a `fetch` TypeError is a network failure, never CORS. */
export const CORS_IS_POSSIBLE = false;

export { SchemaValidator as DefaultJsonSchemaValidator };
