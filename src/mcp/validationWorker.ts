/**
 * The validation worker: a `worker_threads` thread (bundled as dist/validationWorker.js, pure JavaScript) that
 * compiles schemas and checks values against them, so neither Ajv's code generation nor re2js's first match
 * blocks the extension host's thread (the first check of a window cost 100–140 ms there). It answers one
 * `ValidationRequest` at a time (validationClient.ts sends them one by one, with a time limit), and keeps the
 * compiled validators of the schemas it saw last.
 */
import { parentPort } from 'node:worker_threads';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { FORM_AJV_OPTIONS } from '../forms/schemaForm';
import { SchemaTooComplexError, compileIsolated, compiledOrError, lru, withoutDialectId } from './schemaValidator';
import type { ValidationRequest, ValidationResponse } from './validationClient';

const MAX_COMPILED = 320;
const compiled = new Map<string, ValidateFunction | Error>();

/** Least recently used first out, keyed by kind and schema text. */
function compiledFor(kind: ValidationRequest['kind'], schemaText: string): ValidateFunction | Error {
  const key = `${kind}\n${schemaText}`;
  let fn = lru(compiled, key, MAX_COMPILED);
  if (!fn) {
    fn = compiledOrError(() => {
      const schema: unknown = JSON.parse(schemaText);
      return kind === 'server' ? compileIsolated(withoutDialectId(schema), { validateFormats: false }) : compileIsolated(schema as object, FORM_AJV_OPTIONS);
    });
    compiled.set(key, fn);
  }
  return fn;
}

/** Only what the host words errors with travels back: `data` and `parentSchema` (verbose mode) may be large. */
function portable(errors: readonly ErrorObject[]): ErrorObject[] {
  return errors.map(({ data: _data, parentSchema: _parent, ...rest }) => rest);
}

export function answer(request: ValidationRequest): ValidationResponse {
  const fn = compiledFor(request.kind, request.schema);
  if (fn instanceof Error) return { id: request.id, unusable: { tooComplex: fn instanceof SchemaTooComplexError, message: fn.message } };
  return { id: request.id, results: request.values.map(value => (fn(value) ? null : portable(fn.errors ?? []))) };
}

parentPort?.on('message', (request: ValidationRequest) => parentPort!.postMessage(answer(request)));
// The client starts a request's time limit from here: loading this code is not checking.
parentPort?.postMessage({ ready: true });
