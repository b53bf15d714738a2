/** When rules apply: Calico present, routing pods, running BGP — the applicability tests several rules share. */
import type { RuleContext } from '../rule.js';
import type { PoolFact } from '../facts.js';
/** Routing, IPAM and encapsulation rules apply only where Calico routes pod traffic itself. */
export function calicoRoutesPods({ facts, need }: RuleContext): true | string {
  if (facts.calico.presence === 'absent') return 'Calico was not found in this cluster.';
  const routes = need(facts.calicoNetworking, 'calico.ippools', 'kubernetes.daemonSets', 'calico.installation');
  return routes ? true : `${facts.cni.label}: Calico neither routes nor allocates pod addresses.`;
}

/** Rules about Calico itself (datastore, Typha, policy, encryption) apply wherever Calico runs. */
export function calicoPresent({ facts, need }: RuleContext): true | string {
  if (facts.calico.presence === 'absent') return 'Calico was not found in this cluster.';
  if (facts.calico.presence === 'unknown') need(null, 'kubernetes.daemonSets', 'calico.installation');
  return true;
}

/** Enabled IPv4 pools that hand out workload addresses. */
export const poolsRoutingWorkloads = (pools: PoolFact[]): PoolFact[] => pools.filter((p) => p.routesWorkloads && p.ipVersion === 4);

/**
 * IPv4 pools whose pods Calico routes now: the enabled ones, and disabled ones whose pods still
 * hold addresses (a migration in progress), which keep their encapsulation and BGP needs.
 */
export const poolsCarryingTraffic = (pools: PoolFact[]): PoolFact[] => pools.filter((p) => p.carriesTraffic === true && p.ipVersion === 4);

/** BGP rules apply where Calico routes pods and BIRD runs. */
export function calicoRunsBgp(context: RuleContext): true | string {
  const routes = calicoRoutesPods(context);
  if (routes !== true) return routes;
  const { bgp } = context.facts;
  const enabled = context.need(bgp.enabled, 'calico.installation', 'kubernetes.daemonSets');
  return enabled ? true : `BGP is off${bgp.source ? ` (${bgp.source})` : ''}: Calico distributes no routes over BGP.`;
}

/**
 * Rules about how pod routes travel over BGP apply where BGP runs and some pool needs it: IPIP and
 * native pools do, VXLAN pools (any mode) have Felix program their routes without BGP.
 */
export function podRoutesUseBgp(context: RuleContext): true | string {
  const runs = calicoRunsBgp(context);
  if (runs !== true) return runs;
  const pools = poolsCarryingTraffic(context.need(context.facts.pools, 'calico.ippools'));
  if (!pools.length) return 'No IPv4 pool routes pods, so BGP carries no pod routes.';
  if (pools.some((p) => p.vxlanMode === 'Never')) return true;
  // A disabled non-VXLAN pool may still route pods: that depends on its allocations.
  const all = context.facts.pools ?? [];
  if (all.some((p) => p.carriesTraffic === null && p.ipVersion === 4 && p.vxlanMode === 'Never')) context.need(null, 'calico.ipamBlocks');
  return 'Every pool that routes pods uses VXLAN: pod routes do not travel over BGP (CAL-RT-04 asks to switch BGP off).';
}
