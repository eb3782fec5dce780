// Faults: named, reversible injections. Each names the path elements it breaks; the checks expected
// to fail are those whose traffic traverses one of them (the matrix is derived, not hand-written).
import type { Lab } from '../plan/types.js';
import type { CheckSpec } from '../checks/types.js';
import { InvalidInput } from '../util/errors.js';
import { namesFor, type Names } from './topology.js';
import type { Op } from './ops.js';

export interface FaultOptions {
  node?: string;
}
export interface Fault {
  name: string;
  description: string;
  /** why this fault does not apply to this lab, or null */
  notApplicable(lab: Lab): string | null;
  breaks(lab: Lab, o: FaultOptions): string[];
  ops(lab: Lab, n: Names, o: FaultOptions, revert: boolean): Op[];
}

const fipInstance = (lab: Lab) => lab.instances.find((i) => i.floatingIp);
/** Caches that outlive a change (PMTU exceptions, neighbours) are flushed in every endpoint. */
function flushCaches(lab: Lab, n: Names): Op[] {
  return [
    ...lab.instances.map((i): Op => ({ ns: n.instance(i.compute, i.name), argv: ['ip', 'route', 'flush', 'cache'] })),
    { ns: n.outside, argv: ['ip', 'route', 'flush', 'cache'] },
    { ns: n.outside, argv: ['ip', 'neigh', 'flush', 'dev', 'eth0'] },
  ];
}

export const FAULTS: Fault[] = [
  {
    name: 'underlay-mtu',
    description: 'the data network MTU is too small for the encapsulated tenant frames (VXLAN needs tenant MTU + 50)',
    notApplicable: () => null,
    breaks: () => ['mtu:tunnel'],
    ops(lab, n, _o, revert) {
      const vxlan = lab.tenantNetworkType === 'vxlan';
      const small = vxlan ? lab.networks.tenant.mtu : lab.networks.tenant.mtu - 50;
      const mtu = String(revert ? lab.networks.tunnel.mtu : small);
      const seg = lab.neutron.segmentationId;
      const ops: Op[] = [];
      for (const node of lab.nodes) {
        if (vxlan) ops.push({ ns: n.node(node.name), argv: ['ip', 'link', 'set', 'eth1', 'mtu', mtu] }, { ns: n.underlay, argv: ['ip', 'link', 'set', n.switchPort(node, 'tun'), 'mtu', mtu] });
        else ops.push({ ns: n.node(node.name), argv: ['ip', 'link', 'set', n.tunnelDev, 'mtu', mtu] }, { ns: n.physnet, argv: ['ip', 'link', 'set', `n${node.index}-v${seg}`, 'mtu', mtu] });
      }
      return [...ops, ...flushCaches(lab, n)];
    },
  },
  {
    name: 'block-vxlan',
    description: 'tunnel traffic dropped on one node (UDP 4789 for VXLAN; the VLAN trunk port for VLAN)',
    notApplicable: () => null,
    breaks: (lab, o) => [`tunnel:${blockNode(lab, o)}`],
    ops(lab, n, o, revert) {
      const ns = n.node(blockNode(lab, o));
      const verb = revert ? '-D' : '-I';
      const ops: Op[] =
        lab.tenantNetworkType === 'vxlan'
          ? [
              { ns, argv: ['iptables', verb, 'INPUT', '-p', 'udp', '--dport', '4789', '-j', 'DROP'], mayFail: revert },
              { ns, argv: ['iptables', verb, 'OUTPUT', '-p', 'udp', '--dport', '4789', '-j', 'DROP'], mayFail: revert },
            ]
          : [
              { ns, argv: ['ebtables', verb, 'FORWARD', '-i', n.tunnelDev, '-j', 'DROP'], mayFail: revert },
              { ns, argv: ['ebtables', verb, 'FORWARD', '-o', n.tunnelDev, '-j', 'DROP'], mayFail: revert },
            ];
      return [...ops, ...flushCaches(lab, n)];
    },
  },
  {
    name: 'no-proxy-arp',
    description: "proxy ARP off on the fg- port of the compute hosting the floating IP: nobody answers ARP for the FIP",
    notApplicable: (lab) => (lab.router !== 'distributed' ? 'a legacy router has no fg- port (the qg- port owns the FIP)' : !fipInstance(lab) ? 'no instance has a floating IP' : null),
    breaks: (lab) => [`proxy-arp:${fipInstance(lab)!.compute}`],
    ops(lab, n, _o, revert) {
      const c = fipInstance(lab)!.compute;
      const fg = lab.neutron.fipGateways.find((g) => g.node === c)!;
      return [{ ns: n.fip(c), argv: ['sysctl', '-qw', `net.ipv4.conf.${fg.name}.proxy_arp=${revert ? 1 : 0}`] }, ...flushCaches(lab, n)];
    },
  },
  {
    name: 'fip-disassociate',
    description: 'the floating IP is disassociated from its instance (what `neutron floatingip-disassociate` removes)',
    notApplicable: (lab) => (fipInstance(lab) ? null : 'no instance has a floating IP'),
    breaks: (lab) => [`fip:${fipInstance(lab)!.name}`],
    ops(lab, n, _o, revert) {
      const inst = fipInstance(lab)!;
      const nt = lab.neutron;
      const rid = nt.routerId.slice(0, 11);
      const add = revert ? 'add' : 'del';
      const ipt = revert ? '-A' : '-D';
      if (lab.router === 'distributed') {
        const q = n.qrouter(inst.compute);
        const k = lab.instances.filter((i) => i.floatingIp && i.compute === inst.compute).indexOf(inst);
        return [
          { ns: q, argv: ['ip', 'rule', add, 'from', inst.fixedIp, 'table', String(nt.fipRuleTable), 'priority', String(nt.fipRulePriority + k)], mayFail: !revert },
          { ns: n.fip(inst.compute), argv: ['ip', 'route', add, `${inst.floatingIp}/32`, 'via', nt.fipLinkLocal.rfp, 'dev', `fpr-${rid}`], mayFail: !revert },
          { ns: q, argv: ['iptables', '-t', 'nat', ipt, 'neutron-l3-agent-PREROUTING', '-d', `${inst.floatingIp}/32`, '-i', `rfp-${rid}`, '-j', 'DNAT', '--to-destination', inst.fixedIp], mayFail: !revert },
          { ns: q, argv: ['iptables', '-t', 'nat', ipt, 'neutron-l3-agent-float-snat', '-s', `${inst.fixedIp}/32`, '-j', 'SNAT', '--to-source', inst.floatingIp!], mayFail: !revert },
          ...flushCaches(lab, n),
        ];
      }
      const q = n.qrouter(lab.networkNode);
      return [
        { ns: q, argv: ['ip', 'addr', add, `${inst.floatingIp}/32`, 'dev', nt.routerGateway.name], mayFail: !revert },
        { ns: q, argv: ['iptables', '-t', 'nat', revert ? '-I' : '-D', 'neutron-l3-agent-PREROUTING', '-d', `${inst.floatingIp}/32`, '-j', 'DNAT', '--to-destination', inst.fixedIp], mayFail: !revert },
        { ns: q, argv: ['iptables', '-t', 'nat', revert ? '-I' : '-D', 'neutron-l3-agent-float-snat', '-s', `${inst.fixedIp}/32`, '-j', 'SNAT', '--to-source', inst.floatingIp!], mayFail: !revert },
        ...flushCaches(lab, n),
      ];
    },
  },
];

