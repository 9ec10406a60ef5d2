import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { cut } from '../../common/untrustedText';
import { answerOrError } from './stdioTransport';

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Where a top-level `result` that is not an object may be (`"result"` as a key followed by anything but `{`), or an
 * `error` without a numeric code or a message (any `"error"` key: errors are few). Only a line that matches is parsed
 * (a nested `"result": 5` costs a parse, a well-formed answer none).
 */
const SUSPECT = /"result"\s*:\s*[^\s{]|"error"\s*:/;

/**
 * The Streamable HTTP transport's `fetch`, wrapped so that an answer whose `result` is not an object (`null`, a
 * string, a list) reaches the SDK as the error it is, as on stdio (`answerOrError`). The SDK (2.4.0) parses each
 * message itself (`JSONRPCMessageSchema.parse` in `StreamableHTTPClientTransport`) and, on an SSE stream, drops
 * one it refuses with only an `onerror` that names no request, so the request waited for its whole timeout; in an
 * `application/json` body it failed the request at once with a multi-line schema dump. The fetch hook is the only
 * place to see the message before the SDK does. Everything else passes as it came: SSE lines are re-encoded but
 * unchanged, and only a `data:` line that may hold such an answer is parsed.
 */
export function checkingAnswers(base: Fetch): Fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.body === null) return response;
    if (response.status >= 400) return replaced(response, await boundedText(response.body, MAX_ERROR_BODY_CHARS, 'keep'));
    if (!response.ok) return response;
    const type = response.headers.get('content-type')?.toLowerCase() ?? '';
    if (type.startsWith('text/event-stream')) return replaced(response, response.body.pipeThrough(sseAnswers(() => requestIds(init?.body))));
    if (type.startsWith('application/json') && init?.method === 'POST') {
      const text = await boundedText(response.body, MAX_JSON_BODY_CHARS);
      if (text.length > MAX_JSON_BODY_CHARS) throw new Error(`The server's answer is larger than ${MAX_JSON_BODY_CHARS / 1024 / 1024} MiB; MCP Host stopped reading it.`);
      return replaced(response, jsonAnswers(text));
    }
    return response;
  };
}

/**
 * The most of an HTTP error's body kept (characters). The SDK reads the whole body of a failed request into its error
 * message: a 20 MB error page became a 20 MB message in the server's state, its log and every place that shows the
 * error, and a body that never ends grew the extension host's memory until the request's timeout.
 */
export const MAX_ERROR_BODY_CHARS = 16 * 1024;

/**
 * The most of an `application/json` answer read (characters), as a stdio message (64 MiB): a body that never ended was
 * read until the request's timeout, growing memory at the network's speed.
 */
export const MAX_JSON_BODY_CHARS = 64 * 1024 * 1024;

/**
 * The most of one SSE event read (characters, its lines together), as a JSON answer: one `data:` line that never ended,
 * or an event of data lines that never ended, was read until the request was given up, growing memory at the network's
 * speed.
 */
export const MAX_SSE_EVENT_CHARS = MAX_JSON_BODY_CHARS;

/**
 * At most `max` characters of a body, saying so when cut; the rest is not read (the connection is released). A body
 * the network cut short fails with the network's error (a JSON answer cut by a dropped connection went on as truncated
 * JSON and failed as a parse error), unless `onError` is `'keep'`: an HTTP error's body, where what came is still the
 * best account of the error.
 */
async function boundedText(body: ReadableStream<Uint8Array>, max: number, onError: 'throw' | 'keep' = 'throw'): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
      if (text.length > max) {
        void reader.cancel().catch(() => {});
        return `${cut(text, max + 1)} (the rest of the response was not read)`;
      }
    }
  } catch (err) {
    if (onError === 'throw') throw err;
    return `${cut(text, max + 1)} (the rest of the response could not be read: the connection failed)`;
  } finally {
    reader.releaseLock();
  }
}

function replaced(response: Response, body: ReadableStream<Uint8Array> | string): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * An `application/json` body: a message or a batch, each answer checked. Written again only when an answer changed:
 * a well-formed answer holding a value nested thousands deep (which `JSON.parse` reads but `JSON.stringify` cannot
 * write: RangeError) failed its request as "Maximum call stack size exceeded" (the protocol fuzz over HTTP, seed 11).
 */
