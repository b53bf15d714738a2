/**
 * Address ranges for policy `nets`: IPv4 as numbers (the fast path: pod addresses against a
 * cluster's CIDRs), IPv6 as bigints. A rule's net matches a packet whose address lies inside it;
 * a peer that is itself a range (a CIDR, "somewhere in the VPC") may lie inside, outside, or across.
 */
import { parseCidr as parseIpv4Cidr } from '../ipv4.js';
import { MAYBE, NO, YES, type Tri } from '../selector.js';

export interface AddressRange {
  version: 4 | 6;
  /** First and last address, inclusive. */
  lo: number | bigint;
  hi: number | bigint;
  text: string;
}

function parseIpv6(address: string): bigint | undefined {
  const text = address.trim().toLowerCase().replace(/%.*$/, '');
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const expand = (part: string): string[] | undefined => {
    if (!part) return [];
    const groups = part.split(':');
    const last = groups.at(-1)!;
    if (last.includes('.')) {
      // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
      const v4 = parseIpv4Cidr(last);
      if (!v4 || v4.prefix !== 32) return undefined;
      groups.splice(-1, 1, Math.floor(v4.base / 65536).toString(16), (v4.base % 65536).toString(16));
    }
    return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = expand(halves[0]!);
  const tail = halves.length === 2 ? expand(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses a CIDR or a bare address (a /32 or /128); host bits are masked off, as Calico does. */
export function parseRange(text: string): AddressRange | undefined {
  const trimmed = text.trim();
  if (!trimmed.includes(':')) {
    const cidr = parseIpv4Cidr(trimmed);
    return cidr ? { version: 4, lo: cidr.base, hi: cidr.base + cidr.size - 1, text: trimmed } : undefined;
  }
  const [address, prefixText] = trimmed.split('/');
  const ip = parseIpv6(address ?? '');
  const prefix = prefixText === undefined ? 128 : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 128)) return undefined;
  const size = 1n << BigInt(128 - prefix);
  const lo = ip - (ip % size);
  return { version: 6, lo, hi: lo + size - 1n, text: trimmed };
}

/** Whether `range` lies inside `net` (yes), outside it (no), or across its edge (maybe). */
export function within(range: AddressRange, net: AddressRange): Tri {
  if (range.version !== net.version) return NO;
  if (range.lo >= net.lo && range.hi <= net.hi) return YES;
  if (range.hi < net.lo || range.lo > net.hi) return NO;
  return MAYBE;
}

/** Whether `range` lies inside any of `nets`. */
export function withinAny(range: AddressRange, nets: readonly AddressRange[]): Tri {
  let result: Tri = NO;
  for (const net of nets) {
    const here = within(range, net);
    if (here === YES) return YES;
    if (here === MAYBE) result = MAYBE;
  }
  // Inside the union but not inside one net (adjacent nets split it): count what is covered.
  if (result === MAYBE && covered(range, nets)) return YES;
  return result;
}

/** True when the nets together cover every address of the range. */
function covered(range: AddressRange, nets: readonly AddressRange[]): boolean {
  const parts = nets.filter((n) => n.version === range.version && n.hi >= range.lo && n.lo <= range.hi).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let next = range.lo;
  const one = range.version === 4 ? 1 : 1n;
  for (const net of parts) {
    if (net.lo > next) return false;
    if (net.hi >= next) next = (net.hi as number) + (one as number);
    if (next > range.hi) return true;
  }
  return next > range.hi;
}

/** A range written back as text for evidence: a single address bare, otherwise as parsed. */
export const rangeText = (range: AddressRange): string => range.text;
