// A Shell over SSH with ssh2: one connection per node, reused for every command (a `vagrant ssh -c`
// costs ~2 s of Ruby start-up per call; an ssh2 exec on an open connection costs milliseconds).
import fs from 'node:fs';
import ssh2 from 'ssh2';
import type { ExecResult, Shell } from './types.js';
import { Unreachable } from '../util/errors.js';
import { shq } from '../render/quote.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKey: string; // path to the key file
}

/** Parse `vagrant ssh-config` output into one target per host. */
export function parseSshConfig(text: string): Record<string, SshTarget> {
  const out: Record<string, SshTarget> = {};
  let cur: Partial<SshTarget> & { name?: string } = {};
  const flush = () => {
    if (cur.name && cur.host && cur.user && cur.privateKey) out[cur.name] = { host: cur.host, port: cur.port ?? 22, user: cur.user, privateKey: cur.privateKey };
  };
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.trim().split(/\s+/);
    const value = rest.join(' ').replace(/^"|"$/g, '');
    if (!key) continue;
    if (key === 'Host') {
      flush();
      cur = { name: value };
    } else if (key === 'HostName') cur.host = value;
    else if (key === 'Port') cur.port = Number(value);
    else if (key === 'User') cur.user = value;
    else if (key === 'IdentityFile' && !cur.privateKey) cur.privateKey = value;
  }
  flush();
  return out;
}

export class SshShell implements Shell {
  private conn: Promise<ssh2.Client> | null = null;
  constructor(readonly where: string, private readonly target: SshTarget, private readonly prefix = '') {}

  private connect(): Promise<ssh2.Client> {
    if (!this.conn) {
      this.conn = new Promise((resolve, reject) => {
        const c = new ssh2.Client();
        c.on('ready', () => resolve(c))
          .on('error', (e) => {
            this.conn = null;
            reject(new Unreachable(`ssh ${this.target.user}@${this.target.host}:${this.target.port} (${this.where}): ${e.message}`));
          })
          .on('close', () => {
            this.conn = null;
          })
          .connect({ host: this.target.host, port: this.target.port, username: this.target.user, privateKey: fs.readFileSync(this.target.privateKey), readyTimeout: 20_000, keepaliveInterval: 10_000 });
      });
    }
    return this.conn;
  }

  /** Run a command; `onData` receives output as it arrives (provisioning logs stream through it). */
  /** holdStdin: keep the command's stdin open until it ends or the signal aborts (see runInGroup). */
  async exec(command: string, opts: { timeoutMs?: number; stdin?: string; onData?: (chunk: Buffer) => void; signal?: AbortSignal; holdStdin?: boolean } = {}): Promise<ExecResult> {
    const t0 = performance.now();
    const c = await this.connect();
    // a prefix (sudo -n) wraps the whole command line, not just its first word
    const full = this.prefix ? `${this.prefix} sh -c ${shq(command)}` : command;
    return new Promise((resolve, reject) => {
      c.exec(full, (err, stream) => {
        if (err) return reject(new Unreachable(`ssh exec on ${this.where}: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; stream.signal('KILL'); stream.close(); }, opts.timeoutMs) : null;
        const abort = () => {
          stream.signal('INT');
          stream.end();
        };
        opts.signal?.addEventListener('abort', abort, { once: true });
        stream.on('data', (d: Buffer) => { stdout += d; opts.onData?.(d); });
        stream.stderr.on('data', (d: Buffer) => { stderr += d; opts.onData?.(d); });
        stream.on('close', (code: number | null) => {
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener('abort', abort);
          resolve({ command, code: timedOut ? 124 : code ?? 255, stdout, stderr: stderr + (timedOut ? '\n(timed out)' : ''), ms: Math.round(performance.now() - t0) });
        });
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else if (!opts.holdStdin) stream.end();
      });
    });
  }

  /** Write a file on the remote side (no SFTP needed: small guests run dropbear without it). */
  async upload(remotePath: string, content: string, mode = '0755'): Promise<void> {
    const dir = remotePath.slice(0, remotePath.lastIndexOf('/')) || '/';
    const tmp = shq(`${remotePath}.tmp`);
    const r = await this.exec(`mkdir -p ${shq(dir)} && cat > ${tmp} && chmod ${mode} ${tmp} && mv ${tmp} ${shq(remotePath)}`, { stdin: content });
    if (r.code !== 0) throw new Unreachable(`upload ${remotePath} to ${this.where} failed: ${r.stderr.trim()}`);
  }

  async close(): Promise<void> {
    if (!this.conn) return;
    try {
      (await this.conn).end();
    } catch {
      /* never connected */
    }
    this.conn = null;
  }
}
