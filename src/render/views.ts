// Ready views of the Lab for the templates: every value a template prints is computed here.
import type { Lab, LabNode } from '../plan/types.js';
import { netmask } from '../plan/ipv4.js';

export interface SshKeyPair {
  private: string;
  public: string;
}

/** Packstack answer-file keys this lab sets (merged into a generated answer file). */
export function answerKeys(lab: Lab): [string, string][] {
  const vxlan = lab.tenantNetworkType === 'vxlan';
  const n = lab.neutron;
  const ip = (name: string) => lab.nodes.find((x) => x.name === name)!.tunnelIp;
  const computes = lab.nodes.filter((x) => x.roles.includes('compute')).map((x) => x.tunnelIp);
  const networks = lab.nodes.filter((x) => x.roles.includes('network')).map((x) => x.tunnelIp);
  return [
    ['CONFIG_CONTROLLER_HOST', ip(lab.controller)],
    ['CONFIG_NETWORK_HOSTS', networks.join(',')],
    ['CONFIG_COMPUTE_HOSTS', computes.join(',')],
    ['CONFIG_SSH_KEY', '/root/.ssh/id_rsa.pub'],
    ['CONFIG_DEFAULT_PASSWORD', lab.adminPassword],
    ['CONFIG_KEYSTONE_ADMIN_PW', lab.adminPassword],
    ['CONFIG_PROVISION_DEMO', 'n'],
    ['CONFIG_PROVISION_TEMPEST', 'n'],
    ['CONFIG_SWIFT_INSTALL', 'n'],
    ['CONFIG_CEILOMETER_INSTALL', 'n'],
    ['CONFIG_AODH_INSTALL', 'n'],
    ['CONFIG_GNOCCHI_INSTALL', 'n'],
    ['CONFIG_NAGIOS_INSTALL', 'n'],
    ['CONFIG_CINDER_INSTALL', 'n'],
    ['CONFIG_NEUTRON_L2_AGENT', 'openvswitch'],
    ['CONFIG_NEUTRON_ML2_TYPE_DRIVERS', n.typeDrivers],
    ['CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES', n.tenantNetworkTypes],
    ['CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS', n.mechanismDrivers],
    ['CONFIG_NEUTRON_ML2_FLAT_NETWORKS', n.physnetExternal],
    ['CONFIG_NEUTRON_ML2_VLAN_RANGES', vxlan ? '' : `${n.physnetTenant}:${n.vlanRange.min}:${n.vlanRange.max}`],
    ['CONFIG_NEUTRON_ML2_VNI_RANGES', `${n.vniRange.min}:${n.vniRange.max}`],
    ['CONFIG_NEUTRON_ML2_VXLAN_GROUP', ''],
    ['CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS', vxlan ? `${n.physnetExternal}:br-ex` : `${n.physnetExternal}:br-ex,${n.physnetTenant}:br-vlan`],
    ['CONFIG_NEUTRON_OVS_BRIDGE_IFACES', vxlan ? 'br-ex:eth2' : 'br-ex:eth2,br-vlan:eth3'],
    ['CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE', vxlan ? 'br-ex' : 'br-ex,br-vlan'],
    ['CONFIG_NEUTRON_OVS_TUNNEL_IF', vxlan ? 'eth1' : ''],
    ['CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT', '4789'],
    ['CONFIG_NEUTRON_L3_EXT_BRIDGE', 'provider'],
    ['CONFIG_NEUTRON_METADATA_PW', metadataSecret(lab)],
  ];
}

export function metadataSecret(lab: Lab): string {
  return `${lab.adminPassword}-metadata`;
}

type Ini = { section: string; keys: [string, string | number][] }[];

export function iniText(ini: Ini): string {
  return ini.map((s) => `[${s.section}]\n${s.keys.map(([k, v]) => (v === '' ? `${k} =` : `${k} = ${v}`)).join('\n')}\n`).join('\n');
}

