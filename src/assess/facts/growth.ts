/**
 * How far the cluster can grow: every source of nodes and its limit. Managed node groups stop at
 * `maxSize`, self-managed Auto Scaling groups (tagged `kubernetes.io/cluster/<name>`) at `MaxSize`,
 * Karpenter NodePools at their `limits` (a `nodes` limit, or `cpu`/`memory` divided by the smallest
 * instance the NodePool allows), static NodePools at `replicas`. A NodePool without limits, EKS Auto
 * Mode's built-in pools (which set none), and nodes that belong to no known group cannot be bounded:
 * growth is then unknown, never assumed small.
 *
 * Karpenter "will not provision nodes once a limit is exceeded" but never removes nodes to meet one
 * (karpenter.sh "NodePools: spec.limits"), so a source's bound is its limit or its current nodes,
 * whichever is larger. Limits are checked eventually consistently and may be overrun briefly during
 * rapid scale-outs; the audit takes the configured limit.
 */
import { ec2InstanceSizes, minimumVcpus } from '../../reference/index.js';
import type { SnapshotField } from '../../snapshot/sources.js';
import type { AutoScalingGroupModel, ClusterModel, KarpenterNodePool } from '../model.js';
import { parseQuantity } from '../quantity.js';
import type { NodeFact } from './nodes.js';

export type GrowthSourceKind = 'managed node group' | 'self-managed Auto Scaling group' | 'Karpenter NodePool' | 'EKS Auto Mode NodePool' | 'no known group';

export interface GrowthSource {
  /** `managed node group/workers`: what a NodeFact's `group` refers to. */
  id: string;
  kind: GrowthSourceKind;
  name: string;
  nodesNow: number;
  /** The most nodes it can hold; null when nothing bounds it. */
  limit: number | null;
  /** How the limit was read (`maxSize 12`, `limits.cpu 1000 ÷ 2 vCPUs …`), or why there is none. */
  basis: string;
  /** Labels the nodes it adds carry, as far as it declares them (managed groups' and NodePools' labels). */
  labels: Record<string, string>;
}

export interface GrowthFact {
  nodesNow: number | null;
  /** The most nodes the cluster can grow to; null when some capacity cannot be bounded or was not collected. */
  maxNodes: number | null;
  /** What the bounded sources alone reach (their limits, plus today's nodes of the unbounded ones): a floor for `maxNodes`. */
  atLeast: number | null;
  /** One line naming each source and its limit, for evidence. */
  source: string;
  sources: GrowthSource[];
  /** Why growth cannot be bounded (a NodePool without limits, Auto Mode, nodes in no known group). */
  unbounded: string[];
  /** Snapshot fields whose absence leaves growth unknown. */
  missing: SnapshotField[];
}

const LABEL = {
  nodegroup: 'eks.amazonaws.com/nodegroup',
  nodepool: 'karpenter.sh/nodepool',
  computeType: 'eks.amazonaws.com/compute-type',
} as const;

const TAG = { nodegroup: 'eks:nodegroup-name', asg: 'aws:autoscaling:groupName', nodepool: 'karpenter.sh/nodepool' } as const;

const sourceId = (kind: GrowthSourceKind, name: string) => `${kind}/${name}`;

