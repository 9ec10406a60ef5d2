import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';
import { createMetaSchemaValidator } from './metaSchema2020';
import { validationWorker, type SchemaKind, type Unusable, type ValidationWorker } from './validationClient';

/**
 * JSON Schema 2020-12 validation of what servers send and what is sent to them, safe against the schemas
 * themselves, which come from the server:
 * - every `pattern` / `patternProperties` regex runs on a linear-time engine (RE2's algorithm in pure
 *   JavaScript, `re2js`), never on V8's backtracking one: `^(a+)+$` against 40 characters would otherwise
 *   freeze the extension host, and every extension in it;
 * - each schema compiles in an Ajv of its own, so one schema's `$id` can neither clash with another's nor
 *   be the target of another's `$ref` (across servers, or across one server's tools);
 * - compiled validators are cached per server, at most `maxCompiled` of them;
 * - a schema too big to compile without freezing the host (`SCHEMA_BUDGET`) is not compiled: Ajv compiles
 *   synchronously, on the extension host's only thread, in time that grows with the schema (3,000 properties
 *   took seconds), and nothing can interrupt it. Such a schema is left to the server to enforce, and says so.
 */

/**
 * `pattern` as a JSON Schema means it (ECMA-262, with the `u` flag Ajv passes), matched in linear time.
 * A pattern that is not a valid ECMA-262 regex makes the schema invalid, as with Ajv's default engine.
 * A valid one the linear engine cannot run (lookaround, backreferences, or too big to compile) is not
 * checked by the host: it matches everything, and the server stays the judge of its own pattern.
 */
function linearPattern(pattern: string, flags: string): RegExpLike {
  // Checks the syntax now (parsing a RegExp is linear in the pattern's length; only matching backtracks);
  // the linear engine compiles the pattern when a value is first checked against it, so a schema with
  // hundreds of patterns costs only those of the fields that are filled in.
  new RegExp(pattern, flags);
  return new LinearPattern(pattern, flags);
}

class LinearPattern implements RegExpLike {
  private re2: RE2JS | null | undefined;

  constructor(
    private readonly pattern: string,
    private readonly flags: string,
  ) {}

  test(s: string): boolean {
    if (this.re2 === undefined) {
      try {
        this.re2 = RE2JS.compile(RE2JS.translateRegExp(this.pattern));
      } catch {
        this.re2 = null;
      }
    }
    return this.re2 ? this.re2.test(s) : true;
  }

  /** Ajv keys the compiled patterns of a schema by this string. */
  toString(): string {
    return `/${this.pattern}/${this.flags}`;
  }
}

/** Ajv's `code.regExp` for server-supplied schemas (`code` names it in generated standalone code, which we do not use). */
export const linearRegExp: RegExpEngine = Object.assign(linearPattern, { code: 'linearRegExp' });

/** Ajv options for every Ajv that compiles a schema from a server (here, and the argument form). */
export const SERVER_SCHEMA_OPTIONS: Options = {
  strict: false,
  allErrors: true,
  // A long `enum` or `required` is checked in a loop instead of generating code per value: compile time
  // stays flat however many values a server lists.
  loopEnum: 16,
  loopRequired: 16,
  code: { regExp: linearRegExp },
};

/**
 * How much schema the host compiles. Ajv generates code for every keyword of every subschema, and V8
 * compiles what it generates: measured on the 2-core test machine (test/unit *schema budget*, `npm run bench`
 * row *first call*), ~0.1–0.3 ms per keyword at load 2–8, so the keyword budget keeps one compile near 100 ms
 * at the worst. Deep nesting costs more than its keyword count; every `pattern` is compiled twice (V8, to check
 * its syntax, and the linear engine).
 */
export const SCHEMA_BUDGET = { keywords: 1_000, depth: 48, patterns: 100 } as const;

/** A value the worker could not be sent (nested too deeply to clone): that value is not checked, the schema is. */
export class ValueNotCheckedError extends Error {}

/** A schema over `SCHEMA_BUDGET`: not compiled, so not checked by the host. */
export class SchemaTooComplexError extends Error {}

/** 1000 → "1,000" (toLocaleString would load ICU's number formats: ~50 ms, once, on this thread). */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Keywords whose values are data, not schemas: their size does not grow the generated code (see `loopEnum`). */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
/** Keywords whose values map names to schemas (a property may be named `enum`: its value is still a schema). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Why `schema` is over `budget`, or undefined when it is within it. Visits at most `budget.keywords` keywords,
 * so the check itself is cheap however big the schema is.
 */
