// A Shell runs one command line somewhere (a namespace, a VM over SSH, this host) and reports it.
export interface ExecResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Shell {
  /** where this shell runs, for evidence ("outside", "cmp1", "cmp1/qrouter", ...) */
  readonly where: string;
  exec(command: string, opts?: { timeoutMs?: number; stdin?: string }): Promise<ExecResult>;
}
