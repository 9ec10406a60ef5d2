import { Client } from '@modelcontextprotocol/client';
import { APPS_CLIENT_EXTENSION } from '../apps/appMeta';
import type { AskingServer, ClientRequestHandlers } from './clientRequests';
import type { NegotiationPlan } from './eraNegotiation';
import type { SchemaValidator } from './schemaValidator';

export interface HostClientOptions {
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** Absent handlers are capabilities not declared. */
  readonly handlers: ClientRequestHandlers | undefined;
  /** The server the handlers are told is asking. */
  readonly asking: AskingServer;
  /** The server's own validator of tool output schemas. */
  readonly validator: SchemaValidator;
}

/** The SDK client of one connect attempt: it declares what the host's handlers answer, and answers it, in either era. */
export function hostClient(negotiation: NegotiationPlan['client'], options: HostClientOptions): Client {
  const { handlers, asking } = options;
  const client = new Client(
    { name: options.clientInfo.name, version: options.clientInfo.version },
    {
      capabilities: {
        roots: { listChanged: true },
        // `tools`: the sampling handler runs tool use inside sampling (tools/toolChoice in, tool_use out); servers send tools only to clients that say so.
        ...(handlers?.sampling ? { sampling: { tools: {} } } : {}),
        ...(handlers?.elicitation ? { elicitation: { form: { applyDefaults: true }, url: {} } } : {}),
        // The host renders MCP Apps (src/apps): servers may then offer tools with an interactive UI.
        extensions: APPS_CLIENT_EXTENSION as unknown as Record<string, Record<string, string[]>>,
      },
      jsonSchemaValidator: options.validator,
      ...negotiation,
    },
  );
  // The SDK sends these handlers both the 2025-11-25 server-to-client requests and the questions of a
  // 2026-07-28 `input_required` result; either way the same handler object answers.
  client.setRequestHandler('roots/list', () => ({ roots: [...(handlers?.roots() ?? [])] }));
  if (handlers?.sampling) {
    const sampling = handlers.sampling.bind(handlers);
    client.setRequestHandler('sampling/createMessage', (request, ctx) => sampling(asking, request.params, ctx.mcpReq.signal));
  }
  if (handlers?.elicitation) {
    const elicitation = handlers.elicitation.bind(handlers);
    client.setRequestHandler('elicitation/create', (request, ctx) => elicitation(asking, request.params, ctx.mcpReq.signal));
  }
  return client;
}
