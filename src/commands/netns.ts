// Commands for the netns backend: up, test, fault, plan, status, destroy.
import fs from 'node:fs';
import path from 'node:path';
import type { Lab } from '../plan/types.js';
import { NetnsBackend, upScript } from '../backends/netns/backend.js';
import { FAULTS, expectedBroken, faultByName, blockNode } from '../backends/netns/faults.js';
import { readState } from '../backends/netns/sandbox.js';
import { runChecks } from '../checks/runner.js';
import { publishResults, lastChecksLine } from '../report/publish.js';
import { labFor, planFromScenario } from './common.js';
import { labDir } from '../util/paths.js';
import { InvalidInput } from '../util/errors.js';

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
  const checks = opts.only?.length ? lab.checks.filter((c) => opts.only!.includes(c.id)) : lab.checks;
  if (opts.only?.length && checks.length !== opts.only.length) throw new InvalidInput(`--only: unknown check id (known: ${lab.checks.map((c) => c.id).join(', ')})`);
  const t0 = performance.now();
  const results = await runChecks(checks, t, (r) => { if (!opts.json) err(`${r.status === 'pass' ? '.' : r.status === 'fail' ? 'F' : 's'}`); });
  if (!opts.json) err(` (${Math.round(performance.now() - t0)} ms)\n`);
  return publishResults(lab.name, dir, 'netns', results, opts);
}

export async function netnsFault(ref: string, fault: string, opts: { revert?: boolean; node?: string }): Promise<number> {
  const { lab, dir } = labFor(ref);
  const f = faultByName(fault);
  const o = { node: opts.node };
  if (fault === 'block-vxlan') blockNode(lab, o); // validates --node
  else if (opts.node) throw new InvalidInput(`--node applies to block-vxlan only`);
  await new NetnsBackend(lab, dir).fault(fault, !!opts.revert, o);
  const broken = expectedBroken(lab, f, o);
  process.stdout.write(opts.revert ? `reverted ${fault} on ${lab.name}\n` : `injected ${fault} on ${lab.name}: ${f.description}\nexpected to break: ${broken.join(', ') || '(none)'}\n`);
  return 0;
}

export function netnsPlan(ref: string): number {
  const lab = planFromScenario(ref, { quiet: true });
  process.stdout.write(upScript(lab).script);
  return 0;
}

export function faultMatrix(lab: Lab): string {
  const lines = [`fault matrix for ${lab.name} (checks each fault must break):`];
  for (const f of FAULTS) {
    const why = f.notApplicable(lab);
    lines.push(`  ${f.name.padEnd(17)} ${why ? `n/a: ${why}` : expectedBroken(lab, f, {}).join(', ') || '(none)'}`);
  }
  return lines.join('\n') + '\n';
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