export function overSchemaBudget(schema: unknown, budget: typeof SCHEMA_BUDGET = SCHEMA_BUDGET): string | undefined {
  let keywords = 0;
  let patterns = 0;
  const stack: { node: unknown; depth: number; map: boolean }[] = [{ node: schema, depth: 0, map: false }];
  while (stack.length) {
    const { node, depth, map } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > budget.depth) return `nested deeper than ${budget.depth} levels`;
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, depth: depth + 1, map: false });
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (++keywords > budget.keywords) return `more than ${thousands(budget.keywords)} keywords and properties`;
      if (!map && DATA_KEYWORDS.has(key)) continue;
      if (!map && key === 'pattern' && typeof value === 'string') patterns++;
      if (!map && key === 'patternProperties' && typeof value === 'object' && value !== null) patterns += Object.keys(value).length;
      if (patterns > budget.patterns) return `more than ${budget.patterns} patterns`;
      stack.push({ node: value, depth: depth + 1, map: !map && SCHEMA_MAPS.has(key) });
    }
  }
  return undefined;
}

let metaValidator: ValidateFunction | undefined;

/**
 * Checks a schema against the 2020-12 meta-schema (with a validator generated ahead of time, see
 * src/mcp/metaSchema2020.js: Ajv compiled it in 100–350 ms on the first schema of a window), then compiles it
 * in a fresh Ajv. Throws `SchemaTooComplexError` for a schema over `SCHEMA_BUDGET`, an Error when it is invalid.
 */
