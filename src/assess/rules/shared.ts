/** Applicability tests and selections several rules share. */
import type { PoolFact } from '../facts.js';
import type { RuleContext } from '../rule.js';

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
