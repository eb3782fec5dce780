// Loading and validation: extends, defaults, and one assertion per kind of bad input.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario, deepMerge } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/util/errors.js';
import { tmpdir, writeScenario } from '../helpers.js';

const BASE = `description: a test lab
nodes:
  - { name: ctl, roles: [controller, network] }
  - { name: cmp1, roles: [compute] }
  - { name: cmp2, roles: [compute] }
workload:
  instances:
    - { name: gf1, compute: cmp1, floating_ip: true }
    - { name: gf2, compute: cmp2 }
`;

test('the bundled scenarios load, with their variants resolved through extends', (t) => {
  const vlan = loadScenario('three-node-dvr-vlan').scenario;
  t.is(vlan.tenant_network_type, 'vlan');
  t.is(vlan.nodes.length, 3, 'nodes come from three-node-dvr');
  t.is(vlan.name, 'three-node-dvr-vlan');
  t.regex(vlan.description, /VLAN/);
  t.is(loadScenario('three-node-legacy').scenario.router, 'legacy');
  t.is(loadScenario('three-node-dvr-ovs24').scenario.ovs_version, '2.4.0');
  t.is(loadScenario('two-node-dvr').scenario.ovs_version, '2.5.0', 'RDO Mitaka default');
});

test('a path to a YAML file works as well as a name, and defaults fill the rest', (t) => {
  const dir = tmpdir();
  const file = writeScenario(dir, 'mine', BASE);
  const { scenario, warnings } = loadScenario(file);
  t.is(scenario.name, 'mine');
  t.is(scenario.networks.tunnel.mtu, 1550);
  t.is(scenario.docker_socket_access, 'group');
  t.deepEqual(warnings, []);
});

test('deepMerge merges mappings and replaces lists', (t) => {
  t.deepEqual(deepMerge({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] }), { a: { b: 1, c: 3 }, l: [9] });
});

test('warnings: VXLAN MTU headroom and a world-writable docker socket', (t) => {
  const dir = tmpdir();
  const f = writeScenario(dir, 'w', BASE + 'docker_socket_access: world-writable\nnetworks:\n  tunnel: { mtu: 1500 }\n');
  const { warnings } = loadScenario(f);
  t.true(warnings.some((w) => w.path === 'networks.tenant.mtu' && /1500 \+ 50 > 1500/.test(w.expected)));
  t.true(warnings.some((w) => w.path === 'docker_socket_access' && /chmod 666/.test(w.expected)));
});

