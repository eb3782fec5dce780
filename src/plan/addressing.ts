// Address assignment: explicit scenario addresses win, the rest is allocated deterministically.
// Shared by validation (which checks the result) and the resolver (which publishes it).
import type { Scenario } from '../scenario/schema.js';
import { hostAt, ipToInt, intToIp, parseCidr } from './ipv4.js';

export interface Addressing {
  nodes: Record<string, { tunnel: string }>;
  tenant: { gateway: string; dhcp: string; snat: string; fixed: Record<string, string> };
  external: { gateway: string; routerGateway: string; fipGateways: Record<string, string>; floating: Record<string, string> };
  /** Allocation failures, as [yaml path, what was expected]. */
  problems: [string, string][];
}

/** First host index used for nodes on the data network (.11, .12, ... on a /24). */
const NODE_BASE = 11;
const INSTANCE_BASE = 5;

function allocator(cidr: string, start: number, taken: Set<string>) {
  const c = parseCidr(cidr);
  let next = start;
  return (): string | undefined => {
    while (next < c.size - 1) {
      const ip = hostAt(cidr, next++);
      if (!taken.has(ip)) {
        taken.add(ip);
        return ip;
      }
    }
    return undefined;
  };
}

export function assignAddresses(s: Scenario): Addressing {
  const problems: [string, string][] = [];
  const net = s.networks;
  const nodes: Addressing['nodes'] = {};
  const tunTaken = new Set(s.nodes.map((n) => n.tunnel_ip).filter(Boolean) as string[]);
  const nextTun = allocator(net.tunnel.cidr, NODE_BASE, tunTaken);
  s.nodes.forEach((n, i) => {
    const tunnel = n.tunnel_ip ?? nextTun();
    if (!tunnel) problems.push([`nodes[${i}].tunnel_ip`, `room for an address in networks.tunnel.cidr ${net.tunnel.cidr}`]);
    nodes[n.name] = { tunnel: tunnel ?? '0.0.0.0' };
  });

  const gateway = hostAt(net.tenant.cidr, 1);
  const dhcp = hostAt(net.tenant.cidr, 2);
  const snat = hostAt(net.tenant.cidr, 3);
  const fixedTaken = new Set([gateway, dhcp, snat, ...(s.workload.instances.map((i) => i.fixed_ip).filter(Boolean) as string[])]);
  const nextFixed = allocator(net.tenant.cidr, INSTANCE_BASE, fixedTaken);
  const fixed: Record<string, string> = {};
  s.workload.instances.forEach((inst, i) => {
    const ip = inst.fixed_ip ?? nextFixed();
    if (!ip) problems.push([`workload.instances[${i}].fixed_ip`, `room for an address in networks.tenant.cidr ${net.tenant.cidr}`]);
    fixed[inst.name] = ip ?? '0.0.0.0';
  });

  // External pool, in the order Neutron hands addresses out: router gateway, floating IPs, then one
  // FIP agent gateway (fg-) per compute that hosts a floating IP.
  const pool = net.external.floating_ip_pool;
  const lo = ipToInt(pool.start);
  const hi = ipToInt(pool.end);
  const poolTaken = new Set<string>(s.workload.instances.map((i) => i.floating_ip).filter((f): f is string => typeof f === 'string'));
  poolTaken.add(net.external.gateway);
  let cursor = lo;
  const nextPool = (): string | undefined => {
    while (cursor <= hi) {
      const ip = intToIp(cursor++);
      if (!poolTaken.has(ip)) {
        poolTaken.add(ip);
        return ip;
      }
    }
    return undefined;
  };
  const poolShort = `a floating_ip_pool large enough for the router gateway, every floating IP and one fg- port per compute with a floating IP (${pool.start}-${pool.end})`;
  const routerGateway = nextPool() ?? (problems.push(['networks.external.floating_ip_pool', poolShort]), '0.0.0.0');
  const floating: Record<string, string> = {};
  s.workload.instances.forEach((inst, i) => {
    if (inst.floating_ip === undefined) return;
    const ip = inst.floating_ip === true ? nextPool() : inst.floating_ip;
    if (!ip) problems.push([`workload.instances[${i}].floating_ip`, poolShort]);
    floating[inst.name] = ip ?? '0.0.0.0';
  });
  const fipGateways: Record<string, string> = {};
  if (s.router === 'distributed') {
    for (const n of s.nodes) {
      if (!s.workload.instances.some((i) => i.compute === n.name && i.floating_ip !== undefined)) continue;
      const ip = nextPool();
      if (!ip) problems.push(['networks.external.floating_ip_pool', poolShort]);
      fipGateways[n.name] = ip ?? '0.0.0.0';
    }
  }
  return { nodes, tenant: { gateway, dhcp, snat, fixed }, external: { gateway: net.external.gateway, routerGateway, fipGateways, floating }, problems };
}
