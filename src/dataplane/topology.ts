// Lab -> the DVR data plane as operations (reference: shared/reference/netns-dvr-emulation.md).
// Each node is a namespace standing for the node's root namespace (br-int, br-ex, tunnel port);
// Neutron's namespaces on that node are flattened to <prefix>-<node>-<kind>; every namespace is wired
// only to bridges of its own node, so every inter-node packet crosses the node's underlay or uplink.
import type { Lab, LabNode, Port } from '../plan/types.js';
import { ACCOUNTING_CHAIN, OUTSIDE_ECHO_PORT } from '../checks/catalogue.js';
import type { Op, OpSection } from './ops.js';
import { READY_DIR, standinArgv, type Standin } from './standin.js';

export interface Names {
  prefix: string;
  underlay: string;
  ext: string;
  physnet: string;
  outside: string;
  node(n: string): string;
  qrouter(n: string): string;
  fip(n: string): string;
  snat(n: string): string;
  instance(n: string, i: string): string;
  /** the node's tunnel port on br-int: the VXLAN device, or the VLAN segment's veth */
  tunnelDev: string;
  /** switch-side port names (<= 15 characters) */
  switchPort(node: LabNode, kind: 'tun' | 'ext'): string;
}

export function namesFor(lab: Lab, prefix = lab.name): Names {
  const seg = lab.neutron.segmentationId;
  return {
    prefix,
    underlay: `${prefix}-underlay`,
    ext: `${prefix}-ext`,
    physnet: `${prefix}-physnet`,
    outside: `${prefix}-outside`,
    node: (n) => `${prefix}-${n}`,
    qrouter: (n) => `${prefix}-${n}-qrouter`,
    fip: (n) => `${prefix}-${n}-fip`,
    snat: (n) => `${prefix}-${n}-snat`,
    instance: (n, i) => `${prefix}-${n}-${i}`,
    tunnelDev: lab.tenantNetworkType === 'vxlan' ? `vxlan-${seg}` : `eth3.${seg}`,
    switchPort: (node, kind) => (node.name.length <= 11 ? `${node.name}-${kind}` : `n${node.index}-${kind}`),
  };
}

/** Which nodes host the router's qrouter namespace: DVR on the network node and every compute with an instance. */
export function qrouterNodes(lab: Lab): string[] {
  if (lab.router === 'legacy') return [lab.networkNode];
  const withInstances = new Set(lab.instances.map((i) => i.compute));
  return lab.nodes.filter((n) => n.name === lab.networkNode || withInstances.has(n.name)).map((n) => n.name);
}

// -e: the net.bridge.* keys exist only while br_netfilter is loaded (without it bridged frames skip iptables anyway)
const sysctls = (ns: string, kv: Record<string, string | number>): Op => ({ ns, argv: ['sysctl', '-eqw', ...Object.entries(kv).map(([k, v]) => `${k}=${v}`)] });
const ip = (ns: string, ...argv: string[]): Op => ({ ns, argv: ['ip', ...argv] });
const standinOp = (ns: string, s: Standin): Op => ({ ns, argv: standinArgv(s), background: true, standin: s });

/** A veth pair with an end in each namespace; the same name on both sides reads like Neutron's ports. */
function veth(nsA: string, nameA: string, nsB: string, nameB: string, mtu: number): Op {
  return { ns: null, argv: ['ip', 'link', 'add', nameA, 'netns', nsA, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB, 'mtu', String(mtu)] };
}

/** A Neutron port: a veth whose node end is a port of `bridge` (optionally pinned in its forwarding
 * table) and whose other end, in `ns`, carries the port's MAC and address. */
function plugPort(nodeNs: string, bridge: string, ns: string, port: Port, prefix: string, mtu: number, pin = false): Op[] {
  return [
    veth(nodeNs, port.name, ns, port.name, mtu),
    ip(nodeNs, 'link', 'set', port.name, 'master', bridge, 'up'),
    ...(pin ? [{ ns: nodeNs, argv: ['bridge', 'fdb', 'replace', port.mac, 'dev', port.name, 'master', 'static'] }] : []),
    ip(ns, 'link', 'set', port.name, 'address', port.mac),
    ip(ns, 'addr', 'add', `${port.ip}/${prefix}`, 'dev', port.name),
    ip(ns, 'link', 'set', port.name, 'up'),
  ];
}

