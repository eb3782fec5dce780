// Minimal IPv4 arithmetic: the plan needs addresses, prefixes, ranges and Neutron's integer form.
export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
export interface Cidr {
  network: number;
  prefix: number;
  size: number;
}
export function parseCidr(cidr: string): Cidr {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  const size = 2 ** (32 - prefix);
  return { network: ipToInt(ip), prefix, size };
}
export function isNetworkAddress(cidr: string): boolean {
  const c = parseCidr(cidr);
  return c.network % c.size === 0;
}
export function contains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= c.network && n < c.network + c.size;
}
/** A usable host address (not the network or broadcast address, for prefixes up to /30). */
export function isHost(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return contains(cidr, ip) && (c.prefix >= 31 || (n !== c.network && n !== c.network + c.size - 1));
}
export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.network < y.network + y.size && y.network < x.network + x.size;
}
export function hostAt(cidr: string, index: number): string {
  return intToIp(parseCidr(cidr).network + index);
}
export function netmask(prefix: number): string {
  return intToIp(prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)));
}
export function prefixOf(cidr: string): number {
  return parseCidr(cidr).prefix;
}
/** Neutron writes tunnel ports as vxlan-<remote IPv4 in 8 hex digits>. */
export function hexIp(ip: string): string {
  return ipToInt(ip).toString(16).padStart(8, '0');
}
