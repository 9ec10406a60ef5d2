import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';

/**
 * JSON Schema 2020-12 validation for tool output (and, later, tool arguments), with Ajv's 2020 dialect.
 * The SDK's default validator is draft-07 with `strict: false`, which ignores or mis-reads 2020-12
 * keywords (`prefixItems`, `$defs`, `unevaluatedProperties` …); MCP 2025-11-25 makes 2020-12 the default.
 * Compiled validators are cached per schema text, so repeated calls of one tool compile once.
 */
export class SchemaValidator implements jsonSchemaValidator {
  private ajvInstance: Ajv2020 | undefined;
  private readonly cache = new Map<string, ValidateFunction | Error>();

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const check = this.compile(schema);
    return input => {
      const problem = check(input);
      return problem === undefined ? { valid: true, data: input as T, errorMessage: undefined } : { valid: false, data: undefined, errorMessage: problem };
    };
  }

  /** Returns a checker that yields `undefined` for valid input and a readable message otherwise. */
  compile(schema: unknown): (input: unknown) => string | undefined {
    const key = JSON.stringify(schema);
    let compiled = this.cache.get(key);
    if (!compiled) {
      try {
        // Created on first use: most servers never return structured output.
        this.ajvInstance ??= new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
        compiled = this.ajvInstance.compile(withoutDialectId(schema));
      } catch (err) {
        compiled = err instanceof Error ? err : new Error(String(err));
      }
      this.cache.set(key, compiled);
    }
    const fn = compiled;
    return input => {
      if (fn instanceof Error) return `the schema itself is invalid: ${fn.message}`;
      return fn(input) ? undefined : formatErrors(fn.errors ?? []);
    };
  }
}

/** Draft-07 `$schema` ids would make Ajv2020 refuse the schema; MCP says such schemas are read as 2020-12 where compatible. */
function withoutDialectId(schema: unknown): object | boolean {
  if (typeof schema === 'boolean') return schema;
  if (!schema || typeof schema !== 'object') return {};
  const { $schema, ...rest } = schema as Record<string, unknown>;
  return typeof $schema === 'string' && !$schema.includes('2020-12') ? rest : (schema as object);
}

export function formatErrors(errors: readonly ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map(e => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` ('${String(e.params.additionalProperty)}')` : ''}`)
    .join('; ');
}

let shared: SchemaValidator | undefined;

/** One validator (and one cache of compiled schemas) for every connection, surviving restarts. */
export function sharedSchemaValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}
