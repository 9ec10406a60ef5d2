/**
 * The validation worker: a `worker_threads` thread (its code is in dist/validation.js, pure JavaScript, with the
 * Ajv and re2js the main thread loads lazily from there: one copy of them in the VSIX, not two) that
 * compiles schemas and checks values against them, so neither Ajv's code generation nor re2js's first match
 * blocks the extension host's thread (the first check of a window cost 100–140 ms there). It answers one
 * `ValidationRequest` at a time (validationClient.ts sends them one by one, with a time limit), and keeps the
 * compiled validators of the schemas it saw last.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { FORM_AJV_OPTIONS } from '../forms/schemaForm';
import { SchemaTooComplexError, compileIsolated, compiledOrError, lru, withoutDialectId } from './schemaValidator';
import { VALIDATION_WORKER, type ValidationRequest, type ValidationResponse } from './validationClient';

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

// Only when started as the validation worker: on the main thread (validation.js loaded lazily) this module does nothing.
if (parentPort && (workerData as Record<string, unknown> | null)?.[VALIDATION_WORKER] === true) {
  const port = parentPort;
  port.on('message', (request: ValidationRequest) => port.postMessage(answer(request)));
  // The client starts a request's time limit from here: loading this code is not checking.
  port.postMessage({ ready: true });
}
