// Cross-field rules the schema cannot express: roles, references, addresses inside their
// networks, uniqueness, pool placement, ranges and MTU headroom.
import type { Scenario } from './schema.js';
import { assignAddresses } from '../plan/addressing.js';
import { contains, ipToInt, isHost, isNetworkAddress, overlaps } from '../plan/ipv4.js';

export interface Problem {
  path: string;
  expected: string;
}
export type Warning = Problem;

export const VXLAN_OVERHEAD = 50;

export function validateScenario(s: Scenario): { errors: Problem[]; warnings: Warning[] } {
  const errors: Problem[] = [];
  const warnings: Warning[] = [];
  const err = (path: string, expected: string) => errors.push({ path, expected });
  const net = s.networks;

  // Roles: Packstack has exactly one controller host; DVR needs a dvr_snat (network) host and computes.
  const withRole = (r: string) => s.nodes.filter((n) => n.roles.includes(r as never));
  if (withRole('controller').length !== 1) err('nodes', `exactly one node with role "controller" (found ${withRole('controller').length})`);
  if (withRole('network').length < 1) err('nodes', 'at least one node with role "network" (the controller/network node)');
  if (withRole('compute').length < 1) err('nodes', 'at least one node with role "compute"');
  s.nodes.forEach((n, i) => {
    if (new Set(n.roles).size !== n.roles.length) err(`nodes[${i}].roles`, 'each role once');
  });

  // Names: unique across nodes and instances (both become host names).
  const names = new Map<string, string>();
  s.nodes.forEach((n, i) => {
    if (names.has(n.name)) err(`nodes[${i}].name`, `a unique name ("${n.name}" is also ${names.get(n.name)})`);
    names.set(n.name, `nodes[${i}]`);
  });
  s.workload.instances.forEach((inst, i) => {
    if (names.has(inst.name)) err(`workload.instances[${i}].name`, `a unique name ("${inst.name}" is also ${names.get(inst.name)})`);
    names.set(inst.name, `workload.instances[${i}]`);
    const host = s.nodes.find((n) => n.name === inst.compute);
    if (!host) err(`workload.instances[${i}].compute`, `the name of a node (got "${inst.compute}"; nodes: ${s.nodes.map((n) => n.name).join(', ')})`);
    else if (!host.roles.includes('compute')) err(`workload.instances[${i}].compute`, `a node with role "compute" ("${inst.compute}" has ${host.roles.join(', ')})`);
  });

  // Networks: proper network addresses, no overlap between them.
  const nets: [string, string][] = [
    ['networks.management.cidr', net.management.cidr],
    ['networks.tunnel.cidr', net.tunnel.cidr],
    ['networks.external.cidr', net.external.cidr],
    ['networks.tenant.cidr', net.tenant.cidr],
  ];
  for (const [p, c] of nets) if (!isNetworkAddress(c)) err(p, `a network address with no host bits set (got ${c})`);
  for (let i = 0; i < nets.length; i++)
    for (let j = i + 1; j < nets.length; j++)
      if (overlaps(nets[i][1], nets[j][1])) err(nets[j][0], `a network that does not overlap ${nets[i][0]} (${nets[j][1]} overlaps ${nets[i][1]})`);
  for (const [p, c] of nets) if (Number(c.split('/')[1]) > 29) err(p, `a prefix of /29 or shorter (got ${c})`);

  // Addresses inside their networks, unique.
  const seen = new Map<string, string>();
  const unique = (ip: string, path: string) => {
    if (seen.has(ip)) err(path, `a unique address (${ip} is also ${seen.get(ip)})`);
    else seen.set(ip, path);
  };
  s.nodes.forEach((n, i) => {
    if (n.tunnel_ip) {
      if (!isHost(net.tunnel.cidr, n.tunnel_ip)) err(`nodes[${i}].tunnel_ip`, `a host address inside networks.tunnel.cidr ${net.tunnel.cidr} (got ${n.tunnel_ip})`);
      unique(n.tunnel_ip, `nodes[${i}].tunnel_ip`);
    }
  });
  const ext = net.external;
  if (!isHost(ext.cidr, ext.gateway)) err('networks.external.gateway', `a host address inside networks.external.cidr ${ext.cidr} (got ${ext.gateway})`);
  unique(ext.gateway, 'networks.external.gateway');
  const pool = ext.floating_ip_pool;
  for (const k of ['start', 'end'] as const)
    if (!isHost(ext.cidr, pool[k])) err(`networks.external.floating_ip_pool.${k}`, `an address inside networks.external.cidr ${ext.cidr} (got ${pool[k]})`);
  if (ipToInt(pool.start) > ipToInt(pool.end)) err('networks.external.floating_ip_pool', `start <= end (got ${pool.start}-${pool.end})`);
  const inPool = (ip: string) => ipToInt(ip) >= ipToInt(pool.start) && ipToInt(ip) <= ipToInt(pool.end);
  if (inPool(ext.gateway)) err('networks.external.floating_ip_pool', `a pool clear of the external gateway ${ext.gateway}`);
  s.nodes.forEach((n, i) => {
    if (n.tunnel_ip && contains(ext.cidr, n.tunnel_ip)) err(`nodes[${i}].tunnel_ip`, `a node address clear of the external network (got ${n.tunnel_ip})`);
  });
  s.workload.instances.forEach((inst, i) => {
    if (inst.fixed_ip) {
      if (!isHost(net.tenant.cidr, inst.fixed_ip)) err(`workload.instances[${i}].fixed_ip`, `a host address inside networks.tenant.cidr ${net.tenant.cidr} (got ${inst.fixed_ip})`);
      unique(inst.fixed_ip, `workload.instances[${i}].fixed_ip`);
    }
    if (typeof inst.floating_ip === 'string') {
      if (!inPool(inst.floating_ip)) err(`workload.instances[${i}].floating_ip`, `an address inside networks.external.floating_ip_pool ${pool.start}-${pool.end} (got ${inst.floating_ip})`);
      unique(inst.floating_ip, `workload.instances[${i}].floating_ip`);
    }
  });
  const reserved = assignAddresses(s);
  for (const [ip, what] of [[reserved.tenant.gateway, 'router interface'], [reserved.tenant.dhcp, 'DHCP port'], [reserved.tenant.snat, 'SNAT (sg-) port']] as const) {
    s.workload.instances.forEach((inst, i) => {
      if (inst.fixed_ip === ip) err(`workload.instances[${i}].fixed_ip`, `an address other than ${ip} (reserved for the ${what})`);
    });
  }
  if (!errors.length) for (const [p, e] of reserved.problems) err(p, e);

  // Ranges.
  for (const key of ['vni_range', 'vlan_range'] as const) {
    if (s[key].min > s[key].max) err(key, `min <= max (got ${s[key].min}..${s[key].max})`);
  }

  // MTU headroom: VXLAN adds 50 bytes on the underlay.
  if (s.tenant_network_type === 'vxlan' && net.tenant.mtu + VXLAN_OVERHEAD > net.tunnel.mtu)
    warnings.push({
      path: 'networks.tenant.mtu',
      expected: `tenant MTU + ${VXLAN_OVERHEAD} <= networks.tunnel.mtu for VXLAN (${net.tenant.mtu} + ${VXLAN_OVERHEAD} > ${net.tunnel.mtu}): full-size tenant frames will not cross the tunnel`,
    });
  if (s.tenant_network_type === 'vlan' && net.tenant.mtu > net.tunnel.mtu)
    warnings.push({ path: 'networks.tenant.mtu', expected: `tenant MTU <= networks.tunnel.mtu for VLAN (${net.tenant.mtu} > ${net.tunnel.mtu})` });
  if (s.docker_socket_access === 'world-writable')
    warnings.push({ path: 'docker_socket_access', expected: '"group": "world-writable" reproduces the seed\'s chmod 666 on /var/run/docker.sock, which gives every local user root' });
  return { errors, warnings };
}
