// yargs wiring only: each command is a small function in src/commands/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LabError } from './util/errors.js';

type Handler = () => number | Promise<number>;
async function run(handler: Handler): Promise<void> {
  try {
    process.exitCode = await handler();
  } catch (e) {
    if (e instanceof LabError) {
      process.stderr.write(`lab: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`lab: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 70;
    }
  }
}

const scenarioArg = { describe: 'scenario name under scenarios/ or path to a YAML file', type: 'string' as const, demandOption: true };
/** The backend a lab is on: as given, else the one that left state in the lab dir. */
async function backendFor(ref: string, given: string | undefined): Promise<'netns' | 'vagrant'> {
  if (given === 'netns' || given === 'vagrant') return given;
  const { labDirOf } = await import('./commands/common.js');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = labDirOf(ref);
  return fs.existsSync(path.join(dir, 'netns', 'state.json')) || !fs.existsSync(path.join(dir, '.vagrant')) ? 'netns' : 'vagrant';
}

const backendOpt = { choices: ['netns', 'vagrant'] as const, default: 'vagrant' as 'netns' | 'vagrant', describe: 'where the lab runs' };

await yargs(hideBin(process.argv))
  .scriptName('lab')
  .usage('$0 <command> [options]\n\nReproducible OpenStack DVR labs: scenario -> plan -> Vagrant lab or netns emulation -> checks.')
  .command('list', 'list the scenarios with their descriptions', (y) => y.option('json', { type: 'boolean' }), (a) =>
    run(async () => (await import('./commands/list.js')).listCommand(a)))
  .command('show <scenario>', 'print the fully resolved lab', (y) => y.positional('scenario', scenarioArg).option('json', { type: 'boolean' }), (a) =>
    run(async () => (await import('./commands/show.js')).showCommand(a.scenario as string, a)))
  .command('schema', 'print the JSON Schema of the scenario format', {}, () => run(async () => (await import('./commands/schema.js')).schemaCommand()))
  .command('render <scenario>', 'write the Vagrantfile, provisioning scripts and config files', (y) =>
    y.positional('scenario', scenarioArg).option('out', { type: 'string', describe: 'lab directory (default .stacklab/<name>)' }), (a) =>
    run(async () => (await import('./commands/render.js')).renderCommand(a.scenario as string, a)))
  .command('up <scenario>', 'bring the lab up (netns: the data plane in namespaces; vagrant: VMs + provisioning)', (y) =>
    y.positional('scenario', scenarioArg).option('backend', backendOpt).option('from-phase', { type: 'string', describe: 'vagrant: re-run this phase and everything after it' }), (a) =>
    run(async () => (a.backend === 'netns' ? (await import('./commands/netns.js')).netnsUp(a.scenario as string) : (await import('./commands/vagrant.js')).vagrantUp(a.scenario as string, { fromPhase: a.fromPhase }))))
  .command('doctor [scenario]', 'can this host run the lab on the vagrant backend? each finding with its fix', (y) => y.positional('scenario', { type: 'string' }), (a) =>
    run(async () => (await import('./commands/vagrant.js')).doctorCommand(a.scenario)))
  .command('provision <scenario>', 'vagrant: run (or resume) the provisioning phases over SSH', (y) =>
    y.positional('scenario', scenarioArg).option('node', { type: 'string' }).option('phase', { type: 'string' }).option('from-phase', { type: 'string' }), (a) =>
    run(async () => (await import('./commands/vagrant.js')).vagrantProvision(a.scenario as string, { node: a.node, phase: a.phase, fromPhase: a.fromPhase })))
  .command('ssh <scenario> <node>', 'vagrant: an SSH session on a node', (y) => y.positional('scenario', scenarioArg).positional('node', { type: 'string', demandOption: true }), (a) =>
    run(async () => (await import('./commands/vagrant.js')).vagrantSsh(a.scenario as string, a.node as string)))
  .command('test <scenario>', 'run the connectivity checks against a lab that is up', (y) =>
    y.positional('scenario', scenarioArg).option('backend', { ...backendOpt, default: undefined })
      .option('json', { type: 'boolean', describe: 'print {results, summary} as JSON' })
      .option('junit', { type: 'string', describe: 'also write JUnit XML to this file' })
      .option('verbose', { type: 'boolean', alias: 'v', describe: 'show the evidence of passing checks too' })
      .option('only', { type: 'string', array: true, describe: 'run only these check ids' }), (a) =>
    run(async () => (await backendFor(a.scenario as string, a.backend)) === 'netns' ? (await import('./commands/netns.js')).netnsTest(a.scenario as string, a) : (await import('./commands/vagrant.js')).vagrantTest(a.scenario as string, a)))
  .command('fault <scenario> <fault>', 'inject (or --revert) a fault: underlay-mtu, block-vxlan, no-proxy-arp, fip-disassociate', (y) =>
    y.positional('scenario', scenarioArg).positional('fault', { type: 'string', demandOption: true }).option('backend', { ...backendOpt, default: undefined })
      .option('revert', { type: 'boolean' }).option('node', { type: 'string', describe: 'block-vxlan: the node whose tunnel traffic is dropped' }), (a) =>
    run(async () => (await import('./commands/fault.js')).faultCommand(a.scenario as string, a.fault as string, await backendFor(a.scenario as string, a.backend), a)))
  .command('plan <scenario>', 'print the operations the netns backend would run (no root needed)', (y) =>
    y.positional('scenario', scenarioArg).option('backend', { choices: ['netns'] as const, default: 'netns' }), (a) =>
    run(async () => (await import('./commands/netns.js')).netnsPlan(a.scenario as string)))
  .command('status <scenario>', 'is the lab up, which faults are injected, last check results', (y) =>
    y.positional('scenario', scenarioArg).option('backend', { ...backendOpt, default: undefined }), (a) =>
    run(async () => (await backendFor(a.scenario as string, a.backend)) === 'netns' ? (await import('./commands/netns.js')).netnsStatus(a.scenario as string) : (await import('./commands/vagrant.js')).vagrantStatus(a.scenario as string)))
  .command('destroy <scenario>', 'remove everything the lab made', (y) =>
    y.positional('scenario', scenarioArg).option('backend', { ...backendOpt, default: undefined }), (a) =>
    run(async () => (await backendFor(a.scenario as string, a.backend)) === 'netns' ? (await import('./commands/netns.js')).netnsDestroy(a.scenario as string) : (await import('./commands/vagrant.js')).vagrantDestroy(a.scenario as string)))
  .demandCommand(1)
  .strict()
  .help()
  .fail((msg, err, y) => {
    if (err) throw err;
    process.stderr.write(`${y.help()}\n\nlab: ${msg}\n`);
    process.exit(2);
  })
  .parseAsync();
