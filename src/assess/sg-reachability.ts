/**
 * Does the security-group layer admit a kind of traffic between cluster nodes?
 *
 * "Between nodes" (rules catalogue): for every pair A → B, some inbound rule of a group on B's
 * interfaces admits the traffic from A, by a group A carries, a CIDR holding A's address, or an
 * all-traffic rule. Nodes are grouped by the set of groups they carry, and admission is worked out
 * once per set, so the cost grows with nodes × distinct group sets, never with node pairs.
 */
import type { Ec2IpPermission, Ec2SecurityGroup } from '../snapshot/schema.js';
import { cidrContainsIp, parseCidr, parseIpv4, type Ipv4Cidr } from './ipv4.js';

export interface Traffic {
  /** EC2 `IpProtocol` as written in rules: `tcp`, `udp`, or a protocol number such as `4` (IP-in-IP). */
  protocol: 'tcp' | 'udp' | '4';
  port?: number;
  label: string;
}

export interface NodeEndpoint {
  name: string;
  privateIp: string | null;
  groupIds: string[];
}

export interface Reachability {
  traffic: Traffic;
  /** Every ordered pair of distinct nodes is admitted. */
  admitted: boolean;
  pairsChecked: number;
  /** Pairs refused (at most `sampleLimit` named). */
  blocked: Array<{ from: string; to: string }>;
  blockedCount: number;
  /** Groups on a node's interfaces that are not in the collected list. */
  missingGroups: string[];
  /** The rules that admit the traffic, `sg-… (tcp 179 from sg-…)`, for evidence. */
  admittingRules: string[];
}

const PROTOCOL_ALIASES: Record<Traffic['protocol'], string[]> = { tcp: ['tcp', '6'], udp: ['udp', '17'], '4': ['4', 'ipip'] };

function permits(permission: Ec2IpPermission, traffic: Traffic): boolean {
  const protocol = (permission.IpProtocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (!PROTOCOL_ALIASES[traffic.protocol].includes(protocol)) return false;
  if (traffic.port === undefined) return true;
  const from = permission.FromPort ?? -1;
  const to = permission.ToPort ?? -1;
  return (from === -1 && to === -1) || (traffic.port >= from && traffic.port <= to);
}

function describe(group: Ec2SecurityGroup, permission: Ec2IpPermission): string {
  const protocol = permission.IpProtocol === '-1' ? 'all traffic' : `${permission.IpProtocol}${permission.FromPort !== undefined ? ` ${permission.FromPort === permission.ToPort ? permission.FromPort : `${permission.FromPort}-${permission.ToPort}`}` : ''}`;
  const sources = [
    ...(permission.UserIdGroupPairs ?? []).map((p) => p.GroupId),
    ...(permission.IpRanges ?? []).map((r) => r.CidrIp),
  ].filter(Boolean);
  return `${group.GroupId} inbound ${protocol} from ${sources.join(', ') || '(no IPv4 source)'}`;
}

export function checkReachability(
  nodes: NodeEndpoint[],
  securityGroups: Ec2SecurityGroup[],
  traffic: Traffic,
  options: { targets?: Set<string>; sampleLimit?: number } = {},
): Reachability {
  const groupsById = new Map(securityGroups.map((g) => [g.GroupId, g]));
  const sampleLimit = options.sampleLimit ?? 5;
  const missingGroups = new Set<string>();
  const admittingRules = new Set<string>();

  // Group target nodes by their set of security groups.
  const signatures = new Map<string, { groupIds: string[]; members: NodeEndpoint[] }>();
  for (const node of nodes) {
    if (options.targets && !options.targets.has(node.name)) continue;
    const groupIds = [...new Set(node.groupIds)].sort();
    const key = groupIds.join(',');
    const entry = signatures.get(key) ?? { groupIds, members: [] };
    entry.members.push(node);
    signatures.set(key, entry);
  }

  const sources = nodes.map((node) => ({ node, ip: parseIpv4(node.privateIp ?? undefined), groups: new Set(node.groupIds) }));
  const blocked: Reachability['blocked'] = [];
  let blockedCount = 0;
  let pairsChecked = 0;

  for (const { groupIds, members } of signatures.values()) {
    const admittedGroups = new Set<string>();
    const admittedCidrs: Ipv4Cidr[] = [];
    for (const groupId of groupIds) {
      const group = groupsById.get(groupId);
      if (!group) {
        missingGroups.add(groupId);
        continue;
      }
      for (const permission of group.IpPermissions ?? []) {
        if (!permits(permission, traffic)) continue;
        let admitsSomething = false;
        for (const pair of permission.UserIdGroupPairs ?? []) {
          if (pair.GroupId) {
            admittedGroups.add(pair.GroupId);
            admitsSomething = true;
          }
        }
        for (const range of permission.IpRanges ?? []) {
          const cidr = parseCidr(range.CidrIp);
          if (cidr) {
            admittedCidrs.push(cidr);
            admitsSomething = true;
          }
        }
        if (admitsSomething) admittingRules.add(describe(group, permission));
      }
    }

    const memberSet = new Set(members);
    for (const source of sources) {
      // A node does not send its own traffic through its security groups.
      const targetsOtherThanSource = memberSet.has(source.node) ? members.length - 1 : members.length;
      if (targetsOtherThanSource === 0) continue;
      pairsChecked += targetsOtherThanSource;
      const admitted =
        [...source.groups].some((g) => admittedGroups.has(g)) ||
        (source.ip !== undefined && admittedCidrs.some((c) => cidrContainsIp(c, source.ip!)));
      if (admitted) continue;
      blockedCount += targetsOtherThanSource;
      if (blocked.length < sampleLimit) {
        const target = members.find((m) => m !== source.node)!;
        blocked.push({ from: source.node.name, to: target.name });
      }
    }
  }

  return {
    traffic,
    admitted: blockedCount === 0,
    pairsChecked,
    blocked,
    blockedCount,
    missingGroups: [...missingGroups].sort(),
    admittingRules: [...admittingRules].sort(),
  };
}
