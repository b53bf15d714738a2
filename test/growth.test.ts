/** How far a cluster can grow: Karpenter NodePool bounds, Kubernetes quantities and the smallest instance a NodePool allows. */
import { describe, expect, it } from 'vitest';
import { nodePoolBound, smallestAllowedVcpus } from '../src/assess/facts/growth.js';
import type { KarpenterNodePool } from '../src/assess/model.js';
import { parseQuantity } from '../src/assess/quantity.js';
import { minimumVcpus } from '../src/reference/index.js';

const pool = (overrides: Partial<KarpenterNodePool>): KarpenterNodePool => ({
  ref: { kind: 'NodePool', name: 'default' },
  name: 'default',
  limits: {},
  replicas: null,
  labels: {},
  requirements: [],
  nodes: null,
  ...overrides,
});

describe('parseQuantity', () => {
  it('reads Kubernetes quantities in their base unit', () => {
    expect(parseQuantity('1000')).toBe(1000);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1000Gi')).toBe(1000 * 2 ** 30);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity('10Gb')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });
});

describe('nodePoolBound', () => {
  it('takes a nodes limit as it is', () => {
    expect(nodePoolBound(pool({ limits: { nodes: '20' } }))).toEqual({ limit: 20, basis: 'limits.nodes 20 = 20' });
  });

  it('divides a cpu limit by the fewest vCPUs an instance the NodePool allows can have', () => {
    expect(nodePoolBound(pool({ limits: { cpu: '1000' } })).limit).toBe(1000);
    const fours = pool({ limits: { cpu: '400' }, requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'In', values: ['8', '4'] }] });
    expect(nodePoolBound(fours)).toEqual({ limit: 100, basis: 'limits.cpu 400 ÷ 4 vCPUs (requirement instance-cpu In [8, 4]) = 100' });
    expect(nodePoolBound(pool({ limits: { cpu: '400' }, requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['3'] }] })).limit).toBe(100);
    expect(nodePoolBound(pool({ limits: { cpu: '1000m' } })).limit).toBe(1);
  });

  it('takes the tightest of nodes, cpu, memory and a static NodePool\'s replicas', () => {
    expect(nodePoolBound(pool({ limits: { nodes: '50', cpu: '40' } })).limit).toBe(40);
    expect(nodePoolBound(pool({ limits: { memory: '64Gi' } })).limit).toBe(128);
    expect(nodePoolBound(pool({ replicas: 3, limits: { nodes: '5' } })).limit).toBe(3);
  });

  it('finds no bound without limits, or with limits only on other resources', () => {
    expect(nodePoolBound(pool({}))).toEqual({ limit: null, basis: 'no limits: spec.limits sets neither nodes, cpu nor memory' });
    expect(nodePoolBound(pool({ limits: { 'nvidia.com/gpu': '8' } })).limit).toBeNull();
  });
});

describe('the smallest instance a NodePool allows', () => {
  it('reads instance types and sizes, falling back to one vCPU when any is unknown', () => {
    expect(smallestAllowedVcpus(pool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m6i.xlarge', 'c6i.2xlarge'] }] })).vcpus).toBe(4);
    expect(smallestAllowedVcpus(pool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m6i.xlarge', 'x2iezn.metal'] }] })).vcpus).toBe(1);
    expect(smallestAllowedVcpus(pool({ requirements: [{ key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['large', '4xlarge'] }] })).vcpus).toBe(2);
    // NotIn and Lt only narrow from above: they raise no floor.
    expect(smallestAllowedVcpus(pool({ requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['64'] }] })).vcpus).toBe(1);
  });

  it('never reads more vCPUs into a size than its smallest family has', () => {
    expect(minimumVcpus('medium')).toBe(1);
    expect(minimumVcpus('m5.large')).toBe(2);
    expect(minimumVcpus('24xlarge')).toBe(96);
    expect(minimumVcpus('metal')).toBeNull();
  });
});
