// The terminal table: PASS/FAIL/SKIP per check, evidence shown for failures (and with --verbose for all).
import type { CheckResult } from '../checks/types.js';

export function terminalReport(lab: string, results: CheckResult[], opts: { verbose?: boolean; color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const mark = { pass: c('32', 'PASS'), fail: c('31', 'FAIL'), skip: c('33', 'SKIP') };
  const w = Math.max(...results.map((r) => r.id.length), 5);
  const lines = [`checks for ${lab}`, `${'check'.padEnd(w)}  result  time   title`];
  for (const r of results) {
    lines.push(`${r.id.padEnd(w)}  ${mark[r.status]}    ${`${r.ms}ms`.padStart(6)} ${r.title}`);
    if (r.status !== 'pass' || opts.verbose) lines.push(`${' '.repeat(w + 2)}  evidence: ${r.evidence}`);
  }
  const s = summarize(results);
  lines.push(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return lines.join('\n') + '\n';
}

export function summarize(results: CheckResult[]) {
  return {
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  };
}
