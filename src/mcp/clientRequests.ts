import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Root } from '@modelcontextprotocol/client';

/** Which server is asking, for the question shown to the user and for remembered answers. */
export interface AskingServer {
  /** The server's configured name (the registry key). */
  readonly name: string;
  /** Masks this server's secrets in text bound for the UI or a log. */
  mask(text: string): string;
  /** Writes to this server's own log (secrets already masked by the caller's `mask`). */
  log(line: string): void;
  /**
   * How many tool calls and prompt gets the user has made to this server so far: a question after a new one answers
   * something the user did, not the server asking again on its own. Resource reads and the calls of the server's own
   * app do not count: the server can cause those itself (a `resources/updated` makes VS Code read an open document
   * again; its app reads and calls through the bridge).
   */
  requestsSent(): number;
  /**
   * Runs `answer`, the time the user takes to answer the server's question (a dialog, a form), with the server's
   * clocks stopped: on a 2025-11-25 server the request timeouts and call limits of its requests in flight wait, as
   * the question may belong to any of them. Only for the user's own time: a question answered without the user (a
   * sampling request the settings allow) runs on the clocks. Absent: nothing waits.
   */
  userAnswering?<T>(answer: () => Promise<T>): Promise<T>;
}

/**
 * Everything a server may ask of the host, answered in one place. The same object serves both shapes of
 * the question: a server-to-client request (2025-11-25: `roots/list`, `sampling/createMessage`,
 * `elicitation/create`) and an `input_required` result of a 2026-07-28 request, whose `inputRequests`
 * are answered with `inputResponses`. Each handler asks for its own consent; none is called with a
 * question the user has not seen. A handler that is absent is a capability the host does not declare.
 */
export interface ClientRequestHandlers {
  /** The workspace folders, offered as roots. */
  roots(): readonly Root[];
  /** Runs a sampling request on a chat model, after the user allows it for this server. */
  sampling?(server: AskingServer, params: CreateMessageRequest['params'], signal: AbortSignal): Promise<CreateMessageResult>;
  /** Asks the user for the requested information (form or URL mode). */
  elicitation?(server: AskingServer, params: ElicitRequest['params'], signal: AbortSignal): Promise<ElicitResult>;
}
