// Test helpers: run the built CLI as a user would, in a temporary working directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist', 'lab.mjs');

// Every temporary directory a test makes is removed when its worker exits (pass or fail).
const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpdir(prefix = 'stacklab-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export async function lab(args: string[], opts: { cwd?: string; home?: string; input?: string } = {}) {
  const cwd = opts.cwd ?? ROOT;
  const r = await execa('node', [CLI, ...args], {
    cwd,
    reject: false,
    input: opts.input,
    env: { STACKLAB_HOME: opts.home ?? path.join(cwd, '.stacklab') },
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Write a scenario YAML into dir and return its path. */
export function writeScenario(dir: string, name: string, yaml: string): string {
  const p = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(p, yaml);
  return p;
}

export const TEST_KEYS = {
  private: fs.readFileSync(path.join(ROOT, 'test/fixtures/test_key'), 'utf8'),
  public: fs.readFileSync(path.join(ROOT, 'test/fixtures/test_key.pub'), 'utf8').trim(),
};

export function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))])).sort();
}

export const MAIN_SCENARIOS = ['two-node-dvr', 'three-node-dvr', 'two-node-dvr-vlan', 'three-node-dvr-vlan'];
