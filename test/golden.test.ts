// Golden files: the rendered lab of each main scenario and the netns plan, byte for byte.
// After an intended change: `npm run golden:update`, then review `git diff test/golden`.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.js';
import { resolveLab } from '../src/plan/resolve.js';
import { renderLab } from '../src/render/index.js';
import { upScript } from '../src/backends/netns/backend.js';
import { ROOT, TEST_KEYS, MAIN_SCENARIOS, listFiles } from './helpers.js';

const GOLDEN = path.join(ROOT, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function compare(t: import('ava').ExecutionContext, dir: string, files: { path: string; content: string }[]) {
  if (update) {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.path), f.content);
    }
  }
  t.deepEqual(files.map((f) => f.path).sort(), listFiles(dir), 'the same set of files');
  for (const f of files) t.is(f.content, fs.readFileSync(path.join(dir, f.path), 'utf8'), f.path);
}

for (const name of [...MAIN_SCENARIOS, 'three-node-legacy']) {
  const lab = () => resolveLab(loadScenario(name).scenario);
  test(`golden render: ${name}`, (t) => compare(t, path.join(GOLDEN, 'render', name), renderLab(lab(), TEST_KEYS)));
  test(`golden netns plan: ${name}`, (t) => {
    const file = path.join(GOLDEN, 'netns-plan', `${name}.sh`);
    const script = upScript(lab()).script;
    if (update) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, script);
    }
    t.is(script, fs.readFileSync(file, 'utf8'));
  });
}
