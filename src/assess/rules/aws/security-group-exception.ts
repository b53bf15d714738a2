/**
 * What CAL-AWS-02..06 share: each asks whether the node security groups admit one kind of Calico
 * traffic (facts.sgExceptions, worked out once per group signature in facts.ts), and differs only
 * in which traffic, when it is needed, and how bad a refusal is.
 *
 * Seed 000 "Configure Security Groups": "Calico requires the following security group exceptions
 * to function properly in AWS" (BGP TCP 179; IPIP "required only when using Calico with IPIP").
 */
import type { SgException } from '../../facts.js';
import type { Ec2SecurityGroup } from '../../../snapshot/schema.js';
import type { SnapshotField } from '../../../snapshot/sources.js';
import { cmd, comment, joined, note, value, type Remediation, type Step } from '../../remediation.js';
import { permits, type Traffic } from '../../sg-reachability.js';
import { listSome, type Evidence, type Outcome, type RuleContext, type Severity } from '../../rule.js';
import { calicoPresent, calicoRoutesPods } from '../applies.js';

export type ExceptionName = SgException['name'];

/** Returns `true` when the cluster sends this traffic between nodes, or the reason it does not. */
export function exceptionApplies(context: RuleContext, name: ExceptionName): true | string {
  const { facts, need } = context;
  switch (name) {
    case 'BGP': {
      const routes = calicoRoutesPods(context);
      if (routes !== true) return routes;
      const enabled = need(facts.bgp.enabled, 'calico.installation', 'kubernetes.daemonSets');
      return enabled ? true : `BGP is off (${facts.bgp.source ?? 'Calico configuration'}): nodes open no BGP sessions, so TCP 179 need not pass.`;
    }
    case 'IPIP':
    case 'VXLAN': {
      const routes = calicoRoutesPods(context);
      if (routes !== true) return routes;
      const encapsulation = need(facts.encapsulation, 'calico.ippools');
      if (name === 'IPIP') {
        return encapsulation.ipip ? true : 'No enabled pool uses IP-in-IP (every ipipMode is Never): nodes send no IP protocol 4 traffic.';
      }
      return encapsulation.vxlan || encapsulation.vxlanIpv6 ? true : 'No enabled pool uses VXLAN (every vxlanMode is Never): nodes send no VXLAN traffic.';
    }
    case 'Typha': {
      const present = calicoPresent(context);
      if (present !== true) return present;
      const deployed = need(facts.typha.deployed, 'kubernetes.deployments');
      return deployed ? true : 'Typha is not deployed: calico-node watches the Kubernetes API itself and nothing listens on TCP 5473.';
    }
    case 'WireGuard': {
      const present = calicoPresent(context);
      if (present !== true) return present;
      const enabled = need(facts.wireguard.enabled, 'calico.felixConfigurations');
      // A node's own FelixConfiguration may turn it on where the default leaves it off.
      return enabled || facts.wireguard.exceptNodes.length
        ? true
        : 'WireGuard is off (FelixConfiguration wireguardEnabled is not true): nodes exchange no WireGuard traffic.';
    }
  }
}

/** The snapshot fields behind `required` for each exception, for `need`. */
const REQUIRED_FROM: Record<ExceptionName, SnapshotField[]> = {
  BGP: ['calico.installation', 'kubernetes.daemonSets'],
  IPIP: ['calico.ippools'],
  VXLAN: ['calico.ippools'],
  Typha: ['kubernetes.deployments'],
  WireGuard: ['calico.felixConfigurations'],
};

/** Beyond this many commands the remediation names the rest by count. */
const MAX_COMMANDS = 12;

/** `IpProtocol=tcp,FromPort=179,ToPort=179`, or `IpProtocol=4` for IP-in-IP (no ports). */
const protocolClause = (traffic: Traffic) =>
  traffic.port === undefined ? `IpProtocol=${traffic.protocol}` : `IpProtocol=${traffic.protocol},FromPort=${traffic.port},ToPort=${traffic.port}`;

/** EC2 security group ids: anything else could smuggle more of the shorthand (`…}],IpRanges=[{CidrIp=0.0.0.0/0}]`) into the rule. */
const GROUP_ID = /^sg-[0-9a-f]{1,32}$/;

/** `aws ec2 authorize-security-group-{ingress,egress}` for one group admitting the traffic from (or to) another. */
function authorize(direction: 'ingress' | 'egress', region: string, group: string, peer: string, traffic: Traffic): Step {
  return cmd(
    'aws', 'ec2', `authorize-security-group-${direction}`, '--region', value(region, 'region'), '--group-id', value(group, 'security group id', GROUP_ID),
    '--ip-permissions', joined(`${protocolClause(traffic)},UserIdGroupPairs=[{GroupId=`, value(peer, 'security group id', GROUP_ID), '}]'),
  );
}

