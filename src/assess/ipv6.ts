/** IPv6 address and CIDR arithmetic (security-group `Ipv6Ranges`, IPv6 node addresses and pools), on BigInt. */

export interface Ipv6Cidr {
  readonly text: string;
  /** Network address as a 128-bit unsigned number. */
  readonly base: bigint;
  readonly prefix: number;
}

const HEXTET = /^[0-9a-f]{1,4}$/i;

/** Parses an IPv6 address (`2001:db8::1`, `::ffff:192.0.2.1`); `undefined` when it is not one. */
export function parseIpv6(address: string | undefined): bigint | undefined {
  if (!address) return undefined;
  let text = address.trim().replace(/%.*$/, '');
  // An embedded IPv4 tail becomes two hextets.
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const octets = v4.slice(2).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    text = `${v4[1]}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => HEXTET.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses `2001:db8::/56` (a bare address is a /128); the base is masked to the prefix. */
export function parseCidr6(cidr: string | undefined): Ipv6Cidr | undefined {
  if (!cidr) return undefined;
  const [address, prefixText] = cidr.trim().split('/');
  const ip = parseIpv6(address);
  const prefix = prefixText === undefined ? 128 : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 128)) return undefined;
  const hostBits = BigInt(128 - prefix);
  return { text: cidr.trim(), base: (ip >> hostBits) << hostBits, prefix };
}

export function cidr6ContainsIp(range: Ipv6Cidr, ip: bigint): boolean {
  const hostBits = BigInt(128 - range.prefix);
  return ip >> hostBits === range.base >> hostBits;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidr6Contains(outer: Ipv6Cidr, inner: Ipv6Cidr): boolean {
  return inner.prefix >= outer.prefix && cidr6ContainsIp(outer, inner.base);
}
