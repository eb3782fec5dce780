// `lab show`: the fully resolved lab, for people (text) or tools (--json).
import type { Lab } from '../plan/types.js';
import { planFromScenario } from './common.js';
import { probeSummary } from '../checks/catalogue.js';

export function describeLab(lab: Lab): string {
  const n = lab.neutron;
  const net = lab.networks;
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  p(`${lab.name}: ${lab.description}`);
  p();
  p(`release ${lab.release}, profile ${lab.profile}, tenant networks ${lab.tenantNetworkType}, router ${lab.router}, Open vSwitch ${lab.ovs.version} (${lab.ovs.source}${lab.ovs.url ? `: ${lab.ovs.url}` : ''})`);
  p(`box ${lab.box.name}${lab.box.version ? ` ${lab.box.version}` : ''}; docker socket access: ${lab.dockerSocketAccess}`);
  p();
  p('networks');
  p(`  management  ${net.management.cidr}  (Vagrant DHCP, ${net.management.nat ? 'NAT to the internet' : 'isolated'}, libvirt ${net.management.libvirtName})`);
  p(`  data        ${net.tunnel.cidr}  mtu ${net.tunnel.mtu}  (libvirt ${net.tunnel.libvirtName}${net.tunnel.vlanLibvirtName ? `; VLAN trunk ${net.tunnel.vlanLibvirtName}` : ''})`);
  p(`  external    ${net.external.cidr}  gateway ${net.external.gateway} (outside tester)  mtu ${net.external.mtu}  pool ${net.external.pool.start}-${net.external.pool.end}`);
  p(`  tenant      ${net.tenant.cidr}  gateway ${net.tenant.gateway}  sg ${net.tenant.snat}  mtu ${net.tenant.mtu} (Neutron computes ${n.tenantNetworkMtu})`);
  p();
  p('neutron');
  p(`  type_drivers ${n.typeDrivers}; tenant_network_types ${n.tenantNetworkTypes}; mechanism_drivers ${n.mechanismDrivers}`);
  p(`  ${lab.tenantNetworkType === 'vxlan' ? `vni_ranges ${n.vniRange.min}:${n.vniRange.max} (demo-net VNI ${n.segmentationId})` : `network_vlan_ranges ${n.physnetTenant}:${n.vlanRange.min}:${n.vlanRange.max} (demo-net VLAN ${n.segmentationId})`}`);
  p(`  global_physnet_mtu ${n.globalPhysnetMtu}; path_mtu ${n.pathMtu}; router_distributed ${lab.router === 'distributed' ? 'True' : 'False'}`);
  p(`  router ${n.routerId}: ${n.routerInterface.name} ${n.routerInterface.ip} (${n.routerInterface.mac}), ${n.routerGateway.name} ${n.routerGateway.ip}${n.snatPort ? `, ${n.snatPort.name} ${n.snatPort.ip}` : ''}`);
  for (const g of n.fipGateways) p(`  fip gateway on ${g.node}: ${g.name} ${g.ip} (${g.mac}); rfp/fpr ${n.fipLinkLocal.rfp}/${n.fipLinkLocal.fpr}`);
  p();
  p('nodes');
  for (const node of lab.nodes) {
    p(`  ${node.name}  roles ${node.roles.join(',')}  ${node.memory} MiB  ${node.cpus} vCPU  ${node.libvirtUri}`);
    p(`    l3 agent_mode ${node.l3AgentMode ?? '(none)'}; bridge_mappings ${node.bridgeMappings}; local_ip ${node.localIp ?? '(none: VLAN)'}`);
    for (const nic of node.nics) p(`    ${nic.name}  ${nic.network.padEnd(10)} ${nic.ip ? `${nic.ip}/${nic.prefix}` : 'no address'}  mtu ${nic.mtu}  ${nic.purpose}`);
    p(`    services: ${node.services.join(', ')}`);
  }
  p();
  p('instances');
  for (const i of lab.instances) p(`  ${i.name} on ${i.compute}: ${i.fixedIp}${i.floatingIp ? ` floating ${i.floatingIp}` : ' (no floating IP)'}  port ${i.port.name} ${i.port.mac}`);
  p();
  p('phases (in dependency order)');
  for (const ph of lab.phases) p(`  ${ph.id.padEnd(22)} ${ph.title}${ph.after.length ? `  [after ${ph.after.join(', ')}]` : ''}`);
  p();
  p('checks');
  for (const c of lab.checks) p(`  ${c.id.padEnd(22)} ${c.expect === 'fails' ? '(must fail) ' : ''}${c.title}  [${probeSummary(c.probe)}]`);
  if (lab.warnings.length) {
    p();
    for (const w of lab.warnings) p(`warning: ${w.path}: ${w.expected}`);
  }
  return lines.join('\n') + '\n';
}

export function showCommand(ref: string, opts: { json?: boolean }): number {
  const lab = planFromScenario(ref, { quiet: !!opts.json });
  process.stdout.write(opts.json ? JSON.stringify(lab, null, 2) + '\n' : describeLab(lab));
  return 0;
}
