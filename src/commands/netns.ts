// Commands for the netns backend: up, test, plan, status, destroy (lab fault: fault.ts).
import fs from 'node:fs';
import path from 'node:path';
import { NetnsBackend, upScript } from '../backends/netns/backend.js';
import { faultMatrix } from './fault.js';
import { readState } from '../backends/netns/sandbox.js';
import { lastChecksLine } from '../report/publish.js';
import { labFor, planFromScenario, testLab } from './common.js';
import { labDir } from '../util/paths.js';

const err = (s: string) => process.stderr.write(s);

export async function netnsUp(ref: string): Promise<number> {
  const lab = planFromScenario(ref);
  const dir = labDir(lab.name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'lab.json'), JSON.stringify(lab, null, 2) + '\n');
  const b = new NetnsBackend(lab, dir);
  const r = await b.up((line) => err(`${line}\n`));
  if (r.alreadyUp) {
    process.stdout.write(`${lab.name} is already up on the netns backend (nothing to do)\n`);
    return 0;
  }
  process.stdout.write(`${lab.name} up on the netns backend in ${r.ms} ms: ${r.ops} operations${r.rootless ? ' (rootless, user namespace)' : ''}; next: lab test ${lab.name}\n`);
  return 0;
}

export async function netnsTest(ref: string, opts: { json?: boolean; junit?: string; verbose?: boolean; only?: string[] }): Promise<number> {
  const { lab, dir } = labFor(ref);
  const b = new NetnsBackend(lab, dir);
  const t = b.checkTarget();
  t.shellFor({ kind: 'outside' }); // fails fast (exit 3) when the lab is not up
  return testLab(lab, dir, 'netns', t, opts);
}

export function netnsPlan(ref: string): number {
  const lab = planFromScenario(ref, { quiet: true });
  process.stdout.write(upScript(lab).script);
  return 0;
}

export async function netnsStatus(ref: string): Promise<number> {
  const { lab, dir } = labFor(ref);
  const b = new NetnsBackend(lab, dir);
  const s = readState(dir);
  if (!b.isUp()) {
    process.stdout.write(`${lab.name}: not up on the netns backend${s ? ` (last state: ${s.status}, sandbox gone)` : ''}\n`);
    return 3;
  }
  const ns = await b.namespaces();
  process.stdout.write(`${lab.name}: up on the netns backend since ${s!.createdAt} (sandbox pid ${s!.holderPid}${s!.rootless ? ', rootless' : ''}${s!.timings ? `, built in ${s!.timings.upMs} ms` : ''})\n`);
  process.stdout.write(`faults injected: ${s!.faults.join(', ') || 'none'}\nnamespaces (${ns.length}): ${ns.join(' ')}\n`);
  process.stdout.write((lastChecksLine(dir) ?? '') + faultMatrix(lab));
  return 0;
}

export async function netnsDestroy(ref: string): Promise<number> {
  const { lab, dir } = labFor(ref);
  const killed = await new NetnsBackend(lab, dir).destroy();
  process.stdout.write(killed ? `destroyed ${lab.name} (netns sandbox ended, every namespace and process of it gone)\n` : `${lab.name}: nothing was running\n`);
  return 0;
}
