import * as path from 'path';
import { MissingRequiredClientCapabilityError, ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { cut } from '../common/untrustedText';
import { RemoteRefusedError } from './auth/remotePolicy';
import type { ResolvedLaunch } from './launch';
import { MAX_SSE_EVENT_CHARS } from './transports/httpAnswers';
import { SpawnError } from './transports/stdioTransport';

/** What went wrong, in the user's terms, and what to do about it. */
export interface Diagnosis {
  readonly message: string;
  readonly hint?: string;
}

export interface FailureContext {
  readonly launch: ResolvedLaunch;
  /** The PATH the server was spawned with. */
  readonly pathUsed?: string | undefined;
  readonly exit?: { readonly code: number | null; readonly signal: string | null } | undefined;
  /** Lines the server wrote to stdout that were not JSON-RPC. */
  readonly nonProtocolOutput: readonly string[];
  /** The last lines the server wrote to stderr. */
  readonly stderrTail?: readonly string[] | undefined;
  readonly startupMs: number;
  readonly phase: 'start' | 'running';
}

const GUI_PATH_HINT =
  'VS Code started from a desktop launcher may not see the PATH your shell sets up (nvm, Homebrew, asdf, pyenv). ' +
  'Use the absolute path of the command (run `which <command>` in a terminal), or set "env": { "PATH": "…" } on the server.';

/** Turns a start-up or connection failure into a message and a next step. */
export function diagnose(error: unknown, ctx: FailureContext): Diagnosis {
  const { launch } = ctx;
  if (error instanceof SpawnError && launch.type === 'stdio') {
    if (error.code === 'ENOENT') {
      const where = launch.cwd ? ` (working directory ${launch.cwd})` : '';
      const absolute = path.isAbsolute(launch.command);
      return {
        message: absolute ? `Command not found: ${launch.command}${where}.` : `Command '${launch.command}' was not found on PATH${where}.`,
        hint: absolute ? 'Check that the file exists and is executable.' : `PATH used: ${ctx.pathUsed ?? '(empty)'}. ${GUI_PATH_HINT}`,
      };
    }
    if (error.code === 'EACCES') return { message: `Permission denied running '${launch.command}'.`, hint: 'Make the file executable (chmod +x) or run it through its interpreter.' };
    return { message: `Could not start '${launch.command}': ${error.message}` };
  }

  const stdoutNote =
    ctx.nonProtocolOutput.length > 0
      ? `The server wrote text that is not MCP to stdout (first: ${JSON.stringify(ctx.nonProtocolOutput[0])}). A stdio server must write only JSON-RPC to stdout; logs belong on stderr.`
      : undefined;

  if (ctx.exit && launch.type === 'stdio') {
    const how = ctx.exit.signal ? `was killed by ${ctx.exit.signal}` : `exited with code ${ctx.exit.code}`;
    const when = ctx.phase === 'start' ? ' before completing initialization' : '';
    const missing = missingNpmPackage(ctx.stderrTail ?? []);
    const npmHint = missing && `npm found no package '${missing}' (E404): check its name in the server's "args".`;
    return { message: `The server ${how}${when}.`, hint: stdoutNote ?? npmHint ?? 'See the stderr lines below and the server log.' };
  }

  if (error instanceof SilentAfterHandshakeError) {
    return { message: error.message, hint: stdoutNote ?? 'It stopped answering after it started; its log may say why. Restart it, or give it a longer "timeout" in its definition if it is slow to list.' };
  }
  if (isTimeout(error)) {
    if (ctx.phase === 'start') {
      return {
        message: `The server did not complete initialization within ${Math.round(ctx.startupMs / 1000)} s.`,
        hint: stdoutNote ?? 'It may be waiting for input, downloading packages, or need a longer "timeout" in its definition.',
      };
    }
    return { message: 'The server stopped answering.', ...(stdoutNote ? { hint: stdoutNote } : {}) };
  }

  if (error instanceof RemoteRefusedError) return { message: error.message, hint: error.hint };
  const malformed = malformedAnswer(error);
  if (malformed) return { message: malformed.message, hint: 'The server does not follow the MCP schema; its log has the details. Report it to its authors.' };
  if (isJsonSyntaxError(error)) return { message: "The server's answer is not valid JSON.", hint: 'The server does not follow the MCP protocol, or the URL is not its MCP endpoint; its log has the details.' };
  const text = error instanceof Error ? error.message : String(error);
  if (launch.type !== 'stdio') {
    const status = error instanceof SdkHttpError ? error.status : undefined;
    if ((status === 401 || status === 403) && Object.keys(launch.headers).length > 0) {
      return { message: `${launch.url} refused the credentials in the server's headers (HTTP ${status}).`, hint: 'Check the API key or token in its "headers" (an input can be changed with MCP Host: Clear Saved Inputs).' };
    }
    const network = status === undefined ? networkFailure(error) : undefined;
    if (network) return { message: `Could not connect to ${launch.url}: ${network.what}.`, hint: network.hint };
    const refused = /ECONNREFUSED|fetch failed/i.test(text);
    const answered = status !== undefined && !text.includes(String(status)) ? `HTTP ${status}: ` : '';
    return {
      message: `Could not connect to ${launch.url}: ${answered}${text}`,
      hint: refused ? 'Is the server running and listening at that address?' : 'Check the URL, and the server log for the HTTP status.',
    };
  }
  return { message: text, ...(stdoutNote ? { hint: stdoutNote } : {}) };
}

const CERTIFICATE_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|ERR_TLS_CERT_ALTNAME_INVALID$)/;

