import { JSONRPCMessageSchema } from '@modelcontextprotocol/core';
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type JSONRPCMessage, type ReadResourceResult, type Transport } from '@modelcontextprotocol/client';
import { AppBridge, type McpUiHostCapabilities, type McpUiHostContext, type McpUiMessageRequest, type McpUiUpdateModelContextRequest } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { IDisposable } from '../common/disposable';
import type { ToolCallGate } from '../consent/types';
import { toolVisibility } from './appMeta';

/**
 * The page an app runs in, as the session sees it: messages out to the app's frame and in from it.
 * Incoming messages are whatever the page posted — untrusted until validated here.
 */
export interface AppChannel {
  post(message: JSONRPCMessage): void;
  onMessage(listener: (message: unknown) => void): IDisposable;
}

/** Where `ui/message` and `ui/update-model-context` go: the chat conversation the app came from. */
export interface AppConversation {
  message(params: McpUiMessageRequest['params']): Promise<void>;
  updateModelContext(params: McpUiUpdateModelContextRequest['params']): Promise<void>;
}

/** A tool as the session needs it: name and `_meta`. */
interface ToolInfo {
  readonly name: string;
  readonly _meta?: Record<string, unknown> | undefined;
}

/** What an app session needs from the host. */
export interface AppSessionHost {
  /** The app's own server: the only one it can call tools on or read resources from. */
  readonly server: string;
  readonly gate: ToolCallGate;
  /** Whether the server is running (its tools can be called). */
  isRunning(server: string): boolean;
  /** The running server's tool of this name, found in O(1) (not by searching its list: a call would cost O(tools)). */
  tool(server: string, name: string): ToolInfo | undefined;
  /** Every server with a tool of this name, to explain a cross-server refusal. */
  serversWithTool(tool: string): readonly string[];
  readResource(uri: string, signal: AbortSignal): Promise<ReadResourceResult>;
  /** Asks the user (showing the full URL) and opens it; false when the user declined. */
  openLink(url: string): Promise<boolean>;
  /** The app's server's log. */
  log(level: 'debug' | 'info' | 'warning' | 'error', text: string): void;
  /** Absent when the app was opened outside chat (palette, sidebar). */
  readonly conversation?: AppConversation;
  /**
   * The app asked to send a chat message while it has no conversation: tell the user (the app is refused too, but
   * may show nothing: ext-apps' basic examples ignore the refusal, so their Send Message button did nothing visible).
   * Called once per app session.
   */
  messageRefused?(): void;
  readonly hostInfo: { readonly name: string; readonly version: string };
  readonly hostContext: McpUiHostContext;
}

/**
 * Why a request from an app was refused, returned to the app as a JSON-RPC error. (A function, not a subclass:
 * a class extending an SDK class at module level would load the SDK bundle on activation; esbuild.js says why.)
 */
export function appRefusal(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidRequest, message);
}

const TEARDOWN_MS = 3_000;

/**
 * A JSON-RPC transport over the app's page. Every incoming message is checked against the JSON-RPC message
 * schema before the bridge sees it (the bridge then checks each method's params against its own schema);
 * anything else is dropped and logged. The page cannot name a VS Code command: only this bridge reads it.
 */
class ChannelTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private subscription: IDisposable | undefined;

  constructor(
    private readonly channel: AppChannel,
    private readonly rejected: (why: string) => void,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.channel.onMessage(raw => {
      const parsed = JSONRPCMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.rejected(`dropped a message from the app that is not JSON-RPC: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      this.onmessage?.(parsed.data as JSONRPCMessage);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.channel.post(message);
  }

  async close(): Promise<void> {
    this.subscription?.dispose();
    this.subscription = undefined;
    this.onclose?.();
  }
}

/**
 * One app instance: the host side of the MCP Apps bridge (`AppBridge` from `@modelcontextprotocol/ext-apps`,
 * with no MCP client of its own, so nothing is forwarded without passing through the handlers below).
 * Tool calls go through the one consent gate with origin "app", only to app-visible tools of the app's own
 * server; resource reads only on that server; links only after the user saw and accepted the URL.
 */
export class AppSession implements IDisposable {
  readonly bridge: AppBridge;
  private readonly transport: ChannelTransport;
  private initialized = false;
  private readonly pending: Array<() => Promise<void>> = [];
  private readonly aborts = new Set<AbortController>();
  private disposed = false;
  /** The user was told that a `ui/message` had no chat to go to (once per session). */
  private toldRefusal = false;
  /** Resolves once the app sent `ui/notifications/initialized`. */
  readonly ready: Promise<void>;

  constructor(
    private readonly host: AppSessionHost,
    channel: AppChannel,
  ) {
    const capabilities: McpUiHostCapabilities = {
      openLinks: {},
      serverTools: {},
      serverResources: {},
      logging: {},
      ...(host.conversation ? { message: { text: {} }, updateModelContext: { text: {} } } : {}),
    };
    this.bridge = new AppBridge(null, { ...host.hostInfo }, capabilities, { hostContext: host.hostContext });
    this.transport = new ChannelTransport(channel, why => host.log('warning', `App: ${why}`));
    let markReady!: () => void;
    this.ready = new Promise(resolve => (markReady = resolve));
    this.bridge.oninitialized = () => {
      this.initialized = true;
      markReady();
      for (const send of this.pending.splice(0)) void send().catch(err => this.host.log('warning', `App: could not send to the app: ${String(err)}`));
    };
    this.bridge.oncalltool = (params, extra) => this.forwardToolCall(params.name, params.arguments ?? {}, extra.mcpReq.signal);
    this.bridge.onreadresource = (params, extra) => this.withAbort(extra.mcpReq.signal, signal => host.readResource(params.uri, signal));
    this.bridge.onopenlink = async params => ((await host.openLink(params.url)) ? {} : { isError: true });
    this.bridge.onmessage = async params => {
      if (!host.conversation) {
        if (!this.toldRefusal) host.messageRefused?.();
        this.toldRefusal = true;
        throw appRefusal('This app was opened outside chat (from the Command Palette or the sidebar), so there is no conversation to send a message to.');
      }
      await host.conversation.message(params);
      return {};
    };
    this.bridge.onupdatemodelcontext = async params => {
      if (!host.conversation) throw appRefusal('This app was opened outside chat, so there is no model context to update.');
      await host.conversation.updateModelContext(params);
      return {};
    };
    this.bridge.onloggingmessage = params => {
      const level = params.level === 'debug' ? 'debug' : params.level === 'info' || params.level === 'notice' ? 'info' : params.level === 'warning' ? 'warning' : 'error';
      const data = typeof params.data === 'string' ? params.data : JSON.stringify(params.data);
      host.log(level, `App${params.logger ? ` (${params.logger})` : ''}: ${data}`);
    };
    this.bridge.onrequestdisplaymode = async () => ({ mode: 'inline' });
  }

  start(): Promise<void> {
    return this.bridge.connect(this.transport);
  }

  /** Sends once the app is initialized (immediately if it already is). */
  private whenReady(send: () => Promise<void>): void {
    if (this.disposed) return;
    if (this.initialized) void send().catch(err => this.host.log('warning', `App: could not send to the app: ${String(err)}`));
    else this.pending.push(send);
  }

  sendToolInput(args: Record<string, unknown>): void {
    this.whenReady(() => this.bridge.sendToolInput({ arguments: args }));
  }

  sendToolResult(result: CallToolResult): void {
    this.whenReady(() => this.bridge.sendToolResult(result));
  }

  sendToolCancelled(reason: string): void {
    this.whenReady(() => this.bridge.sendToolCancelled({ reason }));
  }

  /**
   * Asks the app to tear down (`ui/resource-teardown`), waiting a bounded time for its answer; true when
   * it answered in time. An app that never initialized has nothing to tear down.
   */
  async teardown(timeoutMs = TEARDOWN_MS): Promise<boolean> {
    if (this.disposed || !this.initialized) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = this.bridge.teardownResource({}).then(
      () => true,
      () => false,
    );
    const late = new Promise<false>(resolve => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const abort of this.aborts) abort.abort();
    this.aborts.clear();
    this.pending.length = 0;
    void this.bridge.close().catch(() => undefined);
  }

  private async withAbort<T>(outer: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    outer.addEventListener('abort', onAbort);
    this.aborts.add(abort);
    try {
      return await run(abort.signal);
    } finally {
      outer.removeEventListener('abort', onAbort);
      this.aborts.delete(abort);
    }
  }

  private async forwardToolCall(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const { server } = this.host;
    if (!this.host.isRunning(server)) throw appRefusal(`Server '${server}' is not running.`);
    const tool = this.host.tool(server, name);
    if (!tool) {
      const elsewhere = this.host.serversWithTool(name).filter(s => s !== server);
      throw appRefusal(
        elsewhere.length
          ? `Refused: an app may only call tools of its own server ('${server}'); '${name}' belongs to another server.`
          : `Server '${server}' has no tool named '${name}'.`,
      );
    }
    if (!toolVisibility(tool).app) throw appRefusal(`Refused: the tool '${name}' on '${server}' is not visible to apps.`);
    const result = await this.withAbort(signal, s =>
      this.host.gate.call({ server, tool: name, args, origin: 'app', signal: s }),
    );
    if (result.kind === 'completed') return result.outcome.result as CallToolResult;
    return { isError: true, content: [{ type: 'text', text: result.message }] };
  }
}
