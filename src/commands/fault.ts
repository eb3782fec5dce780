// `lab fault`: inject or revert a named fault on either backend, and the fault matrix `lab status` prints.
import type { Lab } from '../plan/types.js';
import { FAULTS, expectedBroken, faultByName, blockNode } from '../dataplane/faults.js';
import { NetnsBackend } from '../backends/netns/backend.js';
import { VagrantBackend } from '../backends/vagrant/backend.js';
import { labFor } from './common.js';
import { InvalidInput } from '../util/errors.js';

export async function faultCommand(ref: string, fault: string, backend: 'netns' | 'vagrant', opts: { revert?: boolean; node?: string }): Promise<number> {
  const { lab, dir } = labFor(ref);
  const f = faultByName(fault);
  const o = { node: opts.node };
  if (fault === 'block-vxlan') blockNode(lab, o); // validates --node
  else if (opts.node) throw new InvalidInput(`--node applies to block-vxlan only`);
  if (backend === 'netns') await new NetnsBackend(lab, dir).fault(fault, !!opts.revert, o);
  else {
    const b = new VagrantBackend(lab, dir);
    try {
      await b.fault(fault, !!opts.revert, o);
    } finally {
      await b.close();
    }
  }
  const broken = expectedBroken(lab, f, o);
  process.stdout.write(opts.revert ? `reverted ${fault} on ${lab.name}\n` : `injected ${fault} on ${lab.name}: ${f.description}\nexpected to break: ${broken.join(', ') || '(none)'}\n`);
  return 0;
}

export function faultMatrix(lab: Lab): string {
  const lines = [`fault matrix for ${lab.name} (checks each fault must break):`];
  for (const f of FAULTS) {
    const why = f.notApplicable(lab);
    lines.push(`  ${f.name.padEnd(17)} ${why ? `n/a: ${why}` : expectedBroken(lab, f, {}).join(', ') || '(none)'}`);
  }
  return lines.join('\n') + '\n';
}
