// The provision runner and the ssh2 Shell against a real sshd on loopback: dependencies, parallel
// nodes, logs, state with script hashes, resume after failure, --from-phase, and Ctrl-C.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { SshShell, parseSshConfig } from '../src/shell/ssh.js';
import { provision, ProvisionFailed } from '../src/provision/runner.js';
import { readProvisionState } from '../src/provision/state.js';
import type { PhaseRef } from '../src/plan/types.js';
import { startSshd, type Sshd } from './sshd.js';
import { tmpdir } from './helpers.js';

let sshd: Sshd;
test.before(async () => {
  sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
});

const target = () => ({ host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKey: sshd.keyPath });

test('ssh2 shell: exec, exit codes, stdin, upload, and connection reuse', async (t) => {
  const sh = new SshShell('node1', target());
  t.teardown(() => sh.close());
  const r = await sh.exec('echo hello; echo oops >&2; exit 3');
  t.is(r.code, 3);
  t.is(r.stdout, 'hello\n');
  t.is(r.stderr, 'oops\n');
  t.is((await sh.exec('cat', { stdin: 'from stdin' })).stdout, 'from stdin');
  const dir = tmpdir('ssh-upload-');
  await sh.upload(`${dir}/a b/it's.sh`, 'echo uploaded\n');
  t.is((await sh.exec(`bash '${dir}/a b/it'"'"'s.sh'`)).stdout, 'uploaded\n');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await sh.exec('true')).ms);
  t.true(Math.min(...times) < 200, `round trips on an open connection: ${times.join(', ')} ms`);
});

test('vagrant ssh-config output parses into ssh2 targets', (t) => {
  const cfg = parseSshConfig(`Host ctl\n  HostName 10.20.0.35\n  User vagrant\n  Port 22\n  UserKnownHostsFile /dev/null\n  IdentityFile /root/.vagrant.d/insecure_private_key\n  IdentitiesOnly yes\n\nHost cmp1\n  HostName 10.20.0.36\n  User vagrant\n  Port 2222\n  IdentityFile "/root/key with space"\n`);
  t.deepEqual(cfg.ctl, { host: '10.20.0.35', port: 22, user: 'vagrant', privateKey: '/root/.vagrant.d/insecure_private_key' });
  t.deepEqual(cfg.cmp1, { host: '10.20.0.36', port: 2222, user: 'vagrant', privateKey: '/root/key with space' });
});

function fixture() {
  const dir = tmpdir('provision-');
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  const phases: PhaseRef[] = [
    { id: 'n1/a', node: 'n1', phase: 'a', title: 'a', after: [], script: 'provision/n1/01-a.sh' },
    { id: 'n2/a', node: 'n2', phase: 'a', title: 'a', after: [], script: 'provision/n2/01-a.sh' },
    { id: 'n1/b', node: 'n1', phase: 'b', title: 'b', after: ['n1/a', 'n2/a'], script: 'provision/n1/02-b.sh' },
    { id: 'n2/c', node: 'n2', phase: 'c', title: 'c', after: ['n1/b'], script: 'provision/n2/03-c.sh' },
  ];
  const write = (p: PhaseRef, body: string) => {
    fs.mkdirSync(path.join(dir, path.dirname(p.script)), { recursive: true });
    fs.writeFileSync(path.join(dir, p.script), `set -e\necho "${p.id} ran force=\${STACKLAB_FORCE:-0}" >> ${work}/${p.node}-${p.phase}.count\n${body}\n`);
  };
  write(phases[0], 'sleep 1');
  write(phases[1], 'sleep 1');
  write(phases[2], 'echo b-output');
  write(phases[3], `test -e ${work}/flag || { echo "c needs the flag"; exit 7; }`);
  const lines = (p: string) => (fs.existsSync(path.join(work, `${p}.count`)) ? fs.readFileSync(path.join(work, `${p}.count`), 'utf8').split('\n').filter(Boolean) : []);
  const runs = (p: string) => lines(p).length;
  /** STACKLAB_FORCE as the phase's last run saw it (1: run although the node's marker says done) */
  const forced = (p: string) => lines(p).pop()?.endsWith('force=1') ?? false;
  return { dir, work, phases, write, runs, forced };
}

