// Benchmark: wall time of `lab render <scenario>` (a fresh node process each run, as a user runs it).
// Usage: node dist/bench/render.js [runs]   Writes bench/results/render.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'lab.mjs');
const runs = Number(process.argv[2] ?? 5);
const scenarios = ['two-node-dvr', 'three-node-dvr', 'two-node-dvr-vlan', 'three-node-dvr-vlan'];
const out: Record<string, { medianMs: number; maxMs: number; runs: number }> = {};
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-render-'));
for (const s of scenarios) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync('node', [CLI, 'render', s], { cwd: ROOT, env: { ...process.env, STACKLAB_HOME: home }, stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  out[s] = { medianMs: Math.round(times[Math.floor(times.length / 2)]), maxMs: Math.round(times[times.length - 1]), runs };
  console.log(`lab render ${s.padEnd(20)} median ${out[s].medianMs} ms, max ${out[s].maxMs} ms (${runs} runs)`);
}
fs.rmSync(home, { recursive: true, force: true });
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'render.json'), JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, results: out }, null, 2) + '\n');
