// Checks as data: where a probe runs, what it runs, what it expects. Results keep their evidence.

/** Where a command runs. Backends resolve a Location to a Shell. */
export type Location =
  | { kind: 'outside' }
  | { kind: 'node'; node: string }
  | { kind: 'namespace'; node: string; ns: 'qrouter' | 'fip' | 'snat' }
  | { kind: 'instance'; node: string; instance: string };

export type Probe =
  | { kind: 'ping'; target: string; count?: number; size?: number; dontFragment?: boolean }
  | { kind: 'http'; url: string; expectStatus: number; bodyIncludes?: string[] }
  | { kind: 'tcp-banner'; host: string; port: number; bannerPrefix: string }
  | { kind: 'arp-owner'; target: string; expectMac: string; expectOwner: string }
  | { kind: 'command-output'; command: string; mustInclude: string[] }
  /** run a traffic probe while reading accounting counters; expect crossing or not */
  | { kind: 'counter-delta'; traffic: Probe; counters: { at: Location; set: string; label: string }[]; expectCrossing: boolean };

export interface CheckSpec {
  id: string;
  title: string;
  from: Location;
  probe: Probe;
  expect: 'passes' | 'fails';
  retries: number;
  /** checks in the same group may run in parallel; groups run in order */
  group: 'reachability' | 'path' | 'structure' | 'mutating';
  /** path elements this check's traffic traverses: faults name the elements they break */
  traverses: string[];
  /** for a 'mutating' check: fault applied before the probe and reverted after */
  underFault?: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  evidence: string;
  ms: number;
  attempts: number;
}
