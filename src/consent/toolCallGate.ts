import { randomUUID } from 'crypto';
import type { Tool } from '@modelcontextprotocol/client';
import { knownToolDefinitionHash, toolDefinitionHashAsync, toolNameWarnings } from '../mcp/catalog';
import { claimPermitMinter, type ConsentPermit, type PermitHolder } from '../mcp/consentPermit';
import { toolVisibility } from '../apps/appMeta';
import { RequestCancelledError } from '../mcp/diagnosis';
import { mayRunAsTask, type ToolTaskStatus } from '../mcp/taskStatus';
import type { ToolCallOptions, ToolCallOutcome } from '../mcp/toolCall';
import { serverIdentity } from '../config/hash';
import type { ServerDefinition } from '../config/types';
import type { ConnectionState } from '../mcp/connectionState';
import type { ServerEntry } from '../mcp/registry';
import type { ApprovalStore } from './approvalStore';
import type { CallRecorder, ConsentRecord, HistoryEntry, RunningCall } from './callHistory';
import { argumentsText, fullArgumentsText, safeArguments, summarizeResult, type SafeArguments } from './callText';
import { approvedDefinition, ConsentSettings, decideConsent, type AllowReason } from './policy';
import type { GatedCallResult, ToolCallConfirmer, ToolCallGate, ToolCallRequest } from './types';
import { ambiguousToolMessage } from '../mcp/duplicates';

/** The gate claims the permit minter as its module loads: from then on, nothing else can mint a permit. */
const grant = claimPermitMinter();

/**
 * For tests that exercise `ServerConnection` itself, below the gate. Never used in src/: a unit test
 * (test/unit/consent/onlyGateCalls.test.ts) fails if it is.
 */
