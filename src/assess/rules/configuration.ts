/** Where Calico settings live (FelixConfiguration, the install manifest) and the commands that change them. */
import type { ClusterModel } from '../model.js';
import type { Facts } from '../facts.js';
/**
 * Where a Felix setting in force is decided: calico-node's `FELIX_<FIELD>` environment variable
 * when it sets one (Felix gives it precedence), else the `default` FelixConfiguration.
 */
export function felixSetting(model: ClusterModel, field: string) {
  const envName = `FELIX_${field.toUpperCase()}`;
  const fromEnv = !!model.felix?.sources.some((s) => s.kind === 'calico-node env' && s.name === envName);
  return fromEnv
    ? { object: `calico-node env ${envName}`, field: 'value', fromEnv, envName }
    : { object: 'FelixConfiguration default', field: `spec.${field}`, fromEnv, envName };
}

/** A pasteable command that changes a Felix setting where it is decided (see `felixSetting`). */
export function setFelixCommand(model: ClusterModel, field: string, value: string | boolean): string {
  const { fromEnv, envName } = felixSetting(model, field);
  if (!fromEnv) return `kubectl patch felixconfiguration default --type merge -p '${JSON.stringify({ spec: { [field]: value } })}'`;
  const calicoNode = model.components?.calicoNode;
  return [
    ...(model.install.method === 'operator'
      ? [`# The operator sets ${envName} on calico-node and reverts direct edits: change it where the operator takes it from; meanwhile:`]
      : []),
    `kubectl -n ${calicoNode?.namespace ?? 'kube-system'} set env daemonset/${calicoNode?.name ?? 'calico-node'} ${envName}=${value}`,
  ].join('\n');
}

/**
 * The upstream manifest a manifest install most likely came from (calico.yaml, calico-vxlan.yaml,
 * calico-typha.yaml, calico-policy-only.yaml), so upgrade and Typha commands keep its shape.
 */
export function calicoManifestFile(facts: Facts, withTypha = facts.typha.configured === true): string {
  if (facts.calicoNetworking === false) return 'calico-policy-only.yaml';
  if (withTypha) return 'calico-typha.yaml';
  if (facts.bgp.enabled === false && facts.encapsulation?.vxlan) return 'calico-vxlan.yaml';
  return 'calico.yaml';
}
