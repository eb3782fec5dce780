// The check catalogue: each check is data derived from the Lab. The same checks run on every
// backend because they name Locations (outside, node, namespace on a node, instance), not devices.
import type { Lab, LabInstance } from '../plan/types.js';
import type { CheckSpec, Location, Probe } from './types.js';

/** Port of the echo server the outside tester runs (reports the client address it saw). */
export const OUTSIDE_ECHO_PORT = 8000;
/** ebtables chain with per-instance accounting rules on each node's tunnel/VLAN port. */
export const ACCOUNTING_CHAIN = 'TUNNEL-ACCT';

const outside: Location = { kind: 'outside' };
const at = (i: LabInstance): Location => ({ kind: 'instance', node: i.compute, instance: i.name });

export function counterSet(lab: Lab, node: string, inst: LabInstance) {
  return { at: { kind: 'node', node } as Location, set: inst.fixedIp, label: `${inst.name} frames over ${node}'s ${lab.tenantNetworkType === 'vxlan' ? 'tunnel' : 'VLAN trunk'}` };
}

/** Path elements between an instance's compute and another node: the tunnel ports of both ends. */
function tunnelBetween(a: string, b: string): string[] {
  return a === b ? [] : [`tunnel:${a}`, `tunnel:${b}`];
}

export function buildChecks(lab: Lab): CheckSpec[] {
  const checks: CheckSpec[] = [];
  const dvr = lab.router === 'distributed';
  const ext = lab.networks.external;
  const withFip = lab.instances.find((i) => i.floatingIp);
  // The instance without a FIP, preferably on another compute (SNAT and East-West cross the tunnel).
  const noFip = lab.instances.find((i) => !i.floatingIp && i.compute !== withFip?.compute) ?? lab.instances.find((i) => !i.floatingIp);
  const net = lab.networkNode;
  const add = (c: Omit<CheckSpec, 'retries' | 'expect'> & Partial<Pick<CheckSpec, 'retries' | 'expect'>>) =>
    checks.push({ retries: 2, expect: 'passes', ...c });

  if (withFip) {
    const fip = withFip.floatingIp!;
    const c = withFip.compute;
    const fg = lab.neutron.fipGateways.find((g) => g.node === c);
    // Elements every packet to the FIP needs: DVR answers ARP by proxy on the compute's fg-;
    // legacy routes through the network node's qrouter and across the tunnel.
    const fipPath = dvr ? ['external', `proxy-arp:${c}`, `fip:${withFip.name}`] : ['external', `fip:${withFip.name}`, ...tunnelBetween(c, net)];
    add({ id: 'fip-ping', title: `outside pings ${withFip.name}'s floating IP ${fip}`, from: outside, probe: { kind: 'ping', target: fip, count: 3 }, group: 'reachability', traverses: fipPath });
    add({
      id: 'fip-http',
      title: `HTTP 200 with the GlassFish page on ${fip}:8080, served to the outside address (pure DNAT)`,
      from: outside,
      probe: { kind: 'http', url: `http://${fip}:8080/`, expectStatus: 200, bodyIncludes: ['GlassFish', withFip.name, `client=${ext.gateway}`] },
      group: 'reachability',
      traverses: fipPath,
    });
    add({ id: 'fip-admin', title: `GlassFish admin port answers on ${fip}:4848`, from: outside, probe: { kind: 'http', url: `http://${fip}:4848/`, expectStatus: 200, bodyIncludes: ['admin'] }, group: 'reachability', traverses: fipPath });
    add({ id: 'fip-ssh', title: `SSH answers on ${fip}:22`, from: outside, probe: { kind: 'tcp-banner', host: fip, port: 22, bannerPrefix: 'SSH-2.0' }, group: 'reachability', traverses: fipPath });
    const owner = dvr && fg ? { mac: fg.mac, name: `${fg.name} on ${c}` } : { mac: lab.neutron.routerGateway.mac, name: `${lab.neutron.routerGateway.name} on ${net}` };
    add({
      id: 'fip-arp-owner',
      title: dvr ? `the FIP's ARP answer comes from the fg- port of ${c}, the compute hosting ${withFip.name}` : `the FIP's ARP answer comes from the network node's qg- port (legacy router)`,
      from: outside,
      probe: { kind: 'arp-owner', target: fip, expectMac: owner.mac, expectOwner: owner.name },
      group: 'reachability',
      traverses: fipPath,
    });
    add({
      id: 'fip-path',
      title: dvr ? `North-South with a FIP does not cross the tunnel (per-instance accounting on ${c})` : `North-South with a FIP crosses the tunnel to the network node (legacy router)`,
      from: outside,
      probe: { kind: 'counter-delta', traffic: { kind: 'ping', target: fip, count: 3 }, counters: [counterSet(lab, c, withFip)], expectCrossing: !dvr },
      group: 'path',
      traverses: fipPath,
    });
    if (dvr && fg) {
      add({
        id: 'struct-fip-namespace',
        title: `fip namespace on ${c}: ${fg.name} with proxy ARP, fpr- /31, route to the FIP`,
        from: { kind: 'namespace', node: c, ns: 'fip' },
        probe: {
          kind: 'command-output',
          command: `ip -o -4 addr show; ip -4 route show; echo "proxy_arp=$(cat /proc/sys/net/ipv4/conf/${fg.name}/proxy_arp)"`,
          mustInclude: [`${fg.name}    inet ${fg.ip}/${ext.prefix}`, `inet ${lab.neutron.fipLinkLocal.fpr}/31`, `${fip} via ${lab.neutron.fipLinkLocal.rfp} dev fpr-`, `default via ${ext.gateway} dev ${fg.name}`, 'proxy_arp=1'],
        },
        group: 'structure',
        traverses: [`proxy-arp:${c}`, `fip:${withFip.name}`],
        retries: 0,
      });
      add({
        id: 'struct-qrouter',
        title: `qrouter namespace on ${c}: qr- gateway, rfp- /31, rule from ${withFip.fixedIp} lookup 16, DNAT/SNAT for the FIP`,
        from: { kind: 'namespace', node: c, ns: 'qrouter' },
        probe: {
          kind: 'command-output',
          command: 'ip -o -4 addr show; ip rule show; ip -4 route show table 16; iptables-save -t nat',
          mustInclude: [
            `${lab.neutron.routerInterface.name}    inet ${lab.networks.tenant.gateway}/${lab.networks.tenant.prefix}`,
            `inet ${lab.neutron.fipLinkLocal.rfp}/31`,
            `from ${withFip.fixedIp} lookup 16`,
            `default via ${lab.neutron.fipLinkLocal.fpr} dev rfp-`,
            `-d ${fip}/32 -i rfp-${lab.neutron.routerId.slice(0, 11)} -j DNAT --to-destination ${withFip.fixedIp}`,
            `-s ${withFip.fixedIp}/32 -j SNAT --to-source ${fip}`,
          ],
        },
        group: 'structure',
        traverses: [`fip:${withFip.name}`],
        retries: 0,
      });
    }
  }

  const snatNs = dvr ? 'snat' : 'qrouter';
  const gw = lab.neutron.routerGateway;
  add({
    id: dvr ? 'struct-snat' : 'struct-legacy-router',
    title: dvr ? `snat namespace on ${net}: sg- in the tenant subnet, qg- on the external network, SNAT to ${gw.ip}` : `qrouter on ${net}: qr- and qg- ports, SNAT to ${gw.ip}`,
    from: { kind: 'namespace', node: net, ns: snatNs },
    probe: {
      kind: 'command-output',
      command: 'ip -o -4 addr show; ip -4 route show; iptables-save -t nat',
      mustInclude: [
        dvr ? `${lab.neutron.snatPort!.name}    inet ${lab.networks.tenant.snat}/${lab.networks.tenant.prefix}` : `${lab.neutron.routerInterface.name}    inet ${lab.networks.tenant.gateway}/${lab.networks.tenant.prefix}`,
        `${gw.name}    inet ${gw.ip}/${ext.prefix}`,
        `default via ${ext.gateway} dev ${gw.name}`,
        `-o ${gw.name} -j SNAT --to-source ${gw.ip}`,
      ],
    },
    group: 'structure',
    traverses: [],
    retries: 0,
  });

  if (noFip) {
    const c = noFip.compute;
    const path = ['external', ...tunnelBetween(c, net)];
    add({
      id: 'snat-egress',
      title: `${noFip.name} (no FIP) reaches outside through SNAT on ${net}; outside sees ${gw.ip}`,
      from: at(noFip),
      probe: { kind: 'http', url: `http://${ext.gateway}:${OUTSIDE_ECHO_PORT}/`, expectStatus: 200, bodyIncludes: [`client=${gw.ip}`] },
      group: 'reachability',
      traverses: path,
    });
    if (c !== net)
      add({
        id: 'snat-path',
        title: `${noFip.name}'s SNAT traffic crosses the tunnel from ${c} to ${net}`,
        from: at(noFip),
        probe: { kind: 'counter-delta', traffic: { kind: 'ping', target: ext.gateway, count: 3 }, counters: [counterSet(lab, c, noFip)], expectCrossing: true },
        group: 'path',
        traverses: path,
      });
  }

  const a = withFip ?? lab.instances[0];
  const b = noFip && noFip !== a ? noFip : lab.instances.find((i) => i !== a);
  if (a && b) {
    const path = tunnelBetween(a.compute, b.compute);
    const where = a.compute === b.compute ? `on ${a.compute}` : `across ${a.compute} and ${b.compute}`;
    add({ id: 'ew-ping', title: `East-West: ${a.name} pings ${b.name} ${where}`, from: at(a), probe: { kind: 'ping', target: b.fixedIp, count: 3 }, group: 'reachability', traverses: path });
    add({
      id: 'ew-http',
      title: `East-West: ${b.name} gets ${a.name}'s page on :8080 from its fixed IP`,
      from: at(b),
      probe: { kind: 'http', url: `http://${a.fixedIp}:8080/`, expectStatus: 200, bodyIncludes: [a.name, `client=${b.fixedIp}`] },
      group: 'reachability',
      traverses: path,
    });
    if (a.compute !== b.compute)
      add({
        id: 'ew-path',
        title: `East-West between computes crosses the tunnel (${a.compute} -> ${b.compute})`,
        from: at(a),
        probe: { kind: 'counter-delta', traffic: { kind: 'ping', target: b.fixedIp, count: 3 }, counters: [counterSet(lab, a.compute, a)], expectCrossing: true },
        group: 'path',
        traverses: path,
      });
  }

  // MTU across the tunnel: between computes if there are two, else through SNAT to outside.
  const mtu = lab.networks.tenant.mtu;
  const mtuFrom = a && b && a.compute !== b.compute ? a : noFip;
  if (mtuFrom) {
    const target = mtuFrom === a && b && a.compute !== b.compute ? b : null;
    const dst = target ? target.fixedIp : ext.gateway;
    const path = ['mtu:tunnel', ...(target ? tunnelBetween(mtuFrom.compute, target.compute) : ['external', ...tunnelBetween(mtuFrom.compute, net)])];
    const label = target ? `${mtuFrom.name} -> ${target.name}` : `${mtuFrom.name} -> outside via SNAT`;
    add({ id: 'mtu-exact', title: `MTU: a don't-fragment packet of exactly ${mtu} bytes passes (${label})`, from: at(mtuFrom), probe: { kind: 'ping', target: dst, count: 2, size: mtu - 28, dontFragment: true }, group: 'reachability', traverses: path });
    add({ id: 'mtu-over', title: `MTU: a don't-fragment packet of ${mtu + 1} bytes does not pass (${label})`, from: at(mtuFrom), probe: { kind: 'ping', target: dst, count: 1, size: mtu - 27, dontFragment: true }, group: 'reachability', traverses: [], expect: 'fails', retries: 0 });
  }

  if (withFip)
    add({
      id: 'fip-disassociated',
      title: `after the FIP ${withFip.floatingIp} is disassociated it no longer answers (then re-associated)`,
      from: outside,
      probe: { kind: 'ping', target: withFip.floatingIp!, count: 1 },
      expect: 'fails',
      retries: 1,
      group: 'mutating',
      underFault: 'fip-disassociate',
      // the re-association half must answer again: it needs the whole FIP path
      traverses: dvr ? ['external', `proxy-arp:${withFip.compute}`] : ['external', ...tunnelBetween(withFip.compute, net)],
    });
  return checks;
}

export function probeSummary(p: Probe): string {
  switch (p.kind) {
    case 'ping':
      return `ping ${p.dontFragment ? `-M do -s ${p.size} ` : ''}${p.target}`;
    case 'http':
      return `GET ${p.url}`;
    case 'tcp-banner':
      return `banner ${p.host}:${p.port}`;
    case 'arp-owner':
      return `neigh ${p.target}`;
    case 'command-output':
      return p.command;
    case 'counter-delta':
      return `${probeSummary(p.traffic)} with counters`;
  }
}
