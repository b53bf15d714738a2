/** Which Calico images a cluster runs, by version, variant and install. */
import type { Cluster } from '../cluster.js';

/** `v3.31.7` → `3.31`; callers compare minors as strings, which holds from Calico 3.10 on. */
export const minorOf = (version: string): string => /^v?(\d+\.\d+)/.exec(version)?.[1] ?? version;

/** Image of a Calico component: Enterprise images live under quay.io/tigera with their own tags. */
export function calicoImage(cluster: Cluster, component: 'node' | 'cni' | 'typha' | 'kube-controllers' | 'csi' | 'node-driver-registrar' | 'apiserver' | 'goldmane' | 'whisker'): string {
  const calico = cluster.calico!;
  if (cluster.enterprise) {
    const name = component === 'node' ? 'cnx-node' : component === 'apiserver' ? 'cnx-apiserver' : component;
    return `quay.io/tigera/${name}:${calico.enterpriseVersion ?? calico.version}`;
  }
  // The 3.31 manifests moved from docker.io to quay.io; the operator has long pulled from quay.io.
  const registry = calico.install === 'operator' || minorOf(calico.version) >= '3.31' ? 'quay.io' : 'docker.io';
  return `${registry}/calico/${component}:${calico.version}`;
}
