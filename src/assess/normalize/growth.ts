/** Sources of nodes into the model: Auto Scaling groups (DescribeAutoScalingGroups) and Karpenter NodePools (karpenter.sh/v1). */
import type { AutoScalingGroup, KubeObject } from '../../snapshot/schema.js';
import type { AutoScalingGroupModel, KarpenterNodePool } from '../model.js';
import { refOf } from './calico.js';
import { integer, labelMap, list, record, strings, text } from './read.js';

export function normalizeAutoScalingGroup(group: AutoScalingGroup): AutoScalingGroupModel {
  const tags: Record<string, string> = {};
  for (const tag of group.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return {
    name: group.AutoScalingGroupName ?? '(unnamed)',
    minSize: integer(group.MinSize) ?? null,
    maxSize: integer(group.MaxSize) ?? null,
    desiredSize: integer(group.DesiredCapacity) ?? null,
    instanceIds: (group.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => !!id),
    tags,
    // EKS tags the groups behind managed node groups with the node group's name.
    managedNodegroup: tags['eks:nodegroup-name'] || null,
  };
}

/** A limit as written: Kubernetes quantities are strings or numbers (`"1000"`, `1000Gi`, `10`). */
const quantities = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(record(value))) {
    const quantity = text(raw);
    if (quantity !== undefined) out[key] = quantity;
  }
  return out;
};

export function normalizeKarpenterNodePool(object: KubeObject): KarpenterNodePool {
  const spec = record(object.spec);
  const template = record(spec['template']);
  const status = record(object.status);
  return {
    ref: refOf('NodePool', object),
    name: object.metadata?.name ?? '(unnamed)',
    limits: quantities(spec['limits']),
    replicas: integer(spec['replicas']) ?? null,
    labels: labelMap(record(template['metadata'])['labels']),
    requirements: list(record(template['spec'])['requirements']).map((entry) => {
      const requirement = record(entry);
      return { key: text(requirement['key']) ?? '', operator: text(requirement['operator']) ?? '', values: strings(requirement['values']) };
    }),
    nodes: integer(status['nodes']) ?? null,
  };
}
