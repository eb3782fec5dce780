// The lab sandbox: one long-lived process holding a private network, mount and PID namespace (plus a
// user namespace when not root). Every lab namespace is created inside it, so the host's namespaces
// are never touched, two labs never collide, and killing the holder (PID 1 inside) ends everything.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { Unreachable } from '../../util/errors.js';

export interface SandboxState {
  lab: string;
  tag: string;
  holderPid: number;
  rootless: boolean;
  status: 'building' | 'up' | 'failed';
  createdAt: string;
  faults: string[];
  timings?: Record<string, number>;
}

export function stateFile(dir: string): string {
  return path.join(dir, 'netns', 'state.json');
}
export function readState(dir: string): SandboxState | null {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}
export function writeState(dir: string, s: SandboxState): void {
  fs.mkdirSync(path.dirname(stateFile(dir)), { recursive: true });
  fs.writeFileSync(stateFile(dir) + '.tmp', JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(stateFile(dir) + '.tmp', stateFile(dir));
}

/** The holder's argv[0]: it names the lab and its directory so `destroy` finds it even without state. */
export function sandboxTag(lab: string, dir: string): string {
  return `stacklab-holder:${lab}:${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 12)}`;
}

function cmdline(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return null;
  }
}

/** Processes whose argv[0] is this tag (the holder, and nothing else of ours would carry it). */
export function findHolders(tag: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    if (cmdline(Number(e)) === tag) out.push(Number(e));
  }
  return out;
}

export function isAlive(s: SandboxState): boolean {
  return cmdline(s.holderPid) === s.tag;
}

let rootlessProbe: boolean | null = null;
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
/** Unprivileged user namespaces (may be off by sysctl, AppArmor or a container runtime). */
export function canUseUserNamespaces(): boolean {
  if (rootlessProbe === null) rootlessProbe = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'true'], { stdio: 'ignore' }).status === 0;
  return rootlessProbe;
}

export async function startSandbox(tag: string): Promise<{ holderPid: number; rootless: boolean }> {
  const rootless = !isRoot();
  if (rootless && !canUseUserNamespaces())
    throw new Unreachable('the netns backend needs root, or unprivileged user namespaces (they are disabled here: kernel.unprivileged_userns_clone, AppArmor or a container policy)');
  const inner = `mount -t tmpfs -o mode=0755 stacklab-run /run && mkdir -p /run/netns /run/stacklab && exec -a "$0" sleep infinity`;
  const args = [...(rootless ? ['--user', '--map-root-user'] : []), '--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', inner, tag];
  const child = spawn('unshare', args, { detached: true, stdio: 'ignore' });
  child.unref();
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const pids = findHolders(tag);
    if (pids.length) return { holderPid: pids[0], rootless };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Unreachable(`the lab sandbox did not start (unshare ${args.slice(0, -3).join(' ')} exited ${child.exitCode ?? 'late'})`);
}

/** argv prefix that runs a command inside the sandbox. */
export function enterArgv(s: Pick<SandboxState, 'holderPid' | 'rootless'>): string[] {
  // rootless: our uid is already root inside the user namespace, and setgroups is denied there
  return ['nsenter', '-t', String(s.holderPid), ...(s.rootless ? ['-U', '--preserve-credentials'] : []), '-m', '-n', '-p', '--'];
}

/** End the sandbox: SIGKILL to its PID 1 takes every process and namespace inside with it. */
export async function killSandbox(tag: string, known?: number): Promise<number> {
  const pids = new Set(findHolders(tag));
  if (known && cmdline(known) === tag) pids.add(known);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && findHolders(tag).length) await new Promise((r) => setTimeout(r, 10));
  return pids.size;
}
