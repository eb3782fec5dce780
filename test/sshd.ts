// A real OpenSSH server on 127.0.0.1 for the ssh2 tests: its own host key, config and pid file,
// accepting the test key; stopped by PID when the test ends.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ROOT, tmpdir } from './helpers.js';

export interface Sshd {
  port: number;
  keyPath: string;
  user: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<Sshd> {
  const dir = tmpdir('sshd-');
  const keyPath = path.join(ROOT, 'test/fixtures/test_key');
  fs.chmodSync(keyPath, 0o600);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/test_key.pub'), path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd.pid`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes',
    'StrictModes no',
    'UsePAM no',
    'MaxSessions 50',
    'MaxStartups 50',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'sshd_config'), config + '\n');
  // bash sources ~/.bashrc for every SSH command; this machine's runs pyenv (~0.5 s). The test server
  // runs in a private mount namespace with an empty one in its place.
  const rc = fs.existsSync('/root/.bashrc') ? 'mount --bind /dev/null /root/.bashrc; ' : '';
  const proc: ResultPromise = execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${rc}exec /usr/sbin/sshd -D -e -f ${dir}/sshd_config`], { reject: false });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true))).on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    keyPath,
    user: 'root',
    async stop() {
      proc.kill('SIGTERM');
      await proc;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
