/**
 * Security-group reachability: the per-signature computation agrees with the definition applied to
 * every node pair, and the EC2 semantics that matter (self-referencing groups, 0.0.0.0/0, `-1`,
 * narrowed egress, groups not collected) come out right.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReachability, mergeReachability, permits, type NodeEndpoint, type Traffic } from '../src/assess/sg-reachability.js';
import { cidr6Contains, cidr6ContainsIp, parseCidr6, parseIpv6 } from '../src/assess/ipv6.js';
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

describe('IPv6 and direction', () => {
  const TYPHA6: Traffic = { protocol: 'tcp', port: 5473, family: 6, label: 'Typha (TCP 5473, IPv6)' };
  const node6 = (name: string, ip: string, ipv6: string | null, groupIds: string[]): NodeEndpoint => ({ name, privateIp: ip, ipv6, groupIds, subnetId: 'subnet-a' });
  const rule = (ranges: Partial<Ec2IpPermission>): Ec2SecurityGroup => ({
    GroupId: 'sg-1',
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5473, ToPort: 5473, ...ranges }],
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
  });
  const nodes = [node6('a', '10.7.3.18', '2001:db8:7a00::a7aa:b7d3:21cb:534e', ['sg-1']), node6('b', '10.7.20.201', '2001:db8:7a00:1:37cb:9214:9586:1d22', ['sg-1'])];

  it('admits IPv6 traffic by Ipv6Ranges holding the source\'s IPv6 address, never by IpRanges', () => {
    expect(checkReachability(nodes, [rule({ Ipv6Ranges: [{ CidrIpv6: '2001:db8:7a00::/56' }] })], TYPHA6).admitted).toBe(true);
    const v4Only = checkReachability(nodes, [rule({ IpRanges: [{ CidrIp: '10.7.0.0/16' }] })], TYPHA6);
    expect(v4Only).toMatchObject({ admitted: false, blockedCount: 2, certainlyBlockedCount: 2 });
    // And IPv4 traffic is not admitted by an IPv6 range.
    expect(checkReachability(nodes, [rule({ Ipv6Ranges: [{ CidrIpv6: '::/0' }] })], { ...TYPHA6, family: 4 }).admitted).toBe(false);
    expect(checkReachability(nodes, [rule({ Ipv6Ranges: [{ CidrIpv6: '::/0' }] })], TYPHA6).admitted).toBe(true);
    expect(checkReachability(nodes, [rule({ Ipv6Ranges: [{ CidrIpv6: '2001:db8:7a00:1::/64' }] })], TYPHA6).blocked).toEqual([
      expect.objectContaining({ from: 'a', to: 'b', refusedBy: 'inbound', certain: true }),
    ]);
  });

  it('leaves a refusal uncertain when a node\'s IPv6 address is unknown and a CIDR rule might hold it', () => {
    const unknown = [nodes[0]!, { ...nodes[1]!, ipv6: null }];
    const result = checkReachability(unknown, [rule({ Ipv6Ranges: [{ CidrIpv6: '2001:db8:7a00::/56' }] })], TYPHA6);
    expect(result).toMatchObject({ blockedCount: 1, certainlyBlockedCount: 0, nodesWithoutAddress: ['b'] });
  });

  it('treats a prefix-list rule as unresolved for IPv6 as for IPv4', () => {
    const result = checkReachability(nodes, [rule({ PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d4e5f60718' }] })], TYPHA6);
    expect(result).toMatchObject({ admitted: false, certainlyBlockedCount: 0 });
    expect(result.unresolvedRules).toEqual(['sg-1 inbound tcp 5473 from prefix list pl-0a1b2c3d4e5f60718']);
  });

  it('checks both directions of a session and names the one refused', () => {
    // The reflector's group admits 179 from the clients; the clients' group admits nothing from the reflector.
    const groups: Ec2SecurityGroup[] = [
      { GroupId: 'sg-rr', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 179, ToPort: 179, UserIdGroupPairs: [{ GroupId: 'sg-node' }] }] },
      { GroupId: 'sg-node', IpPermissions: [] },
    ];
    const all = [node('rr', '10.0.0.1', ['sg-node', 'sg-rr']), node('c1', '10.0.0.2', ['sg-node']), node('c2', '10.0.0.3', ['sg-node'])];
    const peered = new Set(['rr']);
    const merged = mergeReachability([
      { direction: 'client → route reflector', reachability: checkReachability(all, groups, BGP, { targets: peered }) },
      { direction: 'route reflector → client', reachability: checkReachability(all, groups, BGP, { sources: peered }) },
    ]);
    expect(merged).toMatchObject({ pairsChecked: 4, blockedCount: 2, certainlyBlockedCount: 2 });
    // One sample per sender and group set: the clients share theirs.
    expect(merged.blocked.map((b) => `${b.from}→${b.to} ${b.direction}`)).toEqual(['rr→c1 route reflector → client']);
  });

  it('parses IPv6 addresses and CIDRs as EC2 writes them', () => {
    expect(parseIpv6('2001:db8::1')).toBe((0x20010db8n << 96n) | 1n);
    expect(parseIpv6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    expect(parseIpv6('2001:db8::1::2')).toBeUndefined();
    expect(parseIpv6('10.0.0.1')).toBeUndefined();
    const vpc = parseCidr6('2001:db8:7a00::/56')!;
    expect(cidr6ContainsIp(vpc, parseIpv6('2001:db8:7a00:ff:1::1')!)).toBe(true);
    expect(cidr6ContainsIp(vpc, parseIpv6('2001:db8:7b00::1')!)).toBe(false);
    expect(cidr6Contains(vpc, parseCidr6('2001:db8:7a00:1::/64')!)).toBe(true);
    expect(cidr6Contains(parseCidr6('2001:db8:7a00:1::/64')!, vpc)).toBe(false);
  });
});

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
