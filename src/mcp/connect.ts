import type { Client, Transport } from '@modelcontextprotocol/client';
import { type EraMemory, isEraNegotiationFailure, isModernVersion, type NegotiationPlan, planNegotiation, type ProtocolChoice } from './eraNegotiation';
import type { Connected, Wire } from './liveServer';
import type { ServerLog } from './log';
import { wantsSseFallback } from './transports/remoteTransport';
import { TracingTransport, type TransportTrace } from './transports/tracingTransport';

export interface ConnectContext {
  readonly launchType: Wire;
  readonly choice: ProtocolChoice;
  /** The verdicts of this server definition from earlier starts (absent: nothing is remembered). */
  readonly memory?: EraMemory | undefined;
  readonly startupMs: number;
  readonly log: ServerLog;
  readonly trace: TransportTrace;
  /** A client configured for this negotiation, with the host's handlers installed. */
  newClient(negotiation: NegotiationPlan['client']): Client;
  /** Opens a fresh transport (for stdio: spawns the server). */
  open(wire: Wire): Transport;
  /** Whether a stdio transport's process has exited (a server that quits on the era probe is a 2025-era server). */
  exited(transport: Transport): boolean;
  /** Whether this start still counts (a stop or restart makes it give up). */
  current(): boolean;
}

/**
 * Connects one launch of a server in the era it speaks:
 * - by the definition's `protocol` choice, and for `auto` by what earlier starts found out (a remembered
 *   verdict skips the probe);
 * - a remembered "modern" verdict the server no longer honours is forgotten and the server probed again;
 * - a stdio server that exits when probed (some servers quit on any request before `initialize`) is
 *   started again with the 2025 handshake, and remembered as such;
 * - Streamable HTTP first; a 4xx to its opening request means the older HTTP+SSE transport, per the spec.
 * A failed attempt is closed before the next one; the last is left for the caller to diagnose and close.
 */
export async function connectLaunch(ctx: ConnectContext): Promise<Connected> {
  if (ctx.launchType === 'sse') return connectWire(ctx, 'sse', sseOnly(ctx, 'sseType'));
  if (ctx.launchType === 'stdio') return connectWithEra(ctx, 'stdio');
  let failed: FailedAttempt | undefined;
  try {
    return await connectWithEra(ctx, 'http', attempt => (failed = attempt));
  } catch (error) {
    const status = wantsSseFallback(error);
    if (status === undefined || !ctx.current()) throw error;
    await discard(failed);
    ctx.log.info(`Streamable HTTP answered ${status}; trying the HTTP+SSE transport`);
    let connected: Connected;
    try {
      connected = await connectWire(ctx, 'sse', sseOnly(ctx, 'sseFallback'));
    } catch (sseError) {
      // The first answer is the real one: a server that is not there, or not MCP, says so to the POST.
      ctx.log.info(`The HTTP+SSE transport failed too: ${sseError instanceof Error ? sseError.message : String(sseError)}`);
      throw error;
    }
    if (ctx.choice === 'auto') ctx.memory?.set({ era: 'legacy', version: connected.client.getNegotiatedProtocolVersion() ?? '', decidedAt: Date.now() });
    return connected;
  }
}

/** HTTP+SSE predates 2026-07-28: only the 2025 handshake runs over it. */
function sseOnly(ctx: ConnectContext, why: 'sseType' | 'sseFallback'): NegotiationPlan {
  if (ctx.choice === 'modern' || (ctx.choice !== 'auto' && ctx.choice !== 'legacy' && isModernVersion(ctx.choice))) {
    throw new Error(`The server speaks only the HTTP+SSE transport, which has no ${ctx.choice === 'modern' ? '2026-07-28' : ctx.choice} protocol; remove "protocol" from its definition or set it to "legacy".`);
  }
  // With "protocol" left to auto, it is the transport that decides the era, not a setting (the log said "set in config").
  return ctx.choice === 'auto' ? { ...planNegotiation('legacy', undefined, ctx.startupMs), decidedBy: why } : planNegotiation(ctx.choice, undefined, ctx.startupMs);
}

