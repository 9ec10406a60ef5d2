import * as assert from 'assert';
import { escapeBatchArgument, resolveWindowsCommand, windowsSpawnTarget } from '../../../src/mcp/transports/windowsCommand';

/** A fake Windows disk: the files that exist, compared case-insensitively as NTFS does. */
function disk(...files: string[]): (file: string) => boolean {
  const set = new Set(files.map(f => f.toLowerCase()));
  return file => set.has(file.toLowerCase());
}

const REPO = 'C:\\work\\repo';

describe('Windows command resolution (PATH + PATHEXT, never the working directory)', () => {
  it('finds npx as npx.cmd on PATH, not the repository\'s own npx.exe in the working directory', () => {
    const isFile = disk('C:\\nodejs\\npx.cmd', `${REPO}\\npx.exe`, `${REPO}\\npx.cmd`);
    const env = { PATH: 'C:\\Windows\\System32;C:\\nodejs', PATHEXT: '.COM;.EXE;.BAT;.CMD' };
    assert.strictEqual(resolveWindowsCommand('npx', { env, cwd: REPO, isFile }), 'C:\\nodejs\\npx.cmd');
    assert.strictEqual(resolveWindowsCommand('npx', { env: { PATH: 'C:\\Windows\\System32' }, cwd: REPO, isFile }), undefined);
  });

  it('skips empty, relative and drive-relative PATH entries, which would mean the working directory', () => {
    const isFile = disk(`${REPO}\\tool.exe`, `${REPO}\\bin\\tool.exe`, 'C:\\bin\\tool.exe', 'D:\\tools\\tool.exe');
    const env = { PATH: ';.;bin;.\\bin;\\bin;D:\\tools' };
    assert.strictEqual(resolveWindowsCommand('tool', { env, cwd: REPO, isFile }), 'D:\\tools\\tool.exe');
  });

  it('tries PATHEXT extensions in order, per directory in PATH order', () => {
    const isFile = disk('C:\\a\\node.cmd', 'C:\\a\\node.exe', 'C:\\b\\node.com');
    assert.strictEqual(resolveWindowsCommand('node', { env: { Path: 'C:\\a;C:\\b', PathExt: '.EXE;.CMD' }, isFile }), 'C:\\a\\node.exe');
    assert.strictEqual(resolveWindowsCommand('node', { env: { Path: 'C:\\a;C:\\b', PathExt: '.CMD;.EXE' }, isFile }), 'C:\\a\\node.cmd');
    // No PATHEXT: .COM;.EXE;.BAT;.CMD.
    assert.strictEqual(resolveWindowsCommand('node', { env: { PATH: 'C:\\b;C:\\a' }, isFile }), 'C:\\b\\node.com');
  });

  it('takes a name with a runnable extension as written, and never an extensionless file', () => {
    const isFile = disk('C:\\a\\node.exe', 'C:\\a\\script', 'C:\\a\\script.py');
    const env = { PATH: 'C:\\a', PATHEXT: '.EXE' };
    assert.strictEqual(resolveWindowsCommand('node.exe', { env, isFile }), 'C:\\a\\node.exe');
    assert.strictEqual(resolveWindowsCommand('script', { env, isFile }), undefined);
    assert.strictEqual(resolveWindowsCommand('script.py', { env, isFile }), undefined);
  });

  it('reads quoted PATH entries', () => {
    const isFile = disk('C:\\Program Files\\nodejs\\npx.cmd');
    assert.strictEqual(resolveWindowsCommand('npx', { env: { PATH: '"C:\\Program Files\\nodejs"' }, isFile }), 'C:\\Program Files\\nodejs\\npx.cmd');
  });

  it('resolves a command written with a path against the working directory, and an absolute one as is', () => {
    const isFile = disk(`${REPO}\\bin\\server.exe`, 'C:\\tools\\srv.cmd');
    assert.strictEqual(resolveWindowsCommand('.\\bin\\server', { env: {}, cwd: REPO, isFile }), `${REPO}\\bin\\server.exe`);
    assert.strictEqual(resolveWindowsCommand('bin/server.exe', { env: {}, cwd: REPO, isFile }), `${REPO}\\bin\\server.exe`);
    assert.strictEqual(resolveWindowsCommand('.\\bin\\server', { env: {}, isFile }), undefined);
    assert.strictEqual(resolveWindowsCommand('C:\\tools\\srv', { env: {}, cwd: REPO, isFile }), 'C:\\tools\\srv.cmd');
  });
});

describe('Windows spawn target', () => {
  it('spawns an .exe directly, with its arguments untouched', () => {
    assert.deepStrictEqual(windowsSpawnTarget('C:\\nodejs\\node.exe', ['a b', '%PATH%'], {}), {
      command: 'C:\\nodejs\\node.exe',
      args: ['a b', '%PATH%'],
      windowsVerbatimArguments: false,
    });
  });

  it('runs a batch file through ComSpec with every argument quoted and caret-escaped twice', () => {
    const target = windowsSpawnTarget('C:\\Program Files\\nodejs\\npx.cmd', ['-y', 'a b&calc', '%PATH%'], { ComSpec: 'C:\\Windows\\system32\\cmd.exe' });
    assert.strictEqual(target.command, 'C:\\Windows\\system32\\cmd.exe');
    assert.strictEqual(target.windowsVerbatimArguments, true);
    assert.deepStrictEqual(target.args.slice(0, 3), ['/d', '/s', '/c']);
    assert.strictEqual(target.args[3], '"C:\\Program^ Files\\nodejs\\npx.cmd ^^^"-y^^^" ^^^"a^^^ b^^^&calc^^^" ^^^"^^^%PATH^^^%^^^""');
  });

  it('falls back to SystemRoot\'s cmd.exe when ComSpec is missing or relative', () => {
    assert.strictEqual(windowsSpawnTarget('C:\\x.bat', [], { SystemRoot: 'D:\\Win', COMSPEC: 'cmd.exe' }).command, 'D:\\Win\\System32\\cmd.exe');
  });

  it('quotes arguments the way the C runtime splits them', () => {
    // Before caret escaping: "x\"y\\" — the backslash before the quote and the trailing one are doubled.
    assert.strictEqual(escapeBatchArgument('x"y\\'), '^^^"x\\^^^"y\\\\^^^"');
    assert.strictEqual(escapeBatchArgument(''), '^^^"^^^"');
  });

  it('refuses arguments with line breaks, which cmd.exe would cut the command line at', () => {
    assert.throws(() => escapeBatchArgument('a\r\ncalc'), /line break/);
  });
});
