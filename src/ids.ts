/**
 * Every id the manifest (package.json) and the code share, defined once. `test/unit/manifest.test.ts`
 * fails if the two disagree.
 */
export const EXTENSION_ID = 'mcp-host.mcp-host';

export const ViewContainers = {
  main: 'mcpHost',
} as const;

export const Views = {
  servers: 'mcpHost.servers',
  history: 'mcpHost.history',
} as const;

export const Commands = {
  openConfig: 'mcpHost.openConfig',
  openServerConfig: 'mcpHost.openServerConfig',
  startServer: 'mcpHost.startServer',
  stopServer: 'mcpHost.stopServer',
  restartServer: 'mcpHost.restartServer',
  signIn: 'mcpHost.signIn',
  signOut: 'mcpHost.signOut',
  showLog: 'mcpHost.showLog',
  resetServerTrust: 'mcpHost.resetServerTrust',
  clearInputs: 'mcpHost.clearInputs',
  importServers: 'mcpHost.importServers',
  rerunToolCall: 'mcpHost.rerunToolCall',
  openToolCall: 'mcpHost.openToolCall',
  cancelToolCall: 'mcpHost.cancelToolCall',
  clearHistory: 'mcpHost.clearHistory',
  manageToolApprovals: 'mcpHost.manageToolApprovals',
  runTool: 'mcpHost.runTool',
  runSavedCall: 'mcpHost.runSavedCall',
  editSavedCall: 'mcpHost.editSavedCall',
  deleteSavedCall: 'mcpHost.deleteSavedCall',
  saveToolCall: 'mcpHost.saveToolCall',
  closeApp: 'mcpHost.closeApp',
  usePrompt: 'mcpHost.usePrompt',
  readResource: 'mcpHost.readResource',
  addServer: 'mcpHost.addServer',
  showServers: 'mcpHost.showServers',
  loadMoreResources: 'mcpHost.loadMoreResources',
  loadAllResources: 'mcpHost.loadAllResources',
  openResource: 'mcpHost.openResource',
  openResourceTemplate: 'mcpHost.openResourceTemplate',
  saveResource: 'mcpHost.saveResource',
  openResultValue: 'mcpHost.openResultValue',
  runResultAgain: 'mcpHost.runResultAgain',
  saveResultCall: 'mcpHost.saveResultCall',
  chatAnswerConsent: 'mcpHost.chat.answerConsent',
  chatOpenResult: 'mcpHost.chat.openResult',
  chatSetEnabled: 'mcpHost.chat.setEnabled',
  chatChooseTools: 'mcpHost.chat.chooseTools',
  chooseSamplingModel: 'mcpHost.chooseSamplingModel',
  reviewBuiltinMcp: 'mcpHost.reviewBuiltinMcp',
  answerBuiltinMcp: 'mcpHost.answerBuiltinMcp',
} as const;

/** Chat participants contributed in package.json. */
export const ChatParticipants = {
  mcp: 'mcp-host.mcp',
} as const;

/** The slash commands of `@mcp`. */
export const ChatCommands = ['prompt', 'resource', 'servers', 'tools', 'call'] as const;

/** Keys under the `mcpHost` settings section. */
export const Settings = {
  section: 'mcpHost',
  servers: 'servers',
  inputs: 'inputs',
  consentAutoApproveReadOnly: 'consent.autoApproveReadOnly',
  consentTrustedServers: 'consent.trustedServers',
  chatConfirmation: 'chat.confirmation',
  chatMaxTools: 'chat.maxTools',
  chatMaxToolOutput: 'chat.maxToolOutput',
  chatMaxRounds: 'chat.maxRounds',
  callsMaxMinutes: 'calls.maxMinutes',
  codeLens: 'codeLens.enabled',
  samplingAllowedServers: 'sampling.allowedServers',
  samplingModel: 'sampling.model',
  formsEditor: 'forms.editor',
  remoteAllowPlainHttpHosts: 'remote.allowPlainHttpHosts',
  remoteSignInRedirect: 'remote.signInRedirect',
  remoteClientMetadataUrl: 'remote.clientMetadataUrl',
} as const;

/** Webview panel types; `when` clauses name them through `activeWebviewPanelId`. */
export const WebviewTypes = {
  app: 'mcpHost.app',
} as const;

/** Context keys set with `setContext` and used in `when` clauses. */
export const ContextKeys = {
  hasServers: 'mcpHost.hasServers',
  /** A config file has an error or a warning (in the Problems panel): the empty view then says so, not "no servers configured". */
  configProblems: 'mcpHost.configProblems',
} as const;

/** Commands registered only in the extension's Test mode (never contributed): test hooks acting on caller-supplied data. */
export const TestCommands = {
  showToolResult: 'mcpHost.showToolResult',
} as const;

/** VS Code's own command that opens the Workspace Trust editor: the way out of Restricted Mode. */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';
