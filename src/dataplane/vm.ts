// The same data plane projected onto VMs (the `dataplane` provisioning profile): each node's
// namespace becomes the VM's root namespace, Neutron's namespaces on it keep Neutron's names inside
// the VM, the data and external switches are the libvirt networks (so every operation on a switch
// is dropped), and the outside tester is the host on the external libvirt network.
//
// How: the topology is generated with names that carry their node ("cmp1|qrouter-<id>"), so each
// operation can be given to the node that owns every namespace it touches, then renamed.
import type { Lab } from '../plan/types.js';
import type { Location } from '../checks/types.js';
import { dataplaneSections, namesFor, type Names } from './topology.js';
import { batchLines, opLine, scheduleByNamespace, type Op, type OpSection, type Stage } from './ops.js';
import { shq } from '../render/quote.js';

/** Provisioning phases of the dataplane profile that apply operations, in order. */
export const VM_PHASES = ['underlay', 'bridges', 'routers', 'instances'] as const;
export type VmPhase = (typeof VM_PHASES)[number];

const PHASE_OF: Partial<Record<Stage, VmPhase>> = { underlay: 'underlay', bridges: 'bridges', l2pop: 'bridges', routers: 'routers', instances: 'instances' };
const SEP = '|';
const SWITCHES = ['underlay', 'ext', 'physnet'].map((s) => `${SEP}${s}`);
const OUTSIDE = `${SEP}outside`;

/** Namespace names inside a VM, as Neutron and nova-docker's stand-in would call them. */
export function vmNamespace(lab: Lab, loc: Exclude<Location, { kind: 'outside' } | { kind: 'node' }>): string {
  if (loc.kind === 'instance') return `instance-${loc.instance}`;
  return loc.ns === 'fip' ? `fip-${lab.neutron.externalNetworkId}` : `${loc.ns}-${lab.neutron.routerId}`;
}

/** Names for generating a VM lab's operations: "<node>|" is a node's root namespace. */
export function vmNames(lab: Lab): Names {
  const base = namesFor(lab, '');
  const on = (node: string, name: string) => `${node}${SEP}${name}`;
  return {
    ...base,
    prefix: '',
    underlay: SWITCHES[0],
    ext: SWITCHES[1],
    physnet: SWITCHES[2],
    outside: OUTSIDE,
    node: (n) => on(n, ''),
    qrouter: (n) => on(n, vmNamespace(lab, { kind: 'namespace', node: n, ns: 'qrouter' })),
    fip: (n) => on(n, vmNamespace(lab, { kind: 'namespace', node: n, ns: 'fip' })),
    snat: (n) => on(n, vmNamespace(lab, { kind: 'namespace', node: n, ns: 'snat' })),
    instance: (n, i) => on(n, vmNamespace(lab, { kind: 'instance', node: n, instance: i })),
    // VLAN: the VM's eth3 is on the libvirt network that stands for the VLAN (no 802.1Q, as in netns)
    tunnelDev: lab.tenantNetworkType === 'vxlan' ? base.tunnelDev : 'eth3',
  };
}

type Owner = { kind: 'node'; node: string } | { kind: 'switch' } | { kind: 'outside' } | { kind: 'mixed' };

/** The namespace an `ip netns add` creates, or null. */
function addedNamespace(op: Op): string | null {
  return op.argv[0] === 'ip' && op.argv[1] === 'netns' && op.argv[2] === 'add' ? op.argv[3] : null;
}
/** The namespaces a link operation places a device in (`… netns X`). */
function placedIn(op: Op): string[] {
  return op.argv[1] === 'netns' ? [] : op.argv.filter((_, i) => op.argv[i - 1] === 'netns');
}
/** The namespaces an operation touches: where it runs, where it places a device, the one it adds. */
function namespacesOf(op: Op): string[] {
  const added = addedNamespace(op);
  return [...(op.ns !== null ? [op.ns] : []), ...placedIn(op), ...(added !== null ? [added] : [])];
}

/** Who runs an operation: one node, a switch (the libvirt networks: nobody), the outside (the host). */
export function ownerOf(op: Op): Owner {
  const nss = namespacesOf(op);
  if (nss.some((x) => SWITCHES.includes(x))) return { kind: 'switch' };
  if (nss.includes(OUTSIDE)) return nss.every((x) => x === OUTSIDE) ? { kind: 'outside' } : { kind: 'switch' };
  const nodes = new Set(nss.map((x) => x.split(SEP)[0]));
  return nodes.size === 1 ? { kind: 'node', node: [...nodes][0] } : { kind: 'mixed' };
}

