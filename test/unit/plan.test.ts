// The resolved Lab: derived settings per role, addressing, phases and their dependencies, checks.
import test from 'ava';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveLab } from '../../src/plan/resolve.js';

const plan = (name: string) => resolveLab(loadScenario(name).scenario);

test('DVR: agent modes, bridge mappings and local_ip per role', (t) => {
  const lab = plan('three-node-dvr');
  const by = Object.fromEntries(lab.nodes.map((n) => [n.name, n]));
  t.is(by.ctl.l3AgentMode, 'dvr_snat');
  t.is(by.cmp1.l3AgentMode, 'dvr');
  t.is(by.cmp2.l3AgentMode, 'dvr');
  t.is(by.cmp1.bridgeMappings, 'physnet1:br-ex');
  t.is(by.cmp1.localIp, '198.51.100.12');
  t.deepEqual(lab.nodes.map((n) => n.tunnelIp), ['198.51.100.11', '198.51.100.12', '198.51.100.13']);
  t.true(by.cmp1.services.includes('neutron-l3-agent (dvr)'));
  t.is(lab.neutron.tenantNetworkMtu, 1500, '1550 underlay - 50 VXLAN overhead');
  t.is(lab.neutron.snatTable, 167772161, 'int(10.0.0.1), as Neutron computes it');
});

test('VLAN: br-vlan mapping, no local_ip, a fourth NIC for the trunk', (t) => {
  const lab = plan('two-node-dvr-vlan');
  const cmp = lab.nodes.find((n) => n.name === 'cmp1')!;
  t.is(cmp.bridgeMappings, 'physnet1:br-ex,physnet2:br-vlan');
  t.is(cmp.localIp, null);
  t.deepEqual(cmp.nics.map((n) => n.name), ['eth0', 'eth1', 'eth2', 'eth3']);
  t.is(lab.neutron.segmentationId, 100);
  t.is(lab.neutron.tenantNetworkMtu, 1550);
});

test('legacy router: no fg- ports, only the network node runs an L3 agent', (t) => {
  const lab = plan('three-node-legacy');
  t.deepEqual(lab.neutron.fipGateways, []);
  t.deepEqual(lab.nodes.map((n) => n.l3AgentMode), ['legacy', null, null]);
  t.true(lab.checks.find((c) => c.id === 'fip-path')!.probe.kind === 'counter-delta');
  const path = lab.checks.find((c) => c.id === 'fip-path')!.probe;
  t.true(path.kind === 'counter-delta' && path.expectCrossing, 'legacy FIP traffic must cross the tunnel');
});

test('addresses: router gateway, FIP and one fg- per FIP compute come from the pool in Neutron order', (t) => {
  const lab = plan('three-node-dvr');
  t.is(lab.neutron.routerGateway.ip, '203.0.113.100');
  t.is(lab.instances[0].floatingIp, '203.0.113.101');
  t.deepEqual(lab.neutron.fipGateways.map((g) => [g.node, g.ip]), [['cmp1', '203.0.113.102']]);
  t.is(lab.instances[1].floatingIp, null);
  t.regex(lab.neutron.fipLinkLocal.rfp, /^169\.254\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+$/);
  t.regex(lab.neutron.routerInterface.name, /^qr-[0-9a-f]{8}-[0-9a-f]{2}$/);
});

test('phases: Packstack after every node is prepared, DVR after Packstack, workload last', (t) => {
  const lab = plan('three-node-dvr');
  const get = (id: string) => lab.phases.find((p) => p.id === id)!;
  t.deepEqual(get('ctl/packstack').after, ['ctl/ovs', 'cmp1/ovs', 'cmp2/ovs']);
  t.deepEqual(get('cmp2/dvr').after, ['ctl/packstack']);
  t.true(get('ctl/workload').after.includes('cmp2/nova-docker'));
  t.true(get('ctl/workload').after.includes('cmp1/image'));
  t.falsy(lab.phases.find((p) => p.id === 'cmp2/image'), 'the image is uploaded once');
  // a valid order exists: every dependency appears before its dependant
  const order = lab.phases.map((p) => p.id);
  for (const p of lab.phases) for (const d of p.after) t.true(order.indexOf(d) < order.indexOf(p.id), `${d} before ${p.id}`);
});

test('plans are deterministic', (t) => {
  t.deepEqual(JSON.stringify(plan('three-node-dvr')), JSON.stringify(plan('three-node-dvr')));
});

test('checks: the catalogue adapts to the lab', (t) => {
  const three = plan('three-node-dvr').checks.map((c) => c.id);
  t.true(three.includes('ew-path'), 'two computes: East-West crosses the tunnel');
  const two = plan('two-node-dvr').checks.map((c) => c.id);
  t.false(two.includes('ew-path'), 'one compute: no East-West tunnel path');
  t.true(two.includes('snat-path'));
  const mtu = plan('two-node-dvr').checks.find((c) => c.id === 'mtu-exact')!;
  t.true(mtu.probe.kind === 'ping' && mtu.probe.size === 1472 && mtu.probe.dontFragment === true);
});
