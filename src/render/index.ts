// Lab -> every file of the lab dir: Vagrantfile, provisioning scripts, config fragments, lab.json.
import path from 'node:path';
import type { Lab } from '../plan/types.js';
import { renderTemplate } from './engine.js';
import { nodeView, repoFile, type SshKeyPair } from './views.js';
import { PACKAGE_ROOT } from '../util/paths.js';
import { hostAt } from '../plan/ipv4.js';
import { VM_PHASES, vmNames, vmPhaseOps, vmPhaseView, type VmPhase } from '../dataplane/vm.js';
import { dataplaneSections } from '../dataplane/topology.js';

export interface RenderedFile {
  path: string; // relative to the lab dir
  content: string;
  mode: number;
}

export function renderLab(lab: Lab, keys: SshKeyPair): RenderedFile[] {
  const files: RenderedFile[] = [];
  const scenarioBase = path.basename(lab.scenarioFile);
  files.push({
    path: 'Vagrantfile',
    content: renderTemplate(path.join(PACKAGE_ROOT, 'Vagrantfile.hbs'), {
      lab,
      scenarioBase,
      nodes: lab.nodes,
      vxlan: lab.tenantNetworkType === 'vxlan',
      prefix: `${lab.name}_`,
      externalNetworkAddress: hostAt(lab.networks.external.cidr, 0),
    }),
    mode: 0o644,
  });
  // dataplane profile: the topology once, each node's share of it below
  const sections = lab.profile === 'dataplane' ? dataplaneSections(lab, vmNames(lab)) : null;
  for (const node of lab.nodes) {
    const view = nodeView(lab, node, keys);
    const dataplane = sections && vmPhaseOps(lab, node.name, sections);
    for (const phase of node.phases) {
      const ops = dataplane && (VM_PHASES as readonly string[]).includes(phase.phase) ? { dataplane: vmPhaseView(lab, node.name, phase.phase as VmPhase, dataplane) } : {};
      files.push({ path: phase.script, content: renderTemplate(`${lab.profile}/${phase.phase}.sh.hbs`, { ...view, ...ops, phase, scenarioBase, fragments: view.fragments.filter((f) => f.phase === phase.phase) }), mode: 0o755 });
    }
    if (lab.profile === 'rdo') {
      // The same fragments the scripts embed, as files: for reading, diffing and the parse tests.
      for (const f of view.fragments) files.push({ path: `files/${node.name}/${f.file}`, content: f.text, mode: 0o644 });
      for (const f of view.ifcfg) files.push({ path: `files/${node.name}/${f.name}`, content: f.text, mode: 0o644 });
      if (view.isController) files.push({ path: `files/${node.name}/answers.txt`, content: view.answers, mode: 0o644 });
      if (view.isCompute) files.push({ path: `files/${node.name}/docker.filters`, content: view.dockerFilters, mode: 0o644 });
    }
  }
  if (lab.profile === 'rdo') files.push({ path: 'files/stacklab-mitaka.repo', content: repoFile(), mode: 0o644 });
  files.push({ path: 'lab.json', content: JSON.stringify(lab, null, 2) + '\n', mode: 0o644 });
  return files;
}
