// The dataplane profile's projection of the netns data plane onto VMs: nothing is lost or given to
// two nodes, names are the VM's own, every namespace exists before it is used, faults land on the
// nodes they concern, and every rendered script passes shellcheck.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveLab } from '../../src/plan/resolve.js';
import { renderLab } from '../../src/render/index.js';
import { writeFiles } from '../../src/commands/render.js';
import { dataplaneSections } from '../../src/dataplane/topology.js';
import { VM_PHASES, nodeOps, outsideOps, ownerOf, vmNames, vmPhaseOps } from '../../src/dataplane/vm.js';
import { faultByName } from '../../src/dataplane/faults.js';
import type { Lab } from '../../src/plan/types.js';
import { ROOT, TEST_KEYS, tmpdir, listFiles } from '../helpers.js';

const SCENARIOS = ['three-node-dvr', 'two-node-dvr', 'three-node-dvr-vlan', 'three-node-legacy'];
const lab = (name: string): Lab => resolveLab(loadScenario(name).scenario);

for (const name of SCENARIOS) {
  test(`${name}: every operation goes to exactly one node, a switch or the outside, renamed for the VM`, (t) => {
    const l = lab(name);
    const all = dataplaneSections(l, vmNames(l)).flatMap((s) => s.ops);
    const owners = all.map(ownerOf);
    t.false(owners.some((o) => o.kind === 'mixed'), 'no operation spans two nodes');
    const onNodes = l.nodes.reduce((n, node) => n + nodeOps(all, node.name).length, 0);
    const rootsCreated = l.nodes.length; // `ip netns add <node>|`: the VM's root namespace exists already
    t.is(onNodes + rootsCreated + owners.filter((o) => o.kind !== 'node').length, all.length);
    for (const node of l.nodes) for (const op of nodeOps(all, node.name)) t.false([op.ns ?? '', ...op.argv].some((a) => a.includes('|')), JSON.stringify(op));
  });

  test(`${name}: each phase creates the namespaces it uses before using them`, (t) => {
    const l = lab(name);
    for (const node of l.nodes) {
      const created = new Set<string>();
      const phases = vmPhaseOps(l, node.name);
      for (const phase of VM_PHASES)
        for (const op of phases[phase]) {
          if (op.argv[0] === 'ip' && op.argv[1] === 'netns' && op.argv[2] === 'add') {
            created.add(op.argv[3]);
            continue;
          }
          const used = [op.ns, ...op.argv.filter((_, i) => op.argv[i - 1] === 'netns')].filter((x): x is string => !!x);
          for (const ns of used) t.true(created.has(ns), `${node.name}/${phase}: ${ns} used before it is created`);
        }
    }
  });
}

test('three-node-dvr: Neutron names on the right VMs; faults land where they act', (t) => {
  const l = lab('three-node-dvr');
  const rid = l.neutron.routerId;
  const nsOn = (node: string) => VM_PHASES.flatMap((p) => vmPhaseOps(l, node)[p]).filter((op) => op.argv.slice(0, 3).join(' ') === 'ip netns add').map((op) => op.argv[3]).sort();
  t.deepEqual(nsOn('ctl'), [`qrouter-${rid}`, `snat-${rid}`].sort());
  t.deepEqual(nsOn('cmp1'), [`fip-${l.neutron.externalNetworkId}`, 'instance-gf1', `qrouter-${rid}`].sort());
  t.deepEqual(nsOn('cmp2'), ['instance-gf2', `qrouter-${rid}`].sort());
  const block = faultByName('block-vxlan').ops(l, vmNames(l), {}, false);
  t.deepEqual(l.nodes.map((n) => nodeOps(block, n.name).filter((op) => op.argv[0] === 'iptables').length), [0, 0, 2], 'block-vxlan: the iptables rules on cmp2 only');
  const noArp = faultByName('no-proxy-arp').ops(l, vmNames(l), {}, false);
  t.deepEqual(nodeOps(noArp, 'cmp1').filter((op) => op.argv[0] === 'sysctl').map((op) => op.ns), [`fip-${l.neutron.externalNetworkId}`]);
  t.deepEqual(outsideOps(noArp, 'virbr9').map((op) => op.argv.join(' ')), ['ip route flush cache', 'ip neigh flush dev virbr9'], "the outside's caches are the host's");
});

test('the VM test lab renders dataplane scripts that pass shellcheck and start from clean', async (t) => {
  const l = resolveLab(loadScenario(path.join(ROOT, 'test/vm/tiny-three.yaml')).scenario);
  const dir = tmpdir('render-tiny-');
  writeFiles(dir, renderLab(l, TEST_KEYS));
  const files = listFiles(dir).filter((f) => f.endsWith('.sh'));
  t.is(files.length, l.phases.length);
  const sc = await execa('shellcheck', ['--severity=style', ...files], { cwd: dir, reject: false });
  t.is(sc.exitCode, 0, String(sc.stdout));
  const routers = fs.readFileSync(path.join(dir, 'provision/cmp1/04-routers.sh'), 'utf8');
  t.regex(routers, new RegExp(`^ip netns del qrouter-${l.neutron.routerId} 2>/dev/null \\|\\| true$`, 'm'), 'cleanup before build');
  t.regex(routers, /^nsenter --net=\/run\/netns\/fip-[0-9a-f-]+ sysctl -eqw .*net\.ipv4\.ip_forward=1/m, 'router namespaces forward');
  const instances = fs.readFileSync(path.join(dir, 'provision/cmp1/05-instances.sh'), 'utf8');
  t.regex(instances, /^standin_start instance-gf1 gf1 8080,4848,22$/m);
});
