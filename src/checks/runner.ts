// The check runner: groups run in order (reachability in parallel, path and mutating checks one at a
// time so their counters and faults do not see each other), each check retried with a bounded wait.
import type { CheckResult, CheckSpec, Location } from './types.js';
import { runProbe, type ShellFor } from './probes.js';

export interface CheckTarget {
  shellFor: ShellFor;
  /** apply (or revert) a named fault, for checks that run under one */
  fault(name: string, revert: boolean): Promise<void>;
  activeFaults(): string[];
}

// structure and reachability checks only read or send their own traffic: together, in parallel.
const PHASES: { groups: CheckSpec['group'][]; parallel: boolean }[] = [
  { groups: ['structure', 'reachability'], parallel: true },
  { groups: ['path'], parallel: false },
  { groups: ['mutating'], parallel: false },
];
const RETRY_WAIT_MS = 400;

export function whereOf(loc: Location): string {
  switch (loc.kind) {
    case 'outside':
      return 'outside';
    case 'node':
      return loc.node;
    case 'namespace':
      return `${loc.node}/${loc.ns}`;
    case 'instance':
      return `${loc.node}/${loc.instance}`;
  }
}

async function runOne(c: CheckSpec, t: CheckTarget): Promise<CheckResult> {
  const t0 = performance.now();
  const sh = t.shellFor(c.from);
  let attempts = 0;
  let evidence = '';
  let passed = false;
  if (c.underFault && t.activeFaults().includes(c.underFault))
    return { id: c.id, title: c.title, status: 'skip', evidence: `fault ${c.underFault} is already injected (lab fault … --revert first)`, ms: 0, attempts: 0 };
  if (c.underFault) await t.fault(c.underFault, false);
  try {
    for (;;) {
      attempts++;
      const o = await runProbe(c.probe, sh, t.shellFor);
      passed = c.expect === 'passes' ? o.ok : !o.ok;
      evidence = `${c.expect === 'fails' ? (o.ok ? 'unexpectedly succeeded: ' : 'failed as required: ') : ''}${o.evidence}`;
      if (passed || attempts > c.retries) break;
      await new Promise((r) => setTimeout(r, RETRY_WAIT_MS));
    }
  } finally {
    if (c.underFault) {
      await t.fault(c.underFault, true);
      // tempest's order: after re-association the FIP must answer again
      const again = await runProbe(c.probe, sh, t.shellFor);
      evidence += ` | after revert: ${again.ok ? 'answers again' : 'STILL NOT ANSWERING'} (${again.evidence})`;
      if (!again.ok) passed = false;
    }
  }
  if (attempts > 1) evidence += ` [${attempts} attempts]`;
  return { id: c.id, title: c.title, status: passed ? 'pass' : 'fail', evidence, ms: Math.round(performance.now() - t0), attempts };
}

/** Addresses a check's traffic and counters involve: checks that share none cannot disturb each other. */
function touches(c: CheckSpec): Set<string> {
  const out = new Set<string>();
  const probe = c.probe.kind === 'counter-delta' ? c.probe.traffic : c.probe;
  if (c.probe.kind === 'counter-delta') for (const k of c.probe.counters) out.add(k.set);
  if ('target' in probe) out.add(probe.target);
  if (c.from.kind === 'instance') out.add(`instance:${c.from.node}/${c.from.instance}`);
  if (c.underFault) out.add('*');
  return out;
}

/** Split serial checks into waves of checks that touch disjoint addresses, keeping their order. */
export function waves(checks: CheckSpec[]): CheckSpec[][] {
  const out: { checks: CheckSpec[]; touched: Set<string> }[] = [];
  for (const c of checks) {
    const mine = touches(c);
    const last = out[out.length - 1];
    const clash = !last || mine.has('*') || last.touched.has('*') || [...mine].some((x) => last.touched.has(x));
    if (clash) out.push({ checks: [c], touched: mine });
    else (last.checks.push(c), mine.forEach((x) => last.touched.add(x)));
  }
  return out.map((w) => w.checks);
}

export async function runChecks(checks: CheckSpec[], t: CheckTarget, onResult?: (r: CheckResult) => void): Promise<CheckResult[]> {
  const results = new Map<string, CheckResult>();
  for (const phase of PHASES) {
    const inGroup = checks.filter((c) => phase.groups.includes(c.group));
    const done = (r: CheckResult) => {
      results.set(r.id, r);
      onResult?.(r);
    };
    if (phase.parallel) await Promise.all(inGroup.map(async (c) => done(await runOne(c, t))));
    else for (const wave of waves(inGroup)) await Promise.all(wave.map(async (c) => done(await runOne(c, t))));
  }
  return checks.map((c) => results.get(c.id)!);
}
