/**
 * The extension host's side of the validation worker (validationWorker.ts): schemas from servers are compiled
 * and values checked on a thread of their own, so the host's thread only waits for the answer. One worker
 * for the process, started on the first check, `unref()`ed while idle (it never keeps a process alive), stopped after a
 * minute without work and on deactivate. Requests go one at a time, each with a time limit: a compile that
 * hangs gets its worker terminated and its schema reported as not checkable (the caller treats it as over
 * the budget); a worker that dies is replaced on the next request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ErrorObject } from 'ajv';

/** Which Ajv options compile the schema: a server's (tool output) or a form's (arguments, with formats). */
export type SchemaKind = 'server' | 'form';

export interface ValidationRequest {
  readonly id: number;
  readonly kind: SchemaKind;
  /** The schema as JSON text (also the worker's cache key). */
  readonly schema: string;
  readonly values: readonly unknown[];
}

/** Why a schema was not used: over the budget (or too slow, or it stopped the worker), or invalid. */
export interface Unusable {
  readonly tooComplex: boolean;
  readonly message: string;
  /** The value, not the schema, could not be checked (nested too deeply to send to the worker): the schema stays usable. */
  readonly value?: true;
}

/** Per value, Ajv's errors, or null when it is valid. */
export type ValidationResponse = { readonly id: number; readonly results: readonly (ErrorObject[] | null)[] } | { readonly id: number; readonly unusable: Unusable };

export type ValidationAnswer = { readonly results: readonly (ErrorObject[] | null)[] } | { readonly unusable: Unusable };

export interface ValidationLimits {
  /** How long one request (compile and check) may take before the worker is terminated. */
  readonly requestMs: number;
  /** How long the worker waits without work before it stops. */
  readonly idleMs: number;
}

const DEFAULT_LIMITS: ValidationLimits = { requestMs: 5_000, idleMs: 60_000 };
/** How long a new worker may take to load its code (a few hundred ms, more on a loaded machine). */
const STARTUP_MS = 30_000;

interface Pending {
  readonly request: Omit<ValidationRequest, 'id'>;
  readonly resolve: (answer: ValidationAnswer) => void;
}

export class ValidationWorker {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private current: { readonly id: number; readonly pending: Pending; timer?: NodeJS.Timeout } | undefined;
  /** Whether the worker has loaded its code: a request's time limit starts then (loading is not checking). */
  private ready = false;
  private idle: NodeJS.Timeout | undefined;
  private nextId = 1;
  private startCount = 0;
  private disposed = false;

  constructor(
    /** The worker's code (dist/validation.js, which also serves the main thread's lazy use). */
    readonly file: string,
    private readonly limits: ValidationLimits = DEFAULT_LIMITS,
  ) {}

  /** How many workers were started (a crash or a hang means one more on the next request). */
  get starts(): number {
    return this.startCount;
  }

  /** Whether a worker thread exists now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Checks `values` against the schema (JSON text) in the worker. */
  validate(kind: SchemaKind, schema: string, values: readonly unknown[]): Promise<ValidationAnswer> {
    if (this.disposed) return Promise.resolve({ unusable: { tooComplex: true, message: 'MCP Host is shutting down' } });
    return new Promise(resolve => {
      this.queue.push({ request: { kind, schema, values }, resolve });
      this.pump();
    });
  }

  /** Terminates the worker; requests still waiting are answered as not checked. */
  dispose(): void {
    this.disposed = true;
    for (const pending of this.queue.splice(0)) pending.resolve({ unusable: { tooComplex: true, message: 'MCP Host is shutting down' } });
    if (this.current) this.finish({ unusable: { tooComplex: true, message: 'MCP Host is shutting down' } });
    this.stop();
  }

  private pump(): void {
    if (this.current || this.disposed) return;
    const pending = this.queue.shift();
    if (!pending) {
      this.idle ??= setTimeout(() => this.stop(), this.limits.idleMs).unref();
      return;
    }
    clearTimeout(this.idle);
    this.idle = undefined;
    const worker = this.start();
    const id = this.nextId++;
    this.current = { id, pending };
    if (this.ready) this.startClock();
    // A check under way keeps the process alive (its caller waits for it); an idle worker does not.
    worker.ref();
    try {
      worker.postMessage({ id, ...pending.request } satisfies ValidationRequest);
    } catch (err) {
      // A value nested thousands deep (JSON.parse reads it) cannot be cloned: RangeError. That value goes unchecked; it
      // read "the schema itself is invalid: Maximum call stack size exceeded" and the schema was never used again.
      if (err instanceof RangeError) this.finish({ unusable: { tooComplex: true, message: 'the value is nested too deeply to check', value: true } });
      // A value that cannot be cloned (a function, say) cannot be JSON a server sent or a form read.
      else this.finish({ unusable: { tooComplex: false, message: err instanceof Error ? err.message : String(err) } });
      this.pump();
    }
  }

  /** The current request's time limit. */
  private startClock(): void {
    if (!this.current || this.current.timer) return;
    this.current.timer = setTimeout(() => {
      this.finish({ unusable: { tooComplex: true, message: `checking against it took longer than ${this.limits.requestMs / 1000} s` } });
      this.stop();
      this.pump();
    }, this.limits.requestMs).unref();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // A schema or value that makes Ajv allocate without end exhausts the worker's heap, not the host's.
    const worker = new Worker(this.file, { resourceLimits: { maxOldGenerationSizeMb: 256 }, workerData: { [VALIDATION_WORKER]: true } });
    worker.unref();
    this.startCount++;
    this.ready = false;
    // A worker that never gets its code loaded counts as one that died.
    const loading = setTimeout(() => {
      died('it did not start');
      void worker.terminate();
    }, STARTUP_MS).unref();
    worker.on('message', (response: ValidationResponse | { ready: true }) => {
      if (this.worker !== worker) return;
      if ('ready' in response) {
        clearTimeout(loading);
        this.ready = true;
        return this.startClock();
      }
      if (response.id !== this.current?.id) return;
      this.finish('unusable' in response ? { unusable: response.unusable } : { results: response.results });
      this.pump();
    });
    const died = (why: string) => {
      clearTimeout(loading);
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.finish({ unusable: { tooComplex: true, message: `checking against it stopped MCP Host's validator (${why})` } });
      this.pump();
    };
    worker.on('error', err => died(err.message));
    worker.on('exit', code => died(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private finish(answer: ValidationAnswer): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    clearTimeout(current.timer);
    this.worker?.unref();
    current.pending.resolve(answer);
  }

  private stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

/** The `workerData` key that tells the code in validation.js it was started as the validation worker. */
export const VALIDATION_WORKER = 'mcpHostValidationWorker';

let shared: ValidationWorker | null | undefined;

/**
 * The process's validation worker, or undefined where its bundle is missing (plain-Node tests that do not
 * name one): callers then check on their own thread, as before. The bundle is `validation.js` beside this
 * code's bundle (the one that holds Ajv and re2js for the main thread's lazy use too: it answers checks when
 * started as this worker), or the file `MCP_HOST_VALIDATION_WORKER` names.
 */
export function validationWorker(): ValidationWorker | undefined {
  if (shared === undefined) {
    const file = process.env.MCP_HOST_VALIDATION_WORKER ?? path.join(__dirname, 'validation.js');
    shared = fs.existsSync(file) ? new ValidationWorker(file) : null;
  }
  return shared ?? undefined;
}

/** Stops the process's worker (deactivate); a later check starts a new one. */
export function disposeValidationWorker(): void {
  shared?.dispose();
  shared = undefined;
}
