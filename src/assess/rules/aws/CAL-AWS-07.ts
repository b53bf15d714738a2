/**
 * CAL-AWS-07 — pod routes in the VPC route tables stay clear of the 50-route default limit.
 *
 * Seed 000: "No 50 Node Limit: Calico allows you to surpass the 50 node limit, which exists as a
 * consequence of the AWS 50 route limit when using the VPC routing table." A cluster that routes
 * pods through the VPC route table (one route per node or block) meets that limit; Calico's own
 * routing (BGP, IPIP, VXLAN) needs none of those routes.
 */
import { awsNetwork } from '../../../reference/index.js';
import type { RouteTableFact } from '../../facts.js';
import { cmd, note, value } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods } from '../applies.js';

/** Above this many pod routes in one table the limit is close. */
const WARNING_ROUTES = 40;

export default defineRule({
  id: 'CAL-AWS-07',
  title: 'Pod routes in VPC route tables stay clear of the 50-route default limit',
  problem: 'Pod routes in VPC route tables near the 50-route limit',
  why: 'past the route-table quota, new pod routes cannot be added',
  area: 'AWS',
  severities: ['high', 'medium'],
  severityNote: `high when a route table holds ${awsNetwork.vpcRouteTableDefaultRouteLimit} or more pod routes (the default quota); medium above ${WARNING_ROUTES}`,
  seed: '000 "No 50 Node Limit"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    need(model.routeTables, 'aws.routeTables');
    need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances');
    need(facts.topology.subnets, 'aws.instances');
    need(facts.pools, 'calico.ippools');
    need(model.instances, 'aws.instances');
    // Null here: a node subnet has neither an associated nor a main route table.
    const counted = need(facts.routeTables, 'aws.routeTables');
    const limit = awsNetwork.vpcRouteTableDefaultRouteLimit;
    const crowded = counted.filter((c) => c.podRoutes > WARNING_ROUTES);
    const evidenceOf = (c: RouteTableFact): Evidence => {
      const samples = c.podRouteSamples.slice(0, 2).map((r) => `${r.destination ?? '?'} → ${r.target}`);
      const more = c.podRoutes > samples.length ? ` and ${c.podRoutes - samples.length} more` : '';
      return {
        object: `ec2:RouteTable ${c.routeTableId}`,
        field: 'Routes (pod routes)',
        value: c.podRoutes,
        note: `${c.routes} routes in all; serves ${listSome(c.subnets)}${c.podRoutes ? `; e.g. ${samples.join(', ')}${more}` : ''}`,
      };
    };

    if (!crowded.length) {
      const most = counted[0];
      return {
        status: 'pass',
        summary: most?.podRoutes
          ? `The busiest of the ${counted.length} node route tables (${most.routeTableId}) holds ${most.podRoutes} pod routes: no more than ${WARNING_ROUTES}, clear of the default limit of ${limit} routes per table.`
          : `The ${counted.length} route table${counted.length === 1 ? '' : 's'} serving the node subnets hold no pod routes: Calico routes pods itself.`,
        evidence: counted.map(evidenceOf),
      };
    }

    const worst = crowded[0]!;
    const severity = worst.podRoutes >= limit ? 'high' : 'medium';
    const region = facts.cluster.region;
    return {
      status: 'fail',
      severity,
      summary:
        `Route table ${worst.routeTableId} holds ${worst.podRoutes} pod routes` +
        (crowded.length > 1 ? ` (${crowded.length} tables hold more than ${WARNING_ROUTES})` : '') +
        (severity === 'high'
          ? `, ${worst.podRoutes > limit ? 'beyond' : 'reaching'} the default quota of ${limit} routes per table: unless the quota was raised, no route can be added for new nodes and their pods are unreachable through the VPC.`
          : `, within ${limit - worst.podRoutes} of the default quota of ${limit} routes per table: a few more nodes fill it.`),
      evidence: crowded.map(evidenceOf),
      objects: crowded.map((c) => ({ kind: 'ec2:RouteTable', name: c.routeTableId })),
      remediation: [
        note('Let Calico route pods instead of the VPC route table (IP-in-IP CrossSubnet or VXLAN), then remove the per-node routes, e.g.:'),
        ...worst.podRouteSamples
          .filter((r) => r.destination)
          .slice(0, 3)
          .map((r) =>
            cmd(
              'aws', 'ec2', 'delete-route', '--region', value(region, 'region'), '--route-table-id', value(worst.routeTableId, 'route table id'),
              '--destination-cidr-block', value(r.destination!, 'route destination'),
            ),
          ),
        note('Or, until then, raise the quota "Routes per route table" (default 50, at most 1000):'),
        cmd('aws', 'service-quotas', 'request-service-quota-increase', '--region', value(region, 'region'), '--service-code', 'vpc', '--quota-code', 'L-93826ACB', '--desired-value', 100),
      ],
    };
  },
});
