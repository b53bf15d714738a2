/**
 * Felix settings node by node: a `node.<name>` FelixConfiguration overrides the `default` one on
 * that node (Felix reads the global object, then its own node's; calico-node's `FELIX_*`
 * environment still wins over both). Rules that judge a Felix setting read the cluster default
 * and these overrides, and name the nodes that differ.
 */
import type { ClusterModel, FelixSettings } from '../model.js';

export interface FelixOverride<T> {
  node: string;
  /** The FelixConfiguration's name (`node.<node name>`). */
  name: string;
  /** `FelixConfiguration node.<name>`. */
  object: string;
  value: T;
}

/**
 * The nodes where a setting in force differs from the cluster default, because of their own
 * FelixConfiguration. Objects for nodes the cluster no longer has are left out.
 */
export function felixOverrides<T>(model: ClusterModel, pick: (settings: FelixSettings) => T): Array<FelixOverride<T>> {
  if (!model.felix || !model.felixNodes) return [];
  const present = model.nodes ? new Set(model.nodes.map((n) => n.name)) : null;
  const base = JSON.stringify(pick(model.felix));
  return model.felixNodes
    .filter((o) => !present || present.has(o.node))
    .map((o) => ({ node: o.node, name: o.ref.name, object: `FelixConfiguration ${o.ref.name}`, value: pick(o.settings) }))
    .filter((o) => JSON.stringify(o.value) !== base);
}

/** The per-node FelixConfigurations of current nodes, and the fields each sets, for the report. */
export function felixNodeObjects(model: ClusterModel): Array<{ node: string; object: string; fields: string[] }> {
  if (!model.felixNodes) return [];
  const present = model.nodes ? new Set(model.nodes.map((n) => n.name)) : null;
  return model.felixNodes.filter((o) => !present || present.has(o.node)).map((o) => ({ node: o.node, object: `FelixConfiguration ${o.ref.name}`, fields: o.fields }));
}
