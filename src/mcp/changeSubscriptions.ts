import type { Client, McpSubscription, ServerCapabilities, SubscriptionFilter } from '@modelcontextprotocol/client';
import type { ListKind } from './serverLists';
import type { ServerLog } from './log';

export interface ChangeSubscriptionsContext {
  readonly client: Client;
  readonly capabilities: ServerCapabilities;
  readonly modern: boolean;
  readonly log: ServerLog;
  readonly requestMs: number;
  /**
   * A `subscriptions/listen` stream came back after it dropped: changes may have been missed, so lists and
   * watched resources should be read again.
   */
  readonly onResumed: () => void;
}

/** Re-opening a dropped stream waits this long, doubling up to the maximum. */
const RELISTEN_FIRST_MS = 500;
const RELISTEN_MAX_MS = 30_000;

/**
 * How one running server tells the host about changes, in either era, behind one interface:
 * - 2025-11-25: list changes arrive unsolicited; each watched resource gets `resources/subscribe` (and
 *   `resources/unsubscribe` when nobody watches it any more);
 * - 2026-07-28: one `subscriptions/listen` stream carries every list change the server advertises and the
 *   updates of the watched resources. A change in the watched set opens a stream with the new filter before
 *   the old one is closed (no update falls between them); a stream that drops is opened again with backoff,
 *   and the host then reads again what it may have missed.
 * Either way the notifications reach the client's notification handlers, so the rest of the host does not
 * know which era it is talking to.
 */
export class ChangeSubscriptions {
  private readonly subscribed = new Set<string>();
  private wanted: ReadonlySet<string> = new Set();
  private stream: McpSubscription | undefined;
  /** Serialises stream (re)openings so filters apply in order. */
  private streamWork: Promise<void> = Promise.resolve();
  private restreamPending = false;
  private relistenDelay = RELISTEN_FIRST_MS;
  private relistenTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private honored: SubscriptionFilter = {};

  constructor(private readonly ctx: ChangeSubscriptionsContext) {}

  /** Whether the server pushes changes of this list on this connection. */
  announces(kind: ListKind): boolean {
    const caps = this.ctx.capabilities;
    if (!this.ctx.modern) return kind === 'tools' ? !!caps.tools?.listChanged : kind === 'prompts' ? !!caps.prompts?.listChanged : !!caps.resources?.listChanged;
    return kind === 'tools' ? !!this.honored.toolsListChanged : kind === 'prompts' ? !!this.honored.promptsListChanged : !!this.honored.resourcesListChanged;
  }

  /** Whether the server can tell the host that a resource changed. */
  get canWatchResources(): boolean {
    return !!this.ctx.capabilities.resources?.subscribe;
  }

  /** Starts listening (modern era) and watches `uris`; resolves once the server acknowledged. */
  async start(uris: ReadonlySet<string>): Promise<void> {
    this.wanted = new Set(uris);
    if (this.ctx.modern) await this.restream();
    else await Promise.all([...this.wanted].map(uri => this.subscribeLegacy(uri)));
  }

  /** Watches exactly these resources from now on. */
  watch(uris: ReadonlySet<string>): void {
    this.wanted = new Set(uris);
    if (this.disposed || !this.canWatchResources) return;
    if (this.ctx.modern) {
      void this.restream();
      return;
    }
    for (const uri of this.wanted) if (!this.subscribed.has(uri)) void this.subscribeLegacy(uri);
    for (const uri of [...this.subscribed]) {
      if (this.wanted.has(uri)) continue;
      this.subscribed.delete(uri);
      this.ctx.client.unsubscribeResource({ uri }, { timeout: this.ctx.requestMs }).catch(() => {});
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    const stream = this.stream;
    this.stream = undefined;
    void stream?.close();
  }

  private async subscribeLegacy(uri: string): Promise<void> {
    if (!this.canWatchResources || this.subscribed.has(uri)) return;
    this.subscribed.add(uri);
    await this.ctx.client.subscribeResource({ uri }, { timeout: this.ctx.requestMs }).catch(err => {
      this.subscribed.delete(uri);
      this.ctx.log.warn(`resources/subscribe ${uri}: ${err.message}`);
    });
  }

  private filter(): SubscriptionFilter {
    const caps = this.ctx.capabilities;
    return {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(caps.resources?.subscribe && this.wanted.size > 0 ? { resourceSubscriptions: [...this.wanted] } : {}),
    };
  }

  /** Opens a stream with the current filter, then closes the previous one. Calls made meanwhile coalesce into one more. */
  private restream(): Promise<void> {
    if (this.restreamPending) return this.streamWork;
    this.restreamPending = true;
    this.streamWork = this.streamWork.then(async () => {
      this.restreamPending = false;
      if (this.disposed) return;
      const filter = this.filter();
      const previous = this.stream;
      this.stream = undefined;
      if (Object.keys(filter).length > 0) {
        try {
          const stream = await this.ctx.client.listen(filter, { timeout: this.ctx.requestMs });
          if (this.disposed) {
            void stream.close();
            return;
          }
          this.stream = stream;
          this.honored = stream.honoredFilter;
          this.relistenDelay = RELISTEN_FIRST_MS;
          const refused = (filter.resourceSubscriptions ?? []).filter(uri => !stream.honoredFilter.resourceSubscriptions?.includes(uri));
          if (refused.length) this.ctx.log.warn(`subscriptions/listen: the server will not report changes of ${refused.join(', ')}`);
          void stream.closed.then(reason => this.onClosed(stream, reason));
        } catch (err) {
          if (!this.disposed) {
            this.ctx.log.warn(`subscriptions/listen failed: ${(err as Error).message}`);
            this.scheduleRelisten();
          }
        }
      } else {
        this.honored = {};
      }
      await previous?.close();
    });
    return this.streamWork;
  }

  private onClosed(stream: McpSubscription, reason: 'local' | 'graceful' | 'remote'): void {
    if (this.disposed || stream !== this.stream || reason === 'local') return;
    this.stream = undefined;
    if (reason === 'graceful') {
      this.ctx.log.info('The server ended its subscriptions/listen stream; changes are no longer reported.');
      return;
    }
    this.ctx.log.warn('The subscriptions/listen stream dropped; opening it again.');
    this.scheduleRelisten();
  }

  private scheduleRelisten(): void {
    if (this.disposed || this.relistenTimer) return;
    const delay = this.relistenDelay;
    this.relistenDelay = Math.min(this.relistenDelay * 2, RELISTEN_MAX_MS);
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = undefined;
      void this.restream().then(() => {
        if (this.stream && !this.disposed) this.ctx.onResumed();
      });
    }, delay);
    this.relistenTimer.unref?.();
  }
}
