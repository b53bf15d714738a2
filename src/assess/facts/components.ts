/** Calico components: desired and ready replicas of each workload. */
import type { ClusterModel } from '../model.js';
import type { Facts } from '../facts.js';
export function componentFacts(model: ClusterModel): Facts['components'] {
  const { components } = model;
  if (!components) return null;
  const rows: NonNullable<Facts['components']> = [];
  const add = (name: string, workload: (typeof components)['calicoNode']) => {
    if (!workload) return;
    rows.push({
      name,
      namespace: workload.namespace,
      kind: workload.kind,
      desired: workload.desired,
      ready: workload.ready,
      healthy: workload.desired > 0 && workload.ready >= workload.desired,
    });
  };
  add('calico-node', components.calicoNode);
  add('calico-node-windows', components.calicoNodeWindows);
  add('calico-typha', components.typha);
  add('calico-kube-controllers', components.kubeControllers);
  add('csi-node-driver', components.csiNodeDriver);
  add('tigera-operator', components.operator);
  add('aws-node', components.awsNode);
  return rows;
}

/**
 * Calico Enterprise's components, by the namespace the Tigera operator runs each in (Calico
 * Enterprise installs `tigera-compliance`, `tigera-intrusion-detection`, … beside calico-system);
 * seed 001 lists them: "Compliance and Runtime Security", "Intrusion Detection", "Policy
 * Recommendation", flow logs, "Tigera prometheus".
 */
const ENTERPRISE_NAMESPACES: ReadonlyArray<[namespace: string, component: string]> = [
  ['tigera-compliance', 'Compliance reporting'],
  ['tigera-intrusion-detection', 'Intrusion detection'],
  ['tigera-policy-recommendation', 'Policy recommendation'],
  ['tigera-fluentd', 'Flow logs (fluentd)'],
  ['tigera-prometheus', 'Prometheus'],
  ['tigera-manager', 'Manager (web console)'],
  ['tigera-elasticsearch', 'Elasticsearch (log storage)'],
];

/** The Enterprise components with pods running or pending, in the order above. */
export function enterpriseComponentFacts(model: ClusterModel): Facts['enterpriseComponents'] {
  if (!model.pods) return null;
  const pods = new Map<string, number>();
  for (const pod of model.pods) {
    if (pod.phase === 'Running' || pod.phase === 'Pending') pods.set(pod.namespace, (pods.get(pod.namespace) ?? 0) + 1);
  }
  return ENTERPRISE_NAMESPACES.filter(([namespace]) => pods.has(namespace)).map(([namespace, component]) => ({ component, namespace, pods: pods.get(namespace)! }));
}
