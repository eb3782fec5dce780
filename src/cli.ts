#!/usr/bin/env node
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
  .demandCommand(1)
  .strict()
  .help()
  .fail((msg, err, y) => {
    if (err) throw err;
    process.stderr.write(`${y.help()}\n\nlab: ${msg}\n`);
    process.exit(2);
  })
  .parseAsync();
void backendOpt;
