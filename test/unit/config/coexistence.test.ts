import * as assert from 'assert';
import { builtinAccess, builtinCopies, builtinToolPrefixes, coexistenceNotice, openQuestion, sharedServers, type HostServer } from '../../../src/config/coexistence';
import type { ConfigOrigin } from '../../../src/config/types';

const vscodeFile: ConfigOrigin = { kind: 'workspaceVscode', file: '/ws/.vscode/mcp.json', folder: '/ws', label: '.vscode/mcp.json' };
const rootFile: ConfigOrigin = { kind: 'workspaceClaude', file: '/ws/.mcp.json', folder: '/ws', label: '.mcp.json' };
const user: ConfigOrigin = { kind: 'userSettings', label: 'User Settings' };
const server = (name: string, origin: ConfigOrigin | undefined, running = true): HostServer => ({ name, origin, running });

describe("coexistence with VS Code's own MCP support", () => {
  it('reads chat.mcp.access as VS Code does: all by default, and an unknown value as all', () => {
    assert.strictEqual(builtinAccess({ access: undefined }), 'all');
    assert.strictEqual(builtinAccess({ access: 'none' }), 'none');
    assert.strictEqual(builtinAccess({ access: 'registry' }), 'registry');
    assert.strictEqual(builtinAccess({ access: 'bogus' }), 'all');
    assert.strictEqual(builtinAccess({ access: false }), 'all');
  });

  it('shares the servers of .vscode/mcp.json and of a root .mcp.json (Code 1.139 reads it whatever chat.mcp.workspaceRootConfig.enabled says)', () => {
    const servers = [server('a', vscodeFile), server('b', rootFile), server('c', user), server('broken', undefined)];
    assert.deepStrictEqual(sharedServers({ access: 'all' }, servers).map(s => s.name), ['a', 'b']);
    assert.deepStrictEqual(sharedServers({ access: undefined }, servers).map(s => s.name), ['a', 'b']);
    assert.deepStrictEqual(sharedServers({ access: 'none' }, servers), []);
    assert.deepStrictEqual(sharedServers({ access: 'registry' }, servers), []);
  });

  it('notices once, when MCP Host runs a shared server, naming every shared server in order (VS Code can start those not running yet too)', () => {
    const on = { access: 'all' };
    const servers = [server('zeta', vscodeFile), server('alpha', vscodeFile, false), server('idle', rootFile, false), server('mine', user)];
    assert.deepStrictEqual(coexistenceNotice(on, servers, 4, false), { servers: ['alpha', 'idle', 'zeta'], builtinTools: 4 });
    assert.strictEqual(coexistenceNotice(on, servers, 4, true), undefined, 'shown twice');
    assert.strictEqual(coexistenceNotice(on, [server('idle', vscodeFile, false), server('mine', user)], 0, false), undefined, 'nothing shared runs');
    assert.strictEqual(coexistenceNotice({ access: 'none' }, servers, 0, false), undefined, 'built-in is off');
  });

  it('keeps the question open from when it is raised until it is answered, naming every shared server (its place in the status bar)', () => {
    const on = { access: 'all' };
    const servers = [server('zeta', vscodeFile, false), server('alpha', rootFile, false), server('mine', user)];
    assert.deepStrictEqual(openQuestion(on, servers, false, true), ['alpha', 'zeta'], 'stopped since it was raised: still open');
    assert.strictEqual(openQuestion(on, servers, false, false), undefined, 'not raised yet');
    assert.strictEqual(openQuestion(on, servers, true, true), undefined, 'answered');
    assert.strictEqual(openQuestion({ access: 'none' }, servers, false, true), undefined, 'turned off by hand');
    assert.strictEqual(openQuestion({ access: 'registry' }, servers, false, true), undefined, 'registry only');
    assert.strictEqual(openQuestion(on, [server('mine', user)], false, true), undefined, 'no shared server left');
  });

  it("names VS Code 1.139's chat tools of a server as its prefix generator does", () => {
    assert.deepStrictEqual(builtinToolPrefixes('Everything Reference Server', 3), ['mcp_everything_re_', 'mcp_everything_r2_', 'mcp_everything_r3_']);
    assert.deepStrictEqual(builtinToolPrefixes('shared', 2), ['mcp_shared_', 'mcp_shared2_']);
    assert.strictEqual(builtinToolPrefixes('GitHub  (work) ')[0], 'mcp_github_work__');
    assert.strictEqual(builtinToolPrefixes('mcp-servers/everything')[0], 'mcp_mcp-servers_e_');
    assert.strictEqual(builtinToolPrefixes('my.server')[0], 'mcp_my_server_');
    assert.strictEqual(builtinToolPrefixes('x', 12)[10], 'mcp_x11_');
  });

  it('finds the shared servers VS Code runs a copy of from the MCP tools it offers chat, by the name each gave in its handshake or its key', () => {
    const servers = [
      { ...server('everything', vscodeFile), names: ['Everything Reference Server', 'mcp-servers/everything'] },
      server('memory', rootFile, false),
      server('idle', vscodeFile),
      server('mine', user),
    ];
    const tools = ['mcp_everything_r2_echo', 'mcp_memory_read_graph', 'mcp_mine_x', 'mcp_idler_x', 'copilot_search'];
    assert.deepStrictEqual(builtinCopies({ access: 'all' }, servers, tools).map(s => s.name), ['everything', 'memory']);
    assert.deepStrictEqual(builtinCopies({ access: 'none' }, servers, tools), [], 'VS Code runs nothing when off');
    assert.deepStrictEqual(builtinCopies({ access: 'all' }, servers, []), []);
  });
});
