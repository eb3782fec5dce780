import { listScenarios } from '../scenario/load.js';

export function listCommand(opts: { json?: boolean }): number {
  const all = listScenarios().map(({ name, description }) => ({ name, description }));
  if (opts.json) {
    process.stdout.write(JSON.stringify(all, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...all.map((s) => s.name.length));
  for (const s of all) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
  return 0;
}
