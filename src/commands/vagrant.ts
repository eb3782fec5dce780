// Commands for the Vagrant backend: doctor, up, provision, test, status, ssh, destroy.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { planFromScenario, labFor, testLab } from './common.js';
import { renderToDir } from './render.js';
import { VagrantBackend, readFaults } from '../backends/vagrant/backend.js';
import { doctor, formatFindings } from '../backends/vagrant/doctor.js';
import { lastChecksLine } from '../report/publish.js';
import { labDir } from '../util/paths.js';
import { Unreachable, InvalidInput } from '../util/errors.js';
import { readProvisionState } from '../provision/state.js';

const err = (s: string) => process.stderr.write(s);

export async function doctorCommand(ref: string | undefined): Promise<number> {
  const lab = ref ? planFromScenario(ref) : null;
  const f = await doctor(lab);
  process.stdout.write(formatFindings(f));
  return f.some((x) => x.level === 'error') ? 3 : 0;
}

/** Ctrl-C: stop scheduling, interrupt running phases, save a resumable state. */
function interruptible(): { signal: AbortSignal; done(): void } {
  const ac = new AbortController();
  const onInt = () => {
    err('\ninterrupting: running phases are stopped, the state is saved; `lab up` resumes\n');
    ac.abort();
  };
  process.once('SIGINT', onInt);
  return { signal: ac.signal, done: () => process.off('SIGINT', onInt) };
}

const progress = (e: { id: string; status: string; ms?: number; log: string }) => {
  if (e.status === 'start') err(`  ${e.id} ... (log: ${path.relative(process.cwd(), e.log)})\n`);
  else if (e.status === 'done') err(`  ${e.id} done in ${((e.ms ?? 0) / 1000).toFixed(1)} s\n`);
  else if (e.status === 'failed') err(`  ${e.id} FAILED (log: ${e.log})\n`);
};

export async function vagrantUp(ref: string, opts: { fromPhase?: string } = {}): Promise<number> {
  const lab = planFromScenario(ref);
  const findings = await doctor(lab);
  const bad = findings.filter((f) => f.level !== 'ok');
  if (bad.length) err(formatFindings(bad));
  if (findings.some((f) => f.level === 'error')) throw new Unreachable('lab doctor found problems (above); fix them and run lab up again');
  const dir = labDir(lab.name);
  renderToDir(lab, dir);
  const b = new VagrantBackend(lab, dir);
  const sig = interruptible();
  try {
    if (await b.allRunning()) err(`the ${lab.nodes.length} VMs are running; provisioning over SSH\n`);
    else {
      err(`booting ${lab.nodes.length} VMs (vagrant up --no-provision)\n`);
      const boot = await b.boot((l) => err(`  ${l}\n`));
      err(`VMs up in ${(boot.ms / 1000).toFixed(1)} s; provisioning over SSH\n`);
    }
    const r = await b.provision({ fromPhase: opts.fromPhase, signal: sig.signal, progress });
    process.stdout.write(`${lab.name} provisioned: ${r.ran.length} phases run, ${r.skipped.length} already complete, ${(r.ms / 1000).toFixed(1)} s; next: lab test ${lab.name}\n`);
    return 0;
  } finally {
    sig.done();
    await b.close();
  }
}

export async function vagrantProvision(ref: string, opts: { node?: string; phase?: string; fromPhase?: string }): Promise<number> {
  const { lab, dir } = labFor(ref);
  if (!fs.existsSync(path.join(dir, 'Vagrantfile'))) throw new InvalidInput(`${lab.name} has not been rendered (lab up ${lab.name})`);
  const b = new VagrantBackend(lab, dir);
  const sig = interruptible();
  try {
    const r = await b.provision({ ...opts, signal: sig.signal, progress });
    process.stdout.write(`${r.ran.length} phases run, ${r.skipped.length} already complete\n`);
    return 0;
  } finally {
    sig.done();
    await b.close();
  }
}

export async function vagrantTest(ref: string, opts: { json?: boolean; junit?: string; verbose?: boolean; only?: string[] }): Promise<number> {
  const { lab, dir } = labFor(ref);
  const b = new VagrantBackend(lab, dir);
  const t = await b.checkTarget();
  try {
    // a check under a fault needs the faults, which the dataplane profile has
    return await testLab(lab, dir, 'vagrant', t, opts, (c) => !c.underFault || lab.profile === 'dataplane');
  } finally {
    await t.close();
    await b.close();
  }
}

export async function vagrantStatus(ref: string): Promise<number> {
  const { lab, dir } = labFor(ref);
  if (!fs.existsSync(path.join(dir, 'Vagrantfile'))) {
    process.stdout.write(`${lab.name}: not rendered\n`);
    return 3;
  }
  process.stdout.write(`${lab.name} (vagrant)\n${await new VagrantBackend(lab, dir).status()}\n`);
  const st = readProvisionState(dir).phases;
  for (const p of lab.phases) process.stdout.write(`  ${p.id.padEnd(22)} ${st[p.id] ? `${st[p.id].status}${st[p.id].ms !== undefined ? ` (${(st[p.id].ms! / 1000).toFixed(1)} s)` : ''}` : 'pending'}\n`);
  const faults = readFaults(dir);
  if (faults.length) process.stdout.write(`faults injected: ${faults.join(', ')} (lab fault ${lab.name} <fault> --revert)\n`);
  process.stdout.write(lastChecksLine(dir) ?? '');
  return 0;
}

export async function vagrantSsh(ref: string, node: string): Promise<number> {
  const { lab, dir } = labFor(ref);
  const t = (await new VagrantBackend(lab, dir).sshTargets())[node];
  if (!t) throw new InvalidInput(`no node "${node}" (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`);
  const r = spawnSync('ssh', ['-i', t.privateKey, '-p', String(t.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${t.user}@${t.host}`], { stdio: 'inherit' });
  return r.status ?? 1;
}

export async function vagrantDestroy(ref: string): Promise<number> {
  const { lab, dir } = labFor(ref);
  await new VagrantBackend(lab, dir).destroy();
  process.stdout.write(`destroyed ${lab.name}: VMs, their volumes and the lab's libvirt networks\n`);
  return 0;
}
