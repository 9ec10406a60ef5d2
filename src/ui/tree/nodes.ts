import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import type { SavedCall } from '../../forms/savedCalls';
import type { ServerEntry } from '../../mcp/registry';
import type { GroupKind } from './serversModel';

/**
 * The elements of the servers tree. Each node is created once and reused while what it shows exists, so
 * the provider can refresh one server's subtree, or one group, by firing that node.
 */
export type TreeNode = ServerNode | GroupNode | ToolNode | SavedCallNode | ResourceNode | ResourcePageNode | EarlierPagesNode | TemplateNode | PromptNode | LoadMoreNode | InfoNode;

/** A server in the tree: its name, where it came from, and its live state. */
export class ServerNode {
  readonly kind = 'server';
  private readonly groups = new Map<GroupKind, GroupNode>();
  /** Children reused across refreshes, by a key unique among this server's nodes. */
  readonly cache = new NodeCache();
  /** The pages loaded when the Resources group last listed its page folders (their cache keys hold it). */
  pagesShown = 0;

  constructor(public entry: ServerEntry) {}

  get name(): string {
    return this.entry.name;
  }

  get id(): string {
    return `server:${this.name}`;
  }

  group(kind: GroupKind): GroupNode {
    let node = this.groups.get(kind);
    if (!node) this.groups.set(kind, (node = new GroupNode(this, kind)));
    return node;
  }

  existingGroup(kind: GroupKind): GroupNode | undefined {
    return this.groups.get(kind);
  }

  /** The cached node under `key`, updated with `update`, or a new one. */
  reuse<T extends TreeNode>(key: string, create: () => T, update?: (node: T) => void): T {
    const existing = this.cache.get(key) as T | undefined;
    if (existing) {
      update?.(existing);
      return existing;
    }
    const node = create();
    this.cache.set(key, node);
    return node;
  }

  /** Forgets cached children whose keys start with `prefix` (a group's items after its list changed). */
  forget(prefix: string): void {
    this.cache.forget(prefix);
  }
}

/**
 * A server's reusable children by key, in one map per kind (the key up to and with its first `:`, as in
 * `resource:` or `resourcePage@3:`): forgetting the page folders when a page is added drops their kind (the
 * pages loaded are in it) without looking at every resource loaded so far.
 */
export class NodeCache {
  private readonly kinds = new Map<string, Map<string, TreeNode>>();
  /** How many keys `forget` has looked at one by one: what the test of its cost reads. */
  keysVisited = 0;

  get(key: string): TreeNode | undefined {
    return this.kinds.get(kindOf(key))?.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, node: TreeNode): void {
    const kind = kindOf(key);
    let nodes = this.kinds.get(kind);
    if (!nodes) this.kinds.set(kind, (nodes = new Map()));
    nodes.set(key, node);
  }

  clear(): void {
    this.kinds.clear();
  }

  /** Forgets the nodes whose keys start with `prefix`: whole kinds at once, and keys one by one only within the kind `prefix` names. */
  forget(prefix: string): void {
    for (const [kind, nodes] of this.kinds) {
      if (kind.startsWith(prefix)) this.kinds.delete(kind);
      else if (kind.endsWith(':') && prefix.startsWith(kind)) {
        for (const key of nodes.keys()) {
          this.keysVisited++;
          if (key.startsWith(prefix)) nodes.delete(key);
        }
      }
    }
  }
}

function kindOf(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon + 1);
}

export class GroupNode {
  readonly kind = 'group';
  constructor(readonly server: ServerNode, readonly group: GroupKind) {}
  get id(): string {
    return `${this.server.id}/${this.group}`;
  }
}

export class ToolNode {
  readonly kind = 'tool';
  constructor(readonly server: ServerNode, public tool: Tool) {}
  get id(): string {
    return `${this.server.id}/tools/${this.tool.name}`;
  }
}

/** A saved call, under the tool it calls: run, edit or delete it from here. */
export class SavedCallNode {
  readonly kind = 'savedCall';
  constructor(
    readonly tool: ToolNode,
    public call: SavedCall,
  ) {}
  get server(): ServerNode {
    return this.tool.server;
  }
  get id(): string {
    return `${this.tool.id}/saved/${this.call.scope}/${this.call.name}`;
  }
}

export class ResourceNode {
  readonly kind = 'resource';
  constructor(readonly server: ServerNode, public resource: Resource) {}
  get id(): string {
    return `${this.server.id}/resources/${this.resource.uri}`;
  }
}

export class TemplateNode {
  readonly kind = 'template';
  constructor(readonly server: ServerNode, public template: ResourceTemplate) {}
  get id(): string {
    return `${this.server.id}/templates/${this.template.uriTemplate}`;
  }
}

export class PromptNode {
  readonly kind = 'prompt';
  constructor(readonly server: ServerNode, public prompt: Prompt) {}
  get id(): string {
    return `${this.server.id}/prompts/${this.prompt.name}`;
  }
}

/**
 * A page of resources before the newest (the first, or one in the earlier pages' folder): a folder of
 * `items[start, end)`, so a "Load more…" page replaces the previous page's resources in the Resources group with
 * its own and one folder, instead of re-sending every resource loaded so far. `loaded` (the pages loaded when it
 * was made) is part of its id: each new page gives the folders new ids, so they show folded (cheap: VS Code asks
 * for no children of a folded node).
 */
export class ResourcePageNode {
  readonly kind = 'resourcePage';
  constructor(
    readonly server: ServerNode,
    readonly page: number,
    readonly start: number,
    readonly end: number,
    readonly loaded: number,
  ) {}
  get id(): string {
    return `${this.server.id}/resources/~page${this.page}@${this.loaded}`;
  }
}

/**
 * The pages between the first and the newest, `from` to `to` (indexes into the model's `pageStarts`), folded into
 * one folder of a folder per page: the Resources group then holds the same number of nodes at page 3 as at page
 * 100 (src/ui/tree/serversModel.ts `resourceLayout`). `loaded` is part of its id, as for a page folder.
 */
export class EarlierPagesNode {
  readonly kind = 'earlierPages';
  constructor(
    readonly server: ServerNode,
    readonly from: number,
    readonly to: number,
    readonly start: number,
    readonly end: number,
    readonly loaded: number,
  ) {}
  get id(): string {
    return `${this.server.id}/resources/~pages${this.from}-${this.to}@${this.loaded}`;
  }
}

/** The last nodes of a paged resource list: load the next page, or every page up to a cap. */
export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly server: ServerNode,
    readonly all = false,
  ) {}
  get id(): string {
    return `${this.server.id}/resources/~${this.all ? 'loadAll' : 'loadMore'}`;
  }
}

/** What an information node shows: a message, a hint, stderr, or an action such as "Show Log". */
export interface Info {
  readonly label: string;
  readonly description?: string;
  /** Untrusted server text shown in full in the tooltip, in a code block. */
  readonly detail?: string;
  readonly icon: 'account' | 'error' | 'warning' | 'lightbulb' | 'terminal' | 'output' | 'go-to-file' | 'debug-restart' | 'debug-start' | 'info' | 'clock' | 'refresh' | 'shield' | 'loading~spin';
  readonly command?: { readonly id: string; readonly title: string; readonly arguments: readonly unknown[] };
  /** Child lines (stderr), shown when the node is expanded. */
  readonly lines?: readonly string[];
}

export class InfoNode {
  readonly kind = 'info';
  constructor(readonly server: ServerNode, readonly key: string, public info: Info) {}
  get id(): string {
    return `${this.server.id}/info/${this.key}`;
  }
}
