import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MAX_CALL_SETTING } from '../../src/mcp/diagnosis';
import { ChatCommands, ChatParticipants, Commands, ContextKeys, EXTENSION_ID, Settings, ViewContainers, Views, WebviewTypes } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json and src/ids.ts agree', () => {
  it('has the extension id the code uses', () => {
    assert.strictEqual(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
  });

  it('contributes exactly the commands the code defines', () => {
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepStrictEqual(contributed, Object.values(Commands).sort());
  });

  it('contributes the chat participant and exactly the slash commands the code handles', () => {
    const participants = manifest.contributes.chatParticipants as Array<{ id: string; name: string; commands: Array<{ name: string }> }>;
    assert.deepStrictEqual(participants.map(p => p.id), Object.values(ChatParticipants));
    assert.deepStrictEqual(participants[0]!.commands.map(c => c.name).sort(), [...ChatCommands].sort());
  });

  it('contributes the view container and views the code uses', () => {
    const containers = manifest.contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id);
    assert.deepStrictEqual(containers, Object.values(ViewContainers));
    const views = Object.values(manifest.contributes.views).flat().map(v => (v as { id: string }).id).sort();
    assert.deepStrictEqual(views, Object.values(Views).sort());
  });

  it('uses only mcpHost context keys the code sets (and its webview types), in when clauses', () => {
    const whens: string[] = [];
    JSON.stringify(manifest.contributes, (key, value) => {
      if (key === 'when' && typeof value === 'string') whens.push(value);
      return value;
    });
    const used = whens.flatMap(w => w.match(/mcpHost\.[A-Za-z]+/g) ?? []);
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Views), ...Object.values(WebviewTypes)]);
    assert.deepStrictEqual(used.filter(k => !known.has(k)), []);
  });

  /** The settings' titled sections, as the Settings editor lists them (by `order`). */
  const sections = () => (manifest.contributes.configuration as Array<{ id: string; title: string; order: number; properties: Record<string, { scope?: string; order?: number }> }>).slice().sort((a, b) => a.order - b.order);

  it('declares exactly the settings the code reads, user-scoped so a workspace cannot set them', () => {
    const props = Object.assign({}, ...sections().map(s => s.properties)) as Record<string, { scope?: string }>;
    const expected = Object.entries(Settings).filter(([k]) => k !== 'section').map(([, v]) => `${Settings.section}.${v}`).sort();
    assert.deepStrictEqual(Object.keys(props).sort(), expected);
    assert.strictEqual(sections().flatMap(s => Object.keys(s.properties)).length, expected.length, 'a setting is declared in two sections');
    for (const key of ['servers', 'inputs']) assert.strictEqual(props[`${Settings.section}.${key}`]!.scope, 'application');
    // The vscode-free core names the call limit's setting in its error without importing src/ids.ts: the same key.
    assert.strictEqual(MAX_CALL_SETTING, `${Settings.section}.${Settings.callsMaxMinutes}`);
  });

  it('lists the settings in titled sections, servers first, each setting in its own section and place (uxreview item 9)', () => {
    // One alphabetical list put "Chat: Confirmation" first and the servers setting in the middle.
    const layout = sections().map(s => `${s.title}: ${Object.entries(s.properties).sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0)).map(([k]) => k.slice(Settings.section.length + 1)).join(', ')}`);
    assert.deepStrictEqual(layout, [
      'Servers: servers, inputs, calls.maxMinutes, codeLens.enabled',
      'Consent: consent.autoApproveReadOnly, consent.trustedServers',
      'Chat: chat.confirmation, chat.maxTools, chat.maxToolOutput, chat.maxRounds',
      'Remote: remote.allowPlainHttpHosts, remote.signInRedirect, remote.clientMetadataUrl',
      'Forms: forms.editor',
      'Sampling: sampling.allowedServers, sampling.model',
    ]);
    for (const s of sections()) {
      assert.match(s.id, /^mcpHost\.settings\.[a-z]+$/);
      for (const [key, p] of Object.entries(s.properties)) assert.ok(Number.isInteger(p.order), `${key} has no order in its section`);
    }
  });

  it('has a Get Started walkthrough: add servers, run a tool, @mcp in chat, each with its image and buttons that run our commands (uxreview item 11)', () => {
    const walkthroughs = manifest.contributes.walkthroughs as Array<{ id: string; title: string; steps: Array<{ id: string; title: string; description: string; media: { image: string; altText: string }; completionEvents: string[] }> }>;
    assert.deepStrictEqual(walkthroughs.map(w => w.id), ['getStarted']);
    const steps = walkthroughs[0]!.steps;
    assert.deepStrictEqual(steps.map(s => s.id), ['servers', 'runTool', 'chat']);
    const contributed = new Set<string>(Object.values(Commands));
    for (const step of steps) {
      assert.ok(fs.existsSync(path.join(root, step.media.image)), `${step.media.image} is missing`);
      assert.match(step.media.image, /^media\/walkthrough\/[\w-]+\.png$/);
      assert.ok(step.media.altText.length > 20, `${step.id} has no alt text`);
      assert.ok(step.completionEvents.length > 0, `${step.id} never completes`);
      const commands = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map(m => m[1]!);
      assert.ok(commands.length > 0, `${step.id} has no button`);
      for (const c of commands) assert.ok(contributed.has(c) || c === 'workbench.action.chat.open', `${step.id} runs ${c}`);
      for (const e of step.completionEvents) {
        const [kind, what] = e.split(/:(.*)/s) as [string, string];
        assert.ok((kind === 'onCommand' && (contributed.has(what) || what === 'workbench.action.chat.open')) || (kind === 'onContext' && Object.values(ContextKeys).includes(what as never)), e);
      }
    }
  });

  it('ships the JSON schemas it contributes', () => {
    for (const v of manifest.contributes.jsonValidation as Array<{ url: string }>) {
      const src = path.join(root, 'src', 'config', path.basename(v.url));
      assert.ok(fs.existsSync(src), `${v.url} has no source in src/config`);
      assert.match(v.url, /^\.\/dist\//);
    }
  });

  it('activates lazily: no `*` or onStartupFinished, engines matches @types/vscode', () => {
    for (const e of manifest.activationEvents as string[]) assert.ok(e !== '*' && e !== 'onStartupFinished', `eager activation event ${e}`);
    const engine = String(manifest.engines.vscode).replace(/^\^/, '');
    const types = String(manifest.devDependencies['@types/vscode']).replace(/^\^/, '');
    const cmp = (a: string, b: string) => a.split('.').map(Number).reduce((r, n, i) => r || n - Number(b.split('.')[i]), 0);
    assert.ok(cmp(types, engine) <= 0, `@types/vscode ${types} is newer than engines.vscode ${engine}`);
  });

  it('runs where the workspace lives', () => {
    assert.deepStrictEqual(manifest.extensionKind, ['workspace']);
  });
});

