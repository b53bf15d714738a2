/** The per-cluster report's view, section 3. IP address management. */
import { type Fact, formatNumber, percent, plural, type SectionChecks, verdictLine } from './format.js';
import { markdown, SafeMarkdown } from '../escape.js';
import type { Assessment } from '../../assess/assess.js';
import { routingPools } from './architecture.js';
export function ipamView(assessment: Assessment, checks: SectionChecks) {
  const { facts } = assessment;
  const { ipam, growth } = facts;
  const pools = (facts.pools ?? []).map((p) => ({
    name: p.name,
    cidr: p.cidr ?? 'none',
    blockSize: `/${p.blockSize}`,
    ipipMode: p.ipipMode,
    vxlanMode: p.vxlanMode,
    natOutgoing: p.natOutgoing ? 'true' : 'false',
    nodeSelector: p.nodeSelector,
    // Capacity is per pool: the nodes its nodeSelector selects now, and as the cluster grows.
    nodes: p.nodesSelected === null ? 'n/a' : p.nodesMax !== null && p.nodesMax !== p.nodesSelected ? `${formatNumber(p.nodesSelected)} (up to ${formatNumber(p.nodesMax)})` : formatNumber(p.nodesSelected),
    blocks: p.blocks === null ? 'n/a' : p.blocksInUse !== null ? `${formatNumber(p.blocksInUse)} of ${formatNumber(p.blocks)}` : formatNumber(p.blocks),
    state: p.draining
      ? `disabled, draining: ${formatNumber(p.allocated)} addresses still held by pods`
      : p.disabled
        ? p.draining === null
          ? 'disabled (allocations not collected)'
          : 'disabled'
        : p.routesWorkloads
          ? 'in use'
          : 'not for workloads',
  }));
  let note: SafeMarkdown | null = null;
  if (facts.calicoNetworking === false) {
    note = markdown`Calico allocates no pod addresses here: ${facts.cni.label}. ${facts.pools?.length ? markdown`The pools below exist but route no pods.` : markdown`No IP pool is defined.`}`;
  } else if (!facts.pools) {
    note = markdown`The IP pools were not collected.`;
  }
  const keyFacts: Fact[] = [];
  if (ipam && ipam.pools > 0 && facts.calicoNetworking !== false) {
    keyFacts.push({ label: 'Total addresses', value: markdown`${formatNumber(ipam.addresses)} in the ${plural(ipam.pools, 'pool')} that ${ipam.pools === 1 ? 'routes' : 'route'} pods` });
    if (ipam.addressesPerBlock !== null) {
      const sizes = [...new Set(routingPools(facts).filter((p) => p.routesWorkloads).map((p) => p.blockSize))];
      keyFacts.push({ label: 'Addresses per block', value: markdown`${formatNumber(ipam.addressesPerBlock)} (/${sizes.join(', /')}): each node claims at least one block` });
    }
    // How the cluster grows is told in section 2; here only what the pools must hold.
    if (growth.nodesNow !== null) {
      keyFacts.push({
        label: 'Nodes',
        value: growth.maxNodes !== null ? markdown`${formatNumber(growth.nodesNow)} now, up to ${formatNumber(growth.maxNodes)}` : markdown`${formatNumber(growth.nodesNow)} now; growth unknown (section 2 says why)`,
      });
    }
    const split = routingPools(facts).some((p) => p.routesWorkloads && p.nodeSelector !== 'all()');
    keyFacts.push({
      label: 'Theoretical max nodes',
      value: split
        ? markdown`~${formatNumber(ipam.blocks)} in all (one block each), but each pool serves only the nodes its nodeSelector selects (see the table)`
        : markdown`~${formatNumber(ipam.blocks)} (one block each)`,
    });
    keyFacts.push({ label: 'Blocks in use', value: ipam.blocksInUse !== null ? markdown`${formatNumber(ipam.blocksInUse)}` : markdown`not collected (IPAM blocks)` });
    keyFacts.push({
      label: 'Allocated',
      value: ipam.allocated !== null ? markdown`${formatNumber(ipam.allocated)} addresses, utilisation ${percent(ipam.utilisation)}` : markdown`not collected (IPAM blocks)`,
    });
  }
  return { pools, note, keyFacts, verdicts: verdictLine('IPAM rules', checks.inAreas('IPAM')) };
}
