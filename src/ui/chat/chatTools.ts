import * as vscode from 'vscode';
import type { CatalogTool } from '../../mcp/catalog';

const KEY = 'mcpHost.chat.disabled';

interface Stored {
  readonly servers: readonly string[];
  /** `server/tool` pairs, JSON-encoded so any name round-trips. */
  readonly tools: readonly string[];
}

/**
 * Which servers and tools chat offers to the model, per workspace. Everything is on until the user turns
 * a server or a tool off with /tools; the choice is kept in workspace state, never in a file a repository
 * could ship.
 */
export class ChatToolFilter {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly state: vscode.Memento) {}

  private read(): Stored {
    const s = this.state.get<Stored>(KEY);
    return { servers: Array.isArray(s?.servers) ? s.servers : [], tools: Array.isArray(s?.tools) ? s.tools : [] };
  }

  isServerEnabled(server: string): boolean {
    return !this.read().servers.includes(server);
  }

  isToolEnabled(server: string, tool: string): boolean {
    return this.isServerEnabled(server) && !this.read().tools.includes(JSON.stringify([server, tool]));
  }

  /** The catalog's tools that chat may offer. */
  enabled(tools: readonly CatalogTool[]): CatalogTool[] {
    const s = this.read();
    const servers = new Set(s.servers);
    const off = new Set(s.tools);
    return tools.filter(t => !servers.has(t.server) && !off.has(JSON.stringify([t.server, t.tool.name])));
  }

  async setServer(server: string, enabled: boolean): Promise<void> {
    const s = this.read();
    const servers = new Set(s.servers);
    if (enabled) servers.delete(server);
    else servers.add(server);
    await this.write({ servers: [...servers], tools: s.tools });
  }

  async setTool(server: string, tool: string, enabled: boolean): Promise<void> {
    const s = this.read();
    const tools = new Set(s.tools);
    const key = JSON.stringify([server, tool]);
    if (enabled) tools.delete(key);
    else tools.add(key);
    await this.write({ servers: s.servers, tools: [...tools] });
  }

  /** Replaces the whole choice: exactly `disabled` servers and tools are off. */
  async set(disabled: { servers: readonly string[]; tools: ReadonlyArray<readonly [string, string]> }): Promise<void> {
    await this.write({ servers: [...disabled.servers], tools: disabled.tools.map(t => JSON.stringify(t)) });
  }

  private async write(s: Stored): Promise<void> {
    await this.state.update(KEY, s.servers.length || s.tools.length ? s : undefined);
    this._onDidChange.fire();
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