/** Whether an npm `engines.node` range admits the newest Node 20 (20.99.0 stands for any 20.x). */
function admitsNode20(range: string): boolean {
  const v = [20, 99, 0];
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return range.split('||').some(alt =>
    alt
      .trim()
      .replace(/([<>=^~]+)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
      .every(c => {
        const m = /^([<>]=?|=|\^|~)?v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(c);
        if (!m) return true;
        const parts = [m[2], m[3], m[4]].map(p => (p === undefined || p === 'x' || p === '*' ? undefined : Number(p)));
        const low = parts.map(p => p ?? 0);
        const d = cmp(v, low);
        switch (m[1]) {
          case '>=':
            return d >= 0;
          case '>':
            return d > 0;
          case '<':
            return d < 0;
          case '<=':
            return d <= 0;
          case '^':
            return d >= 0 && v[0] === low[0];
          case '~':
            return d >= 0 && v[0] === low[0] && (parts[1] === undefined || v[1] === low[1]);
          default:
            return parts.every((p, i) => p === undefined || p === v[i]) || (parts[2] === undefined && parts[1] === undefined && v[0] === low[0]);
        }
      }),
  );
}

describe('Node 20 is enough, as the README says (issue 13 item 10)', () => {
  it('reads engine ranges as npm does', () => {
    for (const r of ['>= 0.6', '18 || 20 || >=22', '^18.18.0 || ^20.9.0 || >=21.1.0', '>=18', '20', '20.x']) assert.ok(admitsNode20(r), r);
    for (const r of ['>=22', '^22.0.0', '>=21.1.0', '18', '<20', '>=18 <20']) assert.ok(!admitsNode20(r), r);
  });


  it('has no package in the lock file that excludes Node 20, except the documented dev-only content-type', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string }; dev?: boolean; version?: string }> };
    const excluding = Object.entries(lock.packages)
      .filter(([, p]) => typeof p.engines?.node === 'string' && !admitsNode20(p.engines.node))
      .map(([name, p]) => `${name}@${p.version}${p.dev ? ' (dev)' : ''}`);
    assert.deepStrictEqual(excluding, ['node_modules/@octokit/request/node_modules/content-type@3.1.1 (dev)'], 'update the README paragraph on EBADENGINE');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.match(readme, /`EBADENGINE` warning[\s\S]*`content-type@3\.1\.1` wants Node ≥ 22/);
  });
});
