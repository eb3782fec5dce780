// A Shell inside one network namespace of a lab sandbox: nsenter into the sandbox, then ip netns exec.
import type { ExecResult, Shell } from './types.js';
import { runArgv } from './local.js';

export class NetnsShell implements Shell {
  constructor(readonly where: string, private readonly enter: string[], private readonly ns: string) {}
  async exec(command: string, opts: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    const r = await runArgv([...this.enter, 'ip', 'netns', 'exec', this.ns, 'sh', '-c', command], opts, command);
    return r;
  }
}