test('runner: parallel nodes, failure, resume at the failed phase, nothing re-run, changed scripts re-run', async (t) => {
  const f = fixture();
  const shells = new Map<string, SshShell>();
  const connect = (node: string) => {
    if (!shells.has(node)) shells.set(node, new SshShell(node, target()));
    return shells.get(node)!;
  };
  t.teardown(() => Promise.all([...shells.values()].map((s) => s.close())));
  const opts = { dir: f.dir, phases: f.phases, connect, remoteDir: path.join(f.dir, 'remote') };

  const e = await t.throwsAsync(provision(opts), { instanceOf: ProvisionFailed });
  t.regex(e!.message, /n2\/c failed \(exit 7\).*logs\/n2\/c\.log/);
  const s1 = readProvisionState(f.dir).phases;
  t.deepEqual(Object.fromEntries(Object.entries(s1).map(([k, v]) => [k, v.status])), { 'n1/a': 'done', 'n2/a': 'done', 'n1/b': 'done', 'n2/c': 'failed' });
  // n1/a and n2/a (1 s each) ran side by side: each started while the other was running, and b (after
  // both) started before their summed durations had passed (measured, so a loaded machine cannot fool it)
  const start = (id: string) => Date.parse(s1[id].startedAt);
  const end = (id: string) => start(id) + s1[id].ms!;
  t.true(start('n2/a') < end('n1/a') && start('n1/a') < end('n2/a'), 'the two nodes ran at the same time');
  const first = Math.min(start('n1/a'), start('n2/a'));
  t.true(start('n1/b') - first < s1['n1/a'].ms! + s1['n2/a'].ms!, `parallel: b started ${start('n1/b') - first} ms after the first a, less than the serial ${s1['n1/a'].ms! + s1['n2/a'].ms!} ms`);
  t.regex(fs.readFileSync(path.join(f.dir, 'logs/n1/b.log'), 'utf8'), /b-output/);
  t.regex(fs.readFileSync(path.join(f.dir, 'logs/n2/c.log'), 'utf8'), /c needs the flag/);

  fs.writeFileSync(path.join(f.work, 'flag'), '');
  const r2 = await provision(opts);
  t.deepEqual(r2.ran, ['n2/c'], 'resumed at the failed phase');
  t.deepEqual(r2.skipped.sort(), ['n1/a', 'n1/b', 'n2/a']);

  const r3 = await provision(opts);
  t.deepEqual(r3.ran, [], 'a second run re-runs zero phases');
  t.deepEqual([f.runs('n1-a'), f.runs('n2-a'), f.runs('n1-b'), f.runs('n2-c')], [1, 1, 1, 2]);

  f.write(f.phases[2], 'echo b changed');
  t.deepEqual((await provision(opts)).ran, ['n1/b', 'n2/c'], 'the changed script runs, and what depends on it');
  t.deepEqual([f.forced('n1-b'), f.forced('n2-c')], [false, true], 'the dependent runs although its marker says done');
  t.deepEqual((await provision(opts)).ran, [], 'then nothing');
  t.deepEqual((await provision({ ...opts, fromPhase: 'b' })).ran, ['n1/b', 'n2/c'], '--from-phase re-runs it and what depends on it');
  t.deepEqual([f.forced('n1-b'), f.forced('n2-c')], [true, true]);
  t.deepEqual((await provision({ ...opts, fromPhase: 'n2/a', node: 'n2', phase: 'a' })).ran, ['n2/a'], '--node/--phase limit the run');
});

test('runner: an abort (Ctrl-C) stops cleanly and leaves a resumable state', async (t) => {
  const f = fixture();
  f.write(f.phases[0], 'sleep 5');
  const shells = new Map<string, SshShell>();
  const connect = (node: string) => shells.get(node) ?? shells.set(node, new SshShell(node, target())).get(node)!;
  t.teardown(() => Promise.all([...shells.values()].map((s) => s.close())));
  const ac = new AbortController();
  let abortedAt = 0;
  // Ctrl-C as soon as n2/a (1 s) is done, while n1/a (5 s) still runs
  const progress = (ev: { id: string; status: string }) => {
    if (ev.id === 'n2/a' && ev.status === 'done') (abortedAt = Date.now()), ac.abort();
  };
  const e = await t.throwsAsync(provision({ dir: f.dir, phases: f.phases, connect, remoteDir: path.join(f.dir, 'remote'), signal: ac.signal, progress }), { instanceOf: ProvisionFailed });
  t.true(Date.now() - abortedAt < 1500, `stopped ${Date.now() - abortedAt} ms after the abort, without waiting for the 5 s phase`);
  t.regex(e!.message, /interrupted; state saved/);
  const s = readProvisionState(f.dir).phases;
  t.is(s['n1/a'].status, 'interrupted');
  t.is(s['n2/a'].status, 'done');
  t.falsy(s['n1/b'], 'nothing started after the abort');
  f.write(f.phases[0], 'true');
  fs.writeFileSync(path.join(f.work, 'flag'), '');
  const r = await provision({ dir: f.dir, phases: f.phases, connect, remoteDir: path.join(f.dir, 'remote') });
  t.deepEqual(r.ran.sort(), ['n1/a', 'n1/b', 'n2/c']);
});
