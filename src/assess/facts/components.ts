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
