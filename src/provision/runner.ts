// The provision runner: phases with declared dependencies, one phase at a time per node and the nodes
// in parallel, each phase's output in logs/<node>/<phase>.log, state.json recording status, timing and
// the script's hash. A phase that completed with the same script is never re-run; after a failure
// the next run resumes at the failed phase; an abort (Ctrl-C) leaves a resumable state.
import fs from 'node:fs';
import path from 'node:path';
import type { PhaseRef } from '../plan/types.js';
import { readProvisionState, scriptHash, writeProvisionState, type ProvisionState } from './state.js';
import { LabError } from '../util/errors.js';
import { shq } from '../render/quote.js';

/** What the runner needs of a node: run a command (streaming its output) and upload a file. */
export interface NodeConnection {
  exec(command: string, opts: { onData?: (chunk: Buffer) => void; signal?: AbortSignal; holdStdin?: boolean }): Promise<{ code: number }>;
  upload(remotePath: string, content: string): Promise<void>;
}

export interface ProvisionOptions {
  dir: string;
  phases: PhaseRef[];
  connect(node: string): NodeConnection;
  /** where scripts go on the node */
  remoteDir?: string;
  /** re-run these phases (`<phase>` on every node or `<node>/<phase>`) and everything after them */
  fromPhase?: string;
  /** limit to one node and/or one phase */
  node?: string;
  phase?: string;
  signal?: AbortSignal;
  progress?(event: { id: string; status: 'start' | 'done' | 'failed' | 'skip'; ms?: number; log: string }): void;
}

export interface ProvisionResult {
  ran: string[];
  skipped: string[];
  failed: string[];
  ms: number;
}

export class ProvisionFailed extends LabError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** Phases that depend (transitively) on any of `roots`, roots included. */
function dependents(phases: PhaseRef[], roots: Set<string>): Set<string> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of phases) if (!out.has(p.id) && p.after.some((a) => out.has(a))) (out.add(p.id), (grew = true));
  }
  return out;
}

/** Run a script in its own process group, so that an interrupt (SSH signal request) ends all of it. */
export function runInGroup(remote: string, force = false): string {
  // The script gets its own process group; a watcher ends that group when our side of the channel
  // closes its stdin (an abort, or a dropped connection), since sshd delivers no signal to it.
  // (fd 3: a background job's stdin would otherwise be /dev/null.)
  const wrapper = [
    'exec 3<&0',
    'setsid bash "$0" </dev/null & p=$!',
    '(cat <&3 >/dev/null; kill -TERM -$p 2>/dev/null) & w=$!',
    "trap 'kill -TERM -$p 2>/dev/null; exit 130' INT TERM HUP",
    'wait $p; rc=$?; kill $w 2>/dev/null; exit $rc',
  ].join('; ');
  return `${force ? 'STACKLAB_FORCE=1 ' : ''}bash -c ${shq(wrapper)} ${shq(remote)}`;
}

