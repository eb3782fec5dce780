// The Vagrant backend on real VMs (QEMU/TCG, vagrant-libvirt, a libvirtd confined to a network and
// mount namespace this test creates): lab up boots three tiny VMs and builds the DVR data plane in
// them over ssh2 (dataplane profile), every check passes from the host and over SSH, a fault breaks
// exactly the checks it must, reverting it restores them, --from-phase rebuilds the routers in place,
// a second lab up re-runs zero phases, and lab destroy leaves no domain, network or volume.
// Run with `npm run test:vm` (root; builds the tiny box from Debian packages on first use).
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, CLI, tmpdir } from '../helpers.js';
import type { Lab } from '../../src/plan/types.js';
import { expectedBroken, faultByName } from '../../src/dataplane/faults.js';

const FAULT = 'block-vxlan';

interface Report {
  results: { id: string; status: string; evidence: string }[];
  summary: { passed: number; failed: number };
}

test('three tiny VMs: up builds DVR over ssh2, checks pass, a fault breaks its checks, no-op re-up, destroy leaves nothing', async (t) => {
  // the box, cached per version of its recipe (built on first use)
  const b = await execa('bash', [path.join(ROOT, 'boxes/tiny-box.sh')], { reject: false, all: true });
  t.is(b.exitCode, 0, String(b.all));
  const BOX = String(b.stdout).trim().split('\n').pop()!;
  const work = tmpdir('vm-');
  const r = await execa('bash', [path.join(ROOT, 'test/vm/isolated-lab.sh'), BOX, CLI, path.join(ROOT, 'test/vm/tiny-three.yaml'), work, FAULT], { reject: false, all: true, timeout: 20 * 60_000 });
  const out = String(r.all);
  t.log(out.split('\n').filter((l) => l.startsWith('MARK') || /provisioned|VMs up|booted and ready/.test(l)).join('\n'));
  t.is(r.exitCode, 0, out.slice(-3000));
  const mark = (name: string) => Object.fromEntries((new RegExp(`^MARK ${name} (.*)$`, 'm').exec(out)?.[1] ?? '').split(' ').map((kv) => kv.split('=')));
  const labDir = path.join(work, 'labs/tiny-three');
  const lab = JSON.parse(fs.readFileSync(path.join(labDir, 'lab.json'), 'utf8')) as Lab;
  const phases = lab.phases.length;

  t.is(mark('up1').rc, '0', out.slice(-3000));
  t.regex(out, new RegExp(`tiny-three provisioned: ${phases} phases run, 0 already complete`));
  for (const n of ['ctl', 'cmp1', 'cmp2']) t.regex(fs.readFileSync(path.join(labDir, 'logs', n, 'underlay-check.log'), 'utf8'), /2 packets transmitted, 2 (packets )?received/);
  t.regex(fs.readFileSync(path.join(labDir, 'logs/cmp1/routers.log'), 'utf8'), /^fip-[0-9a-f-]+/m, 'the fip namespace exists on the compute with the FIP');

  // Every check of the catalogue ran and passed, from the host and over SSH, with its evidence.
  const report = (n: number) => JSON.parse(fs.readFileSync(path.join(work, `test${n}.json`), 'utf8')) as Report;
  const t1 = report(1);
  t.is(mark('test1').rc, '0', JSON.stringify(t1.results.filter((x) => x.status !== 'pass'), null, 1));
  t.deepEqual(t1.results.map((x) => x.id).sort(), lab.checks.map((c) => c.id).sort(), 'every check ran, the one under a fault included');
  t.is(t1.summary.failed, 0);
  const ev = (rep: Report, id: string) => rep.results.find((x) => x.id === id)!.evidence;
  t.regex(ev(t1, 'fip-http'), /HTTP 200.*GlassFish.*client=203\.0\.113\.1:/);
  t.regex(ev(t1, 'fip-path'), /\(\+0\)/, 'North-South with a FIP did not cross the tunnel');
  t.regex(ev(t1, 'snat-path'), /\(\+[1-9]\d*\)/, 'SNAT traffic crossed the tunnel');

  // The fault breaks exactly the checks that traverse what it breaks; reverting restores them.
  t.is(mark('fault').rc, '0');
  const t2 = report(2);
  t.is(mark('test2').rc, '1');
  const failed = t2.results.filter((x) => x.status === 'fail').map((x) => x.id).sort();
  t.deepEqual(failed, expectedBroken(lab, faultByName(FAULT), {}).sort());
  t.is(mark('revert').rc, '0');
  t.is(mark('test3').rc, '0', JSON.stringify(report(3).results.filter((x) => x.status !== 'pass'), null, 1));

  // --from-phase routers on the running lab: the routers phases and what depends on them run again
  // (past their markers), each removing what its first run built, and every check passes again.
  t.is(mark('reprovision').rc, '0');
  const again = new Set(lab.phases.filter((p) => p.phase === 'routers').map((p) => p.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of lab.phases) if (!again.has(p.id) && p.after.some((a) => again.has(a))) (again.add(p.id), (grew = true));
  }
  t.regex(out, new RegExp(`^${again.size} phases run, ${phases - again.size} already complete$`, 'm'));
  t.is(mark('test4').rc, '0', JSON.stringify(report(4).results.filter((x) => x.status !== 'pass'), null, 1));

  t.is(mark('up2').rc, '0');
  t.regex(out, new RegExp(`tiny-three provisioned: 0 phases run, ${phases} already complete`), 'a second lab up re-runs zero phases');
  t.true(Number(mark('up2').ms) < 10_000, `no-op re-up took ${mark('up2').ms} ms`);
  const state = JSON.parse(fs.readFileSync(path.join(labDir, 'state.json'), 'utf8'));
  t.is(Object.values(state.phases).filter((p: any) => p.status === 'done').length, phases);
  t.is(mark('destroy').rc, '0');
  t.deepEqual(mark('left'), { domains: '0', networks: '0', volumes: '0' });
  // figures for bench/results/vm.json: boot to SSH per node, ssh2 vs OpenSSH vs vagrant ssh -c
  const json = (name: string) => JSON.parse(new RegExp(`^MARK ${name} (.*)$`, 'm').exec(out)?.[1] || '{}');
  const boot = json('boot');
  t.deepEqual(Object.keys(boot.toSsh ?? {}).sort(), ['cmp1', 'cmp2', 'ctl']);
  const ssh = json('ssh');
  t.true(ssh.ssh2CommandMs < ssh.vagrantSshMs, `ssh2 ${ssh.ssh2CommandMs} ms vs vagrant ssh -c ${ssh.vagrantSshMs} ms`);
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/vm.json'),
    JSON.stringify({ date: new Date().toISOString(), nodes: 3, upMs: Number(mark('up1').ms), bootMs: boot.ms, bootToSshMs: boot.toSsh, testMs: Number(mark('test1').ms), noopUpMs: Number(mark('up2').ms), destroyMs: Number(mark('destroy').ms), ssh, phases: state.phases }, null, 2) + '\n',
  );
});
