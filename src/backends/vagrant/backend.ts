// The Vagrant backend: render, boot the VMs with `vagrant up --no-provision` (execa, output to
// logs/vagrant-up.log), read `vagrant ssh-config` once, then drive every node over ssh2.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Lab } from '../../plan/types.js';
import type { Location } from '../../checks/types.js';
import type { Shell } from '../../shell/types.js';
import { LocalShell } from '../../shell/local.js';
import { SshShell, parseSshConfig, type SshTarget } from '../../shell/ssh.js';
import { whereOf, type CheckTarget } from '../../checks/runner.js';
import { provision, type ProvisionOptions, type ProvisionResult } from '../../provision/runner.js';
import { shq } from '../../render/quote.js';
import { Unreachable, InvalidInput } from '../../util/errors.js';
import { kvmUsable } from './doctor.js';
import { applicableFault, faultNames, withFault, type FaultOptions } from '../../dataplane/faults.js';
import { nodeOps, outsideOps, ownerOf, vmNames, vmNamespace } from '../../dataplane/vm.js';
import { renderScript } from '../../dataplane/ops.js';
import { standinArgv } from '../../dataplane/standin.js';
import { OUTSIDE_ECHO_PORT } from '../../checks/catalogue.js';

const faultsFile = (dir: string) => path.join(dir, 'faults.json');
export function readFaults(dir: string): string[] {
  return fs.existsSync(faultsFile(dir)) ? (JSON.parse(fs.readFileSync(faultsFile(dir), 'utf8')) as string[]) : [];
}
function writeFaults(dir: string, keys: string[]): void {
  if (keys.length) fs.writeFileSync(faultsFile(dir), JSON.stringify(keys) + '\n');
  else fs.rmSync(faultsFile(dir), { force: true });
}

/** The host's device on the external libvirt network: the one holding the external gateway address. */
export async function outsideDevice(lab: Lab): Promise<string> {
  const want = `${lab.networks.external.gateway}/${lab.networks.external.prefix}`;
  const r = await execa('ip', ['-o', '-4', 'addr', 'show'], { reject: false });
  const dev = String(r.stdout).split('\n').map((l) => l.split(/\s+/)).find((f) => f[3] === want)?.[1];
  if (!dev) throw new Unreachable(`this host has no address ${want}: is the lab's external libvirt network (${lab.networks.external.libvirtName}) up? (lab status)`);
  return dev;
}

/** The outside tester's echo server, on the external gateway address only, for the checks' duration. */
async function startOutsideEcho(lab: Lab, dir: string): Promise<{ stop(): Promise<void> }> {
  await outsideDevice(lab);
  const ready = fs.mkdtempSync(path.join(dir, 'outside-'));
  const [cmd, ...args] = standinArgv({ role: 'outside', name: 'outside', ports: [OUTSIDE_ECHO_PORT], bind: lab.networks.external.gateway });
  const p = execa(cmd, args, { env: { STACKLAB_READY_DIR: ready }, reject: false, stdin: 'ignore', all: true });
  const stop = async () => {
    p.kill('SIGTERM');
    await p;
    fs.rmSync(ready, { recursive: true, force: true });
  };
  for (let i = 0; i < 250 && !fs.existsSync(path.join(ready, 'outside.ready')); i++) {
    if (p.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!fs.existsSync(path.join(ready, 'outside.ready'))) {
    await stop();
    throw new Unreachable(`the outside echo server did not start on ${lab.networks.external.gateway}:${OUTSIDE_ECHO_PORT}: ${String((await p).all ?? '').trim().split('\n').slice(-1)[0]}`);
  }
  return { stop };
}

export function vagrantEnv(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    VAGRANT_CHECKPOINT_DISABLE: '1',
    VAGRANT_BOX_UPDATE_CHECK_DISABLE: '1',
    VAGRANT_DEFAULT_PROVIDER: 'libvirt',
    STACKLAB_LIBVIRT_DRIVER: process.env.STACKLAB_LIBVIRT_DRIVER ?? (kvmUsable() ? 'kvm' : 'qemu'),
  };
}

/** How a check Location is reached on a node. dataplane profile: the namespaces it created, by name;
 * a real RDO node: Neutron's namespaces and the container's netns by lookup. */
export function locationCommand(lab: Lab, loc: Location, command: string): string {
  if (lab.profile === 'dataplane' && (loc.kind === 'namespace' || loc.kind === 'instance')) return `ip netns exec ${shq(vmNamespace(lab, loc))} sh -c ${shq(command)}`;
  switch (loc.kind) {
    case 'outside':
    case 'node':
      return command;
    case 'namespace':
      return `ns=$(ip netns | awk '/^${loc.ns}-/{print $1; exit}'); [ -n "$ns" ] || { echo "no ${loc.ns}- namespace on $(hostname)" >&2; exit 2; }; ip netns exec "$ns" sh -c ${shq(command)}`;
    case 'instance':
      // nova-docker names containers nova-<uuid> and sets their hostname to the instance name
      return `for c in $(docker ps -q); do [ "$(docker inspect -f '{{.Config.Hostname}}' "$c")" = ${shq(loc.instance)} ] && id=$(docker inspect -f '{{.Id}}' "$c"); done; [ -n "$id" ] || { echo "no container for ${loc.instance}" >&2; exit 2; }; ip netns exec "$id" sh -c ${shq(command)}`;
  }
}