export async function provision(o: ProvisionOptions): Promise<ProvisionResult> {
  const t0 = performance.now();
  const remoteDir = o.remoteDir ?? '/root/stacklab';
  const state: ProvisionState = readProvisionState(o.dir);
  const scripts = new Map(o.phases.map((p) => [p.id, fs.readFileSync(path.join(o.dir, p.script), 'utf8')]));
  const hash = new Map([...scripts].map(([id, s]) => [id, scriptHash(s)]));
  const ids = new Set(o.phases.map((p) => p.id));
  const complete = (id: string) => state.phases[id]?.status === 'done' && state.phases[id].hash === hash.get(id);
  // Phases that must run although the node's marker says they completed with this script: the ones
  // --from-phase names, and those after a phase that runs again (its objects are rebuilt).
  const forced = new Set<string>();
  if (o.fromPhase) {
    const roots = new Set(o.phases.filter((p) => p.id === o.fromPhase || p.phase === o.fromPhase).map((p) => p.id));
    if (!roots.size) throw new LabError(`--from-phase: no phase "${o.fromPhase}" (phases: ${[...new Set(o.phases.map((p) => p.phase))].join(', ')})`, 2);
    for (const id of dependents(o.phases, roots)) (delete state.phases[id], forced.add(id));
  }
  // completed with another script: runs again (its marker's hash differs), and so must what follows it
  const changed = new Set(o.phases.filter((p) => state.phases[p.id]?.status === 'done' && !complete(p.id)).map((p) => p.id));
  for (const id of dependents(o.phases, changed)) if (!changed.has(id)) (delete state.phases[id], forced.add(id));
  const wanted = o.phases.filter((p) => (!o.node || p.node === o.node) && (!o.phase || p.phase === o.phase));
  if ((o.node || o.phase) && !wanted.length) throw new LabError(`no phase matches${o.node ? ` --node ${o.node}` : ''}${o.phase ? ` --phase ${o.phase}` : ''}`, 2);
  const result: ProvisionResult = { ran: [], skipped: [], failed: [], ms: 0 };
  const pending = new Set<string>();
  for (const p of wanted) {
    if (complete(p.id)) {
      result.skipped.push(p.id);
      o.progress?.({ id: p.id, status: 'skip', log: '' });
    } else pending.add(p.id);
  }
  const busy = new Set<string>(); // nodes with a phase running
  const running = new Map<string, Promise<void>>();
  let failure: string | null = null;
  const save = () => writeProvisionState(o.dir, state);

  const start = (p: PhaseRef) => {
    pending.delete(p.id);
    busy.add(p.node);
    const log = path.join(o.dir, 'logs', p.node, `${p.phase}.log`);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const out = fs.createWriteStream(log);
    const startedAt = new Date().toISOString();
    state.phases[p.id] = { status: 'running', hash: hash.get(p.id)!, startedAt };
    save();
    o.progress?.({ id: p.id, status: 'start', log });
    const t = performance.now();
    const job = (async () => {
      const conn = o.connect(p.node);
      const remote = `${remoteDir}/${p.script}`;
      let code: number;
      try {
        await conn.upload(remote, scripts.get(p.id)!);
        code = (await conn.exec(runInGroup(remote, forced.has(p.id)), { onData: (d) => out.write(d), signal: o.signal, holdStdin: true })).code;
      } catch (e) {
        out.write(`\nstacklab: ${(e as Error).message}\n`);
        code = 255;
      }
      await new Promise((r) => out.end(r));
      const ms = Math.round(performance.now() - t);
      const status = o.signal?.aborted ? 'interrupted' : code === 0 ? 'done' : 'failed';
      state.phases[p.id] = { status, hash: hash.get(p.id)!, startedAt, ms, exitCode: code };
      save();
      busy.delete(p.node);
      running.delete(p.id);
      if (status === 'done') {
        result.ran.push(p.id);
        o.progress?.({ id: p.id, status: 'done', ms, log });
      } else {
        result.failed.push(p.id);
        failure ??= `${p.id} ${status === 'interrupted' ? 'was interrupted' : `failed (exit ${code})`}: see ${log}`;
        o.progress?.({ id: p.id, status: 'failed', ms, log });
      }
    })();
    running.set(p.id, job);
  };

  for (;;) {
    if (!failure && !o.signal?.aborted) {
      for (const id of [...pending]) {
        const p = o.phases.find((x) => x.id === id)!;
        if (busy.has(p.node)) continue;
        // a dependency outside this run's selection counts when it completed earlier
        if (p.after.every((a) => (ids.has(a) ? complete(a) : true))) start(p);
      }
    }
    if (!running.size) break;
    await Promise.race(running.values());
  }
  result.ms = Math.round(performance.now() - t0);
  if (o.signal?.aborted) throw new ProvisionFailed(`provisioning interrupted; state saved: \`lab up\` resumes (${result.ran.length} phases completed in this run)`);
  if (failure) throw new ProvisionFailed(`provisioning stopped: ${failure}; \`lab up\` resumes at the failed phase`);
  if (pending.size) throw new ProvisionFailed(`phases whose dependencies never completed: ${[...pending].join(', ')}`);
  return result;
}