/** The fewest vCPUs an instance a NodePool may launch can have: its requirements, else the smallest EC2 instance. */
export function smallestAllowedVcpus(pool: KarpenterNodePool): { vcpus: number; reason: string } {
  const fallback = { vcpus: ec2InstanceSizes.smallestInstance.vcpu, reason: 'the smallest EC2 instance, as its requirements allow any' };
  let best = fallback;
  const raise = (vcpus: number, reason: string) => {
    if (vcpus > best.vcpus) best = { vcpus, reason };
  };
  for (const { key, operator, values } of pool.requirements) {
    const numbers = values.map(Number).filter((n) => Number.isFinite(n));
    if (key === 'karpenter.k8s.aws/instance-cpu') {
      if (operator === 'In' && numbers.length) raise(Math.min(...numbers), `requirement instance-cpu In [${values.join(', ')}]`);
      if (operator === 'Gt' && numbers.length) raise(Math.floor(numbers[0]!) + 1, `requirement instance-cpu Gt ${values[0]}`);
      if (operator === 'Gte' && numbers.length) raise(Math.ceil(numbers[0]!), `requirement instance-cpu Gte ${values[0]}`);
    } else if ((key === 'node.kubernetes.io/instance-type' || key === 'karpenter.k8s.aws/instance-size') && operator === 'In' && values.length) {
      // Every listed type or size must be known, else an unknown one may be smaller.
      const vcpus = values.map(minimumVcpus).filter((v): v is number => v !== null);
      if (vcpus.length === values.length) raise(Math.min(...vcpus), `requirement ${key.split('/')[1]} In [${values.join(', ')}]`);
    }
  }
  return best;
}

/** The smallest memory (bytes) an instance a NodePool may launch can have. */
function smallestAllowedMemory(pool: KarpenterNodePool): { bytes: number; reason: string } {
  const mib = 2 ** 20;
  let best = { bytes: ec2InstanceSizes.smallestInstance.memoryMiB * mib, reason: 'the smallest EC2 instance' };
  for (const { key, operator, values } of pool.requirements) {
    if (key !== 'karpenter.k8s.aws/instance-memory') continue;
    const numbers = values.map(Number).filter((n) => Number.isFinite(n));
    const floor = operator === 'In' && numbers.length ? Math.min(...numbers) : operator === 'Gt' && numbers.length ? numbers[0]! + 1 : operator === 'Gte' && numbers.length ? numbers[0]! : null;
    if (floor !== null && floor * mib > best.bytes) best = { bytes: floor * mib, reason: `requirement instance-memory ${operator} ${values.join(', ')} (MiB)` };
  }
  return best;
}

/** A NodePool's node bound: the tightest of `replicas`, `limits.nodes`, `limits.cpu` and `limits.memory`. */
export function nodePoolBound(pool: KarpenterNodePool): { limit: number | null; basis: string } {
  const bounds: Array<[number, string]> = [];
  if (pool.replicas !== null) bounds.push([pool.replicas, `spec.replicas ${pool.replicas} (static NodePool)`]);
  const nodes = parseQuantity(pool.limits['nodes']);
  if (nodes !== undefined) bounds.push([Math.floor(nodes), `limits.nodes ${pool.limits['nodes']}`]);
  const cpu = parseQuantity(pool.limits['cpu']);
  if (cpu !== undefined) {
    const smallest = smallestAllowedVcpus(pool);
    bounds.push([Math.floor(cpu / smallest.vcpus), `limits.cpu ${pool.limits['cpu']} ÷ ${smallest.vcpus} vCPU${smallest.vcpus === 1 ? '' : 's'} (${smallest.reason})`]);
  }
  const memory = parseQuantity(pool.limits['memory']);
  if (memory !== undefined) {
    const smallest = smallestAllowedMemory(pool);
    bounds.push([Math.floor(memory / smallest.bytes), `limits.memory ${pool.limits['memory']} ÷ ${smallest.bytes / 2 ** 20} MiB (${smallest.reason})`]);
  }
  if (!bounds.length) return { limit: null, basis: 'no limits: spec.limits sets neither nodes, cpu nor memory' };
  const [limit, basis] = bounds.reduce((a, b) => (b[0] < a[0] ? b : a));
  return { limit, basis: `${basis} = ${limit}` };
}

/**
 * Growth from every source of nodes. Also records on each NodeFact the source it belongs to
 * (`group`), which the pool capacity and the node table read.
 */
