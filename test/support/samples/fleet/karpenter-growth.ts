import type { ClusterPlan } from '../plan.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, GLOBAL_DENY_ALL, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES } from './building-blocks.js';

/**
 * g. Three sources of nodes, as mixed EKS fleets run them: a small managed node group for system
 * pods, a self-managed Auto Scaling group left from an older batch setup, and a Karpenter NodePool
 * bounded only by `limits.cpu`. Eight nodes today, but the three can grow the cluster to 113: past
 * the node-to-node mesh's 50 and past the blocks of its /20 pool. Operator install, IP-in-IP
 * CrossSubnet with BGP, Typha 2/2.
 */
export function karpenterGrowthPlan(): ClusterPlan {
  const apps = ['checkout', 'search'];
  return {
    name: 'karpenter-growth',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.6.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.6.0.0/19' },
      { ...EU_WEST_2.b, cidr: '10.6.32.0/19' },
      { ...EU_WEST_2.c, cidr: '10.6.64.0/19' },
    ],
    nodegroups: [
      { name: 'system', instanceType: 'm6i.large', minSize: 2, maxSize: 3, desiredSize: 2, subnets: [0, 1, 2], labels: { role: 'system' } },
      { name: 'legacy-batch', kind: 'self-managed', instanceType: 'm5.large', minSize: 1, maxSize: 10, desiredSize: 2, subnets: [0, 1], labels: { workload: 'batch' } },
      {
        name: 'default',
        kind: 'karpenter',
        instanceType: 'm6i.xlarge',
        minSize: 0,
        maxSize: 0,
        desiredSize: 4,
        subnets: [0, 1, 2],
        limits: { cpu: '400' },
        requirements: [
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
          { key: 'karpenter.k8s.aws/instance-cpu', operator: 'In', values: ['4', '8'] },
        ],
      },
    ],
    nodes: [
      { ip: '10.6.4.20', subnet: 0, nodegroup: 'system', sourceDestCheck: false },
      { ip: '10.6.40.31', subnet: 1, nodegroup: 'system', sourceDestCheck: false },
      { ip: '10.6.9.144', subnet: 0, nodegroup: 'legacy-batch', sourceDestCheck: false },
      { ip: '10.6.45.7', subnet: 1, nodegroup: 'legacy-batch', sourceDestCheck: false },
      { ip: '10.6.12.88', subnet: 0, nodegroup: 'default', sourceDestCheck: false },
      { ip: '10.6.51.200', subnet: 1, nodegroup: 'default', sourceDestCheck: false },
      { ip: '10.6.70.19', subnet: 2, nodegroup: 'default', sourceDestCheck: false },
      { ip: '10.6.83.240', subnet: 2, nodegroup: 'default', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha],
    eks: {
      version: '1.34',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 260,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'operator',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      // A /20 of /26 blocks: 64 nodes at most, chosen when the cluster was eight.
      pools: [pool('default-ipv4-ippool', '10.244.0.0/20', 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, healthPort: 9099, prometheusMetricsEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: apps,
    apps: [deploy('checkout', 'checkout-api', 3), deploy('search', 'search-indexer', 4), deploy('search', 'search-api', 2)],
    kubernetesNetworkPolicies: apps.map(sameNamespacePolicy),
  };
}
