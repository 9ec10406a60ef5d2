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
  // 2026-07-28 `input_required` result; either way the same handler object answers. The handlers run the user's
  // part of an answer through `userAnswering` (ServerQuestions.ask), which holds this client's clocks meanwhile.
  const here: AskingServer = {
    name: asking.name,
    mask: text => asking.mask(text),
    log: line => asking.log(line),
    requestsSent: () => asking.requestsSent(),
    userAnswering: answer => whileUserAnswers(client, answer),
  };
  client.setRequestHandler('roots/list', () => ({ roots: [...(handlers?.roots() ?? [])] }));
  if (handlers?.sampling) {
    const sampling = handlers.sampling.bind(handlers);
    client.setRequestHandler('sampling/createMessage', (request, ctx) => sampling(here, request.params, ctx.mcpReq.signal));
  }
  if (handlers?.elicitation) {
    const elicitation = handlers.elicitation.bind(handlers);
    client.setRequestHandler('elicitation/create', (request, ctx) => elicitation(here, request.params, ctx.mcpReq.signal));
  }
  return client;
}

/** The SDK's per-request timers (Protocol's private `_timeoutInfo` and `_resetTimeout`, SDK 2.4.0). */
interface SdkRequestTimers {
  readonly _timeoutInfo?: Map<number, { timeoutId: ReturnType<typeof setTimeout>; resetTimeoutOnProgress?: boolean }>;
  _resetTimeout?(messageId: number): boolean;
}

/** A client's clocks held while the user answers: how many answers are open, and what to restart after the last. */
interface Held {
  open: number;
  /** The SDK timers stopped, and whether progress reset each before (it must not while held). */
  readonly timers: Map<number, boolean>;
  readonly resumeClocks: () => void;
}
const held = new WeakMap<Client, Held>();

/**
 * Runs the user's answer to a 2025-11-25 server's question (elicitation, sampling approval) with the server's clocks
 * stopped: the server asks while its tools/call waits, and the call's request timeout (60 s by default) ran on while
 * the user filled in the form, so a user taking longer got "tools/call got no answer within 60 s" and the form closed
 * under them; the call limit (`mcpHost.calls.maxMinutes`) of a call whose progress is followed counted that time too.
 * While the user answers, the SDK timers of the client's requests in flight are stopped, progress does not restart
 * them (it did: a server reporting progress while it asked timed the call out under the user), and their call clocks
 * (CallClock) stop; when the last answer is in, each timer starts again from the full request timeout, as after
 * progress, and each clock runs on from where it stopped. Over stdio a question does not say which request it belongs
 * to, so all wait. A 2026-07-28 question comes between a request's legs (`input_required`): that request's clock is
 * already stopped (CallClock.forFlow) and it has no leg on the wire, and the client's other requests are the server's
 * time, so nothing is held. The SDK has no public hook for its timers: with other internals than 2.4.0's the timers
 * are left alone, and the unit tests 'a question open longer than the request timeout…' fail.
 */
async function whileUserAnswers<T>(client: Client, answer: () => Promise<T>): Promise<T> {
  if (client.getProtocolEra() === 'modern') return answer();
  let hold = held.get(client);
  if (hold) hold.open++;
  else {
    hold = { open: 1, timers: new Map(), resumeClocks: CallClock.hold(client) };
    held.set(client, hold);
    const info = sdkTimers(client);
    if (info) {
      for (const [id, timer] of info) {
        clearTimeout(timer.timeoutId);
        hold.timers.set(id, timer.resetTimeoutOnProgress === true);
        timer.resetTimeoutOnProgress = false;
      }
    }
  }
  try {
    return await answer();
  } finally {
    if (--hold.open === 0) {
      held.delete(client);
      hold.resumeClocks();
      const info = sdkTimers(client);
      const sdk = client as unknown as SdkRequestTimers;
      for (const [id, reset] of hold.timers) {
        const timer = info?.get(id);
        if (!timer) continue;
        timer.resetTimeoutOnProgress = reset;
        try {
          sdk._resetTimeout!(id);
        } catch {
          // Only a request with the SDK's own total limit throws here; the host sets none (requests.ts).
        }
      }
    }
  }
}

function sdkTimers(client: Client): NonNullable<SdkRequestTimers['_timeoutInfo']> | undefined {
  const sdk = client as unknown as SdkRequestTimers;
  return sdk._timeoutInfo instanceof Map && typeof sdk._resetTimeout === 'function' ? sdk._timeoutInfo : undefined;
}
