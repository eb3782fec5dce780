// A Shell inside one network namespace of a lab sandbox: nsenter into the sandbox, then ip netns exec.
import type { ExecResult, Shell } from './types.js';
import { runArgv } from './local.js';

export class NetnsShell implements Shell {
  constructor(readonly where: string, private readonly enter: string[], private readonly ns: string) {}
  async exec(command: string, opts: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    // nsenter --net only: `ip netns exec` would also unshare a mount namespace and remount /sys
    return runArgv([...this.enter, 'nsenter', `--net=/run/netns/${this.ns}`, 'sh', '-c', command], opts, command);
  }
}