/** Default node for block-vxlan: the compute of the instance without a FIP (breaks East-West and SNAT, not the FIP path). */
export function blockNode(lab: Lab, o: FaultOptions): string {
  if (o.node) {
    if (!lab.nodes.some((x) => x.name === o.node)) throw new InvalidInput(`--node: expected one of ${lab.nodes.map((x) => x.name).join(', ')} (got "${o.node}")`);
    return o.node;
  }
  const withFip = fipInstance(lab);
  const noFip = lab.instances.find((i) => !i.floatingIp && i.compute !== withFip?.compute) ?? lab.instances.find((i) => !i.floatingIp) ?? lab.instances[0];
  return noFip.compute;
}

/** How an injected fault is remembered: its name, and the node for a per-node fault. */
function faultKey(name: string, o: FaultOptions): string {
  return o.node ? `${name}@${o.node}` : name;
}

/** The injected faults after injecting (or reverting) one, as every backend records them. */
export function withFault(keys: string[], name: string, o: FaultOptions, revert: boolean): string[] {
  const key = faultKey(name, o);
  return revert ? keys.filter((x) => x !== key) : [...new Set([...keys, key])];
}

/** The names of the injected faults (a per-node fault counts once). */
export function faultNames(keys: string[]): string[] {
  return keys.map((k) => k.split('@')[0]);
}

/** The fault, if it applies to this lab (else a clear error): what every backend checks first. */
export function applicableFault(lab: Lab, name: string): Fault {
  const f = faultByName(name);
  const why = f.notApplicable(lab);
  if (why) throw new InvalidInput(`fault ${name} does not apply to ${lab.name}: ${why}`);
  return f;
}

export function faultByName(name: string): Fault {
  const f = FAULTS.find((x) => x.name === name);
  if (!f) throw new InvalidInput(`unknown fault "${name}": expected one of ${FAULTS.map((x) => x.name).join(', ')}`);
  return f;
}

/** The checks a fault must break: they traverse an element the fault breaks (a check that runs
 * under this very fault is skipped while it is injected, so it is not counted). */
export function expectedBroken(lab: Lab, fault: Fault, o: FaultOptions, checks: CheckSpec[] = lab.checks): string[] {
  const broken = new Set(fault.breaks(lab, o));
  return checks.filter((c) => c.underFault !== fault.name && c.traverses.some((t) => broken.has(t))).map((c) => c.id);
}

export { namesFor };