const admitsFromGroup = (group: Ec2SecurityGroup | undefined, peer: string, traffic: Traffic, direction: 'inbound' | 'outbound') =>
  ((direction === 'inbound' ? group?.IpPermissions : group?.IpPermissionsEgress) ?? []).some(
    (p) => permits(p, traffic) && (p.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === peer),
  );

/**
 * The commands that admit the traffic from every node's group to every target's group: one group per
 * node (the one most nodes share, so one self-referencing rule fixes a cluster whose nodes share a
 * group), skipping rules that already exist.
 */
function remediation(context: RuleContext, exception: SgException): Remediation {
  const { facts, model } = context;
  const { traffic } = exception;
  const region = facts.cluster.region;
  const nodes = (facts.topology.nodes ?? []).filter((n) => n.securityGroupIds.length > 0);
  const groupsById = new Map((model.securityGroups ?? []).map((g) => [g.GroupId, g]));
  const clusterGroup = model.eks?.resourcesVpcConfig?.clusterSecurityGroupId;
  const carriers = new Map<string, number>();
  for (const node of nodes) for (const id of new Set(node.securityGroupIds)) carriers.set(id, (carriers.get(id) ?? 0) + 1);
  const rank = (id: string) => [groupsById.has(id) ? 1 : 0, carriers.get(id) ?? 0, id === clusterGroup ? 0 : 1] as const;
  const better = (a: string, b: string) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! > rb[i]! ? a : b;
    return a < b ? a : b;
  };
  const groupOf = (groupIds: string[]) => groupIds.reduce(better);
  const targetNames = exception.targets ? new Set(exception.targets) : null;
  const allGroups = [...new Set(nodes.map((n) => groupOf(n.securityGroupIds)))].sort();
  const targetGroups = [...new Set(nodes.filter((n) => !targetNames || targetNames.has(n.name)).map((n) => groupOf(n.securityGroupIds)))].sort();
  // BGP with reflectors or peers runs both ways (either side may open the session): every node ⇄ the peered nodes.
  const directions: Array<[string[], string[]]> = exception.name === 'BGP' && targetNames ? [[allGroups, targetGroups], [targetGroups, allGroups]] : [[allGroups, targetGroups]];

  const lines: Step[] = [];
  const reach = exception.reachability!;
  // Both directions of a BGP session can need the same rule: each command once.
  const seen = new Set<string>();
  const push = (direction: 'ingress' | 'egress', group: string, peer: string) => {
    const key = `${direction} ${group} ${peer}`;
    if (!seen.has(key)) lines.push(authorize(direction, region, group, peer, traffic));
    seen.add(key);
  };
  for (const [sourceGroups, toGroups] of directions) {
    if (reach.inboundBlockedCount > 0) {
      for (const target of toGroups) {
        for (const source of sourceGroups) {
          if (admitsFromGroup(groupsById.get(target), source, traffic, 'inbound')) continue;
          push('ingress', target, source);
        }
      }
    }
    if (reach.outboundBlockedCount > 0) {
      for (const source of sourceGroups) {
        for (const target of toGroups) {
          if (admitsFromGroup(groupsById.get(source), target, traffic, 'outbound')) continue;
          push('egress', source, target);
        }
      }
    }
  }
  if (!lines.length) {
    lines.push(comment`every node group's rule for ${traffic.label} exists; check the CIDR and prefix-list rules of the groups named in the evidence`);
  }
  const shown = lines.length > MAX_COMMANDS ? [...lines.slice(0, MAX_COMMANDS), comment`… and ${lines.length - MAX_COMMANDS} more of the same form`] : lines;
  return [comment`${traffic.label} must pass for ${exception.scope}:`, ...shown];
}

/** Read-only: the inbound rules of the node groups, where the added rule shows. */
const verifyGroups = (region: string, groups: string[]): Step[] =>
  groups.length
    ? [
        note('the node groups now list the rule (IpProtocol and UserIdGroupPairs):'),
        cmd('aws', 'ec2', 'describe-security-groups', '--region', value(region, 'region'), '--group-ids', ...groups.map((g) => value(g, 'security group id', GROUP_ID)), '--query', 'SecurityGroups[].{id:GroupId,inbound:IpPermissions}'),
      ]
    : [];

