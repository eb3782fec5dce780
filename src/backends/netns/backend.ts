// The netns backend: builds the Lab's data plane inside the lab sandbox, hands out Shells for
// Locations, injects faults, and destroys everything it made.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Lab } from '../../plan/types.js';
import type { Location } from '../../checks/types.js';
import type { Shell } from '../../shell/types.js';
import { NetnsShell } from '../../shell/netns.js';
import { whereOf, type CheckTarget } from '../../checks/runner.js';
import { Unreachable } from '../../util/errors.js';
import { countOps, renderScript, scheduleByNamespace, type OpSection } from '../../dataplane/ops.js';
import { dataplaneSections, namesFor, readyFiles, type Names } from '../../dataplane/topology.js';
import { applicableFault, faultNames, withFault, type FaultOptions } from '../../dataplane/faults.js';
import { PYTHON } from '../../dataplane/standin.js';
import { enterArgv, isAlive, killSandbox, readState, sandboxTag, startSandbox, writeState, type SandboxState } from './sandbox.js';

/** Host tools the emulation runs, with the Debian package that provides each. */
export const REQUIRED_TOOLS: [string, string][] = [
  ['ip', 'iproute2'],
  ['bridge', 'iproute2'],
  ['unshare', 'util-linux'],
  ['nsenter', 'util-linux'],
  ['sysctl', 'procps'],
  ['iptables-restore', 'iptables'],
  ['iptables-save', 'iptables'],
  ['ebtables', 'iptables'],
  ['ping', 'iputils-ping'],
  ['curl', 'curl'],
  [PYTHON, 'python3'],
];

function onPath(tool: string): boolean {
  if (tool.startsWith('/')) return fs.existsSync(tool);
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin']).some((d) => fs.existsSync(path.join(d, tool)));
}
export function missingTools(): [string, string][] {
  return REQUIRED_TOOLS.filter(([t]) => !onPath(t));
}

/** The whole build as one script: the data plane, then wait for every stand-in to listen. */
export function upScript(lab: Lab, names: Names = namesFor(lab), opts: { batch?: boolean } = {}): { script: string; sections: OpSection[] } {
  const planned = dataplaneSections(lab, names);
  const sections = opts.batch ? scheduleByNamespace(planned) : planned;
  const ready = readyFiles(lab);
  const epilogue = [
    'echo "# waiting for the stand-ins to listen"',
    `for f in ${ready.join(' ')}; do`,
    '  for _ in $(seq 1 250); do [ -e "$f" ] && break; sleep 0.02; done',
    '  [ -e "$f" ] || { echo "stacklab: $f never appeared" >&2; exit 1; }',
    'done',
  ].join('\n');
  return { script: renderScript(`stacklab netns data plane for ${lab.name} (${lab.tenantNetworkType}, ${lab.router} router), ${countOps(sections)} operations`, sections, epilogue, opts), sections };
}

export interface UpResult {
  alreadyUp: boolean;
  ms: number;
  ops: number;
  rootless: boolean;
}

export class NetnsBackend {
  readonly names: Names;
  readonly tag: string;
  constructor(readonly lab: Lab, readonly dir: string) {
    this.names = namesFor(lab);
    this.tag = sandboxTag(lab.name, dir);
  }

  state(): SandboxState | null {
    return readState(this.dir);
  }

  isUp(): boolean {
    const s = this.state();
    return !!s && s.status === 'up' && isAlive(s);
  }

