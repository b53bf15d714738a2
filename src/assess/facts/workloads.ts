/** Workloads: pods on the pod network by namespace and by node. */
import { reachAnalysis } from '../reach/analysis.js';
import { namespaceConstraints } from '../reach/checks.js';
import { podNetworkPods } from '../reach/cluster.js';
import { MAYBE, YES } from '../selector.js';
import { isSystemNamespace } from '../../reference/index.js';
import type { ClusterModel, Pod } from '../model.js';
/** Pods on the pod network (not host-network), running or about to. */
export interface WorkloadsFact {
  pods: number;
  hostNetworkPods: number;
  byNamespace: Array<{
    namespace: string;
    pods: number;
    system: boolean;
    /** Kubernetes and Calico policies in the namespace. */
    policies: number | null;
    /** Some policy that applies to its pods denies something (an allow-everything policy does not count); `null` = not known. */
    selected: boolean | null;
  }>;
  /** Busiest first. */
  byNode: Array<{ node: string; pods: number }>;
}

/** Pods on the pod network by namespace (with policy coverage) and by node; host-network pods counted apart. */
export function workloadFacts(model: ClusterModel): WorkloadsFact | null {
  if (!model.pods) return null;
  const onNetwork = podNetworkPods(model.pods);
  const byNamespace = new Map<string, Pod[]>();
  const byNode = new Map<string, number>();
  for (const pod of onNetwork) {
    const list = byNamespace.get(pod.namespace);
    if (list) list.push(pod);
    else byNamespace.set(pod.namespace, [pod]);
    if (pod.nodeName) byNode.set(pod.nodeName, (byNode.get(pod.nodeName) ?? 0) + 1);
  }
  const { policies } = model;
  const names = [...byNamespace.keys()].sort();
  let constraints: Map<string, number> | null = null;
  try {
    const analysis = reachAnalysis(model);
    if (analysis) constraints = namespaceConstraints(analysis);
  } catch {
    constraints = null;
  }
  return {
    pods: onNetwork.length,
    hostNetworkPods: model.pods.filter((p) => p.hostNetwork).length,
    byNamespace: names.map((namespace) => ({
      namespace,
      pods: byNamespace.get(namespace)!.length,
      system: isSystemNamespace(namespace),
      policies: policies ? policies.filter((p) => p.namespace === namespace).length : null,
      selected: constraints ? (constraints.get(namespace) === YES ? true : constraints.get(namespace) === MAYBE ? null : false) : null,
    })),
    byNode: [...byNode].map(([node, pods]) => ({ node, pods })).sort((a, b) => b.pods - a.pods || a.node.localeCompare(b.node)),
  };
}