/**
 * What a failed connection met, from the error's causes (fetch says only "fetch failed", and the version probe wraps
 * that again: "Version negotiation probe failed: fetch failed"), in the user's words with what to do next.
 */
function networkFailure(error: unknown): { what: string; hint: string } | undefined {
  for (let e = error, depth = 0; isRecord(e) && depth < 6; e = e.cause ?? e.event, depth++) {
    // The SSE transport keeps only the text: "SSE error: TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:3001".
    const said = typeof e.message === 'string' ? /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b(?: (\S+))?/.exec(e.message) : null;
    const code = typeof e.code === 'string' ? e.code : said?.[1];
    if (!code) continue;
    const at = typeof e.address === 'string' ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : code === 'ECONNREFUSED' ? said?.[2] : undefined;
    if (code === 'ECONNREFUSED') return { what: `nothing is listening there (connection refused${at ? ` at ${at}` : ''})`, hint: 'Start the server, or check the host and port in its "url".' };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const name = typeof e.hostname === 'string' ? e.hostname : said?.[2];
      const host = name ? `'${name}'` : 'its host name';
      return { what: `${host} could not be found (DNS ${code})`, hint: 'Check the host name in its "url", and your network or VPN.' };
    }
    if (code === 'ECONNRESET') return { what: 'the connection was reset', hint: 'The server or a proxy closed it; check the server log and that the URL speaks HTTP(S) as written.' };
    if (code === 'UND_ERR_SOCKET') return { what: 'the server closed the connection without answering', hint: 'It may have failed mid-request, or a proxy cut the connection; check the server log.' };
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { what: 'the connection timed out', hint: 'Check that the host is reachable from here (network, VPN, firewall).' };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { what: `the host cannot be reached (${code})`, hint: 'Check your network, VPN or firewall.' };
    if (CERTIFICATE_CODES.test(code)) return { what: `its TLS certificate was not accepted (${code})`, hint: 'Check the certificate the server presents; for a private certificate authority, start VS Code with NODE_EXTRA_CA_CERTS set to its file.' };
  }
  return undefined;
}

