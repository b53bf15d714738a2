/** The per-cluster report's view, section 8. AWS layer. */
import { srcDstText } from './architecture.js';
import { formatNumber, listWords, NODE_TABLE_LIMIT, plural, type SectionChecks, verdictLine } from './format.js';
import { codeSpan, markdown, SafeMarkdown } from '../escape.js';
import type { Assessment } from '../../assess/assess.js';
import type { SgException } from '../../assess/facts.js';
function exceptionRow(exception: SgException) {
  const { reachability, required } = exception;
  const needed = required === true ? 'yes' : required === false ? 'no' : 'not determined';
  let present: string;
  if (!reachability) present = 'not checked';
  else if (reachability.pairsChecked === 0) present = 'no node pairs exchange it';
  else if (reachability.admitted) present = `✓ admitted on all ${formatNumber(reachability.pairsChecked)} node pairs`;
  else {
    const refused = `refused on ${formatNumber(reachability.blockedCount)} of ${formatNumber(reachability.pairsChecked)} node pairs`;
    // Traffic the cluster does not send: refused is simply "not admitted" (a fix that starts it adds the rule).
    present = required === true ? `✗ ${refused}` : 'not admitted';
  }
  const admittedBy = reachability?.admittingRules.length ? reachability.admittingRules.join('; ') : '';
  return { traffic: exception.traffic.label, needed, scope: required === false ? 'not needed now' : exception.scope, present, admittedBy: admittedBy || 'n/a' };
}

/** Traffic the cluster does not send, and no node pair is found admitting: nothing to tell but its name. */
const unneeded = ({ required, reachability }: SgException): boolean =>
  required === false && (!reachability || reachability.pairsChecked === 0 || !reachability.admitted);

export function awsView(assessment: Assessment, checks: SectionChecks) {
  const mustBeOff = assessment.facts.srcDstCheckMustBeOff === true;
  const { facts, errors } = assessment;
  const missing = (sources: string[]): SafeMarkdown | null => {
    const hit = errors.filter((e) => sources.includes(e.source));
    return hit.length ? markdown` (${listWords(hit.map((e) => markdown`${e.source}: ${e.code}`))})` : null;
  };
  const nodes = facts.topology.nodes;
  // Where the check does not matter, the nodes table (section 2) shows it already: no second table.
  const srcDst = nodes && mustBeOff && nodes.length <= NODE_TABLE_LIMIT && nodes.some((n) => n.srcDstCheck !== null)
    ? nodes.map((n) => ({
        name: n.name,
        instanceId: n.instanceId ?? 'n/a',
        instanceName: n.instanceName ?? 'n/a',
        nodegroup: n.nodegroup ?? 'n/a',
        check: srcDstText(n, mustBeOff),
        groups: n.securityGroupIds.length ? n.securityGroupIds.join(', ') : 'not collected',
      }))
    : [];
  const ec2Missing = missing(['ec2:DescribeInstances']);
  const needsOff = facts.encapsulation?.unencapsulated === true;
  const srcDstIntro =
    facts.calicoNetworking === false
      ? markdown`The AWS VPC CNI gives pods VPC addresses, so EC2's source/destination check does not affect pod traffic.`
      : needsOff
        ? markdown`Some pod traffic leaves the nodes unencapsulated, so every node needs the check off; Felix is set to ${codeSpan(facts.felix.awsSrcDstCheck ?? 'n/a')}.`
        : facts.encapsulation
          ? markdown`Every pool encapsulates all pod traffic, so EC2 sees only node addresses and the check may stay on; Felix is set to ${codeSpan(facts.felix.awsSrcDstCheck ?? 'n/a')}.`
          : markdown`Whether pod traffic leaves the nodes unencapsulated could not be determined.`;
  return {
    // Traffic the design does not send and no group admits is one line, not a row each.
    exceptions: (facts.sgExceptions ?? []).filter((e) => !unneeded(e)).map(exceptionRow),
    unneededExceptions: facts.sgExceptions?.some(unneeded)
      ? markdown`Not needed by this cluster's design: ${listWords(facts.sgExceptions.filter(unneeded).map((e) => e.traffic.label))}.`
      : null,
    exceptionsNote: facts.sgExceptions
      ? null
      : markdown`The security groups could not be checked: the EC2 instances or security groups were not collected${missing(['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups']) ?? markdown``}.`,
    groups: (facts.securityGroups ?? []).map((g) => ({
      groupId: g.groupId,
      groupName: g.groupName ?? (g.collected ? 'n/a' : 'not collected'),
      description: g.description ?? 'n/a',
      nodes: formatNumber(g.nodes),
    })),
    srcDstIntro,
    srcDst,
    srcDstNote: !nodes?.some((n) => n.srcDstCheck !== null)
      ? markdown`The source/destination check of each node is unknown: the EC2 instances were not collected${ec2Missing ?? markdown``}.`
      : nodes.length > NODE_TABLE_LIMIT
        ? markdown`With ${plural(nodes.length, 'node')}, report.json lists each node's check; the AWS-layer findings name any that matter.`
        : null,
    routeTables: (facts.routeTables ?? []).map((t) => ({
      routeTableId: t.routeTableId,
      main: t.main ? 'yes' : 'no',
      subnets: t.subnets.join(', '),
      routes: formatNumber(t.routes),
      podRoutes: formatNumber(t.podRoutes),
    })),
    routeTablesNote: facts.routeTables
      ? null
      : markdown`Route-table use is unknown: the route tables, instances, subnets or pools were not collected${missing(['ec2:DescribeRouteTables', 'ec2:DescribeSubnets']) ?? markdown``}.`,
    verdicts: verdictLine('AWS-layer rules', checks.inAreas('AWS')),
  };
}