async function connectWithEra(ctx: ConnectContext, wire: 'stdio' | 'http', onFailure?: (attempt: FailedAttempt) => void): Promise<Connected> {
  const remembered = ctx.choice === 'auto' ? ctx.memory?.get() : undefined;
  let plan = planNegotiation(ctx.choice, remembered, ctx.startupMs);
  let exitedOnProbe = false;
  for (let retried = false; ; retried = true) {
    let failed: FailedAttempt | undefined;
    try {
      const connected = await connectWire(ctx, wire, plan, attempt => {
        failed = attempt;
        onFailure?.(attempt);
      });
      if (exitedOnProbe) ctx.memory?.set({ era: 'legacy', version: connected.client.getNegotiatedProtocolVersion() ?? '', decidedAt: Date.now() });
      else remember(ctx, connected);
      return connected;
    } catch (error) {
      if (retried || !ctx.current() || !isEraNegotiationFailure(error)) throw error;
      const exited = failed !== undefined && ctx.exited(failed.raw);
      if (plan.decidedBy === 'remembered') {
        await discard(failed);
        ctx.log.info(`The server no longer speaks protocol ${remembered?.version}; probing it again.`);
        ctx.memory?.forget();
        plan = planNegotiation(ctx.choice, undefined, ctx.startupMs);
      } else if (plan.decidedBy === 'probe' && wire === 'stdio' && exited) {
        await discard(failed);
        // Some servers quit on any request before `initialize`; a server that crashes anyway fails again below.
        ctx.log.info('The server exited during the server/discover probe; starting it again with the 2025 initialize handshake.');
        exitedOnProbe = true;
        plan = { ...planNegotiation('legacy', undefined, ctx.startupMs), decidedBy: 'probe' };
      } else {
        throw error;
      }
    }
  }
}

/** A failed attempt; the last one is left open for the caller to diagnose (a closed process would look like a crash). */
interface FailedAttempt {
  readonly client: Client;
  readonly raw: Transport;
}

async function discard(attempt: FailedAttempt | undefined): Promise<void> {
  await attempt?.client.close().catch(() => {});
  await attempt?.raw.close().catch(() => {});
}

async function connectWire(ctx: ConnectContext, wire: Wire, plan: NegotiationPlan, onFailure?: (attempt: FailedAttempt) => void): Promise<Connected> {
  const client = ctx.newClient(plan.client);
  const raw = ctx.open(wire);
  const traced = new TracingTransport(raw, ctx.trace, wire === 'stdio' ? 'stdio' : 'remote');
  try {
    // A server that exits or hangs up during the handshake rejects this too (the SDK fails pending requests on close).
    await client.connect(traced, { timeout: ctx.startupMs, ...plan.connect });
  } catch (error) {
    client.onclose = () => {};
    onFailure?.({ client, raw });
    throw error;
  }
  return { client, traced, raw, wire, decidedBy: plan.decidedBy };
}

/** Remembers what a probe proved; a server that stayed silent (stdio falls back to 2025 then) proved nothing. */
function remember(ctx: ConnectContext, connected: Connected): void {
  if (ctx.choice !== 'auto' || !ctx.memory) return;
  const era = connected.client.getProtocolEra();
  const version = connected.client.getNegotiatedProtocolVersion() ?? '';
  if (era === 'modern') {
    ctx.memory.set({ era, version, decidedAt: Date.now() });
  } else if (connected.decidedBy === 'probe') {
    if (connected.traced.probe === 'answered') ctx.memory.set({ era: 'legacy', version, decidedAt: Date.now() });
    else ctx.log.info('The server did not answer the server/discover probe; it is treated as a 2025-era server for now and probed again next start.');
  }
}
