// A Shell on this host (the Vagrant backend's "outside" tester is the host itself).
import { execa } from 'execa';
import type { ExecResult, Shell } from './types.js';

export async function runArgv(argv: string[], opts: { timeoutMs?: number; stdin?: string } = {}, label = argv.join(' ')): Promise<ExecResult> {
  const t0 = performance.now();
  const r = await execa(argv[0], argv.slice(1), { reject: false, input: opts.stdin, timeout: opts.timeoutMs ?? 30_000, stripFinalNewline: false });
  return { command: label, code: typeof r.exitCode === 'number' ? r.exitCode : 124, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') + (r.timedOut ? '\n(timed out)' : ''), ms: Math.round(performance.now() - t0) };
}

export class LocalShell implements Shell {
  constructor(readonly where = 'local') {}
  exec(command: string, opts: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    return runArgv(['sh', '-c', command], opts, command);
  }
}
