import type { CheckResult } from '../checks/types.js';
import { summarize } from './terminal.js';

export function jsonReport(results: CheckResult[]): string {
  return JSON.stringify({ results: results.map(({ id, title, status, evidence }) => ({ id, title, status, evidence })), summary: summarize(results) }, null, 2) + '\n';
}
