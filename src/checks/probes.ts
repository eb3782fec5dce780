// Probes: each turns a Probe into commands on a Shell and returns what it observed. The commands are
// plain iputils/curl/iproute2/ebtables lines, the same on a namespace and on a VM over SSH.
import { createRequire } from 'node:module';
import { shq } from '../render/quote.js';
import type { Shell } from '../shell/types.js';
import type { Location, Probe } from './types.js';
import { ACCOUNTING_CHAIN } from './catalogue.js';

const require = createRequire(import.meta.url);
// The `ping` package's parser reads iputils output (we run ping ourselves: inside a namespace or over SSH).
const pingParser = require('ping/lib/parser/factory.js') as { createParser(addr: string, platform: string, cfg: object): { eat(line: string): void; getResult(): PingResult } };
interface PingResult {
  alive: boolean;
  packetLoss: string;
  avg: string;
}

export interface Observation {
  ok: boolean;
  evidence: string;
}

export type ShellFor = (loc: Location) => Shell;

const trim = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s).trim();

export async function runProbe(p: Probe, sh: Shell, shellFor: ShellFor): Promise<Observation> {
  switch (p.kind) {
    case 'ping': {
      // -i 0.05: we are root in the lab; -W bounds a probe that gets no answer (single probes are the negative checks)
      const count = p.count ?? 3;
      const args = ['ping', '-n', '-c', String(count), '-i', '0.05', '-W', count === 1 ? '0.3' : '0.5', ...(p.dontFragment ? ['-M', 'do', '-s', String(p.size)] : []), p.target];
      const r = await sh.exec(args.map(shq).join(' '), { timeoutMs: 15_000 });
      const parser = pingParser.createParser(p.target, 'linux', {});
      for (const line of r.stdout.split('\n')) parser.eat(line);
      const res = parser.getResult();
      const summary = r.stdout.split('\n').filter((l) => /packets transmitted|rtt/.test(l)).join('; ') || trim(r.stderr);
      return { ok: r.code === 0, evidence: `${sh.where}$ ${r.command} -> exit ${r.code}, ${summary}${res.avg && res.avg !== 'unknown' ? ` (avg ${res.avg} ms)` : ''}${r.stderr && r.code ? ` ${trim(r.stderr, 160)}` : ''}` };
    }
    case 'http': {
      const r = await sh.exec(`curl -sS -m 3 -w '\\nHTTP_STATUS=%{http_code}' ${shq(p.url)}`, { timeoutMs: 10_000 });
      const status = Number(/HTTP_STATUS=(\d+)/.exec(r.stdout)?.[1] ?? 0);
      const body = r.stdout.replace(/\nHTTP_STATUS=\d+$/, '');
      const missing = (p.bodyIncludes ?? []).filter((s) => !body.includes(s));
      const ok = r.code === 0 && status === p.expectStatus && missing.length === 0;
      return { ok, evidence: `${sh.where}$ curl ${p.url} -> HTTP ${status || 'none'}${r.code ? ` (curl exit ${r.code}: ${trim(r.stderr, 160)})` : ''}; body: ${trim(body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '), 200)}${missing.length ? `; missing ${missing.map((m) => JSON.stringify(m)).join(', ')}` : ''}` };
    }
    case 'tcp-banner': {
      const r = await sh.exec(`timeout 3 bash -c ${shq(`exec 3<>/dev/tcp/${p.host}/${p.port} && head -c 80 <&3`)}`, { timeoutMs: 10_000 });
      const banner = r.stdout.split('\n')[0].trim();
      return { ok: r.code === 0 && banner.startsWith(p.bannerPrefix), evidence: `${sh.where}$ connect ${p.host}:${p.port} -> ${banner ? JSON.stringify(banner) : `no banner (exit ${r.code}) ${trim(r.stderr, 120)}`}` };
    }
    case 'arp-owner': {
      const r = await sh.exec(`ping -n -c 1 -W 0.5 ${shq(p.target)} >/dev/null 2>&1; ip neigh show ${shq(p.target)}`, { timeoutMs: 10_000 });
      const mac = /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1] ?? null;
      return { ok: mac === p.expectMac, evidence: `${sh.where}$ ip neigh show ${p.target} -> ${trim(r.stdout) || '(no entry)'}; expected ${p.expectMac} (${p.expectOwner})` };
    }
    case 'command-output': {
      const r = await sh.exec(p.command, { timeoutMs: 10_000 });
      const missing = p.mustInclude.filter((s) => !r.stdout.includes(s));
      return { ok: r.code === 0 && missing.length === 0, evidence: `${sh.where}$ ${p.command} -> exit ${r.code}; ${missing.length ? `missing: ${missing.map((m) => JSON.stringify(m)).join(', ')}; output: ${trim(r.stdout, 600)}` : `found all ${p.mustInclude.length}: ${p.mustInclude.map((m) => JSON.stringify(m)).join(', ')}`}` };
    }
    case 'counter-delta': {
      const read = async () => Promise.all(p.counters.map(async (c) => accounting(await shellFor(c.at).exec(`ebtables -L ${ACCOUNTING_CHAIN} --Lc`), c.set)));
      const before = await read();
      const traffic = await runProbe(p.traffic, sh, shellFor);
      const after = await read();
      const deltas = after.map((a, i) => a - before[i]);
      const crossed = deltas.some((d) => d > 0);
      const counters = p.counters.map((c, i) => `${c.label}: ${before[i]} -> ${after[i]} (+${deltas[i]})`).join('; ');
      return { ok: traffic.ok && crossed === p.expectCrossing, evidence: `${traffic.evidence} | ${counters} | expected ${p.expectCrossing ? 'to cross' : 'not to cross'}` };
    }
  }
}

/** Sum of the packet counters of the accounting rules that match this IP (ebtables --Lc output). */
export function accounting(r: { stdout: string; code: number }, ip: string): number {
  if (r.code !== 0) return NaN;
  let sum = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line.includes(` ${ip} `)) continue;
    const m = /pcnt = (\d+)/.exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}
