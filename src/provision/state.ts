// state.json in the lab dir: per node and phase, what ran, how long, with which script (by hash).
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

export interface PhaseRecord {
  status: 'done' | 'failed' | 'interrupted' | 'running';
  hash: string;
  startedAt: string;
  ms?: number;
  exitCode?: number;
}
export interface ProvisionState {
  phases: Record<string, PhaseRecord>;
}

export const stateFile = (dir: string) => path.join(dir, 'state.json');

export function readProvisionState(dir: string): ProvisionState {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as ProvisionState;
  } catch {
    return { phases: {} };
  }
}

export function writeProvisionState(dir: string, s: ProvisionState): void {
  fs.writeFileSync(`${stateFile(dir)}.tmp`, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(`${stateFile(dir)}.tmp`, stateFile(dir));
}

export function scriptHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
