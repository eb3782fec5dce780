import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

// The package root: dist/src/util -> ../../.. when built, src/util -> ../.. under tsx.
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package root not found');
    dir = up;
  }
  return dir;
}
export const PACKAGE_ROOT = findRoot();
export const SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');
export const TEMPLATE_DIR = path.join(PACKAGE_ROOT, 'src', 'render', 'templates');

/** The lab directory: rendered files, lab.json, state.json, logs/, reports/. */
export function labDir(labName: string, base = process.env.STACKLAB_HOME ?? '.stacklab'): string {
  return path.resolve(base, labName);
}
