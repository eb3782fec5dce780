// JUnit XML for CI dashboards: one testsuite per lab, one testcase per check.
import type { CheckResult } from '../checks/types.js';
import { summarize } from './terminal.js';

const xml = (s: string) => s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitReport(lab: string, backend: string, results: CheckResult[]): string {
  const s = summarize(results);
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((n, r) => n + r.ms, 0);
  const cases = results.map((r) => {
    const open = `    <testcase classname="stacklab.${xml(lab)}" name="${xml(r.id)}: ${xml(r.title)}" time="${time(r.ms)}">`;
    const body = r.status === 'fail' ? `\n      <failure message="${xml(r.title)}">${xml(r.evidence)}</failure>` : r.status === 'skip' ? `\n      <skipped message="${xml(r.evidence)}"/>` : '';
    return `${open}${body}\n      <system-out>${xml(r.evidence)}</system-out>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${s.failed}" skipped="${s.skipped}" time="${time(total)}">\n  <testsuite name="${xml(lab)} (${xml(backend)})" tests="${results.length}" failures="${s.failed}" skipped="${s.skipped}" time="${time(total)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
