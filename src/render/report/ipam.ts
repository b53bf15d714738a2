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
    state: p.disabled ? 'disabled' : p.routesWorkloads ? 'in use' : 'not for workloads',
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
      const sizes = [...new Set(routingPools(facts).map((p) => p.blockSize))];
      keyFacts.push({ label: 'Addresses per block', value: markdown`${formatNumber(ipam.addressesPerBlock)} (/${sizes.join(', /')}): each node claims at least one block` });
    }
    keyFacts.push({
      label: 'Nodes',
      value: markdown`${formatNumber(growth.nodesNow)} now${growth.maxNodes !== null ? markdown`, up to ${formatNumber(growth.maxNodes)} by the node groups' limits` : markdown``}`,
    });
    keyFacts.push({ label: 'Theoretical max nodes', value: markdown`~${formatNumber(ipam.blocks)} (one block each)` });
    keyFacts.push({ label: 'Blocks in use', value: markdown`${formatNumber(ipam.blocksInUse)}` });
    keyFacts.push({
      label: 'Allocated',
      value: ipam.allocated !== null ? markdown`${formatNumber(ipam.allocated)} addresses, utilisation ${percent(ipam.utilisation)}` : markdown`not collected (IPAM blocks)`,
    });
  }
  return { pools, note, keyFacts, verdicts: verdictLine('IPAM rules', checks.inAreas('IPAM')) };
}
