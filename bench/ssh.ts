// Benchmark: one command over an open ssh2 connection (what the provision runner and the checks use)
// vs a fresh OpenSSH connection per command, against a real sshd on 127.0.0.1 (root).
// Usage: node --import=tsx bench/ssh.ts [runs]. Writes bench/results/ssh.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startSshd } from '../test/sshd.js';
import { SshShell } from '../src/shell/ssh.js';
import { ROOT } from '../test/helpers.js';

const runs = Number(process.argv[2] ?? 10);
const sshd = await startSshd();
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
try {
  const sh = new SshShell('bench', { host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.keyPath });
  const t0 = performance.now();
  await sh.exec('true');
  const connectMs = Math.round(performance.now() - t0);
  const ssh2: number[] = [];
  for (let i = 0; i < runs; i++) ssh2.push((await sh.exec('true')).ms);
  await sh.close();
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await execa('ssh', ['-i', sshd.keyPath, '-p', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', 'root@127.0.0.1', 'true']);
    cli.push(performance.now() - t);
  }
  const result = { ssh2FirstCommandMs: connectMs, ssh2CommandMs: median(ssh2), opensshFreshConnectionMs: median(cli), runs };
  console.log(`ssh2: first command (connect) ${connectMs} ms, then ${result.ssh2CommandMs} ms per command; ssh CLI: ${result.opensshFreshConnectionMs} ms per command`);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'ssh.json'), JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, ...result }, null, 2) + '\n');
} finally {
  await sshd.stop();
}
