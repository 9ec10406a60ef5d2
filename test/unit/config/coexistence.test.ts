import * as assert from 'assert';
import { builtinAccess, coexistenceNotice, sharedServers, type HostServer } from '../../../src/config/coexistence';
import type { ConfigOrigin } from '../../../src/config/types';

const vscodeFile: ConfigOrigin = { kind: 'workspaceVscode', file: '/ws/.vscode/mcp.json', folder: '/ws', label: '.vscode/mcp.json' };
const rootFile: ConfigOrigin = { kind: 'workspaceClaude', file: '/ws/.mcp.json', folder: '/ws', label: '.mcp.json' };
const user: ConfigOrigin = { kind: 'userSettings', label: 'User Settings' };
const server = (name: string, origin: ConfigOrigin | undefined, running = true): HostServer => ({ name, origin, running });

describe("coexistence with VS Code's own MCP support", () => {
  it('reads chat.mcp.access as VS Code does: all by default, and an unknown value as all', () => {
    assert.strictEqual(builtinAccess({ access: undefined, readsRootConfig: undefined }), 'all');
    assert.strictEqual(builtinAccess({ access: 'none', readsRootConfig: undefined }), 'none');
    assert.strictEqual(builtinAccess({ access: 'registry', readsRootConfig: undefined }), 'registry');
    assert.strictEqual(builtinAccess({ access: 'bogus', readsRootConfig: undefined }), 'all');
    assert.strictEqual(builtinAccess({ access: false, readsRootConfig: undefined }), 'all');
  });

  it('shares the servers of .vscode/mcp.json, and of a root .mcp.json only when VS Code reads it', () => {
    const servers = [server('a', vscodeFile), server('b', rootFile), server('c', user), server('broken', undefined)];
    assert.deepStrictEqual(sharedServers({ access: 'all', readsRootConfig: false }, servers).map(s => s.name), ['a']);
    assert.deepStrictEqual(sharedServers({ access: undefined, readsRootConfig: true }, servers).map(s => s.name), ['a', 'b']);
    assert.deepStrictEqual(sharedServers({ access: 'none', readsRootConfig: true }, servers), []);
    assert.deepStrictEqual(sharedServers({ access: 'registry', readsRootConfig: true }, servers), []);
  });

  it('notices once, when MCP Host runs a shared server, naming the running ones in order', () => {
    const on = { access: 'all', readsRootConfig: false };
    const servers = [server('zeta', vscodeFile), server('alpha', vscodeFile), server('idle', vscodeFile, false), server('mine', user)];
    assert.deepStrictEqual(coexistenceNotice(on, servers, 4, false), { servers: ['alpha', 'zeta'], builtinTools: 4 });
    assert.strictEqual(coexistenceNotice(on, servers, 4, true), undefined, 'shown twice');
    assert.strictEqual(coexistenceNotice(on, [server('idle', vscodeFile, false), server('mine', user)], 0, false), undefined, 'nothing shared runs');
    assert.strictEqual(coexistenceNotice({ access: 'none', readsRootConfig: false }, servers, 0, false), undefined, 'built-in is off');
  });
});