function jsonAnswers(text: string): string {
  if (!SUSPECT.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const answers = Array.isArray(parsed) ? parsed.map(checked) : checked(parsed);
  const changed = Array.isArray(parsed) ? (answers as unknown[]).some((a, i) => a !== parsed[i]) : answers !== parsed;
  if (!changed) return text;
  try {
    return JSON.stringify(answers);
  } catch {
    // A batch whose other message is nested too deeply to write again: passed as it came, for the SDK to read.
    return text;
  }
}

function checked(message: unknown): unknown {
  return typeof message === 'object' && message !== null && (message as { jsonrpc?: unknown }).jsonrpc === '2.0' ? answerOrError(message as JSONRPCMessage) : message;
}

/**
 * An SSE body, line by line (CR, LF or CRLF): a `data:` line holding an answer whose result is not an object
 * becomes that answer as an error. A line is passed on once it is complete; the SDK needs complete events anyway.
 */
export function sseAnswers(ids: () => Array<string | number>, maxEventChars = MAX_SSE_EVENT_CHARS): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const event = new EventSize();
  const flushLines = (text: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (text) controller.enqueue(encoder.encode(SUSPECT.test(text) || UNSENDABLE_ID.test(text) ? text.split(/(\r\n|\r|\n)/).map(sseLine).join('') : text));
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const text = decoder.decode(chunk, { stream: true });
      if (event.grow(text) > maxEventChars) {
        // The event under way is ended empty-handed, the request(s) of this POST get their answer: an error saying why
        // (classifyRequestError names it), and the rest of the stream is not read (terminate cancels the body).
        pending = '';
        const error = { ...TOO_LARGE, data: { ...TOO_LARGE.data } };
        controller.enqueue(encoder.encode(`\n\n${ids().map(id => `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error })}\n\n`).join('')}`));
        controller.terminate();
        return;
      }
      // Line ends are looked for in the new text only: searching all that is pending was quadratic in a long line.
      const end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      if (end < 0) {
        pending += text;
        return;
      }
      const complete = pending + text.slice(0, end + 1);
      pending = text.slice(end + 1);
      flushLines(complete, controller);
    },
    flush(controller) {
      flushLines(pending + decoder.decode(), controller);
    },
  });
}

/**
 * An SSE `id:` the client could not send back: the SDK resumes a stream with the last id as the `Last-Event-ID` header,
 * and a header value holds only tabs and the characters U+0020–U+007E and U+0080–U+00FF, so `fetch` refused every
 * attempt ("Cannot convert argument to a ByteString", "invalid last-event-id header"): five attempts over ~13 s, shown
 * as "the server may be unreachable", then the server restarted, and the request waited meanwhile (protocol fuzz over
 * HTTP, seeds 54, 85, 191, 195). Such an id line is left out: the stream
 * resumes after the last id that can be sent, or, with none, is not resumable and its request fails at once.
 */
const UNSENDABLE_ID = /(?:^|[\r\n])id:[^\r\n]*[^\t\x20-\x7e\x80-\xff\r\n]/;

function sseLine(line: string): string {
  if (line.startsWith('id:')) return UNSENDABLE_ID.test(line) ? ':' : line;
  if (!line.startsWith('data:') || !SUSPECT.test(line)) return line;
  const json = line.slice(line.startsWith('data: ') ? 6 : 5);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return line;
  }
  const answer = checked(parsed);
  return answer === parsed ? line : `data: ${JSON.stringify(answer)}`;
}

/**
 * The error a request is answered with when one event of its SSE stream grew past `MAX_SSE_EVENT_CHARS`
 * (classifyRequestError names it: AnswerTooLargeError).
 */
export const TOO_LARGE = { code: -32000, message: 'MCP Host: an event of the response stream is too large', data: { mcpHost: 'tooLarge' } } as const;

/**
 * The length of the SSE event under way: the characters since the last blank line (CRLF, LF or CR line ends, a CRLF
 * split across two chunks counted once). Only a size: the SDK's own parser reads the events.
 */
class EventSize {
  private chars = 0;
  /** How the text so far ended: after a line end (`eol`), after a CR that may be half of a CRLF (`cr`), or in a line. */
  private tail: 'line' | 'eol' | 'cr' = 'eol';

  grow(text: string): number {
    let boundary = -1;
    let tail = this.tail;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* LF */) {
        // The LF of a CRLF ends nothing more; after another line end it ends a blank line.
        if (tail === 'eol') boundary = i + 1;
        tail = 'eol';
      } else if (c === 13 /* CR */) {
        if (tail !== 'line') boundary = i + 1;
        tail = 'cr';
      } else {
        tail = 'line';
      }
    }
    this.tail = tail;
    this.chars = boundary < 0 ? this.chars + text.length : text.length - boundary;
    return this.chars;
  }
}

/** The ids of the requests a POST's body carries (a message or a batch), read only when needed. */
function requestIds(body: unknown): Array<string | number> {
  if (typeof body !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).flatMap(m => {
      const id = typeof m === 'object' && m !== null && 'method' in m ? (m as { id?: unknown }).id : undefined;
      return typeof id === 'string' || typeof id === 'number' ? [id] : [];
    });
  } catch {
    return [];
  }
}
