import type { ShowToolResultArgs } from '../../commands/runTool';
import { RecentTokens } from '../../common/recentTokens';

/**
 * Full results of the tool calls made from chat, for the response's "Open Result" buttons: the model
 * may get a cut result, but the user can always see all of it. Kept in memory for the latest 50 calls only
 * (button arguments travel through the renderer, so they carry an id, not the result).
 */
export class ChatResults extends RecentTokens<ShowToolResultArgs> {
  constructor() {
    super('r', 50);
  }
}
