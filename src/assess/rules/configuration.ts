/** Where Calico settings live (FelixConfiguration, the install manifest) and the commands that change them. */
import type { ClusterModel } from '../model.js';
import type { Facts } from '../facts.js';
import { cmd, comment, joined, json, value, type Command, type Step } from '../remediation.js';
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

/** Removes a setting from a node's own FelixConfiguration (`node.<name>`), so the node follows the default again. */
export const removeNodeFelixSetting = (name: string, field: string): Command =>
  cmd('kubectl', 'patch', 'felixconfiguration', value(name, 'FelixConfiguration name'), '--type', 'json', '-p', json([{ op: 'remove', path: `/spec/${field}` }]));

/** Sets a field of a node's own FelixConfiguration. */
export const setNodeFelixSetting = (name: string, field: string, setting: string | boolean): Command =>
  cmd('kubectl', 'patch', 'felixconfiguration', value(name, 'FelixConfiguration name'), '--type', 'merge', '-p', json({ spec: { [field]: setting } }));

/** A pasteable command that changes a Felix setting where it is decided (see `felixSetting`). */
export function setFelixCommand(model: ClusterModel, field: string, setting: string | boolean): Step[] {
  const { fromEnv, envName } = felixSetting(model, field);
  if (!fromEnv) return [cmd('kubectl', 'patch', 'felixconfiguration', 'default', '--type', 'merge', '-p', json({ spec: { [field]: setting } }))];
  const calicoNode = model.components?.calicoNode;
  return [
    ...(model.install.method === 'operator'
      ? [comment`The operator sets ${envName} on calico-node and reverts direct edits: change it where the operator takes it from; meanwhile:`]
      : []),
    cmd(
      'kubectl', '-n', value(calicoNode?.namespace ?? 'kube-system', 'namespace'), 'set', 'env',
      joined('daemonset/', value(calicoNode?.name ?? 'calico-node', 'DaemonSet name')), `${envName}=${String(setting)}`,
    ),
  ];
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
