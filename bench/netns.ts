// Benchmark: `lab up`, `lab test`, `lab destroy` for three-node-dvr on the netns backend, and the floor:
// the same operations applied by a plain bash script, one process per operation, in a fresh sandbox.
// Usage (root or unprivileged user namespaces): node dist/bench/netns.js [runs]. Writes bench/results/netns.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'lab.mjs');
const runs = Number(process.argv[2] ?? 5);
const scenario = process.argv[3] ?? 'three-node-dvr';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-netns-'));
const env = { ...process.env, STACKLAB_HOME: home };
const time = (args: string[], okCodes = [0]) => {
  const t0 = performance.now();
  try {
    execFileSync('node', [CLI, ...args], { cwd: ROOT, env, stdio: 'ignore' });
  } catch (e) {
    if (!okCodes.includes((e as { status: number }).status)) throw e;
  }
  return performance.now() - t0;
};
// The floor: `lab plan` prints the one-process-per-operation script; run it in a fresh sandbox.
const floorScript = path.join(home, 'floor.sh');
fs.writeFileSync(floorScript, execFileSync('node', [CLI, 'plan', scenario], { cwd: ROOT }));
const userns = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
const floor = () => {
  const t0 = performance.now();
  execFileSync('unshare', [...userns, '--net', '--mount', '--pid', '--fork', '--mount-proc', 'bash', '-c', `mount -t tmpfs t /run && mkdir -p /run/netns /run/stacklab && bash ${floorScript} >/dev/null`], { stdio: 'ignore' });
  return performance.now() - t0;
};
const series: Record<string, number[]> = { up: [], test: [], destroy: [], total: [], floor: [] };
for (let i = 0; i < runs; i++) {
  const up = time(['up', scenario, '--backend', 'netns']);
  const test = time(['test', scenario]);
  const destroy = time(['destroy', scenario]);
  series.up.push(up);
  series.test.push(test);
  series.destroy.push(destroy);
  series.total.push(up + test + destroy);
  series.floor.push(floor());
}
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const result = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, { medianMs: median(v), runsMs: v.map(Math.round) }]));
const ratio = +(median(series.up) / median(series.floor)).toFixed(2);
for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(8)} median ${v.medianMs} ms   runs ${v.runsMs.join(' ')}`);
console.log(`up / floor = ${ratio}`);
fs.rmSync(home, { recursive: true, force: true });
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'netns.json'), JSON.stringify({ date: new Date().toISOString(), scenario, cpus: os.cpus().length, rootless: userns.length > 0, upOverFloor: ratio, results: result }, null, 2) + '\n');