export function growthFacts(model: ClusterModel, nodes: NodeFact[] | null): GrowthFact {
  const nodesNow = nodes?.length ?? null;
  if (!nodes) {
    return { nodesNow, maxNodes: null, atLeast: null, source: 'the nodes were not collected', sources: [], unbounded: [], missing: ['kubernetes.nodes'] };
  }
  const missing = new Set<SnapshotField>();
  const unbounded: string[] = [];
  const sources = new Map<string, GrowthSource>();
  const add = (kind: GrowthSourceKind, name: string, limit: number | null, basis: string, labels: Record<string, string> = {}) => {
    const id = sourceId(kind, name);
    if (!sources.has(id)) sources.set(id, { id, kind, name, nodesNow: 0, limit, basis, labels });
    return sources.get(id)!;
  };

  // Managed node groups; the Auto Scaling groups behind them bound them too when the node groups were not described.
  const managedAsgNames = new Set((model.nodegroups ?? []).flatMap((ng) => ng.autoScalingGroups));
  for (const ng of model.nodegroups ?? []) {
    add('managed node group', ng.name, ng.maxSize, ng.maxSize !== null ? `maxSize ${ng.maxSize}` : 'no maxSize reported', { ...ng.labels, [LABEL.nodegroup]: ng.name });
  }
  const isManagedAsg = (g: AutoScalingGroupModel) => g.managedNodegroup !== null || managedAsgNames.has(g.name);
  if (!model.nodegroups) {
    for (const g of model.autoScalingGroups ?? []) {
      if (g.managedNodegroup) add('managed node group', g.managedNodegroup, g.maxSize, `MaxSize ${g.maxSize ?? 'not reported'} of its Auto Scaling group ${g.name}`, { [LABEL.nodegroup]: g.managedNodegroup });
    }
  }
  const selfManaged = (model.autoScalingGroups ?? []).filter((g) => !isManagedAsg(g));
  // An instance in a managed group's Auto Scaling group belongs to that node group, labelled or not.
  const managedByInstance = new Map<string, string>();
  for (const g of model.autoScalingGroups ?? []) {
    const nodegroup = g.managedNodegroup ?? model.nodegroups?.find((ng) => ng.autoScalingGroups.includes(g.name))?.name;
    if (nodegroup) for (const id of g.instanceIds) managedByInstance.set(id, nodegroup);
  }
  const asgByInstance = new Map<string, AutoScalingGroupModel>();
  const asgByName = new Map(selfManaged.map((g) => [g.name, g]));
  for (const g of selfManaged) {
    add('self-managed Auto Scaling group', g.name, g.maxSize, g.maxSize !== null ? `MaxSize ${g.maxSize}` : 'no MaxSize reported', nodeTemplateLabels(g));
    for (const id of g.instanceIds) asgByInstance.set(id, g);
  }

  // Karpenter NodePools; in EKS Auto Mode its built-in pools are NodePools too, without limits.
  const autoModePools = new Set(model.autoMode?.enabled ? model.autoMode.nodePools : []);
  for (const pool of model.karpenterNodePools ?? []) {
    const { limit, basis } = nodePoolBound(pool);
    const kind = autoModePools.has(pool.name) ? 'EKS Auto Mode NodePool' : 'Karpenter NodePool';
    add(kind, pool.name, limit, basis, { ...pool.labels, [LABEL.nodepool]: pool.name });
  }
  for (const name of autoModePools) {
    if (!model.karpenterNodePools?.some((p) => p.name === name)) add('EKS Auto Mode NodePool', name, null, 'built-in, no limits', { [LABEL.nodepool]: name });
  }
  if (model.autoMode?.enabled && !model.karpenterNodePools) missing.add('kubernetes.karpenterNodePools');
  if (!model.autoMode) missing.add('aws.cluster');

  // Which source each node belongs to.
  const kubeNodes = new Map((model.nodes ?? []).map((n) => [n.name, n]));
  const instanceTags = new Map((model.instances ?? []).map((i) => [i.InstanceId, Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))]));
  const strays: string[] = [];
  for (const node of nodes) {
    const labels = kubeNodes.get(node.name)?.labels ?? {};
    const tags = (node.instanceId ? instanceTags.get(node.instanceId) : undefined) ?? {};
    const nodegroup = labels[LABEL.nodegroup] ?? tags[TAG.nodegroup] ?? (node.instanceId ? managedByInstance.get(node.instanceId) : undefined);
    const nodepool = labels[LABEL.nodepool] ?? tags[TAG.nodepool];
    const asg = (node.instanceId ? asgByInstance.get(node.instanceId) : undefined) ?? asgByName.get(tags[TAG.asg] ?? '');
    let source: GrowthSource | undefined;
    if (nodegroup) {
      source = sources.get(sourceId('managed node group', nodegroup));
      if (!source && !model.nodegroups) missing.add(model.autoScalingGroups ? 'aws.nodegroups' : 'aws.autoScalingGroups');
    } else if (nodepool) {
      source = sources.get(sourceId(autoModePools.has(nodepool) ? 'EKS Auto Mode NodePool' : 'Karpenter NodePool', nodepool));
      if (!source && !model.karpenterNodePools) missing.add('kubernetes.karpenterNodePools');
    } else if (asg) {
      source = sources.get(sourceId('self-managed Auto Scaling group', asg.name));
    } else if (labels[LABEL.computeType] === 'auto') {
      source = add('EKS Auto Mode NodePool', '(unnamed)', null, 'EKS Auto Mode node without a NodePool label: no limits');
    } else if (!model.autoScalingGroups) {
      // It may belong to a self-managed group that could not be read.
      missing.add('aws.autoScalingGroups');
    }
    if (source) {
      source.nodesNow += 1;
      node.group = source.id;
    } else {
      strays.push(node.name);
    }
  }
  if (strays.length && !missing.size) {
    const names = strays.length > 3 ? `${strays.slice(0, 3).join(', ')} and ${strays.length - 3} more` : strays.join(', ');
    add('no known group', 'other nodes', null, `${strays.length} node${strays.length === 1 ? '' : 's'} in no managed node group, Auto Scaling group or NodePool (${names})`).nodesNow = strays.length;
  }
  if (!model.nodegroups && !model.autoScalingGroups) missing.add('aws.nodegroups');
  if (!model.autoScalingGroups) missing.add('aws.autoScalingGroups');
  if (!model.karpenterNodePools) missing.add('kubernetes.karpenterNodePools');

  const list = [...sources.values()].filter((s) => s.kind !== 'no known group' || s.nodesNow > 0);
  for (const s of list) {
    if (s.limit === null) unbounded.push(s.kind === 'no known group' ? s.basis : `${s.kind} ${s.name}: ${s.basis}`);
  }
  const atLeast = list.reduce((sum, s) => sum + Math.max(s.limit ?? 0, s.nodesNow), 0) + (missing.size ? strays.length : 0);
  const known = !unbounded.length && !missing.size;
  const maxNodes = known ? Math.max(nodes.length, atLeast) : null;
  const describe = (s: GrowthSource) => `${s.kind} ${s.name} (${s.nodesNow} now, ${s.limit !== null ? `up to ${Math.max(s.limit, s.nodesNow)}: ${s.basis}` : s.basis})`;
  const parts = list.map(describe);
  const source = known
    ? parts.length
      ? parts.join('; ')
      : 'no node group or NodePool: the current node count'
    : [
        ...parts,
        ...[...missing].map((field) => `${field} not collected`),
      ].join('; ');
  return {
    nodesNow,
    maxNodes,
    atLeast: Math.max(nodes.length, atLeast),
    source,
    sources: list,
    unbounded,
    missing: [...missing].sort(),
  };
}

/** Labels a self-managed group's nodes will carry, from cluster-autoscaler's `node-template/label/<key>` tags. */
function nodeTemplateLabels(group: AutoScalingGroupModel): Record<string, string> {
  const prefix = 'k8s.io/cluster-autoscaler/node-template/label/';
  return Object.fromEntries(Object.entries(group.tags).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}
