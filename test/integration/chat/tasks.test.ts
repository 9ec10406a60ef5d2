import * as assert from 'assert';
import * as vscode from 'vscode';
import type { McpHostApi } from '../../../src/extension';
import type { Transcript } from '../../../src/ui/chat/transcript';
import { activateHost, repoPath, ScriptedDialogs, workspaceFile, writeFile } from '../host';
import { until } from '../util';
import { ask, newChat, press, scriptedModel, serverLogText, type ScriptedModel } from './chatUtil';

/**
 * Tool calls a server runs as tasks (2025-11-25), from `@mcp` in the real chat view: the tasks fixture (v1 SDK
 * experimental tasks) makes `task_job` a task that reports `step i/4` with a note the test chooses.
 */
describe('tasks in chat', function () {
  this.timeout(120_000);
  let api: Required<McpHostApi>;
  let model: ScriptedModel;
  const dialogs = new ScriptedDialogs();
  const tasks = { type: 'stdio', command: process.execPath, args: [repoPath('out', 'test', 'fixtures', 'servers', 'tasks.js'), '--poll-ms', '100'] };
  const progress = (t: Transcript) => t.parts.flatMap(p => (p.kind === 'progress' ? [p.value] : []));
  /** A progress line as the chat shows it: VS Code renders it as markdown, so escapes are dropped. */
  const shown = (markdown: string) => markdown.replace(/\\(.)/g, '$1');

  before(async () => {
    api = await activateHost();
    api.setDialogs(dialogs);
    model = await scriptedModel();
    await writeFile(workspaceFile('.vscode', 'mcp.json'), JSON.stringify({ servers: { tasks } }, null, 2));
    await until(() => api.host.registry.get('tasks')?.connection.state.kind === 'running', 'the tasks fixture to run', 60_000);
  });

  beforeEach(async () => {
    model.reset();
    await newChat();
  });

  it('/call shows the task\'s status on the progress line, server text inert (no live link, hidden characters shown)', async () => {
    const note = '[see](https://attacker.invalid) \u202eevil';
    const t = await ask(api, model, `@mcp /call tasks.task_job ${JSON.stringify({ ms: 1200, note })}`, t => press(t, 'Allow Once').then(() => undefined));
    const lines = progress(t);
    assert.strictEqual(lines[0], 'Running Task job on tasks…');
    const steps = lines.filter(l => /Task working: step/.test(l));
    assert.ok(steps.length >= 2, `expected the task's steps on the progress line: ${JSON.stringify(lines)}`);
    // Each poll of the task (every 100 ms here) said its status again: VS Code counts each progress line as a step.
    assert.deepStrictEqual(lines.filter((l, i) => i > 0 && l === lines[i - 1]), [], 'a progress line repeats the one before it');
    for (const l of steps) {
      assert.match(shown(l), /^Task job: Task working: step [1-3]\/4 \[see\]\(https:\/\/attacker\.invalid\) ⟨U\+202E⟩evil$/);
      // Raw, every markdown character of the server's text is escaped: no link, no autolink.
      assert.doesNotMatch(l, /(?<!\\)\]\(|(?<!\\):\/\/|\u202e/, l);
    }
    assert.match(t.text(), /✓ \*\*Task job\*\* on \*\*tasks\*\*/);
    assert.match(t.text(), /job done after 1200 ms/);
    const entry = (await api.host.history.list()).find(h => h.tool === 'task_job' && h.origin === 'chat');
    assert.match(entry?.taskId ?? '', /\S/, 'the history entry has no task id');
  });

  it('the tool loop shows the task\'s status, and Stop cancels the task on the server (tasks/cancel)', async () => {
    model.push({ toolCalls: [{ name: 'tasks_task_job', input: { ms: 20_000 } }] }, { text: 'never sent' });
    const t = await ask(api, model, '@mcp run the long job', async t => {
      await press(t, 'Allow Once');
      await until(() => progress(t).some(l => /^Task job: Task working/.test(l)), 'the task status on the progress line', 30_000);
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
    });
    const running = progress(t).find(l => /Task working/.test(l));
    assert.ok(running, JSON.stringify(progress(t)));
    await until(() => /task_job: cancelled \S+/.test(serverLogText(api, 'tasks')), 'the server to stop the cancelled task', 30_000);
    const taskId = /task_job: cancelled (\S+)/.exec(serverLogText(api, 'tasks'))![1];
    assert.strictEqual(model.requests.length, 1, 'the loop went on after Stop');
    const entry = await until(async () => (await api.host.history.list()).find(h => h.tool === 'task_job' && h.taskId === taskId), 'the cancelled call in the history', 30_000);
    assert.strictEqual(entry.outcome, 'cancelled');
    assert.deepStrictEqual(api.host.history.runningTasks(), []);
  });
});