export function consentForTests(connection: PermitHolder, tool: string): ConsentPermit {
  return grant(connection, tool);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A running server's tool, found for a call. */
interface Found {
  readonly entry: ServerEntry;
  readonly definition: ServerDefinition;
  /** The state of this start of the server: a restart makes a new one. */
  readonly running: ConnectionState;
  readonly tool: Tool;
}

/** What the gate needs from the host: servers, approvals, the user's settings and a way to ask. */
export interface GateHost {
  readonly servers: { get(name: string): ServerEntry | undefined };
  readonly approvals: ApprovalStore;
  /** The consent settings from the user's own settings only. */
  settings(): ConsentSettings;
  /** The confirmer of calls that bring none: the modal dialog. */
  confirm: ToolCallConfirmer;
  readonly history?: CallRecorder;
}

/**
 * The one way a tool call reaches a server. It looks the tool up, decides by policy whether the user
 * must be asked, asks (one dialog at a time), remembers "session" and "always" answers, sends the
 * call, and records every call — denied, failed or not — in the history.
 */
export class ConsentGate implements ToolCallGate {
  /**
   * Each confirmer asks one question at a time; a call waiting behind another is decided again afterwards
   * (an approval for the session may have been given meanwhile). Separate confirmers (the modal dialog, a
   * chat response) do not wait for each other: an unanswered question in a chat never blocks the palette.
   */
  private readonly asking = new WeakMap<ToolCallConfirmer, Promise<unknown>>();

  constructor(private readonly host: GateHost) {}

  call(request: ToolCallRequest): Promise<GatedCallResult> {
    const { server, tool: toolName } = request;
    const entry = this.host.servers.get(server);
    const mask = entry ? (text: string) => entry.connection.mask(text) : unmasked;
    // What the history line needs from the start of the call; the line itself is built once, when the call ends.
    const call: CallStart = { id: callId(), time: isoNow(), safe: safeArguments(request.args, mask), title: undefined };

    const found = this.find(entry, server, toolName);
    if ('failed' in found) return Promise.resolve(this.finish(request, call, { kind: 'failed', message: found.failed }));
    const { tool } = found;
    const named = tool.title?.trim() || tool.annotations?.title?.trim();
    if (named && named !== toolName) call.title = named;
    const hidden = hiddenFrom(request.origin, tool);
    if (hidden) return Promise.resolve(this.finish(request, call, { kind: 'failed', message: hidden }));

    let deciding: ConsentRecord | Promise<ConsentRecord>;
    try {
      deciding = this.consent(request, found, call.safe);
    } catch (err) {
      return Promise.resolve(this.finish(request, call, { kind: 'failed', message: couldNotAsk(err) }));
    }
    // A standing approval is decided at once, in the same turn as `found`: no await (and turn of the microtask queue)
    // for a value already known, and no other code ran since, so the server, its start and the tool are the ones found.
    // The call then goes on as reactions, not an async function, whose suspended frame every call in flight would keep.
    return deciding instanceof Promise ? this.afterQuestion(request, call, found, mask, deciding) : this.send(request, call, found, deciding, mask);
  }

  /** A call whose consent needed a question (or a definition hashed in slices): anything could have changed meanwhile. */
  private async afterQuestion(request: ToolCallRequest, call: CallStart, found: Found, mask: (text: string) => string, deciding: Promise<ConsentRecord>): Promise<GatedCallResult> {
    const { server, tool: toolName } = request;
    const { tool } = found;
    let consent: ConsentRecord;
    try {
      consent = await deciding;
    } catch (err) {
      return this.finish(request, call, { kind: 'failed', message: couldNotAsk(err) });
    }
    // A question withdrawn because the caller cancelled (a stopped chat response) is a cancellation, not a denial.
    if (request.signal?.aborted) return this.finish(request, call, { kind: 'cancelled', message: 'Cancelled before the call was sent.' }, consent);
    if (consent.asked && consent.answer === 'deny') {
      return this.finish(request, call, { kind: 'denied', message: `Denied by user: '${tool.title ?? tool.name}' on server '${server}' was not called.` }, consent);
    }
    // The server may have stopped, restarted, been redefined or changed the tool while the dialog was open:
    // the call goes only to the very connection (and start) the user was asked about, and to the same definition.
    // The same tool object is the same definition (lists are replaced, never edited): no hashing then. Hashing
    // yields to the event loop (a huge definition takes slices), so it comes before the checks that must hold
    // when the call is sent.
    const latest = this.host.servers.get(server)?.connection.tool(toolName);
    if (latest && latest !== tool && (await toolDefinitionHashAsync(latest)) !== (await toolDefinitionHashAsync(tool))) {
      return this.finish(request, call, { kind: 'failed', message: changedWhileDeciding(toolName) }, consent);
    }
    const again = this.find(this.host.servers.get(server), server, toolName);
    if ('failed' in again) return this.finish(request, call, { kind: 'failed', message: again.failed }, consent);
    if (!sameConnection(found, again)) {
      return this.finish(request, call, { kind: 'failed', message: `Server '${server}' restarted or its definition changed while you were deciding; run the call again.` }, consent);
    }
    if (again.tool !== tool && again.tool !== latest) return this.finish(request, call, { kind: 'failed', message: changedWhileDeciding(toolName) }, consent);
    return this.send(request, call, again, consent, mask);
  }

  /** Sends a consented call to the server found (and checked again after any wait), and records it when it ends. */
  private send(request: ToolCallRequest, call: CallStart, still: Found, consent: ConsentRecord, mask: (text: string) => string): Promise<GatedCallResult> {
    // A cancellation before the call was sent (a standing approval: the caller's signal was aborted before it called).
    if (request.signal?.aborted) return Promise.resolve(this.finish(request, call, { kind: 'cancelled', message: 'Cancelled before the call was sent.' }, consent));
    if (consent.asked && consent.answer === 'deny') {
      return Promise.resolve(this.finish(request, call, { kind: 'denied', message: `Denied by user: '${still.tool.title ?? still.tool.name}' on server '${request.server}' was not called.` }, consent));
    }
    const toolName = request.tool;
    const started = Date.now();
    let taskId: string | undefined;
    let sent: Promise<ToolCallOutcome>;
    try {
      request.onStart?.();
      const options: Writable<ToolCallOptions> = {};
      // A call the server runs as a task can also be cancelled from the history, while it runs.
      if (mayRunAsTask(still.tool)) {
        options.onTask = (task: ToolTaskStatus, cancel: () => void): void => {
          taskId = task.taskId;
          // One permit, one call: the history row and every poll belong to the call the user consented to.
          const shown = task.statusMessage ? { ...task, statusMessage: mask(task.statusMessage) } : task;
          // The fields of its history line so far, as a row of the history view while it runs.
          this.host.history?.taskUpdated?.(Object.assign(lineStart(request, call), { task: shown, cancel }) as RunningCall);
          request.onTask?.(task);
        };
      }
      if (request.signal) options.signal = request.signal;
      if (request.onProgress) options.onProgress = request.onProgress;
      if (request.origin === 'app') options.byApp = true;
      sent = still.entry.connection.callTool(toolName, request.args, grant(still.entry.connection, toolName), options);
    } catch (err) {
      return Promise.resolve(this.failed(request, call, consent, started, taskId, mask, err));
    }
    return sent.then(
      outcome => {
        const durationMs = Date.now() - started;
        try {
          return this.finish(request, call, { kind: 'completed', outcome, durationMs }, consent, durationMs, taskId, mask);
        } catch (err) {
          // As before this was a reaction: a result the history could not take is a failed call, never a rejection.
          return this.failed(request, call, consent, started, taskId, mask, err);
        }
      },
      err => this.failed(request, call, consent, started, taskId, mask, err),
    );
  }

  /** A consented call that failed or was cancelled on its way or at the server. */
  private failed(request: ToolCallRequest, call: CallStart, consent: ConsentRecord, started: number, taskId: string | undefined, mask: (text: string) => string, err: unknown): GatedCallResult {
    const durationMs = Date.now() - started;
    if (err instanceof RequestCancelledError) return this.finish(request, call, { kind: 'cancelled', message: 'Cancelled.' }, consent, durationMs, taskId);
    return this.finish(request, call, { kind: 'failed', message: mask(err instanceof Error ? err.message : String(err)) }, consent, durationMs, taskId);
  }

  /**
   * Records the call in the history (queued in order, written off the call's path: CallHistory batches the writes)
   * and returns its result. The line is built by assignment in one object, not by spreading or copying: on Node 20
   * an object literal with a spread followed by more properties costs 1–5 µs, and these were most of the gate's
   * own CPU per call. `mask` is given for a completed call: its result's summary.
   */
  private finish(
    request: ToolCallRequest,
    call: CallStart,
    result: GatedCallResult,
    consent?: ConsentRecord,
    durationMs?: number,
    taskId?: string,
    mask?: (text: string) => string,
  ): GatedCallResult {
    const history = this.host.history;
    if (!history) return result;
    const entry = lineStart(request, call);
    entry.outcome = result.kind;
    const message = result.kind === 'completed' ? result.outcome.outputError : result.message;
    if (message !== undefined) entry.message = message;
    if (consent) entry.consent = consent;
    if (durationMs !== undefined) entry.durationMs = durationMs;
    if (result.kind === 'completed') {
      if (result.outcome.result.isError) entry.isError = true;
      entry.summary = summarizeResult(result.outcome.result, mask ?? unmasked);
    }
    if (taskId) entry.taskId = taskId;
    void history.record(entry, request.args, result);
    return result;
  }

  private find(entry: ServerEntry | undefined, server: string, toolName: string): Found | { failed: string } {
    if (!entry) return { failed: `No MCP server named '${server}' is configured.` };
    const state = entry.connection.state;
    if (entry.connection.isStopping) return { failed: `Server '${server}' is stopping or restarting; try again when it is running.` };
    if (state.kind === 'starting') return { failed: `Server '${server}' is still starting; try again when it is running.` };
    if (state.kind !== 'running' || !entry.definition) return { failed: `Server '${server}' is not running (${state.kind}). Start it and try again.` };
    if (entry.definition.disabledTools.includes(toolName)) return { failed: `Tool '${toolName}' is disabled for server '${server}' in its config.` };
    const tool = entry.connection.tool(toolName);
    if (!tool) return { failed: `Server '${server}' has no tool named '${toolName}'.` };
    // Never routed to the wrong one: which of two different tools a name reaches is the server's choice.
    if (entry.connection.isAmbiguousTool(toolName)) return { failed: ambiguousToolMessage(server, toolName) };
    return { entry, definition: entry.definition, running: state, tool };
  }

  /**
   * Decides, asking the user if the policy says so, and remembers a "session" or "always" answer. A call the
   * policy allows goes at once, not behind a question open for another call: only calls that must ask take
   * turns, and each is decided again at its turn (an approval may have been given meanwhile).
   */
  private consent(request: ToolCallRequest, found: Found, args: SafeArguments): ConsentRecord | Promise<ConsentRecord> {
    const known = knownToolDefinitionHash(found.tool);
    // Hashed in slices the first time: a huge definition (hundreds of KB of schemas) would freeze the window for its first call.
    return known !== undefined ? this.decide(request, found, args, known) : toolDefinitionHashAsync(found.tool).then(hash => this.decide(request, found, args, hash));
  }

  private decide(request: ToolCallRequest, { entry, definition, tool }: Found, args: SafeArguments, definitionHash: string): ConsentRecord | Promise<ConsentRecord> {
    const origin = definition.origin;
    const question = { server: entry.name, serverOrigin: origin.kind, serverOriginLabel: origin.label, serverIdentity: serverIdentity(definition), tool, definitionHash };
    const standing = decideConsent(question, this.host.settings(), this.host.approvals);
    if (standing.kind === 'allow') return ALLOWED[standing.reason];
    const confirm = request.confirm ?? this.host.confirm;
    const turn = (this.asking.get(confirm) ?? Promise.resolve()).then(async (): Promise<ConsentRecord> => {
      const decision = decideConsent(question, this.host.settings(), this.host.approvals);
      if (decision.kind === 'allow') return ALLOWED[decision.reason];
      const { annotations = {} } = tool;
      const shown = argumentsText(args);
      const answer = await confirm({
        server: entry.name,
        serverOrigin: origin.label,
        tool: tool.name,
        ...(tool.title !== undefined ? { title: tool.title } : {}),
        ...(tool.description !== undefined ? { description: entry.connection.mask(tool.description) } : {}),
        annotations: {
          ...(annotations.readOnlyHint !== undefined ? { readOnlyHint: annotations.readOnlyHint } : {}),
          ...(annotations.destructiveHint !== undefined ? { destructiveHint: annotations.destructiveHint } : {}),
          ...(annotations.idempotentHint !== undefined ? { idempotentHint: annotations.idempotentHint } : {}),
          ...(annotations.openWorldHint !== undefined ? { openWorldHint: annotations.openWorldHint } : {}),
        },
        // Made only for the dialog: a call with a standing approval never shows its arguments.
        argumentsText: shown,
        ...fullIfCut(shown, fullArgumentsText(request.args, text => entry.connection.mask(text))),
        origin: request.origin,
        ...(request.savedCall !== undefined ? { savedCall: request.savedCall } : {}),
        ...(decision.changedSince ? { changedSince: { approvedAt: decision.changedSince.approvedAt, changes: decision.changedSince.changes, ...(decision.changedSince.serverRedefined ? { serverRedefined: true as const } : {}) } } : {}),
        warnings: toolNameWarnings(tool),
      });
      if (answer === 'session' || answer === 'always') {
        await this.host.approvals.add({
          server: entry.name,
          tool: tool.name,
          serverIdentity: question.serverIdentity,
          serverOrigin: origin.kind,
          serverOriginLabel: origin.label,
          scope: answer,
          definitionHash: question.definitionHash,
          definition: approvedDefinition(tool),
          approvedAt: Date.now(),
        });
      }
      return { asked: true, answer };
    });
    this.asking.set(confirm, turn.catch(() => undefined));
    return turn;
  }
}

/** The consent record of a call allowed without a question, one per reason (frozen: entries share it). */
const ALLOWED: { readonly [R in AllowReason]: ConsentRecord } = {
  trustedServer: Object.freeze({ asked: false, reason: 'trustedServer' }),
  readOnly: Object.freeze({ asked: false, reason: 'readOnly' }),
  approvedForSession: Object.freeze({ asked: false, reason: 'approvedForSession' }),
  approvedInWorkspace: Object.freeze({ asked: false, reason: 'approvedInWorkspace' }),
};

/** What the history line of a call needs from its start. */
interface CallStart {
  readonly id: string;
  readonly time: string;
  /** The arguments as the history keeps them (masked, cut). */
  readonly safe: SafeArguments;
  /** The tool's title, once it is found: the history shows it as the pick and the dialogs do. */
  title: string | undefined;
}

/**
 * The fields a call's history line has from its start (a running task's row shows them too), in the line's order,
 * built by assignment (see `finish`).
 */
function lineStart(request: ToolCallRequest, call: CallStart): Writable<HistoryEntry> {
  const line = { id: call.id, time: call.time, server: request.server, tool: request.tool, origin: request.origin } as Writable<HistoryEntry>;
  if (request.savedCall !== undefined) line.savedCall = request.savedCall;
  line.args = call.safe.value;
  line.argsExact = call.safe.exact;
  if (call.title) line.title = call.title;
  return line;
}

const unmasked = (text: string): string => text;

function couldNotAsk(err: unknown): string {
  return `Could not ask for consent: ${err instanceof Error ? err.message : String(err)}`;
}

function changedWhileDeciding(toolName: string): string {
  return `The server changed '${toolName}' while you were deciding; run it again to review the new definition.`;
}

let idHead = '';
let idCount = 0;
/** The id's text up to its last two hex digits, for the current 256 calls. */
let idPrefix = '';
/** 2^48: the 12 hex digits of a UUID's last group. */
const ID_COUNTS = 0x1000000000000;
/** '00' … 'ff'. */
const HEX2 = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

/**
 * A unique id per call, in a UUID's shape: the first four groups of a random UUID drawn once per window (74 random
 * bits) and a counter as the last group. `randomUUID()` per call cost 0.33 µs and ~600 bytes of strings (its 16
 * bytes formatted piece by piece), with 50 calls in flight more than the history line's own time and date. The
 * counter's hex digits but the last two are formatted once per 256 calls (a number's `toString(16)` is a runtime
 * call, ~0.2 µs).
 */
export function callId(): string {
  if (idCount === 0 || idCount >= ID_COUNTS) {
    idHead = randomUUID().slice(0, 24);
    idCount = 0;
  }
  const n = idCount++;
  const low = n % 256;
  if (low === 0) idPrefix = idHead + (Math.floor(n / 256) + ID_COUNTS / 256).toString(16).slice(1);
  return idPrefix + HEX2[low]!;
}

let isoMs = NaN;
let isoText = '';

/** The time as ISO 8601, formatted once per millisecond: calls in flight together mostly start in the same one (0.5 µs each). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** Whether a call found again after the dialog reaches the same server, connection and start as before it. */
function sameConnection(before: Found, after: Found): boolean {
  return (
    after.entry.connection === before.entry.connection &&
    after.running === before.running &&
    (after.definition === before.definition || serverIdentity(after.definition) === serverIdentity(before.definition))
  );
}

/**
 * MCP Apps visibility (`_meta.ui.visibility`): a tool only for its app is never run for a model, and one only
 * for the model is never run for an app. The palette, the sidebar and the history are the user's own hand.
 */
function hiddenFrom(origin: ToolCallRequest['origin'], tool: Tool): string | undefined {
  const visible = toolVisibility(tool);
  if ((origin === 'chat' || origin === 'languageModel') && !visible.model) return `The tool '${tool.name}' is only for its server's app; it is not offered to the model.`;
  if (origin === 'app' && !visible.app) return `Refused: the tool '${tool.name}' is not visible to apps.`;
  return undefined;
}

/** The whole arguments, when the dialog's text had to cut them. */
function fullIfCut(shown: string, full: string): { fullArgumentsText?: string } {
  return full === shown ? {} : { fullArgumentsText: full };
}