// [name, yaml, path in the message, what the message must say]
const INVALID: [string, string, string, RegExp][] = [
  ['unknown top-level key', BASE + 'routr: legacy\n', '(document)', /no unknown key \(got "routr"\)/],
  ['unknown node key', BASE.replace('{ name: cmp2, roles: [compute] }', '{ name: cmp2, roles: [compute], ram: 4 }'), 'nodes[2]', /no unknown key \(got "ram"\)/],
  ['bad tenant network type', BASE + 'tenant_network_type: gre\n', 'tenant_network_type', /one of "vxlan", "vlan" \(got "gre"\)/],
  ['bad OVS version', BASE + 'ovs_version: "2.6.1"\n', 'ovs_version', /one of "2.5.0", "2.4.0", "2.3.1"/],
  ['host name not RFC 1123', BASE.replace('name: cmp2,', 'name: Cmp_2,'), 'nodes[2].name', /RFC 1123 host name/],
  ['duplicate node name', BASE.replace('name: cmp2,', 'name: cmp1,'), 'nodes[2].name', /a unique name \("cmp1" is also nodes\[1\]\)/],
  ['no compute node', BASE.replace(/roles: \[compute\]/g, 'roles: [network]'), 'nodes', /at least one node with role "compute"/],
  ['two controllers', BASE.replace('{ name: cmp2, roles: [compute] }', '{ name: cmp2, roles: [compute, controller] }'), 'nodes', /exactly one node with role "controller" \(found 2\)/],
  ['instance on a missing node', BASE.replace('compute: cmp2', 'compute: cmp9'), 'workload.instances[1].compute', /the name of a node \(got "cmp9"/],
  ['instance on a non-compute', BASE.replace('compute: cmp2', 'compute: ctl'), 'workload.instances[1].compute', /a node with role "compute"/],
  ['tunnel address outside its network', BASE.replace('{ name: cmp2, roles: [compute] }', '{ name: cmp2, roles: [compute], tunnel_ip: 192.0.2.7 }'), 'nodes[2].tunnel_ip', /inside networks.tunnel.cidr 198.51.100.0\/24 \(got 192.0.2.7\)/],
  ['duplicate tunnel address', BASE.replace('{ name: cmp1, roles: [compute] }', '{ name: cmp1, roles: [compute], tunnel_ip: 198.51.100.20 }').replace('{ name: cmp2, roles: [compute] }', '{ name: cmp2, roles: [compute], tunnel_ip: 198.51.100.20 }'), 'nodes[2].tunnel_ip', /a unique address \(198.51.100.20 is also nodes\[1\].tunnel_ip\)/],
  ['FIP pool outside the external network', BASE + 'networks:\n  external: { floating_ip_pool: { start: 192.0.2.10, end: 192.0.2.20 } }\n', 'networks.external.floating_ip_pool.start', /inside networks.external.cidr 203.0.113.0\/24/],
  ['FIP pool covering the gateway', BASE + 'networks:\n  external: { floating_ip_pool: { start: 203.0.113.1, end: 203.0.113.20 } }\n', 'networks.external.floating_ip_pool', /clear of the external gateway 203.0.113.1/],
  ['FIP outside the pool', BASE.replace('floating_ip: true', 'floating_ip: 203.0.113.9'), 'workload.instances[0].floating_ip', /inside networks.external.floating_ip_pool 203.0.113.100-203.0.113.150/],
  ['pool too small', BASE + 'networks:\n  external: { floating_ip_pool: { start: 203.0.113.100, end: 203.0.113.101 } }\n', 'networks.external.floating_ip_pool', /large enough/],
  ['VLAN range reversed', BASE + 'vlan_range: { min: 300, max: 200 }\n', 'vlan_range', /min <= max \(got 300..200\)/],
  ['VLAN id out of range', BASE + 'vlan_range: { min: 100, max: 5000 }\n', 'vlan_range.max', /a number <= 4094/],
  ['VNI range reversed', BASE + 'vni_range: { min: 2000, max: 1000 }\n', 'vni_range', /min <= max/],
  ['overlapping networks', BASE + 'networks:\n  tenant: { cidr: 198.51.100.0/25 }\n', 'networks.tenant.cidr', /does not overlap networks.tunnel.cidr/],
  ['CIDR with host bits', BASE + 'networks:\n  tenant: { cidr: 10.0.0.5/24 }\n', 'networks.tenant.cidr', /a network address with no host bits set/],
  ['MTU too small', BASE + 'networks:\n  tenant: { mtu: 100 }\n', 'networks.tenant.mtu', /a number >= 576/],
  ['fixed IP on the router interface', BASE.replace('{ name: gf2, compute: cmp2 }', '{ name: gf2, compute: cmp2, fixed_ip: 10.0.0.1 }'), 'workload.instances[1].fixed_ip', /reserved for the router interface/],
  ['instance named like a node', BASE.replace('name: gf2,', 'name: cmp1,'), 'workload.instances[1].name', /a unique name/],
  ['missing workload', BASE.replace(/workload:[\s\S]*/, ''), 'workload', /a value \(object, required\)/],
  ['bad docker image reference', BASE.replace('workload:\n', 'workload:\n  image: "x; rm -rf /"\n'), 'workload.image', /a Docker image reference/],
  ['invalid YAML', 'description: [unclosed\n', 'line', /valid YAML/],
  ['extends a missing scenario', 'extends: nowhere\n' + BASE, 'extends', /an existing scenario/],
];

for (const [name, yaml, where, message] of INVALID) {
  test(`invalid scenario: ${name}`, (t) => {
    const dir = tmpdir();
    const file = writeScenario(dir, 'bad', yaml);
    const e = t.throws(() => loadScenario(file), { instanceOf: ScenarioError });
    t.is(e!.exitCode, 2);
    t.true(e!.message.startsWith(file), `names the file: ${e!.message}`);
    t.true(e!.message.includes(`: ${where}`), `names the YAML path ${where}: ${e!.message}`);
    t.regex(e!.message, message);
  });
}

test('extends cycles are reported', (t) => {
  const dir = tmpdir();
  writeScenario(dir, 'a', 'extends: b\n' + BASE);
  writeScenario(dir, 'b', 'extends: a\n' + BASE);
  const e = t.throws(() => loadScenario(path.join(dir, 'a.yaml')), { instanceOf: ScenarioError });
  t.regex(e!.message, /no cycle \(a.yaml -> b.yaml -> a.yaml\)/);
  t.true(fs.existsSync(path.join(dir, 'a.yaml')));
});
