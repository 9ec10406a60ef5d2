import type * as vscode from 'vscode';
import type { DisposableStore } from '../../common/disposable';
import type { McpHost } from '../../workspace/mcpHost';
import type { ResourceDocuments } from '../resources/resourceCommands';
import type { AppPanels } from '../apps/appPanels';
import { ChatApps } from './chatApps';
import { ChatResults } from './chatResults';
import { readChatSettings, type ChatDialogs, type ChatServices } from './chatServices';
import { ChatToolFilter } from './chatTools';
import { InlineConsents } from './inlineConsent';
import { registerChatParticipant } from './participant';
import { registerChatToolCommands } from './serversCommand';
import { ChatTranscripts } from './transcript';
import type { BuiltinMcpCoexistence } from '../../workspace/builtinMcp';

/** `@mcp` and the commands behind its buttons. `record` keeps what responses show (Test mode only). */
export function registerChat(store: DisposableStore, context: vscode.ExtensionContext, host: McpHost, resources: ResourceDocuments, dialogs: () => ChatDialogs, record: boolean, apps: AppPanels, builtinMcp: BuiltinMcpCoexistence): ChatServices {
  const services: ChatServices = {
    host,
    resources,
    filter: store.add(new ChatToolFilter(context.workspaceState)),
    consents: new InlineConsents(),
    results: new ChatResults(),
    transcripts: store.add(new ChatTranscripts(record)),
    apps: new ChatApps(apps, host),
    builtinMcp,
    dialogs,
    settings: readChatSettings,
  };
  registerChatParticipant(store, services, context.extensionUri);
  registerChatToolCommands(store, services);
  return services;
}
