/**
 * Does the security-group layer admit a kind of traffic between cluster nodes?
 *
 * "Between nodes" (rules catalogue): for every pair A → B, some inbound rule of a group on B's
 * interfaces admits the traffic from A, by a group A carries, a CIDR holding A's address, or an
 * all-traffic rule. Security groups filter both ways, so the pair also needs an outbound rule of a
 * group on A that lets the traffic out to B (groups keep AWS's default "all traffic out" unless
 * someone narrowed it, as hardened node groups do). Groups only ever add permissions, so a group
 * that was not collected can turn a refusal into an admission but never the reverse: a refusal is
 * `certain` only when every group and source that could have admitted it is known.
 *
 * Traffic is IPv4 or IPv6: a CIDR rule admits IPv4 traffic through `IpRanges` and IPv6 traffic
 * through `Ipv6Ranges` (EC2 keeps them apart), tested against the node's address of that family;
 * a group reference admits either. A managed prefix list may hold either family: its entries are
 * not collected, so a rule naming one leaves a refusal uncertain.
 *
 * Nodes are grouped by the set of groups they carry and admission is worked out per set (and per
 * pair of sets for the outbound side), so the cost grows with nodes × distinct group sets, never
 * with node pairs.
 */
import type { Ec2IpPermission, Ec2SecurityGroup } from '../snapshot/schema.js';
import { cidrContainsIp, parseCidr, parseIpv4, type Ipv4Cidr } from './ipv4.js';
import { cidr6ContainsIp, parseCidr6, parseIpv6, type Ipv6Cidr } from './ipv6.js';

export interface Traffic {
  /** EC2 `IpProtocol` as written in rules: `tcp`, `udp`, or a protocol number such as `4` (IP-in-IP). */
  protocol: 'tcp' | 'udp' | '4';
  port?: number;
  /** The address family the nodes exchange it over; IPv4 unless said. */
  family?: 4 | 6;
  label: string;
}

export interface NodeEndpoint {
  name: string;
  privateIp: string | null;
  /** The node's IPv6 address, for IPv6 traffic. */
  ipv6?: string | null;
  /** Groups on the node's interfaces; empty when they are not known (no matching EC2 instance). */
  groupIds: string[];
  /** Needed only with `acrossSubnetsOnly`. */
  subnetId?: string | null;
}

export interface BlockedPair {
  from: string;
  to: string;
  /** Which way the refused traffic flows, in the exchange's words (`client → route reflector`), when it has sides. */
  direction?: string;
  /** Which side refuses: the target's inbound rules, the source's outbound rules, or both. */
  refusedBy: 'inbound' | 'outbound' | 'inbound and outbound';
  /** False when a group or source that was not collected (or cannot be resolved) might admit it. */
  certain: boolean;
}

export interface Reachability {
  traffic: Traffic;
  /** Every pair checked is admitted by the collected groups. */
  admitted: boolean;
  pairsChecked: number;
  /** Only pairs of nodes in different subnets were checked (CrossSubnet encapsulation). */
  acrossSubnetsOnly: boolean;
  /** Pairs refused: certain refusals first, at most `sampleLimit` of each kind named. */
  blocked: BlockedPair[];
  /** Pairs the collected groups do not admit. */
  blockedCount: number;
  /** Of `blockedCount`, the pairs no missing or unresolvable group could admit. */
  certainlyBlockedCount: number;
  /** Of `blockedCount`, the pairs the target's inbound rules refuse. */
  inboundBlockedCount: number;
  /** Of `blockedCount`, the pairs the source's outbound rules refuse. */
  outboundBlockedCount: number;
  /** Groups on a node's interfaces that are not in the collected list. */
  missingGroups: string[];
  /** Nodes whose security groups are not known (no matching EC2 instance). */
  nodesWithoutGroups: string[];
  /** Nodes with no address of the traffic's family known: a CIDR rule may or may not hold them. */
  nodesWithoutAddress: string[];
  /** Rules that permit the traffic from or to sources the audit cannot resolve (managed prefix lists). */
  unresolvedRules: string[];
  /** The inbound rules that admit the traffic, `sg-… inbound tcp 179 from sg-…`, for evidence. */
  admittingRules: string[];
}

