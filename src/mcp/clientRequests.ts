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
