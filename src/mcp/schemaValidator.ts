import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';

/**
 * JSON Schema 2020-12 validation of what servers send and what is sent to them, safe against the schemas
 * themselves, which come from the server:
 * - every `pattern` / `patternProperties` regex runs on a linear-time engine (RE2's algorithm in pure
 *   JavaScript, `re2js`), never on V8's backtracking one: `^(a+)+$` against 40 characters would otherwise
 *   freeze the extension host, and every extension in it;
 * - each schema compiles in an Ajv of its own, so one schema's `$id` can neither clash with another's nor
 *   be the target of another's `$ref` (across servers, or across one server's tools);
 * - compiled validators are cached per server, at most `maxCompiled` of them.
 */

/**
 * `pattern` as a JSON Schema means it (ECMA-262, with the `u` flag Ajv passes), matched in linear time.
 * A pattern that is not a valid ECMA-262 regex makes the schema invalid, as with Ajv's default engine.
 * A valid one the linear engine cannot run (lookaround, backreferences, or too big to compile) is not
 * checked by the host: it matches everything, and the server stays the judge of its own pattern.
 */
function linearPattern(pattern: string, flags: string): RegExpLike {
  // Compiling a RegExp is linear in the pattern's length; only matching backtracks.
  new RegExp(pattern, flags);
  let re2: RE2JS | undefined;
  try {
    re2 = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch {
    re2 = undefined;
  }
  return new LinearPattern(`/${pattern}/${flags}`, re2);
}

class LinearPattern implements RegExpLike {
  constructor(
    private readonly source: string,
    private readonly re2: RE2JS | undefined,
  ) {}

  test(s: string): boolean {
    return this.re2 ? this.re2.test(s) : true;
  }

  /** Ajv keys the compiled patterns of a schema by this string. */
  toString(): string {
    return this.source;
  }
}

/** Ajv's `code.regExp` for server-supplied schemas (`code` names it in generated standalone code, which we do not use). */
export const linearRegExp: RegExpEngine = Object.assign(linearPattern, { code: 'linearRegExp' });

/** Ajv options for every Ajv that compiles a schema from a server (here, and the argument form). */
export const SERVER_SCHEMA_OPTIONS: Options = {
  strict: false,
  allErrors: true,
  code: { regExp: linearRegExp },
};

let metaAjv: Ajv2020 | undefined;

/**
 * Checks a schema against the 2020-12 meta-schema with one Ajv that only ever holds the meta-schemas
 * (compiling them takes ~100 ms, so it is done once, not per schema), then compiles it in a fresh Ajv.
 * Throws when the schema is invalid.
 */
export function compileIsolated(schema: object | boolean, options: Options = {}): ValidateFunction {
  metaAjv ??= new Ajv2020({ ...SERVER_SCHEMA_OPTIONS, validateFormats: false });
  if (!metaAjv.validateSchema(schema)) throw new Error(`schema is invalid: ${metaAjv.errorsText(metaAjv.errors)}`);
  return new Ajv2020({ ...SERVER_SCHEMA_OPTIONS, validateSchema: false, ...options }).compile(schema);
}

/** Validates one server's tool output. Create one per server: its cache is that server's alone. */
export class SchemaValidator implements jsonSchemaValidator {
  private readonly cache = new Map<string, ValidateFunction | Error>();

  constructor(readonly maxCompiled = 256) {}

  /** How many compiled schemas are cached (at most `maxCompiled`). */
  get size(): number {
    return this.cache.size;
  }

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const check = this.compile(schema);
    return input => {
      const problem = check(input);
      return problem === undefined ? { valid: true, data: input as T, errorMessage: undefined } : { valid: false, data: undefined, errorMessage: problem };
    };
  }

  /** Returns a checker that yields `undefined` for valid input and a readable message otherwise. */
  compile(schema: unknown): (input: unknown) => string | undefined {
    const fn = this.compiled(schema);
    return input => {
      if (fn instanceof Error) return `the schema itself is invalid: ${fn.message}`;
      return fn(input) ? undefined : formatErrors(fn.errors ?? []);
    };
  }

  /** Least recently used first out: a server that keeps announcing new schemas cannot grow this without bound. */
  private compiled(schema: unknown): ValidateFunction | Error {
    const key = JSON.stringify(schema) ?? 'undefined';
    let fn = this.cache.get(key);
    if (fn) {
      this.cache.delete(key);
    } else {
      try {
        fn = compileIsolated(withoutDialectId(schema), { validateFormats: false });
      } catch (err) {
        fn = err instanceof Error ? err : new Error(String(err));
      }
      if (this.cache.size >= this.maxCompiled) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, fn);
    return fn;
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
