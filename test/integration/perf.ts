import * as fs from 'fs';
import { Session } from 'inspector/promises';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/ids';

/** test-results/ of the repository the extension is loaded from (not committed). */
function resultsFile(name: string): string {
  return path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test-results', name);
}

/** How many of a figure's latest runs its recorded value is the median of. */
const RUNS_KEPT = 5;

/**
 * Records a figure only the real extension host can give, for `npm run bench` (test-results/perf-marks.json):
 * the median of its last few runs. The bench holds its target; a test never asserts it.
 */
export function recordPerfMark(key: string, value: number): void {
  const file = resultsFile('perf-marks.json');
  let marks: Record<string, { value?: number; values?: number[]; at?: string } | undefined> = {};
  try {
    marks = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof marks;
  } catch {
    // First record.
  }
  const values = [...(marks[key]?.values ?? []), value].slice(-RUNS_KEPT);
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  marks[key] = { value: median, values, at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(marks, null, 2));
}

/**
 * With MCP_HOST_CPU_PROFILE set, a CPU profile of the extension host (sampled every 0.25 ms) from now until
 * `stop`, written to test-results/<name>.cpuprofile; `node test/harness/stalls.js <file>` says what the
 * longest stretches without a yield were busy with. Without it, nothing.
 */
export async function profileCpu(name: string): Promise<{ stop(): Promise<void> }> {
  if (!process.env.MCP_HOST_CPU_PROFILE) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const file = resultsFile(`${name}.cpuprofile`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      console.log(`      CPU profile: ${file}`);
    },
  };
}
