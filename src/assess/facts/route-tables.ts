/** VPC route tables serving the node subnets, and the pod routes they hold. */
import type { Facts } from '../facts.js';
import { cidrContains, parseCidr } from '../ipv4.js';
import type { PoolFact } from './pools.js';
import type { Ec2RouteTable } from '../../snapshot/schema.js';
import type { ClusterModel } from '../model.js';
/** A VPC route table serving the nodes' subnets, and the pod routes it holds. */
export interface RouteTableFact {
  routeTableId: string;
  main: boolean;
  /** Node subnets it serves. */
  subnets: string[];
  routes: number;
  /** Routes to pod addresses (inside a pool) or to a node instance / interface. */
  podRoutes: number;
  /** The first few pod routes, destination and target. */
  podRouteSamples: Array<{ destination: string | null; target: string }>;
}

type Route = NonNullable<Ec2RouteTable['Routes']>[number];

const ROUTE_SAMPLES = 5;

/**
 * The route table each node subnet uses (its explicit association, else the VPC's main table) and
 * the pod routes in it: a route into a pool, or to a node instance or interface (VPC-routed pods).
 */
export function routeTableFacts(model: ClusterModel, subnets: Facts['topology']['subnets'], pools: PoolFact[] | null): RouteTableFact[] | null {
  const { routeTables, instances } = model;
  if (!routeTables || !subnets || !pools || !instances) return null;
  const main = routeTables.find((t) => (t.Associations ?? []).some((a) => a.Main) && (!model.vpcId || !t.VpcId || t.VpcId === model.vpcId));
  const tables = new Map<string, { table: Ec2RouteTable; subnets: string[] }>();
  for (const { subnetId } of subnets) {
    const table = routeTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ?? main;
    if (!table) return null;
    const entry = tables.get(table.RouteTableId) ?? { table, subnets: [] };
    entry.subnets.push(subnetId);
    tables.set(table.RouteTableId, entry);
  }
  const poolCidrs = pools.map((p) => parseCidr(p.cidr ?? undefined)).filter((c) => c !== undefined);
  const nodeInstances = new Set(instances.map((i) => i.InstanceId));
  const nodeInterfaces = new Set(instances.flatMap((i) => (i.NetworkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId ?? '')).filter(Boolean));
  const isPodRoute = (route: Route) => {
    const destination = parseCidr(route.DestinationCidrBlock);
    if (destination && poolCidrs.some((pool) => cidrContains(pool, destination))) return true;
    return (!!route.InstanceId && nodeInstances.has(route.InstanceId)) || (!!route.NetworkInterfaceId && nodeInterfaces.has(route.NetworkInterfaceId));
  };
  return [...tables.values()]
    .map(({ table, subnets: served }) => {
      const podRoutes = (table.Routes ?? []).filter(isPodRoute);
      return {
        routeTableId: table.RouteTableId,
        main: (table.Associations ?? []).some((a) => a.Main),
        subnets: served,
        routes: (table.Routes ?? []).length,
        podRoutes: podRoutes.length,
        podRouteSamples: podRoutes.slice(0, ROUTE_SAMPLES).map((r) => ({
          destination: r.DestinationCidrBlock ?? null,
          target: r.InstanceId ?? r.NetworkInterfaceId ?? r.GatewayId ?? '?',
        })),
      };
    })
    .sort((a, b) => b.podRoutes - a.podRoutes);
}
