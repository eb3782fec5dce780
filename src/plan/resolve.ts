// Scenario -> Lab: every derived setting, deterministic (ids and MACs are hashes of the lab name).
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.js';
import type { Warning } from '../scenario/validate.js';
import { assignAddresses } from './addressing.js';
import { ipToInt, netmask, prefixOf } from './ipv4.js';
import { planPhases } from './phases.js';
import type { Lab, LabNode, Nic, OvsSource, Port, Role } from './types.js';
import { buildChecks } from '../checks/catalogue.js';
import { VXLAN_OVERHEAD } from '../scenario/validate.js';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}
/** A UUID-shaped id, stable for the same lab and object (Neutron's ids are random; ours must be reproducible). */
export function stableId(lab: string, kind: string, name: string): string {
  const h = digest(lab, kind, name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
/** Neutron's base_mac fa:16:3e, random tail. */
function portMac(lab: string, name: string): string {
  const h = digest(lab, 'mac', name);
  return `fa:16:3e:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}
function port(lab: string, kind: string, name: string, prefix: string, ip: string): Port {
  const id = stableId(lab, kind, name);
  return { id, name: `${prefix}${id.slice(0, 11)}`, mac: portMac(lab, `${kind}/${name}`), ip };
}

export const OVS_SOURCES: Record<string, Omit<OvsSource, 'version'>> = {
  '2.5.0': { source: 'RDO Mitaka repository (centos-openstack-mitaka), openvswitch-2.5.0-2.el7', url: null },
  '2.4.0': { source: 'RDO Liberty package, pinned for regression runs', url: 'http://vault.centos.org/7.2.1511/cloud/x86_64/openstack-liberty/common/openvswitch-2.4.0-1.el7.x86_64.rpm' },
  '2.3.1': { source: 'CentOS 7.1-era RDO Kilo package, pinned for regression runs', url: 'http://vault.centos.org/7.1.1503/cloud/x86_64/openstack-kilo/common/openvswitch-2.3.1-2.el7.x86_64.rpm' },
};

const SERVICES: Record<Role, (s: Scenario) => string[]> = {
  controller: () => ['keystone', 'glance-api', 'nova-api', 'nova-scheduler', 'nova-conductor', 'neutron-server', 'mariadb', 'rabbitmq'],
  network: (s) => ['openvswitch', 'neutron-openvswitch-agent', `neutron-l3-agent (${s.router === 'distributed' ? 'dvr_snat' : 'legacy'})`, 'neutron-dhcp-agent', 'neutron-metadata-agent'],
  compute: (s) => ['openvswitch', 'neutron-openvswitch-agent', ...(s.router === 'distributed' ? ['neutron-l3-agent (dvr)', 'neutron-metadata-agent'] : []), 'docker', 'openstack-nova-compute (nova-docker)'],
};

export function resolveLab(s: Scenario, warnings: Warning[] = []): Lab {
  const a = assignAddresses(s);
  const net = s.networks;
  const dvr = s.router === 'distributed';
  const vxlan = s.tenant_network_type === 'vxlan';
  const physnetExternal = 'physnet1';
  const physnetTenant = 'physnet2';
  const controller = s.nodes.find((n) => n.roles.includes('controller'))!.name;
  const networkNode = s.nodes.find((n) => n.roles.includes('network'))!.name;
  const libvirt = (kind: string) => `${s.name}-${kind}`;

  const nodes: LabNode[] = s.nodes.map((n, index) => {
    const roles = [...n.roles].sort() as Role[];
    const isNet = roles.includes('network');
    const isCompute = roles.includes('compute');
    const addr = a.nodes[n.name];
    const nics: Nic[] = [
      { name: 'eth0', network: 'management', mtu: 1500, purpose: 'Vagrant management (DHCP): SSH from the host only' },
      { name: 'eth1', network: 'tunnel', ip: addr.tunnel, prefix: prefixOf(net.tunnel.cidr), mtu: net.tunnel.mtu, purpose: vxlan ? 'data network: Packstack host address, VXLAN underlay ([ovs] local_ip), UDP 4789' : 'data network: Packstack host address' },
      { name: 'eth2', network: 'external', mtu: net.external.mtu, purpose: `external provider network (br-ex, ${physnetExternal}), no host address` },
    ];
    if (!vxlan) nics.push({ name: 'eth3', network: 'vlan', mtu: net.tunnel.mtu, purpose: `tenant VLAN trunk (br-vlan, ${physnetTenant}), no host address` });
    const l3AgentMode = dvr ? (isNet ? 'dvr_snat' : isCompute ? 'dvr' : null) : isNet ? 'legacy' : null;
    return {
      name: n.name,
      index,
      roles,
      services: [...new Set(roles.flatMap((r) => SERVICES[r](s)))],
      memory: n.memory ?? s.defaults.memory,
      cpus: n.cpus ?? s.defaults.cpus,
      libvirtUri: n.libvirt_uri ?? s.defaults.libvirt_uri,
      tunnelIp: addr.tunnel,
      nics,
      l3AgentMode,
      bridgeMappings: vxlan ? `${physnetExternal}:br-ex` : `${physnetExternal}:br-ex,${physnetTenant}:br-vlan`,
      localIp: vxlan ? addr.tunnel : null,
      dvrMac: `fa:16:3f:00:00:${(index + 1).toString(16).padStart(2, '0')}`,
      phases: [],
    };
  });
  const phases = planPhases(s.profile, nodes);
  for (const n of nodes) n.phases = phases.filter((p) => p.node === n.name);

  const routerId = stableId(s.name, 'router', 'demo-router');
  const globalPhysnetMtu = net.tunnel.mtu;
  // Link-local /31 for rfp-/fpr-: Neutron pops an arbitrary pair of 169.254.64.0/18; we derive one from the router id.
  const pair = parseInt(routerId.slice(0, 4), 16) % 8192;
  const llBase = ipToInt('169.254.64.0') + pair * 2;
  const ll = (n: number) => [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');

  const lab: Lab = {
    name: s.name,
    description: s.description,
    scenarioFile: s.file,
    release: s.release,
    profile: s.profile,
    tenantNetworkType: s.tenant_network_type,
    router: s.router,
    ovs: { version: s.ovs_version, ...OVS_SOURCES[s.ovs_version] },
    box: { name: s.box.name, version: s.box.version ?? null },
    dockerSocketAccess: s.docker_socket_access,
    workload: { image: s.workload.image, flavor: s.workload.flavor },
    adminPassword: s.admin_password,
    networks: {
      management: { cidr: net.management.cidr, prefix: prefixOf(net.management.cidr), netmask: netmask(prefixOf(net.management.cidr)), nat: net.management.nat, libvirtName: libvirt('mgmt') },
      tunnel: { cidr: net.tunnel.cidr, prefix: prefixOf(net.tunnel.cidr), netmask: netmask(prefixOf(net.tunnel.cidr)), mtu: net.tunnel.mtu, libvirtName: libvirt('data'), vlanLibvirtName: vxlan ? null : libvirt('vlan') },
      external: {
        cidr: net.external.cidr,
        prefix: prefixOf(net.external.cidr),
        netmask: netmask(prefixOf(net.external.cidr)),
        gateway: net.external.gateway,
        mtu: net.external.mtu,
        pool: net.external.floating_ip_pool,
        libvirtName: libvirt('ext'),
      },
      tenant: { cidr: net.tenant.cidr, prefix: prefixOf(net.tenant.cidr), mtu: net.tenant.mtu, gateway: a.tenant.gateway, dhcp: a.tenant.dhcp, snat: a.tenant.snat },
    },
    neutron: {
      physnetExternal,
      physnetTenant,
      typeDrivers: vxlan ? 'vxlan,flat' : 'vlan,flat',
      tenantNetworkTypes: vxlan ? 'vxlan' : 'vlan',
      mechanismDrivers: 'openvswitch,l2population',
      vniRange: s.vni_range,
      vlanRange: s.vlan_range,
      segmentationId: vxlan ? s.vni_range.min : s.vlan_range.min,
      globalPhysnetMtu,
      pathMtu: globalPhysnetMtu,
      tenantNetworkMtu: vxlan ? globalPhysnetMtu - VXLAN_OVERHEAD : globalPhysnetMtu,
      routerId,
      externalNetworkId: stableId(s.name, 'network', 'ext-net'),
      tenantNetworkId: stableId(s.name, 'network', 'demo-net'),
      routerInterface: port(s.name, 'port', 'router-interface', 'qr-', a.tenant.gateway),
      routerGateway: port(s.name, 'port', 'router-gateway', 'qg-', a.external.routerGateway),
      snatPort: dvr ? port(s.name, 'port', 'router-snat', 'sg-', a.tenant.snat) : null,
      fipGateways: Object.entries(a.external.fipGateways).map(([node, ip]) => ({ node, ...port(s.name, 'port', `fip-gateway/${node}`, 'fg-', ip) })),
      fipLinkLocal: { rfp: ll(llBase), fpr: ll(llBase + 1) },
      fipRuleTable: 16,
      fipRulePriority: 32768,
      snatTable: ipToInt(a.tenant.gateway),
    },
    nodes,
    controller,
    networkNode,
    instances: s.workload.instances.map((i) => ({
      name: i.name,
      compute: i.compute,
      fixedIp: a.tenant.fixed[i.name],
      floatingIp: a.external.floating[i.name] ?? null,
      port: port(s.name, 'port', `instance/${i.name}`, 'tap', a.tenant.fixed[i.name]),
    })),
    phases,
    checks: [],
    warnings,
  };
  lab.checks = buildChecks(lab);
  return lab;
}