/**
 * The rules to add so the node groups admit this traffic, for a fix in another rule that makes the
 * nodes start sending it (a pool switched to IP-in-IP needs IP protocol 4 first): the commands for
 * the pairs the groups refuse today, `[]` when they already admit it, `null` when it is unknown.
 */
export function admitFirst(context: RuleContext, name: ExceptionName): Step[] | null {
  const family = context.facts.cluster.ipFamily === 'ipv6' ? 6 : 4;
  const exception = context.facts.sgExceptions?.find((e) => e.name === name && e.family === family);
  if (!exception?.reachability) return null;
  return exception.reachability.blockedCount > 0 ? [...remediation(context, exception)] : [];
}

/**
 * Judges one security-group exception: pass, fail at `severity`, or unknown when a missing group
 * could decide it. An exception needed over both IPv4 and IPv6 (dual stack, or WireGuard on both)
 * is judged per family: a refusal in either fails it.
 */
export function evaluateException(
  context: RuleContext,
  name: ExceptionName,
  options: { severity: Severity; consequence: string },
): Outcome {
  const { facts, model, need } = context;
  const missing: SnapshotField[] = [];
  if (!model.nodes && !model.instances) missing.push('kubernetes.nodes');
  if (!model.instances) missing.push('aws.instances');
  if (!model.securityGroups) missing.push('aws.securityGroups');
  const exceptions = need(facts.sgExceptions, ...(missing.length ? missing : ['aws.securityGroups' as const]));
  const entries = exceptions.filter((e) => e.name === name);
  const required = entries.filter((e) => e.required !== false);
  if (!required.length) return { status: 'pass', summary: `Nodes exchange no ${entries[0]?.traffic.label ?? name} traffic.` };
  const outcomes = required.map((exception) => evaluateFamily(context, exception, options));
  if (outcomes.length === 1) return outcomes[0]!;
  const failed = outcomes.filter((o): o is Extract<Outcome, { status: 'fail' }> => o.status === 'fail');
  if (failed.length) {
    return {
      status: 'fail',
      severity: options.severity,
      summary: failed.map((o) => o.summary).join(' '),
      evidence: failed.flatMap((o) => o.evidence),
      remediation: failed.flatMap((o) => o.remediation),
    };
  }
  const unknown = outcomes.find((o) => o.status === 'unknown');
  if (unknown) return unknown;
  return { status: 'pass', summary: outcomes.map((o) => o.summary).join(' '), evidence: outcomes.flatMap((o) => o.evidence ?? []) };
}