/** The package npm (run by `npx -y <package>`) could not find in its registry, from its E404 lines on stderr. */
function missingNpmPackage(stderr: readonly string[]): string | undefined {
  if (!stderr.some(l => /^npm (?:error|ERR!) code E404\b/.test(l))) return undefined;
  for (const line of stderr) {
    // "npm error 404  '@scope/name@*' is not in this registry." / "… The requested resource '@scope/name@*' could not be found …"
    const m = /^npm (?:error|ERR!) 404\b.*?'((?:@[^/'\s]+\/)?[^@'\s]+)@[^']*'/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Lines of stderr that say nothing about what went wrong: Node's version footer and stack frames, npm's log pointer. */
const NOISE = /^\s*$|^\s+at\s|^Node\.js v\d|^\s*\^+\s*$|A complete log of this run can be found in|^npm (?:error|ERR!)(?: 404)?\s*$|^npm (?:error|ERR!) 404 (?:Note that|tarball, folder)/;
const SAYS_WHAT = /\b(?:[A-Z]\w*Error|Error|ERROR|error|fatal|FATAL|Exception|panic|denied|not found|required|missing|invalid)\b/;

/**
 * The stderr line that says most about a failure, for the one line the tree shows above all of them: the last line
 * that names an error after dropping the noise around it (a Node server that throws ends with a stack and
 * "Node.js v20.20.2", npm with "A complete log of this run can be found in: …"); else the last line with words.
 */
export function tellingStderrLine(lines: readonly string[]): string | undefined {
  const said = lines.filter(l => !NOISE.test(l));
  const npm404 = said.find(l => /^npm (?:error|ERR!) 404\b.*'[^']+'/.test(l));
  return npm404 ?? [...said].reverse().find(l => SAYS_WHAT.test(l)) ?? said.at(-1) ?? lines.at(-1);
}

export function isTimeout(error: unknown): boolean {
  return error instanceof RequestTimeoutError || isSdkTimeout(error);
}

/** The SDK's own timeout: `RequestTimeout` with `data.timeout` (an abort carries the same code, without it). */
function isSdkTimeout(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout && isRecord(error.data) && ('timeout' in error.data || 'maxTotalTimeout' in error.data);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A request that got no answer (and no progress) within its timeout. */
export class RequestTimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`${method} got no answer within ${Math.round(ms / 1000)} s`);
    this.name = 'RequestTimeoutError';
  }
}

/** The user setting for the most one call may take in all, however often its server reports progress. */
export const MAX_CALL_SETTING = 'mcpHost.calls.maxMinutes';

/**
 * A call that ran past the most one call may take (`ServerTimeouts.totalMs`) while its server kept reporting
 * progress, which resets the request timeout each time. Names the limit and both places to raise it.
 */
export class CallTimeLimitError extends RequestTimeoutError {
  /** `why`: what kept the call going past its request timeout: progress, or rounds of input_required (2026-07-28). */
  constructor(method: string, ms: number, why: 'progress' | 'input' = 'progress') {
    super(method, ms);
    const running =
      why === 'input'
        ? `${spokenDuration(ms)} of the server's time, the most one call may take even while the server keeps asking for input (time spent answering its questions is not counted)`
        : `${spokenDuration(ms)}, the most one call may take even while the server reports progress`;
    this.message = `${method} was still running after ${running}, so MCP Host cancelled it. To allow longer, raise the ${MAX_CALL_SETTING} setting (or, for a server in your user settings, set "timeout": { "total": <ms> } in its entry; a workspace's entry can only shorten the limit).`;
    this.name = 'CallTimeLimitError';
  }
}

/** `90 s`, `30 min`, `1 h 30 min`: a limit as a person says it. */
export function spokenDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
}

/** How many schema problems a malformed answer's message names; the rest are counted. */
const SHOWN_ISSUES = 3;

/**
 * The SDK's "Invalid result for initialize: [ {…JSON of every schema issue…} ]" (a multi-line dump that the
 * tree and notifications cut mid-word), as one line naming the method and the first problems by path.
 */
