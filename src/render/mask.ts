/**
 * Masking for reports that travel by e-mail: account ids, IPv4 addresses and CIDRs become stable
 * placeholders — `ACCOUNT-1`, `IP-1`, `CIDR-1` — the same real value always getting the same
 * placeholder within one masker. It is applied to the assessment (or fleet summary) before any
 * rendering, so JSON, Markdown and HTML are masked alike, and it reaches values embedded in other
 * strings: summaries, remediation commands, ARNs, error messages and EC2 host names such as
 * `ip-10-0-1-15.eu-west-2.compute.internal` (→ `ip-IP-3.eu-west-2.compute.internal`).
 *
 * A few well-known addresses that identify nothing (`0.0.0.0/0`, the link-local instance-metadata
 * address, loopback) stay as they are: a reader needs to see "open to 0.0.0.0/0".
 */

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
// A CIDR, or a lone address; not part of a longer dotted run (a version such as 1.2.3.4.5).
const ADDRESS = new RegExp(`(?<![\\w.])(${IPV4})(?:/(3[0-2]|[12]?\\d))?(?![\\w.]*\\d)`, 'g');
// EC2 private DNS names carry the address with dashes.
const DASHED = new RegExp(`\\bip-(${OCTET})-(${OCTET})-(${OCTET})-(${OCTET})(?=\\b)`, 'g');
// A 12-digit AWS account id, standing alone (ARNs: `arn:aws:iam::111122223333:role/…`).
const ACCOUNT = /(?<![\d])\d{12}(?![\d])/g;

/** Addresses that identify no network of ours. */
export const WELL_KNOWN_ADDRESSES: ReadonlySet<string> = new Set([
  '0.0.0.0/0',
  '0.0.0.0',
  '169.254.169.254',
  '169.254.169.254/32',
  '127.0.0.1',
  '127.0.0.1/32',
  '255.255.255.255',
]);

export interface Masker {
  /** Masks every account id, address and CIDR inside the string. */
  text(value: string): string;
  /** A deep copy with every string (and object key) masked. */
  value<T>(value: T): T;
  /** Real value → placeholder, in order of first appearance. */
  readonly table: ReadonlyMap<string, string>;
}

/** A masker with its own placeholder numbering: use one per report (or per fleet page / e-mail). */
export function createMasker(): Masker {
  const table = new Map<string, string>();
  const counters = { ACCOUNT: 0, IP: 0, CIDR: 0 };
  const placeholder = (kind: keyof typeof counters, real: string): string => {
    const key = `${kind}:${real}`;
    let found = table.get(key);
    if (!found) {
      counters[kind] += 1;
      found = `${kind}-${counters[kind]}`;
      table.set(key, found);
    }
    return found;
  };

  const text = (value: string): string => {
    if (!/\d/.test(value)) return value;
    return value
      .replace(DASHED, (all, a: string, b: string, c: string, d: string) => {
        const ip = `${a}.${b}.${c}.${d}`;
        return WELL_KNOWN_ADDRESSES.has(ip) ? all : `ip-${placeholder('IP', ip)}`;
      })
      .replace(ADDRESS, (all, ip: string, prefix: string | undefined) => {
        if (WELL_KNOWN_ADDRESSES.has(all)) return all;
        return prefix === undefined ? placeholder('IP', ip) : placeholder('CIDR', all);
      })
      .replace(ACCOUNT, (id) => placeholder('ACCOUNT', id));
  };

  const value = <T>(input: T): T => {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return text(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') {
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [text(k), walk(v)]));
      }
      return node;
    };
    return walk(input) as T;
  };

  return {
    text,
    value,
    get table() {
      return new Map([...table].map(([key, placeholderValue]) => [key.slice(key.indexOf(':') + 1), placeholderValue]));
    },
  };
}

/** Masks one value (an assessment, a fleet summary) with a fresh placeholder numbering. */
export const mask = <T>(value: T): T => createMasker().value(value);
