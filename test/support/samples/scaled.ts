/** Scaled clusters for benchmarks: the reference architecture at any node count. */
import type { Snapshot } from '../../../src/snapshot/schema.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, GLOBAL_DENY_ALL, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES, spreadAddresses } from './fleet/building-blocks.js';
import type { AppPlan, BuildOptions, ClusterPlan, NodePlan } from './plan.js';
import { buildSnapshot } from './snapshot.js';

export interface ScaledClusterOptions extends BuildOptions {
  name?: string;
  /** Pods per node, counting the per-node DaemonSet pods; about 20 by default. */
  podsPerNode?: number;
}

/**
 * The reference architecture at any size: route reflectors instead of the mesh (one per subnet),
 * Typha scaled one replica per 200 nodes (at least 3), a pool sized for the node groups'
 * maximum plus headroom, ~20 pods per node, and a handful of security groups shared by all nodes.
 */
export function scaledClusterPlan(nodeCount: number, options: ScaledClusterOptions = {}): ClusterPlan {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 16_000) throw new RangeError(`nodeCount must be an integer from 1 to 16000, not ${nodeCount}`);
  const name = options.name ?? `scaled-${nodeCount}`;
  const podsPerNode = options.podsPerNode ?? 20;
  const subnets = [
    { ...EU_WEST_2.a, cidr: '10.0.0.0/18' },
    { ...EU_WEST_2.b, cidr: '10.0.64.0/18' },
    { ...EU_WEST_2.c, cidr: '10.0.128.0/18' },
  ];
  const perSubnet = [0, 1, 2].map((i) => Math.floor(nodeCount / 3) + (i < nodeCount % 3 ? 1 : 0));
  const nodegroups = subnets.map((s, i) => ({
    name: `workers-${s.az.slice(-1)}`,
    instanceType: 'm6i.2xlarge',
    minSize: perSubnet[i]!,
    maxSize: Math.max(1, Math.ceil((nodeCount * 1.25) / 3)),
    desiredSize: perSubnet[i]!,
    subnets: [i],
  }));
  const nodes: NodePlan[] = subnets.flatMap((s, i) =>
    spreadAddresses(s.cidr, perSubnet[i]!, 7).map((ip, j) => ({
      ip,
      subnet: i,
      nodegroup: nodegroups[i]!.name,
      sourceDestCheck: false,
      // The first node of each subnet reflects routes for the others.
      ...(j === 0 ? { labels: { 'route-reflector': 'true' }, annotations: { 'projectcalico.org/RouteReflectorClusterID': '244.0.0.1' } } : {}),
    })),
  );
  // Blocks for every node the node groups can hold, with room for extra blocks on busy nodes and 50% headroom.
  const maxNodes = nodegroups.reduce((sum, ng) => sum + ng.maxSize, 0);
  const blocksPerNode = Math.ceil((podsPerNode + 4) / 64);
  const poolPrefix = Math.max(8, Math.min(20, 26 - Math.ceil(Math.log2(maxNodes * blocksPerNode * 1.5))));

  // Per-node DaemonSet pods: calico-node, kube-proxy, ebs-csi-node, eks-pod-identity-agent, node-exporter.
  const appPods = Math.max(0, nodeCount * (podsPerNode - 5) - 7 - Math.max(3, Math.min(20, Math.ceil(nodeCount / 200))));
  const teams = Math.min(50, Math.max(2, Math.ceil(nodeCount / 100)));
  const namespaces = Array.from({ length: teams }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  const apps: AppPlan[] = [{ kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true }];
  const workloadsPerTeam = 3;
  const total = teams * workloadsPerTeam;
  for (let w = 0; w < total; w++) {
    const replicas = Math.floor(appPods / total) + (w < appPods % total ? 1 : 0);
    if (replicas > 0) apps.push(deploy(namespaces[Math.floor(w / workloadsPerTeam)]!, `service-${String((w % workloadsPerTeam) + 1)}`, replicas));
  }

  return {
    name,
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.0.0.0/16',
    subnets,
    s3GatewayEndpoint: true,
    nodegroups,
    nodes,
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha, SG_RULES.wireguard],
    extraNodeSecurityGroups: [
      {
        suffix: 'node-monitoring',
        description: 'Prometheus scraping of node exporters and Felix',
        rules: [
          { protocol: 'tcp', from: 9100, to: 9100, peer: '10.0.0.0/16', description: 'node-exporter from the VPC' },
          { protocol: 'tcp', from: 9091, to: 9091, peer: '10.0.0.0/16', description: 'Felix metrics from the VPC' },
        ],
      },
    ],
    eks: {
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      // Clear of the VPC and of pools up to 172.16.0.0/12.
      serviceCidr: '10.100.0.0/16',
      ageDays: 400,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: Math.max(3, Math.min(20, Math.ceil(nodeCount / 200))),
      mtu: 8941,
      wireguard: true,
      pools: [pool('default-ipv4-ippool', `172.16.0.0/${Math.max(12, poolPrefix)}`, 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false },
      // Seed 002's global route reflection: workers peer with reflectors, reflectors with each other.
      bgpPeers: [
        { name: 'node-peer-to-rr', spec: { nodeSelector: '!has(route-reflector)', peerSelector: 'has(route-reflector)' } },
        { name: 'rr-to-rr-peer', spec: { nodeSelector: 'has(route-reflector)', peerSelector: 'has(route-reflector)' } },
      ],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true, wireguardEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL],
      networkPolicies: [],
      apiGroup: options.apiGroup ?? 'crd.projectcalico.org/v1',
    },
    namespaces: ['monitoring', ...namespaces],
    apps,
    kubernetesNetworkPolicies: namespaces.map(sameNamespacePolicy),
  };
}

/** A valid snapshot of an N-node cluster (deterministic), for benchmarks up to thousands of nodes. */
export function buildScaledCluster(nodeCount: number, options: ScaledClusterOptions = {}): Snapshot {
  return buildSnapshot(scaledClusterPlan(nodeCount, options), options);
}