export class MalformedAnswerError extends Error {
  constructor(method: string, issues: readonly string[]) {
    const shown = issues.slice(0, SHOWN_ISSUES).join('; ');
    const more = issues.length > SHOWN_ISSUES ? ` (and ${issues.length - SHOWN_ISSUES} more)` : '';
    super(`The server's answer to ${method} is malformed: ${shown || 'it does not match the MCP schema'}${more}.`);
    this.name = 'MalformedAnswerError';
  }
}

/** The SDK's invalid-result error, read as a `MalformedAnswerError`; undefined for any other error. */
export function malformedAnswer(error: unknown): MalformedAnswerError | undefined {
  if (error instanceof MalformedAnswerError) return error;
  if (!(error instanceof SdkError) || error.code !== SdkErrorCode.InvalidResult) return undefined;
  const m = /^Invalid result for (\S+): ([\s\S]*)$/.exec(error.message);
  if (!m) return undefined;
  let issues: string[];
  try {
    const parsed: unknown = JSON.parse(m[2]!);
    if (!Array.isArray(parsed)) throw new Error('not a list of issues');
    issues = parsed.map(i => {
      const issue = isRecord(i) ? i : {};
      const where = Array.isArray(issue.path) && issue.path.length ? `${issue.path.join('.')}: ` : '';
      return `${where}${typeof issue.message === 'string' ? issue.message.replace(/^Invalid input: /, '') : 'invalid'}`;
    });
  } catch {
    issues = [m[2]!.replace(/\s+/g, ' ').trim()];
  }
  return new MalformedAnswerError(m[1]!, issues);
}

/** A request whose Streamable HTTP response stream the server ended without the answer, and without a way to resume it (TracingTransport). */
export class StreamEndedError extends Error {
  constructor(method: string) {
    super(`${method} got no answer: the server ended its response stream without sending one (it may have failed mid-request, or a proxy cut the stream)`);
    this.name = 'StreamEndedError';
  }
}

/** A server that answered `initialize`, then not its first requests (its lists, the log level) within the start-up time. */
export class SilentAfterHandshakeError extends Error {
  constructor(readonly startupMs: number) {
    super(`The server answered the handshake, then did not answer its first requests (its lists) within ${Math.round(startupMs / 1000)} s.`);
    this.name = 'SilentAfterHandshakeError';
  }
}

/** A request whose answer (one event of its stream) was larger than MCP Host reads. */
export class AnswerTooLargeError extends Error {
  constructor(method: string, maxChars: number) {
    super(`${method} got no answer: the server sent a message larger than ${maxChars / 1024 / 1024} MiB in its answer's stream, and MCP Host stopped reading it`);
    this.name = 'AnswerTooLargeError';
  }
}

/**
 * A request whose HTTP connection failed before its answer came: fetch says only "fetch failed" (no answer) or
 * "terminated" (the answer cut short), with what happened in its causes.
 */
export class NetworkError extends Error {
  constructor(method: string, error: unknown) {
    const failure = networkFailure(error);
    super(`${method} got no answer: ${failure?.what ?? 'the connection to the server failed'}. ${failure?.hint ?? 'Check that the server is still running, and its log.'}`, { cause: error });
    this.name = 'NetworkError';
  }
}

/** fetch's (undici's) own failures: a TypeError "fetch failed", or "terminated" when a body was being read. */
export function isNetworkError(error: unknown): error is TypeError {
  return error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated');
}

/** JSON.parse's error for a body that is not JSON (V8 names JSON in each of its messages). */
function isJsonSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError && /\bJSON\b/.test(error.message);
}

/** A request whose server went away before answering it (the process exited, or was stopped or killed). */
export class ConnectionLostError extends Error {
  constructor(method: string) {
    super(`${method} got no answer: the server closed the connection (it exited or was stopped)`);
    this.name = 'ConnectionLostError';
  }
}

/** A request the user (or the caller's signal) cancelled. */
export class RequestCancelledError extends Error {
  constructor(method: string) {
    super(`${method} was cancelled`);
    this.name = 'RequestCancelledError';
  }
}

