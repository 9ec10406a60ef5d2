/**
 * The path a palette call takes, composed from the product's own parts in plain Node: the registry (one
 * server from a config snapshot), its catalog, the consent gate with a standing "session" approval (given
 * once through the gate's own dialog path, as a user would), the SDK connection, and the call history on
 * disk. Only the dialog (VS Code UI) is replaced: it answers "Allow for this session" once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { callControllers } from '../../src/common/abortPool';
import type { ServerDefinition } from '../../src/config/types';
import { ApprovalMemento, ApprovalStore } from '../../src/consent/approvalStore';
import { CallHistory } from '../../src/consent/callHistory';
import { DEFAULT_CONSENT_SETTINGS } from '../../src/consent/policy';
import { ConsentGate } from '../../src/consent/toolCallGate';
import type { GatedCallResult, ToolCallRequest } from '../../src/consent/types';
import type { CatalogTool } from '../../src/mcp/catalog';
import { nullLog } from '../../src/mcp/log';
import { ServerRegistry } from '../../src/mcp/registry';
import { ResultFiles } from '../../src/mcp/resultFiles';

class MapMemento implements ApprovalMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue: T): T {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

/**
 * What runTool gives a palette call besides its signal: where progress, a task's status and the start are reported
 * (closures made per call, as runTool's are). Following progress is work of its own: the request carries a progress
 * token, and a call that follows progress has a total time limit (`mcpHost.calls.maxMinutes`, 30 by default).
 */
export function palette(): Pick<ToolCallRequest, 'onProgress' | 'onTask' | 'onStart'> {
  return { onStart: () => undefined, onProgress: () => undefined, onTask: () => undefined };
}

export interface FullPath {
  readonly registry: ServerRegistry;
  readonly gate: ConsentGate;
  /** The same gate without a history: the "gate, no history" part. */
  readonly gateWithoutHistory: ConsentGate;
  readonly history: CallHistory;
  /** A call as the palette makes it: the picked catalog entry, the tool found by name as runTool finds it, then the gate. */
  call(qualifiedName: string, args: Record<string, unknown>): Promise<GatedCallResult>;
  /** How many times the dialog was shown (1: the first call; a standing approval afterwards). */
  readonly asked: () => number;
  close(): Promise<void>;
}

export async function fullPath(server: string, script: string, args: readonly string[], env: Record<string, string>): Promise<FullPath> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-host-bench-'));
  const registry = new ServerRegistry({
    createLog: () => Object.assign(Object.create(nullLog) as typeof nullLog, { dispose() {} }),
    plan: async def => {
      if (def.type !== 'stdio') throw new Error('stdio only');
      return { launch: { type: 'stdio', command: def.command, args: def.args, env: def.env }, timeouts: def.timeouts, secrets: [] };
    },
    mayStart: async defs => new Map(defs.map(d => [d.name, { allowed: true } as const])),
    handlers: { roots: () => [] },
    clientInfo: { name: 'bench', version: '0' },
    connectionDefaults: { grace: { stdinMs: 500, termMs: 500 }, resultFiles: new ResultFiles(path.join(dir, 'results')) },
  });
  const definition: ServerDefinition = {
    name: server,
    type: 'stdio',
    command: process.execPath,
    args: [script, ...args],
    env,
    origin: { kind: 'userSettings', label: 'User settings' },
    disabled: false,
    timeouts: { startupMs: 120_000, requestMs: 600_000 },
    disabledTools: [],
  };
  await registry.apply({ servers: [definition], problems: [] });
  const state = registry.stateOf(server);
  if (state?.kind !== 'running') {
    await registry.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`bench server did not start: ${JSON.stringify(state)}`);
  }

  const history = new CallHistory(path.join(dir, 'tool-calls.jsonl'));
  const approvals = new ApprovalStore(new MapMemento());
  let asked = 0;
  const host = {
    servers: registry,
    approvals,
    settings: () => DEFAULT_CONSENT_SETTINGS,
    confirm: async () => {
      asked++;
      return 'session' as const;
    },
  };
  const gate = new ConsentGate({ ...host, history });
  const gateWithoutHistory = new ConsentGate(host);
  const lookup = (qualifiedName: string): CatalogTool => {
    const found = registry.catalogTool(qualifiedName);
    if (!found) throw new Error(`no tool ${qualifiedName} in the catalog`);
    return found;
  };
  return {
    registry,
    gate,
    gateWithoutHistory,
    history,
    asked: () => asked,
    call: (qualifiedName, callArgs) => {
      const picked = lookup(qualifiedName);
      // The pick gives a server and a tool name, which the command finds among the running server's tools (runTool.ts).
      const tool = registry.runningTool(picked.server, picked.tool.name);
      if (!tool) throw new Error(`${picked.server} has no running tool ${picked.tool.name}`);
      // As from the palette: each call has its own cancellation (the progress notification's Cancel), from the palette's
      // pool, and follows progress (so the server may report it, and the call limit applies), as runTool's call does.
      return callControllers.run(abort => gate.call({ server: picked.server, tool: tool.name, args: callArgs, origin: 'palette', signal: abort.signal, ...palette() }));
    },
    close: async () => {
      await history.flush();
      await registry.shutdown();
      history.dispose();
      approvals.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
