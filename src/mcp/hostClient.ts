import { Client } from '@modelcontextprotocol/client';
import { APPS_CLIENT_EXTENSION } from '../apps/appMeta';
import type { AskingServer, ClientRequestHandlers } from './clientRequests';
import type { NegotiationPlan } from './eraNegotiation';
import { CallClock, type MultiRoundFlow } from './requests';
import type { SchemaValidator } from './schemaValidator';

export interface HostClientOptions {
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** Absent handlers are capabilities not declared. */
  readonly handlers: ClientRequestHandlers | undefined;
  /** The server the handlers are told is asking. */
  readonly asking: AskingServer;
  /** The server's own validator of tool output schemas. */
  readonly validator: SchemaValidator;
  /**
   * The most one request may take in all, in milliseconds (0: no limit; see `callLimitMs`), read when a request's
   * answer is `input_required`: the limit then covers all its legs (CallClock.forFlow).
   */
  readonly callLimitMs?: () => number;
}

/**
 * The SDK's client with the call limit over a 2026-07-28 multi-round request. The SDK runs the rounds itself (it asks
 * the handlers below, then sends the request again, up to 10 rounds) and passes each leg only the request timeout;
 * `_resolveNonCompleteResult` is its documented extension point for that flow, so the host hands it a flow whose legs
 * run on the request's CallClock: the server's time on all legs counts, the time spent answering its questions not.
 * Defined on first use: `extends Client` at a module's top level would load the SDK's lazy bundle at activation.
 */
function hostClientClass() {
  return (HostClient ??= class extends Client {
    constructor(
      info: ConstructorParameters<typeof Client>[0],
      options: ConstructorParameters<typeof Client>[1],
      private readonly callLimitMs: () => number,
    ) {
      super(info, options);
    }

    protected override async _resolveNonCompleteResult(
      decoded: { kind: 'input_required'; inputRequests: Record<string, unknown>; requestState?: string },
      flow: MultiRoundFlow & Parameters<Client['_resolveNonCompleteResult']>[1],
    ): Promise<unknown> {
      const timed = CallClock.forFlow(flow, this.callLimitMs());
      if (!timed) return super._resolveNonCompleteResult(decoded, flow);
      let result: unknown;
      try {
        result = await super._resolveNonCompleteResult(decoded, timed.flow);
      } catch (error) {
        throw timed.end(error);
      }
      timed.end();
      return result;
    }
  });
}
let HostClient: (new (info: ConstructorParameters<typeof Client>[0], options: ConstructorParameters<typeof Client>[1], callLimitMs: () => number) => Client) | undefined;

/** The SDK client of one connect attempt: it declares what the host's handlers answer, and answers it, in either era. */
export function hostClient(negotiation: NegotiationPlan['client'], options: HostClientOptions): Client {
  const { handlers, asking } = options;
  const client = new (hostClientClass())(
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
    options.callLimitMs ?? (() => 0),
  );
  // The SDK sends these handlers both the 2025-11-25 server-to-client requests and the questions of a
  // 2026-07-28 `input_required` result; either way the same handler object answers.
  client.setRequestHandler('roots/list', () => ({ roots: [...(handlers?.roots() ?? [])] }));
  if (handlers?.sampling) {
    const sampling = handlers.sampling.bind(handlers);
    client.setRequestHandler('sampling/createMessage', (request, ctx) => whileAsking(client, () => sampling(asking, request.params, ctx.mcpReq.signal)));
  }
  if (handlers?.elicitation) {
    const elicitation = handlers.elicitation.bind(handlers);
    client.setRequestHandler('elicitation/create', (request, ctx) => whileAsking(client, () => elicitation(asking, request.params, ctx.mcpReq.signal)));
  }
  return client;
}

/** The SDK's per-request timers (Protocol's private `_timeoutInfo` and `_resetTimeout`, SDK 2.4.0). */
interface SdkRequestTimers {
  readonly _timeoutInfo?: Map<number, { timeoutId: ReturnType<typeof setTimeout> }>;
  _resetTimeout?(messageId: number): boolean;
}

/** How many of a client's questions wait for the user now. */
const asked = new WeakMap<Client, number>();

/**
 * Answers a server's question (elicitation, sampling) with the server's request timeouts on hold: a 2025-11-25
 * server asks while its tools/call waits, and the call's request timeout (60 s by default) ran on while the user
 * filled in the form, so a user taking longer got "tools/call got no answer within 60 s" and the form closed
 * under them. While a question is open the timers of the client's requests in flight are stopped; when the last
 * one is answered each starts again from the full request timeout, as after progress. (Over stdio a question does
 * not say which request it belongs to, so all wait.) The SDK has no public hook for its timers: with other
 * internals than 2.4.0's this does nothing, and the unit test 'a question open longer than the request timeout…'
 * fails. A 2026-07-28 question comes between legs (input_required), with no request of the call in flight.
 */
async function whileAsking<T>(client: Client, answer: () => Promise<T>): Promise<T> {
  const sdk = client as unknown as SdkRequestTimers;
  const timers = sdk._timeoutInfo instanceof Map && typeof sdk._resetTimeout === 'function' ? sdk._timeoutInfo : undefined;
  const open = asked.get(client) ?? 0;
  asked.set(client, open + 1);
  if (open === 0 && timers) for (const info of timers.values()) clearTimeout(info.timeoutId);
  try {
    return await answer();
  } finally {
    const left = (asked.get(client) ?? 1) - 1;
    asked.set(client, left);
    if (left === 0 && timers) {
      for (const id of [...timers.keys()]) {
        try {
          sdk._resetTimeout!(id);
        } catch {
          // Only a request with the SDK's own total limit throws here; the host sets none (requests.ts).
        }
      }
    }
  }
}
