import * as assert from 'assert';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { App } from '@modelcontextprotocol/ext-apps';
import { AppSession, type AppChannel, type AppConversation, type AppSessionHost } from '../../../src/apps/appSession';

/**
 * The host side of the bridge (AppSession over ext-apps' AppBridge) against ext-apps' real `App`, joined by
 * an in-memory channel in place of the webview's postMessage: what the app is sent, in which order, and how
 * teardown and refusals reach it.
 */
function pair(options: { conversation?: AppConversation; messageRefused?: () => void } = {}) {
  const toSession = new Set<(message: unknown) => void>();
  const logged: string[] = [];
  let appTransport: (Transport & { deliver(message: JSONRPCMessage): void }) | undefined;
  const channel: AppChannel = {
    post: message => queueMicrotask(() => appTransport?.deliver(message)),
    onMessage: listener => {
      toSession.add(listener);
      return { dispose: () => toSession.delete(listener) };
    },
  };
  const host: AppSessionHost = {
    server: 'app',
    gate: { call: () => Promise.reject(new Error('no tool calls in these tests')) },
    isRunning: () => true,
    tool: () => undefined,
    serversWithTool: () => [],
    readResource: () => Promise.reject(new Error('no reads in these tests')),
    openLink: async () => false,
    log: (level, text) => logged.push(`${level}: ${text}`),
    ...(options.conversation ? { conversation: options.conversation } : {}),
    ...(options.messageRefused ? { messageRefused: options.messageRefused } : {}),
    hostInfo: { name: 'MCP Host', version: 'test' },
    hostContext: { theme: 'dark', displayMode: 'inline' },
  };
  const session = new AppSession(host, channel);
  const transport: Transport & { deliver(message: JSONRPCMessage): void } = {
    async start() {},
    async send(message) {
      queueMicrotask(() => toSession.forEach(l => l(message)));
    },
    async close() {
      transport.onclose?.();
    },
    deliver: message => transport.onmessage?.(message),
  };
  appTransport = transport;
  const app = new App({ name: 'unit-app', version: '1.0.0' }, {}, { autoResize: false });
  const events: string[] = [];
  app.ontoolinput = params => events.push(`input ${JSON.stringify(params.arguments)}`);
  app.ontoolresult = result => events.push(`result ${JSON.stringify(result.content)}`);
  app.ontoolcancelled = params => events.push(`cancelled ${params.reason ?? ''}`);
  const send = (raw: unknown) => toSession.forEach(l => l(raw));
  return { session, app, transport, events, logged, send };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise(resolve => setTimeout(resolve, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
};

describe('an app session (AppBridge host side) with a real ext-apps App', () => {
  it('holds the input and the result until the app is initialized, then sends them in order', async () => {
    const { session, app, transport, events } = pair();
    await session.start();
    session.sendToolInput({ label: 'x' });
    session.sendToolResult({ content: [{ type: 'text', text: 'done' }] });
    assert.deepStrictEqual(events, []);
    await app.connect(transport);
    await session.ready;
    await until(() => events.length === 2, 'input and result');
    assert.deepStrictEqual(events, ['input {"label":"x"}', 'result [{"type":"text","text":"done"}]']);
    session.dispose();
  });

  it('tells the app its call was cancelled, after the input and with no result', async () => {
    const { session, app, transport, events } = pair();
    await session.start();
    await app.connect(transport);
    session.sendToolInput({});
    session.sendToolCancelled('Cancelled.');
    await until(() => events.length === 2, 'input and cancellation');
    assert.deepStrictEqual(events, ['input {}', 'cancelled Cancelled.']);
    session.dispose();
  });

  it('asks the app to tear down, and says whether it answered within the time allowed', async () => {
    const answering = pair();
    let tornDown = 0;
    answering.app.onteardown = async () => (tornDown++, {});
    await answering.session.start();
    await answering.app.connect(answering.transport);
    await answering.session.ready;
    assert.strictEqual(await answering.session.teardown(), true);
    assert.strictEqual(tornDown, 1);
    answering.session.dispose();

    const silent = pair();
    silent.app.onteardown = () => new Promise(() => undefined);
    await silent.session.start();
    await silent.app.connect(silent.transport);
    await silent.session.ready;
    const started = Date.now();
    assert.strictEqual(await silent.session.teardown(100), false);
    assert.ok(Date.now() - started < 2_000);
    silent.session.dispose();
    // An app that never initialized has nothing to tear down.
    const unborn = pair();
    await unborn.session.start();
    assert.strictEqual(await unborn.session.teardown(100), false);
    unborn.session.dispose();
  });

  it('refuses ui/message without a conversation, and hands it to the conversation when there is one', async () => {
    const alone = pair();
    await alone.session.start();
    await alone.app.connect(alone.transport);
    await assert.rejects(alone.app.sendMessage({ role: 'user', content: [{ type: 'text', text: 'hi' }] }), /opened outside chat/);
    alone.session.dispose();

    const messages: string[] = [];
    const contexts: unknown[] = [];
    const chat = pair({ conversation: { message: async p => void messages.push(JSON.stringify(p.content)), updateModelContext: async p => void contexts.push(p.structuredContent) } });
    await chat.session.start();
    await chat.app.connect(chat.transport);
    await chat.app.sendMessage({ role: 'user', content: [{ type: 'text', text: 'hi' }] });
    await chat.app.updateModelContext({ structuredContent: { count: 3 } });
    assert.deepStrictEqual(messages, ['[{"type":"text","text":"hi"}]']);
    assert.deepStrictEqual(contexts, [{ count: 3 }]);
    chat.session.dispose();
  });

  it('tells the user, once, when an app opened outside chat asks to send a chat message (walk16: the example apps show nothing)', async () => {
    let told = 0;
    const alone = pair({ messageRefused: () => void told++ });
    await alone.session.start();
    await alone.app.connect(alone.transport);
    for (let i = 0; i < 3; i++) await assert.rejects(alone.app.sendMessage({ role: 'user', content: [{ type: 'text', text: 'hi' }] }), /opened outside chat/);
    // Model context is set by apps as they change, not by a button the user pressed: the app is refused, the user not bothered.
    await assert.rejects(alone.app.updateModelContext({ structuredContent: { count: 3 } }), /opened outside chat/);
    assert.strictEqual(told, 1);
    alone.session.dispose();
  });

  it('drops a message from the page that is not JSON-RPC, and logs it', async () => {
    const { session, send, logged } = pair();
    await session.start();
    send({ method: 'tools/call', params: { name: 'x' } });
    send('not even an object');
    await until(() => logged.length === 2, 'two log lines');
    assert.ok(logged.every(l => /^warning: App: dropped a message from the app that is not JSON-RPC/.test(l)), logged.join('\n'));
    session.dispose();
  });
});
