import type { ProtocolSetting } from '../config/types';
import { type ClientOptions, type ConnectOptions, type ProtocolEra, SdkError, SdkErrorCode, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/client';

/** The one modern revision the SDK negotiates (its own list of them is internal). */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Every protocol version the host speaks, newest first (a function: the SDK loads when a server starts). */
function hostProtocolVersions(): readonly string[] {
  return [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];
}

/**
 * What a server definition asks for (its `protocol` field): `auto` probes with `server/discover` and falls
 * back to the `initialize` handshake; `legacy` and `modern` pin an era; a version string pins that revision.
 */
export type ProtocolChoice = ProtocolSetting;

export function isModernVersion(version: string): boolean {
  return version >= MODERN_PROTOCOL_VERSION;
}

/** A probe's verdict about one server definition, remembered so the next start can skip the probe. */
export interface EraVerdict {
  readonly era: ProtocolEra;
  readonly version: string;
  /** Epoch ms when the server last proved it. */
  readonly decidedAt: number;
}

/** Where verdicts are kept across restarts of the editor (VS Code's Memento in the extension, a Map in tests). */
export interface EraVerdictStore {
  get(key: string): EraVerdict | undefined;
  set(key: string, verdict: EraVerdict): void | PromiseLike<void>;
  delete(key: string): void | PromiseLike<void>;
}

/** The verdicts of one server definition: the store under that definition's key. */
export interface EraMemory {
  get(): EraVerdict | undefined;
  set(verdict: EraVerdict): void;
  forget(): void;
}

export function eraMemory(store: EraVerdictStore, key: string, onError: (error: unknown) => void): EraMemory {
  return {
    get: () => store.get(key),
    set: verdict => void Promise.resolve(store.set(key, verdict)).catch(onError),
    forget: () => void Promise.resolve(store.delete(key)).catch(onError),
  };
}

/**
 * How long a "legacy" verdict is trusted. A stale modern verdict fails loudly at the next start (and is
 * probed again), but a stale legacy one would keep an upgraded server on the old era silently: after this
 * long the server is probed again.
 */
export const LEGACY_VERDICT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** How one start negotiates: the client options, the connect options, and how the era gets decided. */
export interface NegotiationPlan {
  readonly client: Pick<ClientOptions, 'versionNegotiation' | 'supportedProtocolVersions'>;
  readonly connect: Pick<ConnectOptions, 'prior'>;
  /**
   * `probe`: asked the server; `remembered`: a verdict from an earlier start; `configured`: the definition's `protocol`
   * pins it; `sseType`: the definition's `"type": "sse"` (HTTP+SSE has only the 2025 handshake); `sseFallback`: the
   * server answered Streamable HTTP with a 4xx, so HTTP+SSE (and with it the 2025 handshake) was used.
   */
  readonly decidedBy: 'probe' | 'remembered' | 'configured' | 'sseType' | 'sseFallback';
}

export class ProtocolChoiceError extends Error {}

/** The plan for a start, from the definition's choice and what earlier starts found out. */
export function planNegotiation(choice: ProtocolChoice, verdict: EraVerdict | undefined, probeTimeoutMs: number, now = Date.now()): NegotiationPlan {
  const probe = { timeoutMs: probeTimeoutMs };
  switch (choice) {
    case 'legacy':
      return { client: { versionNegotiation: { mode: 'legacy' } }, connect: {}, decidedBy: 'configured' };
    case 'modern':
      // No pre-2026 version in the list: the probe has no legacy fallback.
      return { client: { versionNegotiation: { mode: 'auto', probe }, supportedProtocolVersions: [MODERN_PROTOCOL_VERSION] }, connect: {}, decidedBy: 'configured' };
    case 'auto':
      if (verdict?.era === 'modern') {
        // Discover again (that is the modern handshake, and it brings today's capabilities), but without a fallback.
        return { client: { versionNegotiation: { mode: { pin: verdict.version }, probe } }, connect: {}, decidedBy: 'remembered' };
      }
      if (verdict?.era === 'legacy' && now - verdict.decidedAt < LEGACY_VERDICT_MAX_AGE_MS) {
        return { client: { versionNegotiation: { mode: 'legacy' } }, connect: { prior: { kind: 'legacy' } }, decidedBy: 'remembered' };
      }
      return { client: { versionNegotiation: { mode: 'auto', probe } }, connect: {}, decidedBy: 'probe' };
    default:
      if (!hostProtocolVersions().includes(choice)) {
        throw new ProtocolChoiceError(`Protocol version ${choice} is not one MCP Host speaks (${hostProtocolVersions().join(', ')}).`);
      }
      return isModernVersion(choice)
        ? { client: { versionNegotiation: { mode: { pin: choice }, probe } }, connect: {}, decidedBy: 'configured' }
        : { client: { versionNegotiation: { mode: 'legacy' }, supportedProtocolVersions: [choice] }, connect: {}, decidedBy: 'configured' };
  }
}

/** Whether a connect failed in era negotiation (not in the transport, not for authorization). */
export function isEraNegotiationFailure(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed;
}

const ERA_DECIDED_BY: Record<NegotiationPlan['decidedBy'], string> = {
  probe: 'probed',
  remembered: 'remembered',
  configured: 'set by "protocol" in config',
  sseType: 'because "type": "sse" is the HTTP+SSE transport (2025 handshake only)',
  sseFallback: 'because the server speaks only HTTP+SSE (2025 handshake only)',
};

/** A connection's era and version in words, for the tooltip and the log. */
export function describeEra(era: ProtocolEra | undefined, version: string | undefined, decidedBy: NegotiationPlan['decidedBy'] | undefined): string {
  if (!version) return 'protocol ?';
  const how = decidedBy === undefined ? undefined : ERA_DECIDED_BY[decidedBy];
  return `protocol ${version} (${era === 'modern' ? 'modern' : 'legacy'}${how ? `, ${how}` : ''})`;
}
