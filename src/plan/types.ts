// The Lab: the fully resolved plan every later stage reads (saved as lab.json in the lab dir).
import type { CheckSpec } from '../checks/types.js';

export type Role = 'controller' | 'network' | 'compute';
export type L3AgentMode = 'dvr' | 'dvr_snat' | 'legacy';

export interface Nic {
  name: string; // guest interface name
  network: 'management' | 'tunnel' | 'external' | 'vlan';
  ip?: string;
  prefix?: number;
  mtu: number;
  purpose: string;
}

export interface PhaseRef {
  /** `<node>/<phase>` */
  id: string;
  node: string;
  phase: string;
  title: string;
  /** ids of phases that must have completed first */
  after: string[];
  /** path of the rendered script inside the lab dir */
  script: string;
}

export interface LabNode {
  name: string;
  index: number;
  roles: Role[];
  services: string[];
  memory: number;
  cpus: number;
  libvirtUri: string;
  tunnelIp: string;
  nics: Nic[];
  /** L3 agent mode on this node (null: no L3 agent, e.g. a legacy compute) */
  l3AgentMode: L3AgentMode | null;
  bridgeMappings: string;
  /** [ovs] local_ip for VXLAN, null for VLAN */
  localIp: string | null;
  /** this host's DVR MAC (from dvr_base_mac fa:16:3f) as the emulation uses it */
  dvrMac: string;
  phases: PhaseRef[];
}

export interface Port {
  id: string;
  name: string;
  mac: string;
  ip: string;
}

export interface LabInstance {
  name: string;
  compute: string;
  fixedIp: string;
  floatingIp: string | null;
  port: Port; // tap<id11> on the host, ns<id11> inside the container
}

export interface OvsSource {
  version: string;
  /** where the RPM comes from */
  source: string;
  url: string | null;
}

export interface Lab {
  name: string;
  description: string;
  scenarioFile: string;
  release: 'mitaka';
  profile: 'rdo' | 'dataplane';
  tenantNetworkType: 'vxlan' | 'vlan';
  router: 'distributed' | 'legacy';
  ovs: OvsSource;
  box: { name: string; version: string | null };
  dockerSocketAccess: 'group' | 'world-writable';
  workload: { image: string; flavor: string };
  adminPassword: string;
  networks: {
    management: { cidr: string; prefix: number; netmask: string; nat: boolean; libvirtName: string };
    tunnel: { cidr: string; prefix: number; netmask: string; mtu: number; libvirtName: string; vlanLibvirtName: string | null };
    external: { cidr: string; prefix: number; netmask: string; gateway: string; mtu: number; pool: { start: string; end: string }; libvirtName: string };
    tenant: { cidr: string; prefix: number; mtu: number; gateway: string; dhcp: string; snat: string };
  };
  neutron: {
    physnetExternal: string;
    physnetTenant: string;
    typeDrivers: string;
    tenantNetworkTypes: string;
    mechanismDrivers: string;
    vniRange: { min: number; max: number };
    vlanRange: { min: number; max: number };
    /** the tenant network's segmentation id (first VNI or VLAN of the range) */
    segmentationId: number;
    globalPhysnetMtu: number;
    pathMtu: number;
    /** MTU Neutron computes for the tenant network: min(global, path) - 50 for VXLAN, else global */
    tenantNetworkMtu: number;
    routerId: string;
    externalNetworkId: string;
    tenantNetworkId: string;
    /** distributed gateway port: same IP and MAC in every qrouter */
    routerInterface: Port;
    routerGateway: Port; // qg- in snat (DVR) or qrouter (legacy) on the network node
    snatPort: Port | null; // sg- (DVR only)
    fipGateways: (Port & { node: string })[]; // fg- per compute hosting a FIP (DVR only)
    /** rfp-/fpr- /31 from 169.254.64.0/18 (neutron >= 8.1) */
    fipLinkLocal: { rfp: string; fpr: string };
    fipRuleTable: number;
    fipRulePriority: number;
    snatTable: number;
  };
  nodes: LabNode[];
  controller: string;
  networkNode: string;
  instances: LabInstance[];
  phases: PhaseRef[];
  checks: CheckSpec[];
  warnings: { path: string; expected: string }[];
}
