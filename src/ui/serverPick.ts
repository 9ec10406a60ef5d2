import { inertLine, safe, type SafeText } from '../common/untrustedText';
import type { ServerEntry } from '../mcp/registry';
import { serverDescription, stateIconOf } from './tree/treeText';
import * as ui from './window';

/** A pick among servers, each with its state icon, what it is doing and where it is defined; undefined when dismissed. */
export async function pickServer(entries: readonly ServerEntry[], options: { readonly title?: SafeText; readonly placeHolder: SafeText }): Promise<ServerEntry | undefined> {
  const picked = await ui.showQuickPick(
    entries.map(e => ({
      label: safe`$(${stateIconOf(e.connection.state).id}) ${e.name}`,
      description: inertLine(serverDescription(e)),
      detail: inertLine(e.definition?.origin.label ?? 'invalid entry'),
      entry: e,
    })),
    { ...(options.title ? { title: options.title } : {}), placeHolder: options.placeHolder },
  );
  return picked?.entry;
}