/** The ini fragments each node merges into its OpenStack config files, with the phase that merges them. */
export function configFragments(lab: Lab, node: LabNode): { path: string; file: string; phase: string; ini: Ini }[] {
  const n = lab.neutron;
  const vxlan = lab.tenantNetworkType === 'vxlan';
  const dvr = lab.router === 'distributed';
  const out: { path: string; file: string; phase: string; ini: Ini }[] = [];
  if (node.roles.includes('controller')) {
    out.push({ path: '/etc/neutron/neutron.conf', file: 'neutron.conf', phase: 'dvr', ini: [{ section: 'DEFAULT', keys: [['router_distributed', dvr ? 'True' : 'False'], ['global_physnet_mtu', n.globalPhysnetMtu]] }] });
    out.push({
      path: '/etc/neutron/plugins/ml2/ml2_conf.ini',
      file: 'ml2_conf.ini',
      phase: 'dvr',
      ini: [
        { section: 'ml2', keys: [['type_drivers', n.typeDrivers], ['tenant_network_types', n.tenantNetworkTypes], ['mechanism_drivers', n.mechanismDrivers], ['path_mtu', n.pathMtu], ['physical_network_mtus', `${n.physnetExternal}:${lab.networks.external.mtu}`]] },
        { section: 'ml2_type_flat', keys: [['flat_networks', n.physnetExternal]] },
        vxlan
          ? { section: 'ml2_type_vxlan', keys: [['vni_ranges', `${n.vniRange.min}:${n.vniRange.max}`], ['vxlan_group', '']] }
          : { section: 'ml2_type_vlan', keys: [['network_vlan_ranges', `${n.physnetTenant}:${n.vlanRange.min}:${n.vlanRange.max}`]] },
      ],
    });
    out.push({ path: '/etc/glance/glance-api.conf', file: 'glance-api.conf', phase: 'glance', ini: [{ section: 'image_format', keys: [['container_formats', 'ami,ari,aki,bare,ovf,ova,docker']] }] });
  }
  out.push({
    path: '/etc/neutron/plugins/ml2/openvswitch_agent.ini',
    file: 'openvswitch_agent.ini',
    phase: 'dvr',
    ini: [
      { section: 'ovs', keys: [...(vxlan ? ([['local_ip', node.tunnelIp]] as [string, string][]) : []), ['bridge_mappings', node.bridgeMappings]] },
      {
        section: 'agent',
        keys: [...(vxlan ? ([['tunnel_types', 'vxlan'], ['vxlan_udp_port', 4789]] as [string, string | number][]) : []), ['l2_population', 'True'], ['arp_responder', 'True'], ['enable_distributed_routing', dvr ? 'True' : 'False']],
      },
      { section: 'securitygroup', keys: [['firewall_driver', 'neutron.agent.linux.iptables_firewall.OVSHybridIptablesFirewallDriver']] },
    ],
  });
  if (node.l3AgentMode)
    out.push({
      path: '/etc/neutron/l3_agent.ini',
      file: 'l3_agent.ini',
      phase: 'dvr',
      ini: [{ section: 'DEFAULT', keys: [['interface_driver', 'neutron.agent.linux.interface.OVSInterfaceDriver'], ['external_network_bridge', ''], ['gateway_external_network_id', ''], ['agent_mode', node.l3AgentMode]] }],
    });
  if (node.roles.includes('compute') && dvr)
    out.push({
      path: '/etc/neutron/metadata_agent.ini',
      file: 'metadata_agent.ini',
      phase: 'dvr',
      ini: [{ section: 'DEFAULT', keys: [['nova_metadata_ip', lab.nodes.find((x) => x.name === lab.controller)!.tunnelIp], ['metadata_proxy_shared_secret', metadataSecret(lab)]] }],
    });
  if (node.roles.includes('compute'))
    out.push({
      path: '/etc/nova/nova.conf',
      file: 'nova.conf',
      phase: 'nova-docker',
      // network_device_mtu: nova-docker never learns Neutron's network MTU in Mitaka (reference §4.5, §9.1).
      ini: [{ section: 'DEFAULT', keys: [['compute_driver', 'novadocker.virt.docker.DockerDriver'], ['network_device_mtu', n.tenantNetworkMtu]] }],
    });
  return out;
}

