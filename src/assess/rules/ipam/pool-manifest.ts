/** A free CIDR for a new pool, and the IPPool manifest that adds it. */
import { cidrsOverlap, formatIpv4, type Ipv4Cidr, parseCidr } from '../../ipv4.js';
import type { PoolFact } from '../../facts.js';
import { cmd, quoted, yaml, type Command } from '../../remediation.js';
/** Private ranges a new pool is carved from, most conventional first. */
const POOL_SPACES = ['192.168.0.0/16', '172.16.0.0/12', '10.0.0.0/8', '100.64.0.0/10'];

/** The first private IPv4 range of `prefix` length that overlaps none of `taken` (pools, VPC, services), or null. */
export function freePoolCidr(prefix: number, taken: readonly string[]): string | null {
  const used = taken.map((t) => parseCidr(t)).filter((c): c is Ipv4Cidr => c !== undefined);
  const size = 2 ** (32 - prefix);
  for (const space of POOL_SPACES.map((s) => parseCidr(s)!)) {
    if (prefix < space.prefix) continue;
    let base = space.base;
    while (base + size <= space.base + space.size) {
      const candidate: Ipv4Cidr = { text: '', base, prefix, size };
      const clash = used.find((u) => cidrsOverlap(u, candidate));
      if (!clash) return `${formatIpv4(base)}/${prefix}`;
      // Skip past the clashing range, staying aligned to the candidate size.
      base = Math.max(base + size, Math.ceil((clash.base + clash.size) / size) * size);
    }
  }
  return null;
}

/** A pasteable `calicoctl apply` of a new IPv4 pool shaped like `like` (encapsulation, block size, selector). */
export function ipPoolManifest(name: string, cidr: string, like: PoolFact | undefined): Command {
  // Pods outside the VPC's ranges need NAT to reach it and beyond (CAL-RT-06).
  return {
    ...cmd('calicoctl', 'apply', '-f', '-'),
    input: yaml`apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: ${name}
spec:
  cidr: ${cidr}
  blockSize: ${like?.blockSize ?? 26}
  ipipMode: ${like?.ipipMode ?? 'Never'}
  vxlanMode: ${like?.vxlanMode ?? 'Always'}
  natOutgoing: true
  nodeSelector: ${quoted(like?.nodeSelector ?? 'all()')}`,
  };
}
