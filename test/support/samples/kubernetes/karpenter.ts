/** Karpenter NodePools (karpenter.sh/v1) as the API server serves them, for the plan's `karpenter` node groups. */
import type { Cluster } from '../cluster.js';
import { hexOf } from '../deterministic.js';
import type { Json } from '../plan.js';
import { instanceType } from '../reference-data.js';

export function karpenterNodePoolObjects(cluster: Cluster): Json[] {
  const pools = cluster.plan.nodegroups.filter((ng) => ng.kind === 'karpenter');
  return pools.map((ng) => {
    const members = cluster.nodes.filter((n) => n.nodegroup === ng);
    const info = instanceType(ng.instanceType);
    const meta = cluster.meta('NodePool', ng.name, undefined, {
      annotations: { 'karpenter.sh/nodepool-hash': String(BigInt(`0x${hexOf(cluster.seed('nodepool-hash', ng.name), 15)}`)), 'karpenter.sh/nodepool-hash-version': 'v3' },
      generation: 1,
    });
    const since = String(meta['creationTimestamp']);
    const condition = (type: string) => ({ lastTransitionTime: since, message: '', observedGeneration: 1, reason: type, status: 'True', type });
    return {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: meta,
      spec: {
        disruption: { budgets: [{ nodes: '10%' }], consolidateAfter: '0s', consolidationPolicy: 'WhenEmptyOrUnderutilized' },
        ...(ng.limits ? { limits: ng.limits } : {}),
        template: {
          ...(ng.labels ? { metadata: { labels: ng.labels } } : {}),
          spec: {
            expireAfter: '720h',
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              { key: 'kubernetes.io/os', operator: 'In', values: [ng.os ?? 'linux'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: [ng.capacityType === 'SPOT' ? 'spot' : 'on-demand'] },
              ...(ng.requirements ?? []),
            ],
          },
        },
      },
      status: {
        conditions: ['NodeClassReady', 'NodeRegistrationHealthy', 'Ready', 'ValidationSucceeded'].map(condition),
        nodeClassObservedGeneration: 1,
        nodes: members.length,
        resources: {
          cpu: String(members.length * info.vcpu),
          'ephemeral-storage': `${members.length * 20959212}Ki`,
          memory: `${members.length * (info.memoryMiB * 1024 - 482_000)}Ki`,
          nodes: String(members.length),
          pods: String(members.length * 110),
        },
      },
    };
  });
}