function evaluateFamily(context: RuleContext, exception: SgException, { severity, consequence }: { severity: Severity; consequence: string }): Outcome {
  const { facts, model } = context;
  const required = context.need(exception.required, ...REQUIRED_FROM[exception.name]);
  const reach = exception.reachability;
  if (!required || !reach) {
    return { status: 'unknown', summary: `Whether nodes exchange ${exception.traffic.label} could not be established.` };
  }

  const { label } = exception.traffic;
  const nodeCount = facts.topology.nodes?.length ?? 0;
  const groupsByNode = new Map((facts.topology.nodes ?? []).map((n) => [n.name, n.securityGroupIds]));
  const groupsOn = (node: string) => (groupsByNode.get(node) ?? []).join(', ') || '(unknown)';

  if (reach.certainlyBlockedCount > 0) {
    // Checked more pairs than exchange the traffic (data missing): a refusal may concern a pair that never talks.
    if (exception.widenedBy.length) context.need(null, ...exception.widenedBy);
    const certain = reach.blocked.filter((b) => b.certain);
    const first = certain[0]!;
    const evidence: Evidence[] = [
      {
        object: 'node pairs',
        field: label,
        value: `${reach.certainlyBlockedCount} of ${reach.pairsChecked} refused`,
        note: `pairs checked: ${exception.scope}`,
      },
      ...certain.map((b) => ({
        object: `node ${b.from} → node ${b.to}`,
        field: label,
        value: 'refused',
        note:
          (b.direction ? `${b.direction}: ` : '') +
          `refused by ${b.refusedBy} rules; groups on ${b.to}: ${groupsOn(b.to)}` +
          (b.refusedBy !== 'inbound' ? `; groups on ${b.from}: ${groupsOn(b.from)}` : ''),
      })),
      ...reach.admittingRules.slice(0, 5).map((rule) => ({
        object: `ec2:SecurityGroup ${rule.split(' ')[0]}`,
        field: 'IpPermissions',
        value: rule,
        note: `admits ${label} only from these peers`,
      })),
    ];
    const outbound = reach.outboundBlockedCount
      ? ` The sending nodes' outbound rules refuse ${reach.outboundBlockedCount === reach.blockedCount ? 'all of them' : `${reach.outboundBlockedCount} of them`}.`
      : '';
    const more = reach.blockedCount > reach.certainlyBlockedCount ? ` ${reach.blockedCount - reach.certainlyBlockedCount} more may be refused (groups not collected).` : '';
    const directions = [...new Set(certain.map((b) => b.direction).filter((d): d is string => !!d))];
    const bothWays =
      exception.name === 'BGP'
        ? directions.length
          ? ` Either side may open a BGP session, so TCP ${exception.traffic.port} must pass both ways; refused ${directions.join(' and ')}.`
          : ' Either side may open a BGP session, so TCP 179 must pass both ways.'
        : '';
    return {
      status: 'fail',
      severity,
      summary:
        `Security groups refuse ${label} on ${reach.certainlyBlockedCount} of ${reach.pairsChecked} node pairs (${exception.scope}), ` +
        `e.g. ${first.from} → ${first.to}${first.direction ? ` (${first.direction})` : ''}: ${consequence}.${bothWays}${outbound}${more}`,
      evidence,
      remediation: remediation(context, exception),
      verify: verifyGroups(facts.cluster.region, facts.securityGroups?.map((g) => g.groupId) ?? []),
    };
  }

  if (reach.blockedCount > 0) {
    const reasons: string[] = [];
    const evidence: Evidence[] = [];
    if (reach.missingGroups.length) {
      const several = reach.missingGroups.length > 1;
      reasons.push(`security group${several ? 's' : ''} ${listSome(reach.missingGroups)} on the nodes' interfaces ${several ? 'were' : 'was'} not collected`);
      const errors = model.errors.filter((e) => e.source === 'ec2:DescribeSecurityGroups');
      evidence.push(
        ...reach.missingGroups.map((id) => ({
          object: `ec2:SecurityGroup ${id}`,
          value: null,
          note: `on a node's interface but not collected${errors.length ? `: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ')}` : ''}`,
        })),
      );
    }
    if (reach.nodesWithoutGroups.length) {
      reasons.push(`the EC2 instances of ${listSome(reach.nodesWithoutGroups)} were not found`);
      evidence.push(...reach.nodesWithoutGroups.slice(0, 5).map((n) => ({ object: `node ${n}`, field: 'ec2:Instance', value: null, note: 'no matching EC2 instance: its security groups are unknown' })));
    }
    if (reach.nodesWithoutAddress.length) {
      const family = exception.family === 6 ? 'IPv6' : 'IPv4';
      reasons.push(`the ${family} addresses of ${listSome(reach.nodesWithoutAddress)} are not known`);
      evidence.push(...reach.nodesWithoutAddress.slice(0, 5).map((n) => ({ object: `node ${n}`, field: `${family} address`, value: null, note: 'not in the node status nor on its instance' })));
    }
    if (reach.unresolvedRules.length) {
      reasons.push(`rules naming managed prefix lists (${listSome(reach.unresolvedRules, 2)}) were not resolved`);
      evidence.push(...reach.unresolvedRules.map((rule) => ({ object: `ec2:SecurityGroup ${rule.split(' ')[0]}`, value: rule, note: 'prefix list entries not collected' })));
    }
    evidence.push(
      ...reach.blocked.map((b) => ({
        object: `node ${b.from} → node ${b.to}`,
        field: label,
        value: 'not admitted by the collected groups',
        note: `${b.direction ? `${b.direction}: ` : ''}groups on ${b.to}: ${groupsOn(b.to)}`,
      })),
    );
    return {
      status: 'unknown',
      summary: `The collected security groups do not admit ${label} on ${reach.blockedCount} of ${reach.pairsChecked} node pairs, but ${reasons.join(', and ')}, so they may.`,
      evidence,
    };
  }

  if (reach.pairsChecked === 0) {
    return {
      status: 'pass',
      summary: `${label} flows between no pair of the ${nodeCount} node${nodeCount === 1 ? '' : 's'} (${exception.scope}): the security groups have nothing to admit.`,
    };
  }
  return {
    status: 'pass',
    summary: `Security groups admit ${label} on all ${reach.pairsChecked} node pairs (${exception.scope}; ${nodeCount} nodes).`,
    evidence: reach.admittingRules.slice(0, 5).map((rule) => ({ object: `ec2:SecurityGroup ${rule.split(' ')[0]}`, field: 'IpPermissions', value: rule })),
  };
}
