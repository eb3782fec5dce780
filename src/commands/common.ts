// Shared by commands: scenario -> Lab with warnings printed once, and the lab dir's files.
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { resolveLab } from '../plan/resolve.js';
import type { Lab } from '../plan/types.js';
import { labDir } from '../util/paths.js';
import { InvalidInput } from '../util/errors.js';
import { runChecks, type CheckTarget } from '../checks/runner.js';
import type { CheckSpec } from '../checks/types.js';
import { publishResults } from '../report/publish.js';

export function planFromScenario(ref: string, opts: { quiet?: boolean } = {}): Lab {
  const { scenario, warnings } = loadScenario(ref);
  if (!opts.quiet) for (const w of warnings) process.stderr.write(`warning: ${scenario.file}: ${w.path}: ${w.expected}\n`);
  return resolveLab(scenario, warnings);
}

/** The lab dir a scenario reference names (the file's base name for a path). */
export function labDirOf(ref: string): string {
  return labDir(path.basename(ref).replace(/\.(ya?ml|json)$/, ''));
}

/** A lab already planned (lab.json in its dir) or, failing that, the scenario resolved now. */
export function labFor(ref: string, dir?: string): { lab: Lab; dir: string } {
  const byName = dir ?? labDirOf(ref);
  const saved = path.join(byName, 'lab.json');
  if (fs.existsSync(saved) && !/[/\\]|\.(ya?ml|json)$/.test(ref)) return { lab: JSON.parse(fs.readFileSync(saved, 'utf8')) as Lab, dir: byName };
  const lab = planFromScenario(ref);
  return { lab, dir: dir ?? labDir(lab.name) };
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new InvalidInput(`${what} needs root (or run it inside \`unshare --user --map-root-user\`)`);
}

/** `lab test` on any backend: the lab's checks (or --only those), a dot per result, then the reports. */
export async function testLab(lab: Lab, dir: string, backend: 'netns' | 'vagrant', target: CheckTarget, opts: { json?: boolean; junit?: string; verbose?: boolean; only?: string[] }, supported: (c: CheckSpec) => boolean = () => true): Promise<number> {
  const checks = (opts.only?.length ? lab.checks.filter((c) => opts.only!.includes(c.id)) : lab.checks).filter(supported);
  if (opts.only?.length && checks.length !== opts.only.length) throw new InvalidInput(`--only: unknown check id (known: ${lab.checks.filter(supported).map((c) => c.id).join(', ')})`);
  const t0 = performance.now();
  const results = await runChecks(checks, target, (r) => {
    if (!opts.json) process.stderr.write(r.status === 'pass' ? '.' : r.status === 'fail' ? 'F' : 's');
  });
  if (!opts.json) process.stderr.write(` (${Math.round(performance.now() - t0)} ms)\n`);
  return publishResults(lab.name, dir, backend, results, opts);
}
