/** Workloads: pods on the pod network by namespace and by node. */
import { allowsEverything, namespacesWithoutPolicy, podNetworkPods } from '../policy-analysis.js';
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
    /** Some policy that constrains traffic (not an allow-everything global) selects its pods; `null` = policies not collected. */
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
    byNamespace.set(pod.namespace, [...(byNamespace.get(pod.namespace) ?? []), pod]);
    if (pod.nodeName) byNode.set(pod.nodeName, (byNode.get(pod.nodeName) ?? 0) + 1);
  }
  const { policies } = model;
  const names = [...byNamespace.keys()].sort();
  let uncovered: Set<string> | null = null;
  if (policies) {
    const labels = new Map([...byNamespace].map(([ns, pods]) => [ns, pods.map((p) => p.labels)]));
    const namespaces = names.map(
      (name) => model.namespaces?.find((n) => n.name === name) ?? { name, labels: { 'kubernetes.io/metadata.name': name } },
    );
    uncovered = new Set(namespacesWithoutPolicy(policies.filter((p) => !allowsEverything(p)), namespaces, labels));
  }
  return {
    pods: onNetwork.length,
    hostNetworkPods: model.pods.filter((p) => p.hostNetwork).length,
    byNamespace: names.map((namespace) => ({
      namespace,
      pods: byNamespace.get(namespace)!.length,
      system: isSystemNamespace(namespace),
      policies: policies ? policies.filter((p) => p.namespace === namespace).length : null,
      selected: uncovered ? !uncovered.has(namespace) : null,
    })),
    byNode: [...byNode].map(([node, pods]) => ({ node, pods })).sort((a, b) => b.pods - a.pods || a.node.localeCompare(b.node)),
  };
}
