/** IPv4 address and CIDR arithmetic for pools, subnets, VPCs and security-group ranges. */

export interface Ipv4Cidr {
  readonly text: string;
  /** Network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
  /** Number of addresses in the range. */
  readonly size: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses a dotted-quad IPv4 address; `undefined` when it is not one. */
export function parseIpv4(address: string | undefined): number | undefined {
  if (!address) return undefined;
  const parts = address.trim().split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n` (a bare address is a /32); the base is masked to the prefix. */
export function parseCidr(cidr: string | undefined): Ipv4Cidr | undefined {
  if (!cidr) return undefined;
  const [address, prefixText] = cidr.trim().split('/');
  const ip = parseIpv4(address);
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  return { text: cidr.trim(), base: ip - (ip % size), prefix, size };
}

export const isIpv6 = (cidr: string | undefined): boolean => !!cidr && cidr.includes(':');

export function cidrContainsIp(range: Ipv4Cidr, ip: number): boolean {
  return ip >= range.base && ip < range.base + range.size;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}
