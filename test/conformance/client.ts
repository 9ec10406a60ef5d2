// A command-line MCP client built on the host's core, for the official client conformance suite:
// `conformance client --command "node out/test/conformance/client.js"` starts a mock server per scenario and
// runs `client.js <serverUrl>` with the scenario name in MCP_CONFORMANCE_SCENARIO (and, for some auth
// scenarios, credentials in MCP_CONFORMANCE_CONTEXT). Everything goes through ServerConnection as the
// extension uses it; what is scenario-specific is only which tool to call and which credentials to hold.
// Logs go to stderr; exit 0 means the client did what the scenario asked and saw the answers it expected.
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/client';
import type { ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/client';
import { describeState } from '../../src/mcp/connectionState';
import { LOG_LEVELS, LogLevel, ServerLog } from '../../src/mcp/log';
import type { HostOAuthProvider } from '../../src/mcp/transports/signInTransport';
import { ServerConnection } from '../../src/mcp/serverConnection';
import { consentForTests } from '../../src/consent/toolCallGate';
import { AutoApprovingOAuthProvider } from './lib/autoApprovingOAuthProvider';

/** The client ID metadata document URL the suite's CIMD scenarios expect (it is never fetched). */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

interface ToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** What the result text must say, when the scenario's server answers something checkable. */
  readonly expect?: RegExp;
  /** An error of the SDK's that the scenario provokes and that is the right answer here (logged, not a failure). */
  readonly refused?: RegExp;
}

/**
 * What each scenario's server expects once the client is connected, as steps run in order; the calls of one step
 * run at once. `initialize` only connects. `listed` are the tools the server listed; `context` is
 * MCP_CONFORMANCE_CONTEXT, where some 0.2 scenarios name the calls themselves (`toolCalls`).
 */
function toolCallsFor(scenario: string, listed: readonly Tool[], context: ScenarioContext): ToolCall[][] {
  if (scenario === 'tools_call') return [[{ name: 'add_numbers', args: { a: 2, b: 3 }, expect: /\b5\b/ }]];
  if (scenario === 'elicitation-sep1034-client-defaults') return [[{ name: 'test_client_elicitation_defaults', args: {} }]];
  // The server closes the call's SSE stream early; the answer arrives only if the client reconnects.
  if (scenario === 'sse-retry') return [[{ name: 'test_reconnection', args: {}, expect: /completed successfully/ }]];
  // Every auth server protects one tool; calling it is what needs the (possibly stepped-up) token.
  if (scenario.startsWith('auth/')) return [[{ name: 'test-tool', args: {} }]];
  // Tools whose x-mcp-header declarations are invalid must not stop the valid one from being called.
  if (scenario === 'http-invalid-tool-headers') return [[{ name: 'valid_tool', args: { region: 'us-west1' } }]];
  // The server judges what survived of a 2020-12 inputSchema: the client hands back the schema it holds.
  if (scenario === 'json-schema-2020-12-preservation') {
    const schema = listed.find(t => t.name === 'json_schema_2020_12_tool')?.inputSchema;
    return [[{ name: 'json_schema_echo', args: { schema: schema ?? {} } }]];
  }
  // Multi-round requests: two at once (their requestState must not mix), one plain call between rounds, one
  // answer without resultType (complete by default).
  if (scenario === 'sep-2322-client-request-state') {
    const call = (name: string): ToolCall => ({ name, args: {} });
    // SDK 2.4.0 refuses a 2026-07-28 result without resultType (that revision's schema requires it; absent means
    // complete only for earlier revisions); the scenario's checks judge the requests, which the client still sends.
    const noResultType = { ...call('test_mrtr_no_result_type'), refused: /missing required resultType/ };
    return [[call('test_mrtr_echo_state'), call('test_mrtr_no_state')], [call('test_mrtr_unrelated')], [noResultType]];
  }
  return (context.toolCalls ?? []).map(c => [{ name: c.name, args: c.arguments ?? {} }]);
}

interface ScenarioContext {
  readonly [key: string]: unknown;
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly arguments?: Record<string, unknown> }>;
}

function stderrLog(level: LogLevel): ServerLog {
  const t0 = Date.now();
  const write = (l: LogLevel) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) >= LOG_LEVELS.indexOf(level)) process.stderr.write(`[+${Date.now() - t0}ms] [${l}] ${message}\n`);
  };
  return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), level };
}

