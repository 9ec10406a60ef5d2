import type { ShowToolResultArgs } from '../../commands/runTool';

const KEPT = 50;

/**
 * Full results of the tool calls made from chat, for the response's "Open Result" buttons: the model
 * may get a cut result, but the user can always see all of it. Kept in memory for the latest calls only
 * (button arguments travel through the renderer, so they carry an id, not the result).
 */
export class ChatResults {
  private readonly results = new Map<string, ShowToolResultArgs>();
  private next = 1;

  add(result: ShowToolResultArgs): string {
    const id = `r${this.next++}`;
    this.results.set(id, result);
    for (const old of this.results.keys()) {
      if (this.results.size <= KEPT) break;
      this.results.delete(old);
    }
    return id;
  }

  get(id: unknown): ShowToolResultArgs | undefined {
    return typeof id === 'string' ? this.results.get(id) : undefined;
  }
}