/** The 2026-07-28 tasks extension: SDK 2.4.0 refuses its task results, so the host does not declare it. */
const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** A request a 2026-07-28 server refused (-32021) because it needs a client capability the host does not declare. */
export class MissingCapabilityError extends Error {
  constructor(
    method: string,
    readonly required: readonly string[],
  ) {
    const tasks = required.includes(`extension ${TASKS_EXTENSION}`)
      ? ' (tasks on 2026-07-28: the MCP SDK the host is built on, 2.4.0, cannot receive them yet)'
      : '';
    super(`${method} was refused: the server requires ${required.join(', ') || 'a capability'} from the client, which MCP Host does not offer${tasks}`);
    this.name = 'MissingCapabilityError';
  }
}

/** The capabilities a -32021 error names: top-level ones by name, extensions by their identifier. */
function requiredCapabilities(error: MissingRequiredClientCapabilityError): string[] {
  const required: unknown = error.requiredCapabilities;
  if (!isRecord(required)) return [];
  return Object.entries(required).flatMap(([name, value]) => (name === 'extensions' && isRecord(value) ? Object.keys(value).map(id => `extension ${id}`) : [name]));
}

/**
 * The SDK (v1 and v2 alike) rejects both an abort and a timeout with the same code (`RequestTimeout`);
 * only a timeout carries `data.timeout`. Map them to distinct errors so callers can tell "you cancelled"
 * from "it hung", and a closed connection to one that says which request it cut short.
 */
export function classifyRequestError(error: unknown, method: string, signal: AbortSignal | undefined, timeoutMs: number): unknown {
  if (isSdkTimeout(error)) {
    // The SDK's own `maxTotalTimeout` (checked when progress arrives) says so in its data.
    const total = ((error as SdkError).data as Record<string, unknown>).maxTotalTimeout;
    return typeof total === 'number' ? new CallTimeLimitError(method, total) : new RequestTimeoutError(method, timeoutMs);
  }
  if (signal?.aborted && (error instanceof SdkError || error === signal.reason)) return new RequestCancelledError(method);
  // The SDK's "Connection closed" names neither the request nor the server's part in it.
  if (error instanceof SdkError && (error.code === SdkErrorCode.ConnectionClosed || error.code === SdkErrorCode.NotConnected)) return new ConnectionLostError(method);
  const malformed = malformedAnswer(error);
  if (malformed) return malformed;
  // The SDK's message says only "Missing required client capabilities: extensions".
  if (error instanceof MissingRequiredClientCapabilityError) return new MissingCapabilityError(method, requiredCapabilities(error));
  if (error instanceof ProtocolError && isRecord(error.data) && error.data.mcpHost === 'streamEnded') return new StreamEndedError(method);
  if (error instanceof ProtocolError && isRecord(error.data) && error.data.mcpHost === 'tooLarge') return new AnswerTooLargeError(method, MAX_SSE_EVENT_CHARS);
  // Over HTTP: fetch's bare "fetch failed" / "terminated" (the body cut short), and JSON.parse's words for a body that is not JSON.
  if (isNetworkError(error)) return new NetworkError(method, error);
  if (isJsonSyntaxError(error)) return new MalformedAnswerError(method, ['it is not valid JSON']);
  if (error instanceof ProtocolError && error.message.length > MAX_SERVER_ERROR_CHARS) error.message = cutServerMessage(error.message);
  return error;
}

/**
 * The longest error message from a server kept, as for a log message or a stderr line: a JSON-RPC error's message is
 * the server's text, and a 4 MB one went whole into the chat model's prompt (a failed call's reason), the history
 * file and every place that showed it.
 */
export const MAX_SERVER_ERROR_CHARS = 16 * 1024;

/** A server's text cut to {@link MAX_SERVER_ERROR_CHARS} on a whole character, saying how much more there was. */
export function cutServerMessage(message: string): string {
  const kept = cut(message, MAX_SERVER_ERROR_CHARS + 1);
  return `${kept} (${message.length - kept.length + 1} more characters)`;
}