/** The credentials a scenario's authorization server expects, or an interactive sign-in when it gives none. */
function authProviderFor(scenario: string, context: ScenarioContext, log: ServerLog): HostOAuthProvider {
  const required = (key: string): string => {
    const value = context[key];
    if (typeof value !== 'string' || !value) throw new Error(`MCP_CONFORMANCE_CONTEXT has no '${key}' for ${scenario}`);
    return value;
  };
  if (scenario === 'auth/client-credentials-basic') return new ClientCredentialsProvider({ clientId: required('client_id'), clientSecret: required('client_secret') });
  if (scenario === 'auth/client-credentials-jwt') {
    return new PrivateKeyJwtProvider({ clientId: required('client_id'), privateKey: required('private_key_pem'), algorithm: typeof context.signing_algorithm === 'string' ? context.signing_algorithm : 'ES256' });
  }
  const preRegistered = scenario === 'auth/pre-registration' ? { client_id: required('client_id'), client_secret: required('client_secret') } : undefined;
  return new AutoApprovingOAuthProvider(m => log.info(m), CLIENT_METADATA_URL, preRegistered);
}

/**
 * Answers a form the way a user does who submits it unchanged: with nothing filled in. The host advertises
 * `elicitation.form.applyDefaults`, so the schema's defaults must reach the server all the same.
 */
async function submitUnchanged(params: ElicitRequest['params'], log: ServerLog): Promise<ElicitResult> {
  log.info(`Elicitation: ${params.message}`);
  return params.mode === 'url' ? { action: 'decline' } : { action: 'accept', content: {} };
}

async function main(): Promise<number> {
  const serverUrl = process.argv[2];
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
  if (!serverUrl || !scenario) {
    process.stderr.write('usage: MCP_CONFORMANCE_SCENARIO=<scenario> node out/test/conformance/client.js <serverUrl>\n');
    return 2;
  }
  const level = (process.env.MCP_CONFORMANCE_LOG_LEVEL as LogLevel | undefined) ?? 'trace';
  const log = stderrLog(level);
  log.info(`Scenario ${scenario} against ${serverUrl}`);
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as ScenarioContext;
  // The harness gives a client 60 s; the OAuth scenarios sign in inside `initialize`, and on a loaded machine
  // (all scenarios run at once, their servers in one process) discovery alone has taken over 20 s.
  const connection = new ServerConnection({
    name: scenario,
    plan: async () => ({ launch: { type: 'http', url: serverUrl, headers: {} }, timeouts: { startupMs: 45_000, requestMs: 45_000 }, secrets: [] }),
    log,
    clientInfo: { name: 'mcp-host-conformance', version: '0.1.0' },
    handlers: { roots: () => [], elicitation: (_server, params) => submitUnchanged(params, log) },
    authProvider: authProviderFor(scenario, context, log),
  });
  try {
    await connection.start();
    const state = connection.state;
    if (state.kind !== 'running') throw new Error(`did not connect: ${describeState(state)}${state.kind === 'error' ? `: ${state.message}` : ''}`);
    for (const step of toolCallsFor(scenario, connection.tools, context)) {
      await Promise.all(step.map(async call => {
        if (!connection.tools.some(t => t.name === call.name)) throw new Error(`the server did not list '${call.name}' (listed: ${connection.tools.map(t => t.name).join(', ') || 'none'})`);
        // This CLI client sits below the extension's consent gate: the scenario itself is the consent.
        const outcome = await connection.callTool(call.name, call.args, consentForTests(connection, call.name)).catch((error: unknown) => {
          if (!call.refused?.test(error instanceof Error ? error.message : String(error))) throw error;
          log.info(`${call.name} refused as expected: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
        if (!outcome) return;
        const { result } = outcome;
        const text = result.content.map(c => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
        log.info(`${call.name} answered: ${text}`);
        if (result.isError) throw new Error(`${call.name} returned an error: ${text}`);
        if (call.expect && !call.expect.test(text)) throw new Error(`${call.name} answered ${JSON.stringify(text)}, expected ${call.expect}`);
      }));
    }
    log.info('Scenario done');
    return 0;
  } catch (error) {
    log.error(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connection.shutdown();
  }
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
