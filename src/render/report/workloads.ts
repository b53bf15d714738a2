/** The per-cluster report's view, section 6. Workload endpoints. */
import { BUSIEST_NODES, formatNumber, TABLE_ROWS } from './format.js';
import { markdown } from '../escape.js';
import type { Assessment } from '../../assess/assess.js';
export function workloadView(assessment: Assessment) {
  const { workloads, topology } = assessment.facts;
  if (!workloads) return { note: markdown`Pods were not collected.`, total: null, byNamespace: [], byNamespaceNote: null, byNode: [], byNodeNote: null };
  const many = workloads.byNode.length > BUSIEST_NODES + 2;
  return {
    note: null,
    total: markdown`**${formatNumber(workloads.pods)} pods** run on the pod network (running or pending); ${formatNumber(workloads.hostNetworkPods)} host-network pods use their node's address and are left out.`,
    // Above the row limit: the namespaces no policy selects first, then the busiest; the rest in report.json.
    byNamespace: (workloads.byNamespace.length > TABLE_ROWS
      ? [...workloads.byNamespace].sort((a, b) => Number(a.selected !== false) - Number(b.selected !== false) || b.pods - a.pods).slice(0, TABLE_ROWS)
      : workloads.byNamespace
    ).map((n) => ({
      namespace: n.namespace,
      pods: formatNumber(n.pods),
      kind: n.system ? 'system' : 'workload',
      policies: n.policies === null ? 'n/a' : formatNumber(n.policies),
      selected: n.selected === null ? 'not determined' : n.selected ? 'yes' : 'no',
    })),
    byNode: (many ? workloads.byNode.slice(0, BUSIEST_NODES) : workloads.byNode).map((n) => ({ node: n.node, pods: formatNumber(n.pods) })),
    byNamespaceNote: workloads.byNamespace.length > TABLE_ROWS ? markdown`The namespaces no policy selects, then the busiest; report.json lists every namespace.` : null,
    byNodeNote: many
      ? markdown`The busiest nodes; report.json gives the count for each of the ${formatNumber(topology.nodeCount ?? workloads.byNode.length)} nodes.`
      : null,
  };
}