export function allNamespaces(lab: Lab, n: Names): string[] {
  const list = [n.underlay, n.ext, n.outside];
  if (lab.tenantNetworkType === 'vlan') list.splice(1, 0, n.physnet);
  const qr = qrouterNodes(lab);
  for (const node of lab.nodes) {
    list.push(n.node(node.name));
    if (qr.includes(node.name)) list.push(n.qrouter(node.name));
    if (lab.neutron.fipGateways.some((g) => g.node === node.name)) list.push(n.fip(node.name));
    if (lab.router === 'distributed' && node.name === lab.networkNode) list.push(n.snat(node.name));
    for (const i of lab.instances.filter((x) => x.compute === node.name)) list.push(n.instance(node.name, i.name));
  }
  return list;
}

export function dataplaneSections(lab: Lab, n: Names = namesFor(lab)): OpSection[] {
  const vxlan = lab.tenantNetworkType === 'vxlan';
  const dvr = lab.router === 'distributed';
  const net = lab.networks;
  const nt = lab.neutron;
  const tenantPrefix = String(net.tenant.prefix);
  const extPrefix = String(net.external.prefix);
  const qrNodes = qrouterNodes(lab);
  const sections: OpSection[] = [];
  const nodeOf = (name: string) => lab.nodes.find((x) => x.name === name)!;
  const rid = nt.routerId.slice(0, 11);

  // 1. Namespaces, with every sysctl explicit: new namespaces inherit some defaults from the host.
  const nsOps: Op[] = [];
  const all = allNamespaces(lab, n);
  for (const ns of all) nsOps.push({ ns: null, argv: ['ip', 'netns', 'add', ns] });
  // Neutron's router namespaces forward; nodes, switches and instances do not.
  const routers = new Set(lab.nodes.flatMap((node) => [n.qrouter(node.name), n.fip(node.name), n.snat(node.name)]));
  for (const ns of all) {
    const router = routers.has(ns);
    nsOps.push(
      sysctls(ns, {
        'net.ipv6.conf.all.disable_ipv6': 1,
        'net.ipv6.conf.default.disable_ipv6': 1,
        'net.ipv4.ip_forward': router ? 1 : 0,
        'net.ipv4.conf.all.rp_filter': 0,
        'net.ipv4.conf.default.rp_filter': 0,
        'net.ipv4.igmp_link_local_mcast_reports': 0,
        // bridged frames must not traverse this namespace's iptables (br_netfilter defaults to 1)
        'net.bridge.bridge-nf-call-iptables': 0,
        'net.bridge.bridge-nf-call-arptables': 0,
        ...(router ? { 'net.ipv4.conf.all.send_redirects': 0, 'net.ipv4.conf.default.send_redirects': 0 } : {}),
      }),
      ip(ns, 'link', 'set', 'lo', 'up'),
    );
  }
  sections.push({ title: 'namespaces and sysctls', stage: 'namespaces', ops: nsOps });

  // 2. Physical switches: the data network (tunnel underlay or VLAN trunk) and the external network.
  const sw: Op[] = [
    ip(n.underlay, 'link', 'add', 'br-underlay', 'type', 'bridge', 'mcast_snooping', '0'),
    ip(n.underlay, 'link', 'set', 'br-underlay', 'up'),
    ip(n.ext, 'link', 'add', 'br-public', 'type', 'bridge', 'mcast_snooping', '0'),
    ip(n.ext, 'link', 'set', 'br-public', 'up'),
    veth(n.outside, 'eth0', n.ext, 'outside', net.external.mtu),
    ip(n.ext, 'link', 'set', 'outside', 'master', 'br-public', 'up'),
    ip(n.outside, 'addr', 'add', `${net.external.gateway}/${extPrefix}`, 'dev', 'eth0'),
    ip(n.outside, 'link', 'set', 'eth0', 'up'),
  ];
  if (!vxlan) {
    // No 802.1Q module here: the tenant VLAN is one isolated segment (a bridge per VLAN ID).
    const vbr = `br-vlan${nt.segmentationId}`;
    sw.push(ip(n.physnet, 'link', 'add', vbr, 'type', 'bridge', 'mcast_snooping', '0'), ip(n.physnet, 'link', 'set', vbr, 'up'));
  }
  sections.push({ title: 'switches: data network, external network, the outside tester', stage: 'switches', ops: sw });

  // 3. Nodes: eth1 on the data network, br-int with the tunnel port, br-ex with eth2.
  for (const node of lab.nodes) {
    const ns = n.node(node.name);
    sections.push({
      title: `node ${node.name}: eth1 ${node.tunnelIp} on the data network`,
      stage: 'underlay',
      ops: [
        veth(ns, 'eth1', n.underlay, n.switchPort(node, 'tun'), net.tunnel.mtu),
        ip(n.underlay, 'link', 'set', n.switchPort(node, 'tun'), 'master', 'br-underlay', 'up'),
        ip(ns, 'link', 'set', 'eth1', 'mtu', String(net.tunnel.mtu)),
        ip(ns, 'addr', 'add', `${node.tunnelIp}/${net.tunnel.prefix}`, 'dev', 'eth1'),
        ip(ns, 'link', 'set', 'eth1', 'up'),
      ],
    });
    const ops: Op[] = [
      ip(ns, 'link', 'add', 'br-int', 'mtu', String(net.tenant.mtu), 'type', 'bridge', 'mcast_snooping', '0'),
      ip(ns, 'link', 'set', 'br-int', 'up'),
      ip(ns, 'link', 'add', 'br-ex', 'mtu', String(net.external.mtu), 'type', 'bridge', 'mcast_snooping', '0'),
      ip(ns, 'link', 'set', 'br-ex', 'up'),
      veth(ns, 'eth2', n.ext, n.switchPort(node, 'ext'), net.external.mtu),
      ip(n.ext, 'link', 'set', n.switchPort(node, 'ext'), 'master', 'br-public', 'up'),
      ip(ns, 'link', 'set', 'eth2', 'mtu', String(net.external.mtu), 'master', 'br-ex', 'up'),
    ];
    if (vxlan) {
      ops.push(
        ip(ns, 'link', 'add', n.tunnelDev, 'mtu', String(net.tenant.mtu), 'type', 'vxlan', 'id', String(nt.segmentationId), 'local', node.tunnelIp, 'dstport', '4789', 'dev', 'eth1', 'nolearning', 'proxy'),
        ip(ns, 'link', 'set', n.tunnelDev, 'master', 'br-int', 'up'),
        { ns, argv: ['bridge', 'link', 'set', 'dev', n.tunnelDev, 'learning', 'off'] },
      );
    } else {
      const port = `n${node.index}-v${nt.segmentationId}`;
      ops.push(
        veth(ns, n.tunnelDev, n.physnet, port, net.tunnel.mtu),
        ip(n.physnet, 'link', 'set', port, 'master', `br-vlan${nt.segmentationId}`, 'up'),
        ip(ns, 'link', 'set', n.tunnelDev, 'master', 'br-int', 'up'),
      );
    }
    // br-tun's DVR_PROCESS table: frames routed by the local qrouter leave with this host's DVR MAC,
    // ARP for the distributed gateway never leaves the node; plus per-instance accounting rules.
    const filter = [':INPUT ACCEPT', ':FORWARD ACCEPT', ':OUTPUT ACCEPT', `:${ACCOUNTING_CHAIN} RETURN`];
    if (dvr) filter.push(`-A FORWARD -p ARP -o ${n.tunnelDev} --arp-ip-dst ${net.tenant.gateway} -j DROP`);
    filter.push(`-A FORWARD -j ${ACCOUNTING_CHAIN}`);
    for (const inst of lab.instances)
      filter.push(`-A ${ACCOUNTING_CHAIN} -p IPv4 -o ${n.tunnelDev} --ip-src ${inst.fixedIp} -j CONTINUE`, `-A ${ACCOUNTING_CHAIN} -p IPv4 -i ${n.tunnelDev} --ip-dst ${inst.fixedIp} -j CONTINUE`);
    const nat = [':PREROUTING ACCEPT', ':OUTPUT ACCEPT', ':POSTROUTING ACCEPT'];
    if (dvr) nat.push(`-A POSTROUTING -s ${nt.routerInterface.mac} -o ${n.tunnelDev} -j snat --to-src ${node.dvrMac} --snat-target ACCEPT`);
    ops.push({ ns, argv: ['ebtables-restore'], stdin: ['*filter', ...filter, '*nat', ...nat].join('\n') + '\n' });
    sections.push({ title: `node ${node.name}: br-int with ${n.tunnelDev}, br-ex with eth2`, stage: 'bridges', ops });
  }

  // 4. Instances: tap<port> on br-int, ns<port> inside, the stand-in serving 8080/4848/22.
  for (const inst of lab.instances) {
    const ns = n.node(inst.compute);
    const ins = n.instance(inst.compute, inst.name);
    const inner = `ns${inst.port.id.slice(0, 11)}`;
    sections.push({
      title: `instance ${inst.name} on ${inst.compute}: ${inst.fixedIp}`,
      stage: 'instances',
      ops: [
        veth(ns, inst.port.name, ins, inner, net.tenant.mtu),
        ip(ns, 'link', 'set', inst.port.name, 'master', 'br-int', 'up'),
        // pinned like a port OVS knows: the first frame to a silent instance is never flooded over the tunnel
        { ns, argv: ['bridge', 'fdb', 'replace', inst.port.mac, 'dev', inst.port.name, 'master', 'static'] },
        ip(ins, 'link', 'set', inner, 'address', inst.port.mac),
        ip(ins, 'addr', 'add', `${inst.fixedIp}/${tenantPrefix}`, 'dev', inner),
        ip(ins, 'link', 'set', inner, 'up'),
        ip(ins, 'route', 'add', 'default', 'via', net.tenant.gateway, 'dev', inner),
        standinOp(ins, { role: 'instance', name: inst.name, ports: [8080, 4848, 22] }),
      ],
    });
  }

  // 5. Routers.
  const qr = nt.routerInterface;
  for (const nodeName of qrNodes) {
    const ns = n.node(nodeName);
    const q = n.qrouter(nodeName);
    const ops: Op[] = plugPort(ns, 'br-int', q, qr, tenantPrefix, net.tenant.mtu, true);
    // Static ARP for every port of the subnet, as the L3 agent writes it.
    for (const inst of lab.instances) ops.push(ip(q, 'neigh', 'replace', inst.fixedIp, 'lladdr', inst.port.mac, 'dev', qr.name, 'nud', 'permanent'));
    if (dvr && nt.snatPort) {
      ops.push(
        ip(q, 'neigh', 'replace', nt.snatPort.ip, 'lladdr', nt.snatPort.mac, 'dev', qr.name, 'nud', 'permanent'),
        // instances without a FIP: source routing to the central SNAT port (table = int(qr IP))
        ip(q, 'route', 'add', 'default', 'via', nt.snatPort.ip, 'dev', qr.name, 'table', String(nt.snatTable)),
        ip(q, 'rule', 'add', 'from', `${qr.ip}/${tenantPrefix}`, 'table', String(nt.snatTable), 'priority', String(nt.snatTable)),
      );
    }
    const fipsHere = lab.instances.filter((i) => i.floatingIp && i.compute === nodeName);
    const fg = nt.fipGateways.find((g) => g.node === nodeName);
    const nat: string[] = [];
    if (dvr && fg && fipsHere.length) {
      const f = n.fip(nodeName);
      const { rfp, fpr } = nt.fipLinkLocal;
      ops.push(
        ...plugPort(ns, 'br-ex', f, fg, extPrefix, net.external.mtu),
        ip(f, 'route', 'add', 'default', 'via', net.external.gateway, 'dev', fg.name),
        // proxy_delay=0: Neutron leaves the kernel's random 0-0.8 s delay; a lab wants determinism
        sysctls(f, { [`net.ipv4.conf.${fg.name}.proxy_arp`]: 1, [`net.ipv4.neigh.${fg.name}.proxy_delay`]: 0, 'net.ipv4.ip_nonlocal_bind': 1 }),
        veth(q, `rfp-${rid}`, f, `fpr-${rid}`, net.external.mtu),
        ip(q, 'addr', 'add', `${rfp}/31`, 'dev', `rfp-${rid}`),
        ip(q, 'link', 'set', `rfp-${rid}`, 'up'),
        ip(f, 'addr', 'add', `${fpr}/31`, 'dev', `fpr-${rid}`),
        ip(f, 'link', 'set', `fpr-${rid}`, 'up'),
        ip(q, 'route', 'add', 'default', 'via', fpr, 'dev', `rfp-${rid}`, 'table', String(nt.fipRuleTable)),
        { ns: f, argv: ['iptables-restore'], stdin: '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j CT --notrack\nCOMMIT\n' },
      );
      fipsHere.forEach((inst, k) => {
        ops.push(
          ip(q, 'rule', 'add', 'from', inst.fixedIp, 'table', String(nt.fipRuleTable), 'priority', String(nt.fipRulePriority + k)),
          ip(f, 'route', 'add', `${inst.floatingIp}/32`, 'via', rfp, 'dev', `fpr-${rid}`),
        );
        nat.push(`-A neutron-l3-agent-PREROUTING -d ${inst.floatingIp}/32 -i rfp-${rid} -j DNAT --to-destination ${inst.fixedIp}`, `-A neutron-l3-agent-float-snat -s ${inst.fixedIp}/32 -j SNAT --to-source ${inst.floatingIp}`);
      });
    }
    if (!dvr) {
      // Legacy: the one qrouter owns the gateway port and every floating IP.
      const gw = nt.routerGateway;
      ops.push(
        ...plugPort(ns, 'br-ex', q, gw, extPrefix, net.external.mtu),
        ip(q, 'route', 'add', 'default', 'via', net.external.gateway, 'dev', gw.name),
      );
      for (const inst of lab.instances.filter((i) => i.floatingIp)) {
        ops.push(ip(q, 'addr', 'add', `${inst.floatingIp}/32`, 'dev', gw.name));
        nat.push(`-A neutron-l3-agent-PREROUTING -d ${inst.floatingIp}/32 -j DNAT --to-destination ${inst.fixedIp}`, `-A neutron-l3-agent-float-snat -s ${inst.fixedIp}/32 -j SNAT --to-source ${inst.floatingIp}`);
      }
      nat.push(`-A neutron-l3-agent-snat -o ${gw.name} -j SNAT --to-source ${gw.ip}`);
    }
    ops.push({ ns: q, argv: ['iptables-restore'], stdin: l3AgentNat(nat) });
    sections.push({ title: `${dvr ? 'distributed ' : ''}router on ${nodeName}: qrouter${fg ? ', fip namespace' : ''}`, stage: 'routers', ops });
  }
  if (dvr && nt.snatPort) {
    const ns = n.node(lab.networkNode);
    const s = n.snat(lab.networkNode);
    const sg = nt.snatPort;
    const gw = nt.routerGateway;
    const ops: Op[] = [
      ...plugPort(ns, 'br-int', s, sg, tenantPrefix, net.tenant.mtu, true),
      ...plugPort(ns, 'br-ex', s, gw, extPrefix, net.external.mtu),
      ip(s, 'route', 'add', 'default', 'via', net.external.gateway, 'dev', gw.name),
      ...lab.instances.map((inst) => ip(s, 'neigh', 'replace', inst.fixedIp, 'lladdr', inst.port.mac, 'dev', sg.name, 'nud', 'permanent')),
      { ns: s, argv: ['iptables-restore'], stdin: l3AgentNat([`-A neutron-l3-agent-snat -o ${gw.name} -j SNAT --to-source ${gw.ip}`]) },
    ];
    sections.push({ title: `centralised SNAT on ${lab.networkNode}: snat namespace with ${sg.name} and ${gw.name}`, stage: 'routers', ops });
  }

  // 6. l2population: static forwarding entries and ARP-responder entries on each VXLAN port.
  if (vxlan) {
    for (const node of lab.nodes) {
      const ns = n.node(node.name);
      const ops: Op[] = [];
      for (const peer of lab.nodes) if (peer !== node) ops.push({ ns, argv: ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', n.tunnelDev, 'dst', peer.tunnelIp] });
      const remote = (owner: string, mac: string, addr: string) => {
        if (owner === node.name) return;
        const vtep = nodeOf(owner).tunnelIp;
        ops.push({ ns, argv: ['bridge', 'fdb', 'replace', mac, 'dev', n.tunnelDev, 'dst', vtep] }, ip(ns, 'neigh', 'replace', addr, 'lladdr', mac, 'dev', n.tunnelDev, 'nud', 'permanent'));
      };
      for (const inst of lab.instances) remote(inst.compute, inst.port.mac, inst.fixedIp);
      if (dvr && nt.snatPort) remote(lab.networkNode, nt.snatPort.mac, nt.snatPort.ip);
      if (!dvr) remote(lab.networkNode, qr.mac, qr.ip);
      sections.push({ title: `l2population on ${node.name}`, stage: 'l2pop', ops });
    }
  }

  sections.push({ title: 'the outside tester: echo server', stage: 'outside', ops: [standinOp(n.outside, { role: 'outside', name: 'outside', ports: [OUTSIDE_ECHO_PORT] })] });
  return sections;
}

export function readyFiles(lab: Lab): string[] {
  return [...lab.instances.map((i) => `${READY_DIR}/${i.name}.ready`), `${READY_DIR}/outside.ready`];
}

function l3AgentNat(rules: string[]): string {
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':neutron-l3-agent-PREROUTING - [0:0]',
    ':neutron-l3-agent-float-snat - [0:0]',
    ':neutron-l3-agent-snat - [0:0]',
    ':neutron-postrouting-bottom - [0:0]',
    '-A PREROUTING -j neutron-l3-agent-PREROUTING',
    '-A POSTROUTING -j neutron-postrouting-bottom',
    '-A neutron-postrouting-bottom -j neutron-l3-agent-snat',
    '-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat',
    ...rules,
    'COMMIT',
    '',
  ].join('\n');
}