class LocatedShell implements Shell {
  constructor(readonly where: string, private readonly inner: Shell, private readonly lab: Lab, private readonly loc: Location) {}
  exec(command: string, opts?: { timeoutMs?: number; stdin?: string }) {
    return this.inner.exec(locationCommand(this.lab, this.loc, command), opts).then((r) => ({ ...r, command }));
  }
}

export class VagrantBackend {
  private targets: Record<string, SshTarget> | null = null;
  private shells = new Map<string, SshShell>();
  constructor(readonly lab: Lab, readonly dir: string) {}

  private vagrant(args: string[], opts: { log?: string; onLine?: (l: string) => void } = {}) {
    const p = execa('vagrant', args, { cwd: this.dir, env: vagrantEnv(), reject: false, all: true, stdin: 'ignore' });
    const log = opts.log ? fs.createWriteStream(opts.log, { flags: 'a' }) : null;
    let buf = '';
    p.all?.on('data', (d: Buffer) => {
      log?.write(d);
      buf += d.toString().replace(/\r/g, '\n');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) opts.onLine?.(l);
    });
    return p.finally(() => log?.end());
  }

  /** Every node's domain is running (asked of libvirt directly: `vagrant status` costs seconds). */
  async allRunning(): Promise<boolean> {
    const uri = process.env.STACKLAB_LIBVIRT_URI ?? this.lab.nodes[0].libvirtUri;
    const states = await Promise.all(this.lab.nodes.map((n) => execa('virsh', ['-c', uri, 'domstate', `${this.lab.name}_${n.name}`], { reject: false })));
    return states.every((r) => r.exitCode === 0 && String(r.stdout).trim() === 'running') && fs.existsSync(path.join(this.dir, 'ssh-config'));
  }

  /** `vagrant up --no-provision`; returns the wall time and each node's boot-to-SSH time (also in boot.json). */
  async boot(progress: (line: string) => void = () => {}): Promise<{ ms: number; toSsh: Record<string, number> }> {
    const t0 = performance.now();
    const log = path.join(this.dir, 'logs', 'vagrant-up.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const toSsh: Record<string, number> = {};
    const onLine = (l: string) => {
      const ready = /^==> (\S+): Machine booted and ready!/.exec(l);
      if (ready) toSsh[ready[1]] = Math.round(performance.now() - t0);
      if (/^==> \S+: (Creating|Starting|Waiting|Machine booted|Setting hostname|Configuring)/.test(l)) progress(`${l.trim()}${ready ? ` (${(toSsh[ready[1]] / 1000).toFixed(1)} s)` : ''}`);
    };
    const r = await this.vagrant(['up', '--provider', 'libvirt', '--no-provision'], { log, onLine });
    if (r.exitCode !== 0) throw new Unreachable(`vagrant up failed (log: ${log}): ${String(r.all).trim().split('\n').slice(-3).join(' | ')}`);
    // addresses come from DHCP: forget the previous boot's SSH targets (and faults: these are new VMs)
    fs.rmSync(path.join(this.dir, 'ssh-config'), { force: true });
    fs.rmSync(faultsFile(this.dir), { force: true });
    this.targets = null;
    const ms = Math.round(performance.now() - t0);
    fs.writeFileSync(path.join(this.dir, 'boot.json'), JSON.stringify({ ms, toSsh }, null, 2) + '\n');
    return { ms, toSsh };
  }

  async sshTargets(): Promise<Record<string, SshTarget>> {
    if (this.targets) return this.targets;
    const cache = path.join(this.dir, 'ssh-config');
    let text = fs.existsSync(cache) ? fs.readFileSync(cache, 'utf8') : '';
    // right after boot vagrant-libvirt may not see every DHCP lease yet: retry for a while
    for (let attempt = 1; !text; attempt++) {
      const r = await this.vagrant(['ssh-config']);
      if (r.exitCode === 0 && Object.keys(parseSshConfig(String(r.stdout))).length === this.lab.nodes.length) {
        text = String(r.stdout);
        fs.writeFileSync(cache, text);
      } else if (attempt >= 10) {
        throw new Unreachable(`lab ${this.lab.name} is not up on the vagrant backend (vagrant ssh-config: ${String(r.all).trim().split('\n').filter((l) => /error|not|fail/i.test(l)).slice(0, 2).join(' ') || 'no SSH targets'})`);
      } else await new Promise((res) => setTimeout(res, 2000));
    }
    this.targets = parseSshConfig(text);
    return this.targets;
  }

  async nodeShell(node: string): Promise<SshShell> {
    if (!this.shells.has(node)) {
      const t = (await this.sshTargets())[node];
      if (!t) throw new Unreachable(`no SSH target for node ${node} (vagrant ssh-config)`);
      // vagrant's user needs sudo; scripts and checks run as root
      this.shells.set(node, new SshShell(node, t, t.user === 'root' ? '' : 'sudo -n'));
    }
    return this.shells.get(node)!;
  }

  async provision(opts: Pick<ProvisionOptions, 'fromPhase' | 'node' | 'phase' | 'signal' | 'progress'> = {}): Promise<ProvisionResult> {
    const shells = Object.fromEntries(await Promise.all(this.lab.nodes.map(async (n) => [n.name, await this.nodeShell(n.name)] as const)));
    return provision({ dir: this.dir, phases: this.lab.phases, connect: (n) => shells[n], ...opts });
  }

  /** Checks run from the host (the outside tester, on the external libvirt network) and on the nodes
   * over ssh2. While they run the host serves the outside echo server on the external gateway address. */
  async checkTarget(): Promise<CheckTarget & { close(): Promise<void> }> {
    const shells = Object.fromEntries(await Promise.all(this.lab.nodes.map(async (n) => [n.name, await this.nodeShell(n.name)] as const)));
    const local = new LocalShell('outside');
    const echo = await startOutsideEcho(this.lab, this.dir);
    return {
      shellFor: (loc) => (loc.kind === 'outside' ? local : new LocatedShell(whereOf(loc), shells[loc.node], this.lab, loc)),
      fault: (name, revert) => this.fault(name, revert),
      activeFaults: () => faultNames(readFaults(this.dir)),
      close: echo.stop,
    };
  }

  /** A fault on VMs: the same operations as on the netns backend, each node's share over ssh2, the
   * outside's (cache flushes) on this host. The dataplane profile only: a real RDO lab has other knobs. */
  async fault(name: string, revert: boolean, opts: FaultOptions = {}): Promise<void> {
    if (this.lab.profile !== 'dataplane') throw new InvalidInput(`faults on the vagrant backend need the dataplane profile (${this.lab.name} uses ${this.lab.profile})`);
    const f = applicableFault(this.lab, name);
    const ops = f.ops(this.lab, vmNames(this.lab), opts, revert);
    const title = `stacklab fault ${name}${revert ? ' (revert)' : ''}`;
    const failures: string[] = [];
    await Promise.all(
      this.lab.nodes.map(async (n) => {
        const mine = nodeOps(ops, n.name);
        if (!mine.length) return;
        const r = await (await this.nodeShell(n.name)).exec('bash -s', { stdin: renderScript(title, [{ title: n.name, stage: 'fault', ops: mine }]), timeoutMs: 30_000 });
        if (r.code !== 0) failures.push(`${n.name}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
      }),
    );
    if (ops.some((op) => ownerOf(op).kind === 'outside')) {
      const outside = outsideOps(ops, await outsideDevice(this.lab));
      const r = await new LocalShell('outside').exec('bash -s', { stdin: renderScript(title, [{ title: 'outside', stage: 'fault', ops: outside }]) });
      if (r.code !== 0) failures.push(`outside: ${r.stderr.trim()}`);
    }
    if (failures.length) throw new Unreachable(`fault ${name}${revert ? ' --revert' : ''} failed: ${failures.join('; ')}`);
    writeFaults(this.dir, withFault(readFaults(this.dir), name, opts, revert));
  }

  async status(): Promise<string> {
    const r = await this.vagrant(['status', '--machine-readable']);
    return String(r.stdout).split('\n').filter((l) => l.split(',')[2] === 'state-human-short').map((l) => `${l.split(',')[1]}: ${l.split(',')[3]}`).join('\n');
  }

  async destroy(): Promise<void> {
    await this.close();
    if (fs.existsSync(path.join(this.dir, 'Vagrantfile'))) {
      const r = await this.vagrant(['destroy', '-f'], { log: path.join(this.dir, 'logs', 'vagrant-destroy.log') });
      if (r.exitCode !== 0) throw new Unreachable(`vagrant destroy failed: ${String(r.all).trim().split('\n').slice(-2).join(' | ')}`);
    }
    // vagrant-libvirt leaves the networks it created: remove this lab's, by name, and nothing else
    const uri = process.env.STACKLAB_LIBVIRT_URI ?? this.lab.nodes[0].libvirtUri;
    const nets = [this.lab.networks.management.libvirtName, this.lab.networks.tunnel.libvirtName, this.lab.networks.external.libvirtName, this.lab.networks.tunnel.vlanLibvirtName].filter((n): n is string => !!n);
    for (const n of nets) {
      await execa('virsh', ['-c', uri, 'net-destroy', n], { reject: false });
      await execa('virsh', ['-c', uri, 'net-undefine', n], { reject: false });
    }
    fs.rmSync(path.join(this.dir, 'ssh-config'), { force: true });
    fs.rmSync(faultsFile(this.dir), { force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.shells.values()].map((s) => s.close()));
    this.shells.clear();
  }
}