export function ifcfgFiles(lab: Lab, node: LabNode): { name: string; text: string }[] {
  const kv = (pairs: [string, string | number][]) => pairs.map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  const ovsBridge = (dev: string) => kv([['DEVICE', dev], ['NAME', dev], ['DEVICETYPE', 'ovs'], ['TYPE', 'OVSBridge'], ['ONBOOT', 'yes'], ['BOOTPROTO', 'none'], ['NM_CONTROLLED', 'no']]);
  const ovsPort = (dev: string, bridge: string, mtu: number) =>
    kv([['DEVICE', dev], ['NAME', dev], ['DEVICETYPE', 'ovs'], ['TYPE', 'OVSPort'], ['OVS_BRIDGE', bridge], ['ONBOOT', 'yes'], ['BOOTPROTO', 'none'], ['MTU', mtu], ['NM_CONTROLLED', 'no']]);
  const t = lab.networks.tunnel;
  const files = [
    { name: 'ifcfg-eth1', text: kv([['DEVICE', 'eth1'], ['NAME', 'eth1'], ['ONBOOT', 'yes'], ['BOOTPROTO', 'static'], ['IPADDR', node.tunnelIp], ['NETMASK', netmask(t.prefix)], ['MTU', t.mtu], ['NM_CONTROLLED', 'no']]) },
    { name: 'ifcfg-br-ex', text: ovsBridge('br-ex') },
    { name: 'ifcfg-eth2', text: ovsPort('eth2', 'br-ex', lab.networks.external.mtu) },
  ];
  if (lab.tenantNetworkType === 'vlan') files.push({ name: 'ifcfg-br-vlan', text: ovsBridge('br-vlan') }, { name: 'ifcfg-eth3', text: ovsPort('eth3', 'br-vlan', t.mtu) });
  return files;
}

export const DOCKER_FILTERS = `# nova-rootwrap command filters for setting up network in the docker driver
# This file should be owned by (and only-writeable by) the root user

[Filters]
# nova/virt/docker/driver.py: 'ln', '-sf', '/var/run/netns/.*'
ln: CommandFilter, /bin/ln, root
`;

export const VAULT = 'http://vault.centos.org/7.3.1611';
export function repoFile(): string {
  const repo = (id: string, name: string, url: string, priority: number) => `[${id}]\nname=${name}\nbaseurl=${url}\ngpgcheck=0\nenabled=1\npriority=${priority}\n`;
  return [
    repo('stacklab-base', 'CentOS 7.3.1611 base (vault)', `${VAULT}/os/x86_64/`, 10),
    repo('stacklab-updates', 'CentOS 7.3.1611 updates (vault)', `${VAULT}/updates/x86_64/`, 10),
    repo('stacklab-extras', 'CentOS 7.3.1611 extras (vault): docker, python-docker-py', `${VAULT}/extras/x86_64/`, 10),
    repo('stacklab-openstack-mitaka', 'CentOS 7 OpenStack Mitaka (vault)', `${VAULT}/cloud/x86_64/openstack-mitaka/`, 1),
  ].join('\n');
}

export function nodeView(lab: Lab, node: LabNode, keys: SshKeyPair) {
  const fragments = configFragments(lab, node).map((f) => ({ ...f, text: iniText(f.ini) }));
  const isCompute = node.roles.includes('compute');
  return {
    lab,
    node,
    isController: node.roles.includes('controller'),
    isNetwork: node.roles.includes('network'),
    isCompute,
    vxlan: lab.tenantNetworkType === 'vxlan',
    dvr: lab.router === 'distributed',
    hosts: lab.nodes.map((n) => ({ ip: n.tunnelIp, name: n.name })),
    ifcfg: ifcfgFiles(lab, node),
    fragments,
    repo: repoFile(),
    dockerFilters: DOCKER_FILTERS,
    answers: iniText([{ section: 'general', keys: answerKeys(lab) }]),
    ovsPinned: lab.ovs.url !== null,
    keys,
    services: {
      restart: restartList(lab, node),
      enable: enableList(lab, node),
    },
    controllerIp: lab.nodes.find((n) => n.name === lab.controller)!.tunnelIp,
    worldWritableDocker: lab.dockerSocketAccess === 'world-writable',
    instances: lab.instances.map((i) => ({ ...i, hasFip: i.floatingIp !== null })),
  };
}

function restartList(lab: Lab, node: LabNode): string[] {
  const s: string[] = [];
  if (node.roles.includes('controller')) s.push('neutron-server');
  s.push('neutron-openvswitch-agent');
  if (node.l3AgentMode) s.push('neutron-l3-agent');
  if (node.roles.includes('network')) s.push('neutron-metadata-agent', 'neutron-dhcp-agent');
  else if (node.roles.includes('compute') && lab.router === 'distributed') s.push('neutron-metadata-agent');
  return s;
}
function enableList(lab: Lab, node: LabNode): string[] {
  return node.roles.includes('compute') && !node.roles.includes('network') && lab.router === 'distributed' ? ['neutron-l3-agent', 'neutron-metadata-agent'] : [];
}
