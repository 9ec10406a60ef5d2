import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitTracking } from '../../../src/common/gitTracking';

describe('common/gitTracking', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-host-git-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('tells tracked, not ignored, ignored and outside any repository apart, for files that do not exist yet too', async () => {
    assert.strictEqual(await gitTracking(path.join(dir, '.vscode', 'mcp.json')), 'noRepository');
    const repo = path.join(dir, 'repo');
    await fs.mkdir(path.join(repo, '.vscode'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    await fs.writeFile(path.join(repo, '.gitignore'), 'secret.json\n');
    await fs.writeFile(path.join(repo, '.vscode', 'mcp.json'), '{}');
    assert.strictEqual(await gitTracking(path.join(repo, '.vscode', 'mcp.json')), 'notIgnored');
    assert.strictEqual(await gitTracking(path.join(repo, 'new', 'deep', 'mcp.json')), 'notIgnored');
    assert.strictEqual(await gitTracking(path.join(repo, 'secret.json')), 'ignored');
    git('add', '.vscode/mcp.json');
    git('commit', '-q', '-m', 'x');
    assert.strictEqual(await gitTracking(path.join(repo, '.vscode', 'mcp.json')), 'tracked');
  });
});