export function compileIsolated(schema: object | boolean, options: Options = {}): ValidateFunction {
  const over = overSchemaBudget(schema);
  if (over) throw new SchemaTooComplexError(over);
  metaValidator ??= createMetaSchemaValidator();
  const ajv = new Ajv2020({ ...SERVER_SCHEMA_OPTIONS, validateSchema: false, ...options });
  if (!metaValidator(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(metaValidator.errors)}`);
  return ajv.compile(schema);
}

/** Validates one server's tool output. Create one per server: its cache is that server's alone. */
export class SchemaValidator implements jsonSchemaValidator {
  private readonly cache = new Map<string, ValidateFunction | Error>();

  constructor(readonly maxCompiled = 256) {
    this.inWorker = new WorkerSchemas('server', maxCompiled, () => this.compileCount++);
  }

  /** How many compiled schemas are cached (at most `maxCompiled`). */
  get size(): number {
    return this.cache.size;
  }

  private compileCount = 0;

  /** How many times a schema was compiled (or found over budget): once per distinct schema while it stays cached. */
  get compiles(): number {
    return this.compileCount;
  }

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const check = this.compile(schema);
    return input => {
      const problem = check(input);
      return problem === undefined ? { valid: true, data: input as T, errorMessage: undefined } : { valid: false, data: undefined, errorMessage: problem };
    };
  }

  /**
   * Returns a checker that yields `undefined` for valid input and a readable message otherwise. A schema over
   * `SCHEMA_BUDGET` is not compiled and checks nothing; `notChecked` says why.
   */
  compile(schema: unknown): (input: unknown) => string | undefined {
    const fn = this.compiled(schema);
    return input => {
      if (fn instanceof SchemaTooComplexError) return undefined;
      if (fn instanceof Error) return `the schema itself is invalid: ${fn.message}`;
      return fn(input) ? undefined : formatErrors(fn.errors ?? []);
    };
  }

  /** Why the host does not check values against `schema` (it is over `SCHEMA_BUDGET`), or undefined. */
  notChecked(schema: unknown): string | undefined {
    const fn = this.compiled(schema);
    return fn instanceof SchemaTooComplexError ? `the schema is too big for MCP Host to check (${fn.message})` : undefined;
  }

  /**
   * Checks `input` against `schema` in the validation worker (validationClient.ts), off the extension host's
   * thread; the same verdicts as `compile` and `notChecked`. Only the budget walk runs here, once per schema.
   */
  async check(schema: unknown, input: unknown): Promise<SchemaCheck> {
    const worker = validationWorker();
    if (!worker) {
      const notChecked = this.notChecked(schema);
      if (notChecked) return { notChecked };
      const problem = this.compile(schema)(input);
      return problem === undefined ? {} : { problem };
    }
    const answer = await this.inWorker.errors(worker, withoutDialectId(schema), [input]);
    if (!(answer instanceof Error)) return answer[0] ? { problem: formatErrors(answer[0]) } : {};
    if (answer instanceof ValueNotCheckedError) return { notChecked: answer.message };
    return answer instanceof SchemaTooComplexError ? { notChecked: `the schema is too big for MCP Host to check (${answer.message})` } : { problem: `the schema itself is invalid: ${answer.message}` };
  }

  /** Schemas `check` has seen: compiled in the worker, or why not. */
  private readonly inWorker: WorkerSchemas;

  /** Least recently used first out: a server that keeps announcing new schemas cannot grow this without bound. */
  private compiled(schema: unknown): ValidateFunction | Error {
    const key = JSON.stringify(schema) ?? 'undefined';
    let fn = lru(this.cache, key, this.maxCompiled);
    if (!fn) {
      this.compileCount++;
      fn = compiledOrError(() => compileIsolated(withoutDialectId(schema), { validateFormats: false }));
      this.cache.set(key, fn);
    }
    return fn;
  }
}

/** What `SchemaValidator.check` found: a problem with the value, or why the value was not checked; neither when it is valid. */
export interface SchemaCheck {
  readonly problem?: string;
  readonly notChecked?: string;
}

/** The worker's reason for not using a schema, as the error the in-thread compile would have thrown. */
export function unusableError(unusable: Unusable): Error {
  return unusable.tooComplex ? new SchemaTooComplexError(unusable.message) : new Error(unusable.message);
}

/** What `compile` made of a schema: its validator, or the error that says why there is none. */
export function compiledOrError(compile: () => ValidateFunction): ValidateFunction | Error {
  try {
    return compile();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Schemas checked in the validation worker, by schema text: whether the worker compiles them, or why they are
 * not used (over the budget, or found unusable by the worker). The budget walk runs on this thread, once per
 * schema (counted by `onCompile`, as a compile on this thread is); the worker keeps the compiled code.
 */
export class WorkerSchemas {
  private readonly known = new Map<string, 'worker' | Error>();

  constructor(
    private readonly kind: SchemaKind,
    private readonly max: number,
    private readonly onCompile: () => void,
  ) {}

  /** Ajv's errors for each of `values` (null when valid), or why the schema is not used. */
  async errors(worker: ValidationWorker, schema: object | boolean, values: readonly unknown[]): Promise<(ErrorObject[] | null)[] | Error> {
    let key: string;
    try {
      key = schemaText(schema);
    } catch (error) {
      // Nested thousands deep (JSON.parse reads it, JSON.stringify overflows): over the budget's depth, said so. It read
      // "the schema itself is invalid: Maximum call stack size exceeded" (protocol fuzz, stdio seed 211).
      if (error instanceof RangeError) return new SchemaTooComplexError(`nested deeper than ${SCHEMA_BUDGET.depth} levels`);
      throw error;
    }
    let known = lru(this.known, key, this.max);
    if (!known) {
      this.onCompile();
      const over = overSchemaBudget(schema);
      known = over ? new SchemaTooComplexError(over) : 'worker';
      this.known.set(key, known);
    }
    if (known !== 'worker') return known;
    const answer = await worker.validate(this.kind, key, values);
    if ('results' in answer) return [...answer.results];
    // A value too deep to send is that value's problem: the schema stays in use for the next ones.
    if (answer.unusable.value) return new ValueNotCheckedError(answer.unusable.message);
    const error = unusableError(answer.unusable);
    this.known.set(key, error);
    return error;
  }
}

/**
 * A schema's JSON text, kept per schema object: the key of every check, and what the worker compiles. A form
 * checks each field as it is typed, and a tool's output is checked on every call; stringifying a 250 KB
 * schema each time cost 1–10 ms of the extension host's thread. Schemas from a server are never changed once
 * they have arrived (a new tool list brings new objects), so the text stays right.
 */
const schemaTexts = new WeakMap<object, string>();
export function schemaText(schema: object | boolean): string {
  if (typeof schema !== 'object' || schema === null) return JSON.stringify(schema);
  let text = schemaTexts.get(schema);
  if (text === undefined) {
    text = JSON.stringify(schema);
    schemaTexts.set(schema, text);
  }
  return text;
}

/** `map.get(key)`, marking the entry most recently used, and making room for one more within `max`. */
export function lru<V>(map: Map<string, V>, key: string, max: number): V | undefined {
  const value = map.get(key);
  if (value !== undefined) {
    map.delete(key);
    map.set(key, value);
  } else if (map.size >= max) {
    map.delete(map.keys().next().value!);
  }
  return value;
}

/** Draft-07 `$schema` ids would make Ajv2020 refuse the schema; MCP says such schemas are read as 2020-12 where compatible. */
export function withoutDialectId(schema: unknown): object | boolean {
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
