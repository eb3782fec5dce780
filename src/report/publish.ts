// Where check results go: reports/last.json and last.xml in the lab dir, --junit, and stdout.
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult } from '../checks/types.js';
import { terminalReport, summarize } from './terminal.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';

/** Save and print the results; returns the exit code (1 when a check failed). */
export function publishResults(lab: string, dir: string, backend: string, results: CheckResult[], opts: { json?: boolean; junit?: string; verbose?: boolean }): number {
  const reports = path.join(dir, 'reports');
  fs.mkdirSync(reports, { recursive: true });
  fs.writeFileSync(path.join(reports, 'last.json'), jsonReport(results));
  fs.writeFileSync(path.join(reports, 'last.xml'), junitReport(lab, backend, results));
  if (opts.junit) fs.writeFileSync(opts.junit, junitReport(lab, backend, results));
  process.stdout.write(opts.json ? jsonReport(results) : terminalReport(lab, results, { verbose: opts.verbose, color: process.stdout.isTTY }));
  return summarize(results).failed ? 1 : 0;
}

/** "last checks: …" from the saved report, or null when there is none. */
export function lastChecksLine(dir: string): string | null {
  const last = path.join(dir, 'reports', 'last.json');
  if (!fs.existsSync(last)) return null;
  const { summary } = JSON.parse(fs.readFileSync(last, 'utf8'));
  return `last checks: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`;
}
