/**
 * CAL-AWS-07 — pod routes in the VPC route tables stay clear of the 50-route default limit.
 *
 * Seed 000: "No 50 Node Limit: Calico allows you to surpass the 50 node limit, which exists as a
 * consequence of the AWS 50 route limit when using the VPC routing table." A cluster that routes
 * pods through the VPC route table (one route per node or block) meets that limit; Calico's own
 * routing (BGP, IPIP, VXLAN) needs none of those routes.
 */
import { awsNetwork } from '../../../reference/index.js';
import type { Ec2RouteTable } from '../../../snapshot/schema.js';
import { cidrContains, parseCidr } from '../../ipv4.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods } from '../shared.js';

/** Above this many pod routes in one table the limit is close. */
const WARNING_ROUTES = 40;

type Route = NonNullable<Ec2RouteTable['Routes']>[number];

export default defineRule({
  id: 'CAL-AWS-07',
  title: 'Pod routes in VPC route tables stay clear of the 50-route default limit',
  area: 'AWS',
  severities: ['high', 'medium'],
  severityNote: `high when a route table holds ${awsNetwork.vpcRouteTableDefaultRouteLimit} or more pod routes (the default quota); medium above ${WARNING_ROUTES}`,
  seed: '000 "No 50 Node Limit"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const routeTables = need(model.routeTables, 'aws.routeTables');
    need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances');
    const subnets = need(facts.topology.subnets, 'aws.instances');
    const pools = need(facts.pools, 'calico.ippools');
    const instances = need(model.instances, 'aws.instances');

    // Each node subnet uses its explicitly associated table, else the VPC's main table.
    const main = routeTables.find(
      (t) => (t.Associations ?? []).some((a) => a.Main) && (!model.vpcId || !t.VpcId || t.VpcId === model.vpcId),
    );
    const tables = new Map<string, { table: Ec2RouteTable; subnets: string[] }>();
    for (const { subnetId } of subnets) {
      const table = routeTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ?? main;
      if (!table) need(null, 'aws.routeTables');
      const entry = tables.get(table!.RouteTableId) ?? { table: table!, subnets: [] };
      entry.subnets.push(subnetId);
      tables.set(table!.RouteTableId, entry);
    }

    const poolCidrs = pools.map((p) => parseCidr(p.cidr ?? undefined)).filter((c) => c !== undefined);
    const nodeInstances = new Set(instances.map((i) => i.InstanceId));
    const nodeInterfaces = new Set(instances.flatMap((i) => (i.NetworkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId ?? '')).filter(Boolean));
    const isPodRoute = (route: Route) => {
      const destination = parseCidr(route.DestinationCidrBlock);
      if (destination && poolCidrs.some((pool) => cidrContains(pool, destination))) return true;
      return (!!route.InstanceId && nodeInstances.has(route.InstanceId)) || (!!route.NetworkInterfaceId && nodeInterfaces.has(route.NetworkInterfaceId));
    };

    const counted = [...tables.values()]
      .map(({ table, subnets: served }) => ({
        table,
        served,
        podRoutes: (table.Routes ?? []).filter(isPodRoute),
        total: (table.Routes ?? []).length,
      }))
      .sort((a, b) => b.podRoutes.length - a.podRoutes.length);
    const limit = awsNetwork.vpcRouteTableDefaultRouteLimit;
    const crowded = counted.filter((c) => c.podRoutes.length > WARNING_ROUTES);
    const evidenceOf = (c: (typeof counted)[number]): Evidence => ({
      object: `ec2:RouteTable ${c.table.RouteTableId}`,
      field: 'Routes (pod routes)',
      value: c.podRoutes.length,
      note: `${c.total} routes in all; serves ${listSome(c.served)}${c.podRoutes.length ? `; e.g. ${listSome(c.podRoutes.map((r) => `${r.DestinationCidrBlock ?? '?'} → ${r.InstanceId ?? r.NetworkInterfaceId ?? r.GatewayId ?? '?'}`), 2)}` : ''}`,
    });

    if (!crowded.length) {
      const most = counted[0];
      return {
        status: 'pass',
        summary: most?.podRoutes.length
          ? `The busiest of the ${counted.length} node route tables (${most.table.RouteTableId}) holds ${most.podRoutes.length} pod routes: no more than ${WARNING_ROUTES}, clear of the default limit of ${limit} routes per table.`
          : `The ${counted.length} route table${counted.length === 1 ? '' : 's'} serving the node subnets hold no pod routes: Calico routes pods itself.`,
        evidence: counted.map(evidenceOf),
      };
    }

    const worst = crowded[0]!;
    const severity = worst.podRoutes.length >= limit ? 'high' : 'medium';
    const region = facts.cluster.region;
    return {
      status: 'fail',
      severity,
      summary:
        `Route table ${worst.table.RouteTableId} holds ${worst.podRoutes.length} pod routes` +
        (crowded.length > 1 ? ` (${crowded.length} tables hold more than ${WARNING_ROUTES})` : '') +
        (severity === 'high'
          ? `, ${worst.podRoutes.length > limit ? 'beyond' : 'reaching'} the default quota of ${limit} routes per table: unless the quota was raised, no route can be added for new nodes and their pods are unreachable through the VPC.`
          : `, within ${limit - worst.podRoutes.length} of the default quota of ${limit} routes per table: a few more nodes fill it.`),
      evidence: crowded.map(evidenceOf),
      remediation: [
        '# Let Calico route pods instead of the VPC route table (IP-in-IP CrossSubnet or VXLAN), then remove the per-node routes, e.g.:',
        ...worst.podRoutes
          .filter((r) => r.DestinationCidrBlock)
          .slice(0, 3)
          .map((r) => `aws ec2 delete-route --region ${region} --route-table-id ${worst.table.RouteTableId} --destination-cidr-block ${r.DestinationCidrBlock}`),
        '# Or, until then, raise the quota "Routes per route table" (default 50, at most 1000):',
        `aws service-quotas request-service-quota-increase --region ${region} --service-code vpc --quota-code L-93826ACB --desired-value 100`,
      ].join('\n'),
    };
  },
});
