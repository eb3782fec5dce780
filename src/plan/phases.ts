// The procedure as phases: which roles run each phase, and what must have completed before it.
// One entry per phase; its script is src/render/templates/<profile>/<phase>.sh.hbs.
import type { LabNode, PhaseRef, Role } from './types.js';

type Dep = { phase: string; on: 'self' | 'all' | Role };
interface PhaseDef {
  phase: string;
  title: string;
  roles: Role[];
  after: Dep[];
  /** run on one node of the role only (the first) */
  once?: boolean;
}

export const PROFILES: Record<'rdo' | 'dataplane', PhaseDef[]> = {
  rdo: [
    { phase: 'repos', title: 'CentOS 7 vault + RDO Mitaka repositories, crudini', roles: ['controller', 'network', 'compute'], after: [] },
    { phase: 'prepare', title: 'network service instead of NetworkManager, firewalld off, SELinux permissive, data NICs, root SSH among nodes', roles: ['controller', 'network', 'compute'], after: [{ phase: 'repos', on: 'self' }] },
    { phase: 'ovs', title: 'Open vSwitch at the pinned version, br-ex (and br-vlan) with ifcfg files', roles: ['controller', 'network', 'compute'], after: [{ phase: 'prepare', on: 'self' }] },
    { phase: 'packstack', title: 'Packstack answer file and run (all nodes, pre-DVR)', roles: ['controller'], after: [{ phase: 'ovs', on: 'all' }] },
    { phase: 'dvr', title: 'DVR conversion: router_distributed, OVS agent DVR/l2pop, L3 agent_mode, restarts', roles: ['controller', 'network', 'compute'], after: [{ phase: 'packstack', on: 'controller' }] },
    { phase: 'nova-docker', title: 'docker, nova-docker (stable/mitaka), rootwrap filter, socket access, compute_driver, MTU', roles: ['compute'], after: [{ phase: 'dvr', on: 'self' }] },
    { phase: 'glance', title: 'Glance accepts the docker container format', roles: ['controller'], after: [{ phase: 'packstack', on: 'controller' }] },
    { phase: 'image', title: 'GlassFish image: docker save | openstack image create --container-format docker', roles: ['compute'], once: true, after: [{ phase: 'nova-docker', on: 'self' }, { phase: 'glance', on: 'controller' }] },
    { phase: 'workload', title: 'external/tenant networks, distributed router, security group, instances, floating IPs', roles: ['controller'], after: [{ phase: 'dvr', on: 'all' }, { phase: 'nova-docker', on: 'compute' }, { phase: 'image', on: 'compute' }] },
  ],
  // The data plane profile for small test boxes: the netns backend's DVR data plane, projected onto
  // the VMs (src/dataplane/vm.ts), one phase per kind of object.
  dataplane: [
    { phase: 'underlay', title: 'data network address and MTU on eth1, the node\'s sysctls', roles: ['controller', 'network', 'compute'], after: [] },
    { phase: 'underlay-check', title: 'every other node answers on the data network', roles: ['controller', 'network', 'compute'], after: [{ phase: 'underlay', on: 'all' }] },
    { phase: 'bridges', title: 'br-int with the tunnel port and l2population entries, br-ex with eth2, DVR ebtables rules', roles: ['controller', 'network', 'compute'], after: [{ phase: 'underlay-check', on: 'self' }] },
    { phase: 'routers', title: 'qrouter, fip and snat namespaces with their ports, routes, rules and NAT', roles: ['controller', 'network', 'compute'], after: [{ phase: 'bridges', on: 'self' }] },
    { phase: 'instances', title: 'instance namespaces on br-int serving the GlassFish stand-in', roles: ['compute'], after: [{ phase: 'bridges', on: 'self' }] },
  ],
};

/** Expand the profile's phase definitions into concrete per-node phases with resolved dependencies. */
export function planPhases(profile: 'rdo' | 'dataplane', nodes: Pick<LabNode, 'name' | 'roles'>[]): PhaseRef[] {
  const defs = PROFILES[profile];
  const runsOn = (d: PhaseDef) => {
    const nodesWithRole = nodes.filter((n) => n.roles.some((r) => d.roles.includes(r)));
    return d.once ? nodesWithRole.slice(0, 1) : nodesWithRole;
  };
  const out: PhaseRef[] = [];
  defs.forEach((d, i) => {
    for (const n of runsOn(d)) {
      const after: string[] = [];
      for (const dep of d.after) {
        const depDef = defs.find((x) => x.phase === dep.phase)!;
        const targets = runsOn(depDef).filter((t) => (dep.on === 'self' ? t.name === n.name : dep.on === 'all' ? true : t.roles.includes(dep.on)));
        for (const t of targets) after.push(`${t.name}/${dep.phase}`);
      }
      out.push({
        id: `${n.name}/${d.phase}`,
        node: n.name,
        phase: d.phase,
        title: d.title,
        after,
        script: `provision/${n.name}/${String(i + 1).padStart(2, '0')}-${d.phase}.sh`,
      });
    }
  });
  return out;
}
