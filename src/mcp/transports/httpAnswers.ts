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
    if (response.status >= 400) return replaced(response, await boundedText(response.body, MAX_ERROR_BODY_CHARS));
    if (!response.ok) return response;
    const type = response.headers.get('content-type')?.toLowerCase() ?? '';
    if (type.startsWith('text/event-stream')) return replaced(response, response.body.pipeThrough(sseAnswers()));
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

/** At most `max` characters of a body, saying so when cut; the rest is not read (the connection is released). */
async function boundedText(body: ReadableStream<Uint8Array>, max: number): Promise<string> {
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
  } catch {
    return text;
  } finally {
    reader.releaseLock();
  }
}

function replaced(response: Response, body: ReadableStream<Uint8Array> | string): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** An `application/json` body: a message or a batch, each answer checked. */
function jsonAnswers(text: string): string {
  if (!SUSPECT.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  return JSON.stringify(Array.isArray(parsed) ? parsed.map(checked) : checked(parsed));
}

function checked(message: unknown): unknown {
  return typeof message === 'object' && message !== null && (message as { jsonrpc?: unknown }).jsonrpc === '2.0' ? answerOrError(message as JSONRPCMessage) : message;
}

/**
 * An SSE body, line by line (CR, LF or CRLF): a `data:` line holding an answer whose result is not an object
 * becomes that answer as an error. A line is passed on once it is complete; the SDK needs complete events anyway.
 */
function sseAnswers(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const flushLines = (text: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (text) controller.enqueue(encoder.encode(SUSPECT.test(text) ? text.split(/(\r\n|\r|\n)/).map(sseLine).join('') : text));
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const end = Math.max(pending.lastIndexOf('\n'), pending.lastIndexOf('\r'));
      if (end < 0) return;
      const complete = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      flushLines(complete, controller);
    },
    flush(controller) {
      flushLines(pending + decoder.decode(), controller);
    },
  });
}

function sseLine(line: string): string {
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
