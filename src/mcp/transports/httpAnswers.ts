import type { JSONRPCMessage } from '@modelcontextprotocol/client';
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
    if (!response.ok || response.body === null) return response;
    const type = response.headers.get('content-type')?.toLowerCase() ?? '';
    if (type.startsWith('text/event-stream')) return replaced(response, response.body.pipeThrough(sseAnswers()));
    if (type.startsWith('application/json') && init?.method === 'POST') return replaced(response, jsonAnswers(await response.text()));
    return response;
  };
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