const PROTOCOL_ALIASES: Record<Traffic['protocol'], string[]> = { tcp: ['tcp', '6'], udp: ['udp', '17'], '4': ['4', 'ipip'] };

/** True when the rule's protocol and ports cover the traffic (whatever its peers). */
export function permits(permission: Ec2IpPermission, traffic: Traffic): boolean {
  const protocol = (permission.IpProtocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (!PROTOCOL_ALIASES[traffic.protocol].includes(protocol)) return false;
  if (traffic.port === undefined) return true;
  const from = permission.FromPort ?? -1;
  const to = permission.ToPort ?? -1;
  return (from === -1 && to === -1) || (traffic.port >= from && traffic.port <= to);
}

function describe(group: Ec2SecurityGroup, permission: Ec2IpPermission, direction: 'inbound' | 'outbound'): string {
  const protocol =
    permission.IpProtocol === '-1'
      ? 'all traffic'
      : `${permission.IpProtocol}${permission.FromPort !== undefined && permission.FromPort !== -1 ? ` ${permission.FromPort === permission.ToPort ? permission.FromPort : `${permission.FromPort}-${permission.ToPort}`}` : ''}`;
  const peers = [
    ...(permission.UserIdGroupPairs ?? []).map((p) => p.GroupId),
    ...(permission.IpRanges ?? []).map((r) => r.CidrIp),
    ...(permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
    ...(permission.PrefixListIds ?? []).map((p) => (p.PrefixListId ? `prefix list ${p.PrefixListId}` : undefined)),
  ].filter(Boolean);
  return `${group.GroupId} ${direction} ${protocol} ${direction === 'inbound' ? 'from' : 'to'} ${peers.join(', ') || '(no peer)'}`;
}

/** What one side (inbound or outbound) of a set of groups lets through for the traffic. */
interface Side {
  groups: Set<string>;
  /** CIDRs of the traffic's family: `IpRanges` for IPv4, `Ipv6Ranges` for IPv6. */
  cidrs: Array<Ipv4Cidr | Ipv6Cidr>;
  /** A rule admits every peer: `0.0.0.0/0`, or (outbound) a group whose egress rules were not collected. */
  anyPeer: boolean;
  /** Every group was collected and every permitting rule resolved: a refusal is certain. */
  complete: boolean;
}

interface Signature {
  groupIds: string[];
  inbound: Side;
  outbound: Side;
}

interface Endpoint {
  node: NodeEndpoint;
  /** The node's address in the traffic's family. */
  ip: number | bigint | undefined;
  groups: Set<string>;
  groupsKnown: boolean;
  subnet: string | null;
  signature: Signature;
  target: boolean;
  source: boolean;
}

type Verdict = 'admitted' | 'refused' | 'uncertain';

const contains = (cidr: Ipv4Cidr | Ipv6Cidr, ip: number | bigint): boolean =>
  typeof ip === 'bigint' ? typeof cidr.base === 'bigint' && cidr6ContainsIp(cidr as Ipv6Cidr, ip) : typeof cidr.base === 'number' && cidrContainsIp(cidr as Ipv4Cidr, ip);

/** Does `side` let traffic through to or from `peer`? */
function sideVerdict(side: Side, peer: Endpoint): Verdict {
  if (side.anyPeer) return 'admitted';
  for (const group of peer.groups) if (side.groups.has(group)) return 'admitted';
  if (peer.ip !== undefined && side.cidrs.some((c) => contains(c, peer.ip!))) return 'admitted';
  const certain = side.complete && peer.groupsKnown && (peer.ip !== undefined || side.cidrs.length === 0);
  return certain ? 'refused' : 'uncertain';
}

export function checkReachability(
  nodes: NodeEndpoint[],
  securityGroups: Ec2SecurityGroup[],
  traffic: Traffic,
  options: { targets?: Set<string>; sources?: Set<string>; acrossSubnetsOnly?: boolean; sampleLimit?: number } = {},
): Reachability {
  const ipv6 = traffic.family === 6;
  const groupsById = new Map(securityGroups.map((g) => [g.GroupId, g]));
  const sampleLimit = options.sampleLimit ?? 5;
  const acrossSubnetsOnly = options.acrossSubnetsOnly ?? false;
  const missingGroups = new Set<string>();
  const unresolvedRules = new Set<string>();
  const admittingRules = new Set<string>();

  const side = (groupIds: string[], direction: 'inbound' | 'outbound'): Side => {
    const result: Side = { groups: new Set(), cidrs: [], anyPeer: false, complete: groupIds.length > 0 };
    for (const groupId of groupIds) {
      const group = groupsById.get(groupId);
      if (!group) {
        missingGroups.add(groupId);
        result.complete = false;
        continue;
      }
      const permissions = direction === 'inbound' ? group.IpPermissions : group.IpPermissionsEgress;
      // EC2 always returns both lists; a group without its egress list keeps the default "all traffic out".
      if (permissions === undefined && direction === 'outbound') {
        result.anyPeer = true;
        continue;
      }
      for (const permission of permissions ?? []) {
        if (!permits(permission, traffic)) continue;
        let admitsSomething = false;
        for (const pair of permission.UserIdGroupPairs ?? []) {
          if (pair.GroupId) {
            result.groups.add(pair.GroupId);
            admitsSomething = true;
          }
        }
        const ranges = ipv6 ? (permission.Ipv6Ranges ?? []).map((r) => parseCidr6(r.CidrIpv6)) : (permission.IpRanges ?? []).map((r) => parseCidr(r.CidrIp));
        for (const cidr of ranges) {
          if (!cidr) continue;
          if (cidr.prefix === 0) result.anyPeer = true;
          else result.cidrs.push(cidr);
          admitsSomething = true;
        }
        if (permission.PrefixListIds?.some((p) => p.PrefixListId)) {
          // The prefix list's entries were not collected: it may hold the node addresses.
          result.complete = false;
          unresolvedRules.add(describe(group, permission, direction));
        }
        if (admitsSomething && direction === 'inbound') admittingRules.add(describe(group, permission, direction));
      }
    }
    return result;
  };

  const signatures = new Map<string, Signature>();
  const endpoints: Endpoint[] = nodes.map((node) => {
    const groupIds = [...new Set(node.groupIds)].sort();
    const key = groupIds.join(',');
    let signature = signatures.get(key);
    if (!signature) {
      signature = { groupIds, inbound: side(groupIds, 'inbound'), outbound: side(groupIds, 'outbound') };
      signatures.set(key, signature);
    }
    return {
      node,
      ip: ipv6 ? parseIpv6(node.ipv6 ?? undefined) : parseIpv4(node.privateIp ?? undefined),
      groups: new Set(groupIds),
      groupsKnown: groupIds.length > 0,
      subnet: node.subnetId ?? null,
      signature,
      target: !options.targets || options.targets.has(node.name),
      source: !options.sources || options.sources.has(node.name),
    };
  });

  // Targets grouped by signature; outbound verdicts counted per (source signature, target
  // signature), and per (source signature, subnet) for the source's own subnet, so that each
  // source then costs one step per target signature with no allocation (flat counters: a cluster
  // of hundreds of distinct group sets would otherwise make hundreds of thousands of objects).
  const targetSignatures: Signature[] = [];
  const targetsBySignature: Endpoint[][] = [];
  const signatureIndex = new Map<Signature, number>();
  const targetsBySubnet = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    if (!endpoint.target) continue;
    let index = signatureIndex.get(endpoint.signature);
    if (index === undefined) {
      index = targetSignatures.length;
      signatureIndex.set(endpoint.signature, index);
      targetSignatures.push(endpoint.signature);
      targetsBySignature.push([]);
    }
    targetsBySignature[index]!.push(endpoint);
    if (endpoint.subnet) {
      const inSubnet = targetsBySubnet.get(endpoint.subnet);
      if (inSubnet) inSubnet.push(endpoint);
      else targetsBySubnet.set(endpoint.subnet, [endpoint]);
    }
  }
  const T = targetSignatures.length;
  const VERDICT_SLOT = { admitted: 0, refused: 1, uncertain: 2 } as const;
  /** Counts of outbound verdicts from a source signature to each target signature: [admitted, refused, uncertain] × T. */
  const outboundCounts = new Map<Signature, Int32Array>();
  for (const source of endpoints) {
    if (!source.source || outboundCounts.has(source.signature)) continue;
    const counts = new Int32Array(T * 3);
    for (let t = 0; t < T; t++) for (const member of targetsBySignature[t]!) counts[t * 3 + VERDICT_SLOT[sideVerdict(source.signature.outbound, member)]]! += 1;
    outboundCounts.set(source.signature, counts);
  }
  /** The same counts over the targets in one subnet only, per (source signature, subnet), made when first needed. */
  const ownSubnetCounts = new Map<Signature, Map<string, Int32Array>>();
  const ownSubnet = (signature: Signature, subnet: string): Int32Array => {
    let bySubnet = ownSubnetCounts.get(signature);
    if (!bySubnet) ownSubnetCounts.set(signature, (bySubnet = new Map<string, Int32Array>()));
    let counts = bySubnet.get(subnet);
    if (!counts) {
      counts = new Int32Array(T * 3);
      for (const member of targetsBySubnet.get(subnet) ?? []) {
        counts[signatureIndex.get(member.signature)! * 3 + VERDICT_SLOT[sideVerdict(signature.outbound, member)]]! += 1;
      }
      bySubnet.set(subnet, counts);
    }
    return counts;
  };

  const certainSamples: BlockedPair[] = [];
  const uncertainSamples: BlockedPair[] = [];
  let pairsChecked = 0;
  let blockedCount = 0;
  let certainlyBlockedCount = 0;
  let inboundBlockedCount = 0;
  let outboundBlockedCount = 0;

  for (const source of endpoints) {
    if (!source.source) continue;
    const counts = outboundCounts.get(source.signature)!;
    // A node does not send its own traffic through its security groups; with CrossSubnet,
    // nodes in the source's own subnet exchange the traffic unencapsulated.
    const skipsOwnSubnet = acrossSubnetsOnly && source.subnet !== null;
    const own = skipsOwnSubnet ? ownSubnet(source.signature, source.subnet!) : null;
    for (let t = 0; t < T; t++) {
      const targetSignature = targetSignatures[t]!;
      const members = targetsBySignature[t]!;
      let admitted = counts[t * 3]!;
      let refused = counts[t * 3 + 1]!;
      let uncertain = counts[t * 3 + 2]!;
      if (own) {
        admitted -= own[t * 3]!;
        refused -= own[t * 3 + 1]!;
        uncertain -= own[t * 3 + 2]!;
      } else if (source.target && source.signature === targetSignature) {
        const self = sideVerdict(source.signature.outbound, source);
        if (self === 'admitted') admitted -= 1;
        else if (self === 'refused') refused -= 1;
        else uncertain -= 1;
      }
      const eligible = admitted + refused + uncertain;
      if (eligible === 0) continue;
      pairsChecked += eligible;

      const inbound = sideVerdict(targetSignature.inbound, source);
      const outboundBlocked = refused + uncertain;
      const blocked = inbound === 'admitted' ? outboundBlocked : eligible;
      if (blocked === 0) continue;
      blockedCount += blocked;
      if (inbound !== 'admitted') inboundBlockedCount += eligible;
      outboundBlockedCount += outboundBlocked;
      const certain = inbound === 'refused' ? eligible : refused;
      certainlyBlockedCount += certain;

      const wantCertain = certain > 0 && certainSamples.length < sampleLimit;
      const wantUncertain = blocked > certain && uncertainSamples.length < sampleLimit;
      if (!wantCertain && !wantUncertain) continue;
      for (const member of members) {
        if (member === source || (skipsOwnSubnet && member.subnet === source.subnet)) continue;
        const out = sideVerdict(source.signature.outbound, member);
        if (inbound === 'admitted' && out === 'admitted') continue;
        const refusedBy: BlockedPair['refusedBy'] =
          inbound !== 'admitted' && out !== 'admitted' ? 'inbound and outbound' : inbound !== 'admitted' ? 'inbound' : 'outbound';
        const pairCertain = inbound === 'refused' || out === 'refused';
        const samples = pairCertain ? certainSamples : uncertainSamples;
        if (samples.length >= sampleLimit) continue;
        samples.push({ from: source.node.name, to: member.node.name, refusedBy, certain: pairCertain });
        // One sample per (source, target set) spreads the samples over nodes.
        break;
      }
    }
  }

  return {
    traffic,
    admitted: blockedCount === 0,
    pairsChecked,
    acrossSubnetsOnly,
    blocked: [...certainSamples, ...uncertainSamples],
    blockedCount,
    certainlyBlockedCount,
    inboundBlockedCount,
    outboundBlockedCount,
    missingGroups: [...missingGroups].sort(),
    nodesWithoutGroups: endpoints.filter((e) => !e.groupsKnown).map((e) => e.node.name),
    nodesWithoutAddress: endpoints.filter((e) => e.ip === undefined).map((e) => e.node.name),
    unresolvedRules: [...unresolvedRules].sort(),
    admittingRules: [...admittingRules].sort(),
  };
}

/**
 * Two checks of the same traffic in opposite directions as one (BGP between clients and route
 * reflectors: either side may open the session): counts add up, samples keep the direction they
 * were refused in, certain refusals first.
 */
export function mergeReachability(parts: Array<{ direction: string; reachability: Reachability }>, sampleLimit = 5): Reachability {
  const [first] = parts;
  if (!first) throw new Error('mergeReachability needs at least one check');
  const sum = (pick: (r: Reachability) => number) => parts.reduce((total, p) => total + pick(p.reachability), 0);
  const union = (pick: (r: Reachability) => string[]) => [...new Set(parts.flatMap((p) => pick(p.reachability)))].sort();
  // Round-robin over the directions, so the samples show each direction that is refused.
  const lists = parts.map((p) => p.reachability.blocked.map((b) => ({ ...b, direction: p.direction })));
  const blocked: BlockedPair[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const list of lists) if (list[i]) blocked.push(list[i]!);
  return {
    traffic: first.reachability.traffic,
    admitted: parts.every((p) => p.reachability.admitted),
    pairsChecked: sum((r) => r.pairsChecked),
    acrossSubnetsOnly: first.reachability.acrossSubnetsOnly,
    blocked: [...blocked.filter((b) => b.certain).slice(0, sampleLimit), ...blocked.filter((b) => !b.certain).slice(0, sampleLimit)],
    blockedCount: sum((r) => r.blockedCount),
    certainlyBlockedCount: sum((r) => r.certainlyBlockedCount),
    inboundBlockedCount: sum((r) => r.inboundBlockedCount),
    outboundBlockedCount: sum((r) => r.outboundBlockedCount),
    missingGroups: union((r) => r.missingGroups),
    nodesWithoutGroups: union((r) => r.nodesWithoutGroups),
    nodesWithoutAddress: union((r) => r.nodesWithoutAddress),
    unresolvedRules: union((r) => r.unresolvedRules),
    admittingRules: union((r) => r.admittingRules),
  };
}
