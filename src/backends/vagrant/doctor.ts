// `lab doctor`: can this host run the lab? Each finding says what is wrong and how to fix it.
import fs from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import type { Lab } from '../../plan/types.js';
import { intToIp, ipToInt, overlaps } from '../../plan/ipv4.js';

export interface Finding {
  level: 'ok' | 'warn' | 'error';
  what: string;
  fix?: string;
}

async function run(cmd: string, args: string[], env?: Record<string, string>) {
  try {
    const r = await execa(cmd, args, { reject: false, timeout: 30_000, env });
    return { code: r.exitCode ?? 1, out: `${r.stdout}\n${r.stderr}` };
  } catch (e) {
    return { code: 127, out: (e as Error).message };
  }
}

/** KVM acceleration usable? Otherwise the Vagrantfile falls back to QEMU software emulation (TCG). */
export function kvmUsable(): boolean {
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return process.env.STACKLAB_LIBVIRT_DRIVER !== 'qemu';
  } catch {
    return false;
  }
}

export async function doctor(lab: Lab | null): Promise<Finding[]> {
  const f: Finding[] = [];
  // each vagrant call costs a Ruby start-up: ask them all at once
  const venv = { VAGRANT_CHECKPOINT_DISABLE: '1', PATH: process.env.PATH ?? '' };
  const [vagrant, pluginsP, boxesP] = await Promise.all([run('vagrant', ['--version']), run('vagrant', ['plugin', 'list'], venv), lab ? run('vagrant', ['box', 'list'], venv) : Promise.resolve({ code: 0, out: '' })]);
  if (vagrant.code !== 0) f.push({ level: 'error', what: 'vagrant is not installed', fix: 'apt-get install -y vagrant vagrant-libvirt' });
  else {
    f.push({ level: 'ok', what: vagrant.out.trim().split('\n')[0] });
    const plugins = pluginsP;
    if (/vagrant-libvirt/.test(plugins.out)) f.push({ level: 'ok', what: `vagrant-libvirt plugin (${/vagrant-libvirt \(([^,)]+)/.exec(plugins.out)?.[1] ?? '?'})` });
    else f.push({ level: 'error', what: 'the vagrant-libvirt plugin is missing', fix: 'apt-get install -y vagrant-libvirt (or: vagrant plugin install vagrant-libvirt)' });
  }
  const uris = [...new Set((lab?.nodes ?? [{ libvirtUri: 'qemu:///system' }]).map((n) => process.env.STACKLAB_LIBVIRT_URI ?? n.libvirtUri))];
  let libvirtOk = true;
  for (const uri of uris) {
    const v = await run('virsh', ['-c', uri, 'version']);
    if (v.code === 0) f.push({ level: 'ok', what: `libvirt reachable at ${uri}` });
    else {
      libvirtOk = false;
      f.push({ level: 'error', what: `libvirt is not reachable at ${uri}: ${v.out.trim().split('\n').slice(-1)[0]}`, fix: 'apt-get install -y libvirt-daemon-system libvirt-clients qemu-system-x86 dnsmasq-base, then start it (systemctl start libvirtd; without systemd: virtlogd -d && libvirtd -d)' });
    }
  }
  if (kvmUsable()) f.push({ level: 'ok', what: '/dev/kvm: hardware acceleration' });
  else f.push({ level: 'warn', what: 'no usable /dev/kvm: the VMs run under QEMU software emulation (libvirt.driver = "qemu"), many times slower', fix: 'run on a host with VT-x/AMD-V and /dev/kvm (group kvm, mode 0660)' });
  if (lab) {
    const mem = lab.nodes.reduce((n, x) => n + x.memory, 0);
    const avail = Math.round(Number(/MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024);
    f.push(mem <= avail ? { level: 'ok', what: `memory: the lab needs ${mem} MiB, ${avail} MiB available` } : { level: 'error', what: `memory: the lab needs ${mem} MiB, only ${avail} MiB available`, fix: 'lower nodes[].memory / defaults.memory in the scenario, or free memory' });
    const cpus = Math.max(...lab.nodes.map((n) => n.cpus));
    f.push(cpus <= os.cpus().length ? { level: 'ok', what: `CPUs: largest node has ${cpus}, host has ${os.cpus().length}` } : { level: 'warn', what: `CPUs: a node asks for ${cpus} vCPUs, the host has ${os.cpus().length}`, fix: 'lower nodes[].cpus' });
    const boxes = boxesP;
    const box = process.env.STACKLAB_BOX ?? lab.box.name;
    if (boxes.out.split('\n').some((l) => l.startsWith(`${box} `) && l.includes('libvirt'))) f.push({ level: 'ok', what: `box ${box} is present` });
    else f.push({ level: 'warn', what: `box ${box}${lab.box.version ? ` ${lab.box.version}` : ''} is not present locally: vagrant up will download it`, fix: `vagrant box add ${box}${lab.box.version ? ` --box-version ${lab.box.version}` : ''} --provider libvirt` });
    if (libvirtOk) {
      const ours = new Set([lab.networks.management.libvirtName, lab.networks.tunnel.libvirtName, lab.networks.external.libvirtName, lab.networks.tunnel.vlanLibvirtName]);
      const nets = await run('virsh', ['-c', uris[0], 'net-list', '--all', '--name']);
      for (const name of nets.out.split('\n').map((s) => s.trim()).filter(Boolean)) {
        if (ours.has(name)) continue;
        const xml = (await run('virsh', ['-c', uris[0], 'net-dumpxml', name])).out;
        const m = /<ip address='([\d.]+)' (?:netmask='([\d.]+)'|prefix='(\d+)')/.exec(xml);
        if (!m) continue;
        const prefix = m[3] ? Number(m[3]) : m[2].split('.').reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
        const size = 2 ** (32 - prefix);
        const theirs = `${intToIp(Math.floor(ipToInt(m[1]) / size) * size)}/${prefix}`;
        for (const [label, cidr] of [['management', lab.networks.management.cidr], ['tunnel', lab.networks.tunnel.cidr], ['external', lab.networks.external.cidr]] as const)
          if (overlaps(cidr, theirs)) f.push({ level: 'error', what: `libvirt network ${name} (${theirs}) overlaps the lab's ${label} network ${cidr}`, fix: `change networks.${label}.cidr in the scenario, or remove network ${name}` });
      }
    }
  }
  return f;
}

export function formatFindings(f: Finding[]): string {
  const mark = { ok: 'ok  ', warn: 'warn', error: 'FAIL' };
  return f.map((x) => `${mark[x.level]}  ${x.what}${x.fix ? `\n      fix: ${x.fix}` : ''}`).join('\n') + '\n';
}
