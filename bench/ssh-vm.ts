// Benchmark on a running VM lab: one command over an open ssh2 connection vs a fresh OpenSSH
// connection vs `vagrant ssh -c` (what the runner avoids). Run by test/vm/isolated-lab.sh.
// Usage: node dist/bench/ssh-vm.js LAB_DIR NODE [runs] (after npm run build). Prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { SshShell, parseSshConfig } from '../src/shell/ssh.js';

const [dir, node, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const timed = async (n: number, f: () => Promise<unknown>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return median(out);
};
const target = parseSshConfig(fs.readFileSync(path.join(dir, 'ssh-config'), 'utf8'))[node];
const sh = new SshShell(node, target);
await sh.exec('true');
const ssh2 = await timed(runs, () => sh.exec('true'));
await sh.close();
const openssh = await timed(runs, () => execa('ssh', ['-F', path.join(dir, 'ssh-config'), '-o', 'BatchMode=yes', node, 'true']));
const vagrant = await timed(Math.min(runs, 3), () => execa('vagrant', ['ssh', node, '-c', 'true'], { cwd: dir, stdin: 'ignore' }));
console.log(JSON.stringify({ ssh2CommandMs: ssh2, opensshFreshConnectionMs: openssh, vagrantSshMs: vagrant }));
