// `lab render`: plan and write the whole lab dir. Everything is rendered in memory first, so an
// error leaves nothing half-written.
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { planFromScenario } from './common.js';
import { renderLab, type RenderedFile } from '../render/index.js';
import type { SshKeyPair } from '../render/views.js';
import type { Lab } from '../plan/types.js';
import { labDir } from '../util/paths.js';

/** The lab's root SSH key (Packstack needs root SSH among nodes); made once, kept in the lab dir. */
export function labKeys(dir: string): { keys: SshKeyPair; fresh: boolean } {
  const priv = path.join(dir, 'keys', 'id_rsa');
  if (fs.existsSync(priv)) return { keys: { private: fs.readFileSync(priv, 'utf8'), public: fs.readFileSync(`${priv}.pub`, 'utf8').trim() }, fresh: false };
  const k = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048, comment: 'stacklab' });
  return { keys: { private: k.private.endsWith('\n') ? k.private : `${k.private}\n`, public: k.public.trim() }, fresh: true };
}

export function writeFiles(dir: string, files: RenderedFile[]): void {
  for (const f of files) {
    const full = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.content, { mode: f.mode });
    fs.chmodSync(full, f.mode);
  }
}

export function renderToDir(lab: Lab, dir: string): RenderedFile[] {
  const { keys, fresh } = labKeys(dir);
  const files = renderLab(lab, keys);
  // Scripts of a previous render that this plan no longer has would mislead: clear provision/ and files/.
  for (const sub of ['provision', 'files']) fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
  writeFiles(dir, files);
  if (fresh) writeFiles(dir, [{ path: 'keys/id_rsa', content: keys.private, mode: 0o600 }, { path: 'keys/id_rsa.pub', content: keys.public + '\n', mode: 0o644 }]);
  return files;
}

export function renderCommand(ref: string, opts: { out?: string }): number {
  const lab = planFromScenario(ref);
  const dir = opts.out ? path.resolve(opts.out) : labDir(lab.name);
  const files = renderToDir(lab, dir);
  const scripts = files.filter((f) => f.path.startsWith('provision/')).length;
  process.stdout.write(`rendered ${lab.name} into ${dir}: Vagrantfile, ${scripts} provisioning scripts, ${files.length - scripts - 2} config files, lab.json\n`);
  return 0;
}