/** An operation of `node`, renamed to run inside its VM; null if it does not happen there. */
function onNode(op: Op, node: string): Op | null {
  const o = ownerOf(op);
  if (o.kind !== 'node' || o.node !== node) return null;
  const root = `${node}${SEP}`;
  const local = (x: string) => x.slice(root.length);
  if (addedNamespace(op) === root) return null; // the VM's root exists
  const argv: string[] = [];
  for (let i = 0; i < op.argv.length; i++) {
    const a = op.argv[i];
    if (a === 'netns' && op.argv[i + 1] === root) i++; // a veth end that stays in the root namespace
    else argv.push(a.includes(SEP) ? a.replace(root, '') : a);
  }
  return { ...op, ns: op.ns === null || op.ns === root ? null : local(op.ns), argv };
}

/** Operations the outside tester runs (the host): fault reverts flush its caches. */
export function outsideOps(ops: Op[], device: string): Op[] {
  return ops.filter((op) => ownerOf(op).kind === 'outside').map((op) => ({ ...op, ns: null, argv: op.argv.map((a) => (a === 'eth0' ? device : a)) }));
}

/** One node's share of a list of operations (a fault's, say), renamed for its VM. */
export function nodeOps(ops: Op[], node: string): Op[] {
  return ops.map((op) => onNode(op, node)).filter((op): op is Op => op !== null);
}

/** The node's data plane, phase by phase. A namespace is created (with its sysctls) in the first
 * phase that uses it; the node's own sysctls come with the underlay. */
export function vmPhaseOps(lab: Lab, node: string, sections: OpSection[] = dataplaneSections(lab, vmNames(lab))): Record<VmPhase, Op[]> {
  const byPhase = Object.fromEntries(VM_PHASES.map((p) => [p, [] as Op[]])) as Record<VmPhase, Op[]>;
  const setup = new Map<string, Op[]>(); // namespace (in the VM) -> its creation and sysctls
  for (const s of sections) {
    const ops = nodeOps(s.ops, node);
    if (s.stage === 'namespaces') {
      for (const op of ops) {
        const ns = op.ns ?? addedNamespace(op) ?? '';
        setup.set(ns, [...(setup.get(ns) ?? []), op]);
      }
      continue;
    }
    const phase = PHASE_OF[s.stage];
    if (phase) byPhase[phase].push(...ops);
  }
  for (const phase of VM_PHASES) {
    const used = new Set(byPhase[phase].flatMap((op) => [op.ns ?? '', ...placedIn(op)]));
    const first: Op[] = [];
    for (const [ns, ops] of setup) if (used.has(ns)) (first.push(...ops), setup.delete(ns));
    byPhase[phase] = [...first, ...byPhase[phase]];
  }
  return byPhase;
}

/** What a phase must remove before it builds, so that running it again starts from clean: its
 * namespaces (with the processes in them), the links it adds to the root namespace, its addresses. */
export interface Cleanup {
  namespaces: string[];
  links: string[];
  addresses: { addr: string; dev: string }[];
}
export function cleanupOf(ops: Op[]): Cleanup {
  const c: Cleanup = { namespaces: [], links: [], addresses: [] };
  for (const op of ops) {
    const [tool, obj, verb, name] = op.argv;
    const added = addedNamespace(op);
    if (tool !== 'ip' || op.ns !== null) continue;
    if (added !== null) c.namespaces.push(added);
    else if (obj === 'link' && verb === 'add' && op.argv[4] !== 'netns') c.links.push(name);
    else if (obj === 'addr' && verb === 'add') c.addresses.push({ addr: name, dev: op.argv[op.argv.indexOf('dev') + 1] });
  }
  return c;
}

/** What a dataplane phase script of this node runs: its cleanup, then its operations as shell lines,
 * batched as the netns backend runs them (links first, then each namespace's `ip`/`bridge` operations
 * through one `-batch`: under software emulation every process costs). Stand-ins become calls of the
 * script's standin_start function. */
export function vmPhaseView(lab: Lab, node: string, phase: VmPhase, all: Record<VmPhase, Op[]> = vmPhaseOps(lab, node)) {
  const ops = all[phase];
  const lineOf = (op: Op) => (op.standin ? ['standin_start', op.ns, op.standin.name, op.standin.ports.join(',')].map(shq).join(' ') : opLine(op));
  return {
    cleanup: cleanupOf(ops),
    standins: ops.some((op) => op.standin),
    lines: scheduleByNamespace([{ title: phase, stage: 'fault', ops }]).flatMap((s) => batchLines(s.ops, lineOf)),
  };
}
