// The Vagrant backend on real VMs (QEMU/TCG, vagrant-libvirt, a libvirtd confined to a network and
// mount namespace this test creates): lab up boots three tiny VMs, provisions them over ssh2 in
// parallel, a second lab up re-runs zero phases, lab destroy leaves no domain, network or volume.
// Run with `npm run test:vm` (root; builds the tiny box from Debian packages on first use).
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, CLI, tmpdir } from '../helpers.js';

const BOX = process.env.STACKLAB_TINY_BOX ?? '/var/tmp/stacklab-tiny-box';

test('three tiny VMs: up, ssh2 provisioning, a no-op second up, destroy leaves nothing', async (t) => {
  if (!fs.existsSync(path.join(BOX, 'tiny.box'))) {
    const b = await execa('bash', [path.join(ROOT, 'boxes/build-tiny-box.sh'), BOX], { env: { WORK: path.join(tmpdir('box-'), 'work') }, reject: false, all: true });
    t.is(b.exitCode, 0, String(b.all));
  }
  const work = tmpdir('vm-');
  const r = await execa('bash', [path.join(ROOT, 'test/vm/isolated-lab.sh'), BOX, CLI, path.join(ROOT, 'test/vm/tiny-three.yaml'), work], { reject: false, all: true, timeout: 20 * 60_000 });
  const out = String(r.all);
  t.log(out.split('\n').filter((l) => l.startsWith('MARK') || /provisioned|VMs up/.test(l)).join('\n'));
  t.is(r.exitCode, 0, out.slice(-3000));
  const mark = (name: string) => Object.fromEntries((new RegExp(`^MARK ${name} (.*)$`, 'm').exec(out)?.[1] ?? '').split(' ').map((kv) => kv.split('=')));
  t.is(mark('up1').rc, '0', out.slice(-3000));
  t.regex(out, /tiny-three provisioned: 6 phases run, 0 already complete/);
  t.is(mark('up2').rc, '0');
  t.regex(out, /tiny-three provisioned: 0 phases run, 6 already complete/, 'a second lab up re-runs zero phases');
  t.true(Number(mark('up2').ms) < 10_000, `no-op re-up took ${mark('up2').ms} ms`);
  t.regex(out, /ctl\/underlay-check +done/);
  for (const n of ['ctl', 'cmp1', 'cmp2']) t.regex(fs.readFileSync(path.join(work, 'labs/tiny-three/logs', n, 'underlay-check.log'), 'utf8'), /2 packets transmitted, 2 packets received/);
  const state = JSON.parse(fs.readFileSync(path.join(work, 'labs/tiny-three/state.json'), 'utf8'));
  t.is(Object.values(state.phases).filter((p: any) => p.status === 'done').length, 6);
  t.is(mark('destroy').rc, '0');
  t.deepEqual(mark('left'), { domains: '0', networks: '0', volumes: '0' });
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/vm.json'), JSON.stringify({ date: new Date().toISOString(), nodes: 3, upMs: Number(mark('up1').ms), noopUpMs: Number(mark('up2').ms), destroyMs: Number(mark('destroy').ms), phases: state.phases }, null, 2) + '\n');
});
