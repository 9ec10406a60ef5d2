import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { consentForTests } from '../../../src/consent/toolCallGate';
import { claimPermitMinter, ConsentPermit } from '../../../src/mcp/consentPermit';
import type { ServerConnection } from '../../../src/mcp/serverConnection';
import { root } from '../servers';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

const SEND_SITE = 'src/mcp/toolCall.ts';
/** A call the server runs as a task is sent from here, reached only through the send site (checked below). */
const TASK_SEND_SITE = 'src/mcp/toolTask.ts';
const GATE = 'src/consent/toolCallGate.ts';
/** Consent modules that must run in plain Node (the dialog, settings reader and views are the vscode side). */

function hits(pattern: RegExp, allowed: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (allowed.includes(rel)) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => pattern.test(line) && found.push(`${rel}:${i + 1}: ${line.trim()}`));
  }
  return found;
}

describe('only the consent gate calls tools', () => {
  it('finds `.callTool(` and `tools/call` in src/ only where a call is sent and where it is gated', () => {
    const offenders = hits(/\.callTool\s*\(|['"`]tools\/call['"`]|CallToolRequestSchema/, [SEND_SITE, TASK_SEND_SITE, GATE]);
    assert.deepStrictEqual(offenders, [], `tool calls outside the consent gate:\n${offenders.join('\n')}`);
    const taskSenders = hits(/\brunToolTask\b/, [SEND_SITE, TASK_SEND_SITE]);
    assert.deepStrictEqual(taskSenders, [], `task calls sent from outside the send site:\n${taskSenders.join('\n')}`);
    // The scan would be vacuous if the two sanctioned places stopped matching.
    assert.match(fs.readFileSync(path.join(root, GATE), 'utf8'), /\.callTool\(/);
    assert.match(fs.readFileSync(path.join(root, SEND_SITE), 'utf8'), /\.callTool\(/);
  });

  it('never uses the test-only consent helper in src/', () => {
    const offenders = hits(/consentForTests/, [GATE]);
    assert.deepStrictEqual(offenders, [], offenders.join('\n'));
  });

  it('requires a consent permit the type system will not let anyone forge', () => {
    // Compile-time checks: `tsc -p test` fails if any of these lines stops being an error.
    const typeChecks = (conn: ServerConnection) => {
      // @ts-expect-error a call without consent does not compile
      void conn.callTool('echo', {});
      // @ts-expect-error nor does a look-alike object: the permit has private fields
      void conn.callTool('echo', {}, { server: 'x', tool: 'echo', redeem() {} });
      // @ts-expect-error and its constructor is private
      void new ConsentPermit(conn, 'echo');
    };
    assert.strictEqual(typeof typeChecks, 'function');
  });

  it('lets only the gate mint permits, at run time too: the minter is claimed once, by the gate', () => {
    assert.throws(() => claimPermitMinter(), /minted by the consent gate only/);
  });

  it('makes each permit good for one call of the tool on the connection it was given for', () => {
    const srv = { name: 'srv' };
    const permit = consentForTests(srv, 'echo');
    assert.throws(() => permit.redeem(srv, 'wipe'), /given for 'echo' on 'srv', not for 'wipe' on 'srv'/);
    assert.throws(() => permit.redeem({ name: 'other' }, 'echo'), /not for 'echo' on 'other'/);
    assert.throws(() => permit.redeem({ name: 'srv' }, 'echo'), /not for 'echo' on another connection of 'srv'/);
    permit.redeem(srv, 'echo');
    assert.throws(() => permit.redeem(srv, 'echo'), /already used/);
  });
});
