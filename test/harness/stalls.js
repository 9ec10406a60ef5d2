// `node test/harness/stalls.js <file.cpuprofile> [count]`: what the longest stretches without a yield to the
// event loop were busy with, from a V8 CPU profile (the integration tier writes one with MCP_HOST_CPU_PROFILE=1).
// A stretch is a run of samples that are not "(idle)"; for each, the functions that used its time (self time),
// and MCP Host's own frames on its stacks (time under them).
const fs = require('fs');
const path = require('path');

const [file, countArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node test/harness/stalls.js <file.cpuprofile> [count]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const ours = url => /[\\/](dist|out)[\\/]/.test(url) && !url.includes('node_modules');
const label = frame => {
  const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

// Sample i lasts until sample i+1 (timeDeltas[i+1]); the run's time is the sum.
const stretches = [];
let current;
for (let i = 0; i < profile.samples.length; i++) {
  const node = nodes.get(profile.samples[i]);
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const idle = node.callFrame.functionName === '(idle)';
  if (idle) {
    if (current) stretches.push(current);
    current = undefined;
    continue;
  }
  current ??= { at: profile.timeDeltas.slice(0, i + 1).reduce((a, b) => a + b, 0) / 1000, ms: 0, self: new Map(), under: new Map() };
  current.ms += ms;
  const self = label(node.callFrame);
  current.self.set(self, (current.self.get(self) ?? 0) + ms);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const frame = nodes.get(id).callFrame;
    if (!ours(frame.url)) continue;
    const name = label(frame);
    if (seen.has(name)) continue;
    seen.add(name);
    current.under.set(name, (current.under.get(name) ?? 0) + ms);
  }
}
if (current) stretches.push(current);

const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
const total = (profile.endTime - profile.startTime) / 1000;
console.log(`${path.basename(file)}: ${total.toFixed(0)} ms profiled, ${profile.samples.length} samples, ${stretches.length} busy stretches`);
for (const s of [...stretches].sort((a, b) => b.ms - a.ms).slice(0, Number(countArg ?? 5))) {
  console.log(`\n${s.ms.toFixed(1)} ms busy from ${s.at.toFixed(0)} ms`);
  for (const [name, ms] of top(s.self, 8)) console.log(`  self  ${ms.toFixed(1).padStart(6)} ms  ${name}`);
  for (const [name, ms] of top(s.under, 8)) console.log(`  under ${ms.toFixed(1).padStart(6)} ms  ${name}`);
}
