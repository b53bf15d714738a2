/**
 * Security-group reachability: the per-signature computation agrees with the definition applied to
 * every node pair, and the EC2 semantics that matter (self-referencing groups, 0.0.0.0/0, `-1`,
 * narrowed egress, groups not collected) come out right.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReachability, permits, type NodeEndpoint, type Traffic } from '../src/assess/sg-reachability.js';
import { cidrContainsIp, parseCidr, parseIpv4 } from '../src/assess/ipv4.js';
import type { Ec2IpPermission, Ec2SecurityGroup } from '../src/snapshot/schema.js';

const BGP: Traffic = { protocol: 'tcp', port: 179, label: 'BGP (TCP 179)' };
const IPIP: Traffic = { protocol: '4', label: 'IP-in-IP (IP protocol 4)' };

const node = (name: string, ip: string, groupIds: string[], subnetId = 'subnet-a'): NodeEndpoint => ({ name, privateIp: ip, groupIds, subnetId });
const allFromSelf = (id: string, extra: Partial<Ec2SecurityGroup> = {}): Ec2SecurityGroup => ({
  GroupId: id,
  IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: id }] }],
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  ...extra,
});

describe('checkReachability', () => {
  it('admits every pair through a self-referencing all-traffic group (the EKS cluster security group)', () => {
    const nodes = [node('a', '10.0.0.1', ['sg-cluster']), node('b', '10.0.0.2', ['sg-cluster']), node('c', '10.0.1.3', ['sg-cluster'])];
    const result = checkReachability(nodes, [allFromSelf('sg-cluster')], BGP);
    expect(result).toMatchObject({ admitted: true, pairsChecked: 6, blockedCount: 0 });
  });

  it('refuses pairs between node groups that only admit themselves, and names the side', () => {
    const nodes = [node('a', '10.0.0.1', ['sg-1']), node('b', '10.0.0.2', ['sg-2'])];
    const result = checkReachability(nodes, [allFromSelf('sg-1'), allFromSelf('sg-2')], BGP);
    expect(result).toMatchObject({ admitted: false, pairsChecked: 2, blockedCount: 2, certainlyBlockedCount: 2, inboundBlockedCount: 2, outboundBlockedCount: 0 });
    expect(result.blocked[0]).toMatchObject({ refusedBy: 'inbound', certain: true });
  });

  it('admits by 0.0.0.0/0 and by a CIDR holding the source address, not by one that misses it', () => {
    const open = { GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 179, ToPort: 179, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    const narrow = { GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '10.0.0.0/24' }] }] };
    const nodes = [node('a', '10.0.0.1', ['sg-1']), node('b', '10.0.1.2', ['sg-1'])];
    expect(checkReachability(nodes, [open], BGP).admitted).toBe(true);
    const result = checkReachability(nodes, [narrow], BGP);
    expect(result.blockedCount).toBe(1);
    expect(result.blocked[0]).toMatchObject({ from: 'b', to: 'a' });
  });

  it('does not let a TCP rule admit IP-in-IP, but lets -1 and protocol 4 do so', () => {
    const tcpOnly = { GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: 'sg-1' }] }] };
    const nodes = [node('a', '10.0.0.1', ['sg-1']), node('b', '10.0.0.2', ['sg-1'])];
    expect(checkReachability(nodes, [tcpOnly], IPIP).admitted).toBe(false);
    expect(checkReachability(nodes, [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: '4', UserIdGroupPairs: [{ GroupId: 'sg-1' }] }] }], IPIP).admitted).toBe(true);
    expect(checkReachability(nodes, [allFromSelf('sg-1')], IPIP).admitted).toBe(true);
  });

  it('refuses traffic that narrowed egress rules keep in, and treats an uncollected egress list as the default', () => {
    const nodes = [node('a', '10.0.0.1', ['sg-1']), node('b', '10.0.0.2', ['sg-1'])];
    const narrowed = allFromSelf('sg-1', { IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    expect(checkReachability(nodes, [narrowed], BGP)).toMatchObject({ blockedCount: 2, outboundBlockedCount: 2, certainlyBlockedCount: 2 });
    const withoutEgress: Ec2SecurityGroup = { ...allFromSelf('sg-1') };
    delete withoutEgress.IpPermissionsEgress;
    expect(checkReachability(nodes, [withoutEgress], BGP).admitted).toBe(true);
  });

  it('calls a refusal uncertain when a group on the target was not collected, and certain when the missing group is elsewhere', () => {
    const nodes = [node('a', '10.0.0.1', ['sg-1']), node('b', '10.0.0.2', ['sg-2', 'sg-gone'])];
    const result = checkReachability(nodes, [allFromSelf('sg-1'), allFromSelf('sg-2')], BGP);
    expect(result.missingGroups).toEqual(['sg-gone']);
    // a → b: b's inbound might be admitted by sg-gone. b → a: a's groups are all known, refusal certain.
    expect(result).toMatchObject({ blockedCount: 2, certainlyBlockedCount: 1 });
  });

  it('checks only the targets, and only pairs across subnets when asked', () => {
    const nodes = [node('a', '10.0.0.1', ['sg-1'], 'subnet-a'), node('b', '10.0.0.2', ['sg-1'], 'subnet-a'), node('c', '10.0.1.3', ['sg-1'], 'subnet-b')];
    const groups = [allFromSelf('sg-1')];
    expect(checkReachability(nodes, groups, BGP, { targets: new Set(['c']) }).pairsChecked).toBe(2);
    expect(checkReachability(nodes, groups, IPIP, { acrossSubnetsOnly: true }).pairsChecked).toBe(4);
  });
});

// The definition, applied to every ordered pair: the reference the signature computation must match.
function bruteForce(nodes: NodeEndpoint[], groups: Ec2SecurityGroup[], traffic: Traffic, targets?: Set<string>, acrossSubnetsOnly = false) {
  const byId = new Map(groups.map((g) => [g.GroupId, g]));
  const admits = (rules: Ec2IpPermission[] | undefined, peer: NodeEndpoint, egress: boolean) => {
    if (egress && rules === undefined) return true;
    return (rules ?? []).some(
      (p) =>
        permits(p, traffic) &&
        ((p.UserIdGroupPairs ?? []).some((pair) => pair.GroupId && peer.groupIds.includes(pair.GroupId)) ||
          (p.IpRanges ?? []).some((r) => {
            const cidr = parseCidr(r.CidrIp);
            const ip = parseIpv4(peer.privateIp ?? undefined);
            return !!cidr && (cidr.prefix === 0 || (ip !== undefined && cidrContainsIp(cidr, ip)));
          })),
    );
  };
  let pairs = 0;
  let blocked = 0;
  for (const a of nodes)
    for (const b of nodes) {
      if (a === b || (targets && !targets.has(b.name))) continue;
      if (acrossSubnetsOnly && a.subnetId && a.subnetId === b.subnetId) continue;
      pairs += 1;
      const inbound = b.groupIds.some((id) => admits(byId.get(id)?.IpPermissions, a, false));
      const outbound = a.groupIds.some((id) => byId.get(id) && admits(byId.get(id)!.IpPermissionsEgress, b, true));
      if (!inbound || !outbound) blocked += 1;
    }
  return { pairs, blocked };
}

describe('checkReachability against every pair', () => {
  const groupId = fc.constantFrom('sg-1', 'sg-2', 'sg-3');
  const permission = fc.record({
    IpProtocol: fc.constantFrom('-1', 'tcp', 'udp', '4'),
    FromPort: fc.constantFrom(0, 179, 443),
    ToPort: fc.constantFrom(179, 443, 65535),
    IpRanges: fc.array(fc.record({ CidrIp: fc.constantFrom('0.0.0.0/0', '10.0.0.0/24', '10.0.1.0/24', '10.0.0.2/32') }), { maxLength: 1 }),
    UserIdGroupPairs: fc.array(fc.record({ GroupId: groupId }), { maxLength: 2 }),
  });
  const group = fc.record(
    { GroupId: groupId, IpPermissions: fc.array(permission, { maxLength: 3 }), IpPermissionsEgress: fc.array(permission, { maxLength: 2 }) },
    { requiredKeys: ['GroupId', 'IpPermissions'] },
  );
  const endpoint = fc.record({
    privateIp: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.1.3', '10.0.1.4'),
    groupIds: fc.uniqueArray(groupId, { minLength: 1, maxLength: 2 }),
    subnetId: fc.constantFrom('subnet-a', 'subnet-b'),
  });

  it('counts the same pairs and refusals as the definition', () => {
    fc.assert(
      fc.property(
        fc.array(endpoint, { minLength: 1, maxLength: 7 }),
        fc.uniqueArray(group, { selector: (g) => g.GroupId, maxLength: 3 }),
        fc.constantFrom(BGP, IPIP),
        fc.boolean(),
        fc.boolean(),
        (endpoints, groups, traffic, narrowTargets, acrossSubnetsOnly) => {
          const nodes = endpoints.map((e, i) => ({ name: `n${i}`, ...e }));
          const targets = narrowTargets ? new Set(nodes.filter((_, i) => i % 2 === 0).map((n) => n.name)) : undefined;
          const result = checkReachability(nodes, groups, traffic, { ...(targets ? { targets } : {}), acrossSubnetsOnly });
          const expected = bruteForce(nodes, groups, traffic, targets, acrossSubnetsOnly);
          expect(result.pairsChecked).toBe(expected.pairs);
          expect(result.blockedCount).toBe(expected.blocked);
          expect(result.certainlyBlockedCount).toBeLessThanOrEqual(result.blockedCount);
          if (!result.missingGroups.length) expect(result.certainlyBlockedCount).toBe(result.blockedCount);
        },
      ),
      { numRuns: 500 },
    );
  });
});