  async up(progress: (line: string) => void = () => {}): Promise<UpResult> {
    const t0 = performance.now();
    const prior = this.state();
    if (prior && prior.status === 'up' && isAlive(prior)) return { alreadyUp: true, ms: 0, ops: 0, rootless: prior.rootless };
    const missing = missingTools();
    if (missing.length)
      throw new Unreachable(`the netns backend needs ${missing.map(([t]) => t).join(', ')}: apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
    // A half-built or dead sandbox from an interrupted run: remove it before building afresh.
    await killSandbox(this.tag, prior?.holderPid);
    const { script, sections } = upScript(this.lab, this.names, { batch: true });
    const scriptPath = path.join(this.dir, 'netns', 'up.sh');
    fs.mkdirSync(path.dirname(scriptPath), { recursive: true });
    fs.writeFileSync(scriptPath, script, { mode: 0o755 });
    const sb = await startSandbox(this.tag);
    const state: SandboxState = { lab: this.lab.name, tag: this.tag, holderPid: sb.holderPid, rootless: sb.rootless, status: 'building', createdAt: new Date().toISOString(), faults: [] };
    writeState(this.dir, state);
    const logPath = path.join(this.dir, 'logs', 'netns-up.log');
    fs.mkdirSync(path.dirname(logPath), { recursive: true });
    const log = fs.createWriteStream(logPath);
    const run = execa(enterArgv(state)[0], [...enterArgv(state).slice(1), 'bash', scriptPath], { reject: false, all: true });
    let done = 0;
    run.all?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.startsWith('# ')) continue;
        done++;
        progress(`[${done}/${sections.length + 1}] ${line.slice(2)}`);
      }
    });
    const r = await run;
    await new Promise((res) => log.end(res));
    if (r.exitCode !== 0) {
      writeState(this.dir, { ...state, status: 'failed' });
      const tail = String(r.all ?? '').trim().split('\n').slice(-3).join('\n');
      throw new Unreachable(`building the data plane failed (log: ${logPath}):\n${tail}`);
    }
    const ms = Math.round(performance.now() - t0);
    writeState(this.dir, { ...state, status: 'up', timings: { upMs: ms } });
    return { alreadyUp: false, ms, ops: countOps(sections), rootless: sb.rootless };
  }

  private requireUp(): SandboxState {
    const s = this.state();
    if (!s || !isAlive(s)) throw new Unreachable(`lab ${this.lab.name} is not up on the netns backend (lab up ${this.lab.name} --backend netns)`);
    return s;
  }

  nsOf(loc: Location): string {
    const n = this.names;
    switch (loc.kind) {
      case 'outside':
        return n.outside;
      case 'node':
        return n.node(loc.node);
      case 'namespace':
        return loc.ns === 'qrouter' ? n.qrouter(loc.node) : loc.ns === 'fip' ? n.fip(loc.node) : n.snat(loc.node);
      case 'instance':
        return n.instance(loc.node, loc.instance);
    }
  }

  shell(loc: Location): Shell {
    return new NetnsShell(whereOf(loc), enterArgv(this.requireUp()), this.nsOf(loc));
  }

  async fault(name: string, revert: boolean, opts: FaultOptions = {}): Promise<void> {
    const s = this.requireUp();
    const f = applicableFault(this.lab, name);
    const script = renderScript(`stacklab fault ${name}${revert ? ' (revert)' : ''}`, [{ title: `${revert ? 'revert' : 'inject'} ${name}`, stage: 'fault', ops: f.ops(this.lab, this.names, opts, revert) }], '', { batch: true });
    const r = await execa(enterArgv(s)[0], [...enterArgv(s).slice(1), 'bash', '-s'], { input: script, reject: false, all: true });
    if (r.exitCode !== 0) throw new Unreachable(`fault ${name}${revert ? ' --revert' : ''} failed: ${String(r.all).trim().split('\n').slice(-2).join(' ')}`);
    writeState(this.dir, { ...s, faults: withFault(s.faults, name, opts, revert) });
  }

  checkTarget(): CheckTarget {
    return {
      shellFor: (loc) => this.shell(loc),
      fault: (name, revert) => this.fault(name, revert),
      activeFaults: () => faultNames(this.state()?.faults ?? []),
    };
  }

  /** Namespaces inside the sandbox, for status. */
  async namespaces(): Promise<string[]> {
    const s = this.requireUp();
    const r = await execa(enterArgv(s)[0], [...enterArgv(s).slice(1), 'ip', 'netns', 'list'], { reject: false });
    return String(r.stdout).split('\n').map((l) => l.split(' ')[0]).filter(Boolean).sort();
  }

  async destroy(): Promise<number> {
    const s = this.state();
    const killed = await killSandbox(this.tag, s?.holderPid);
    fs.rmSync(path.join(this.dir, 'netns', 'state.json'), { force: true });
    return killed;
  }
}
