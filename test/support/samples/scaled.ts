/** Scaled clusters for benchmarks: the reference architecture at any node count. */
import type { Snapshot } from '../../../src/snapshot/schema.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, GLOBAL_DENY_ALL, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES, spreadAddresses } from './fleet/building-blocks.js';
import type { AppPlan, BuildOptions, ClusterPlan, NodePlan } from './plan.js';
import { buildSnapshot } from './snapshot.js';

export interface ScaledClusterOptions extends BuildOptions {
  name?: string;
  /** Pods per node, counting the per-node DaemonSet pods; about 20 by default. */
  podsPerNode?: number;
  /**
   * The shapes that hurt (issue 13): every application pod in this many namespaces (default: one
   * team per 100 nodes, 2 to 50); nodes spread over this many subnets (default 3, at most 64);
   * this many extra security groups, node i carrying group i mod N (default 1, shared by all);
   * this many IP pools (default 1); this many global policies besides the default deny, in the
   * default tier (default none).
   */
  namespaces?: number;
  subnets?: number;
  securityGroups?: number;
  pools?: number;
  policies?: number;
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
  const subnetCount = options.subnets ?? 3;
  if (!Number.isInteger(subnetCount) || subnetCount < 1 || subnetCount > 64) throw new RangeError(`subnets must be an integer from 1 to 64, not ${subnetCount}`);
  const zones = [EU_WEST_2.a, EU_WEST_2.b, EU_WEST_2.c];
  // Three /18s by default; more subnets split 10.0.0.0/16 into /22s.
  const subnets = Array.from({ length: subnetCount }, (_, i) =>
    subnetCount <= 3 ? { ...zones[i]!, cidr: `10.0.${i * 64}.0/18` } : { ...zones[i % 3]!, cidr: `10.0.${i * 4}.0/22` },
  );
  const perSubnet = subnets.map((_, i) => Math.floor(nodeCount / subnetCount) + (i < nodeCount % subnetCount ? 1 : 0));
  const nodegroups = subnets.map((s, i) => ({
    name: subnetCount <= 3 ? `workers-${s.az.slice(-1)}` : `workers-${i + 1}`,
    instanceType: 'm6i.2xlarge',
    minSize: perSubnet[i]!,
    maxSize: Math.max(1, Math.ceil((nodeCount * 1.25) / subnetCount)),
    desiredSize: perSubnet[i]!,
    subnets: [i],
  }));
  const groupCount = options.securityGroups ?? 1;
  let nodeNumber = 0;
  const nodes: NodePlan[] = subnets.flatMap((s, i) =>
    spreadAddresses(s.cidr, perSubnet[i]!, 7).map((ip, j) => ({
      ip,
      subnet: i,
      nodegroup: nodegroups[i]!.name,
      sourceDestCheck: false,
      ...(groupCount > 1 ? { extraGroups: [nodeNumber++ % groupCount] } : {}),
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
  const teams = options.namespaces ?? Math.min(50, Math.max(2, Math.ceil(nodeCount / 100)));
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
    extraNodeSecurityGroups: Array.from({ length: groupCount }, (_, i) => ({
      suffix: groupCount > 1 ? `node-monitoring-${i + 1}` : 'node-monitoring',
      description: 'Prometheus scraping of node exporters and Felix',
      rules: [
        { protocol: 'tcp', from: 9100, to: 9100, peer: '10.0.0.0/16', description: 'node-exporter from the VPC' },
        { protocol: 'tcp', from: 9091, to: 9091, peer: '10.0.0.0/16', description: 'Felix metrics from the VPC' },
      ],
    })),
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
      pools: scaledPools(options.pools ?? 1, poolPrefix),
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false },
      // Seed 002's global route reflection: workers peer with reflectors, reflectors with each other.
      bgpPeers: [
        { name: 'node-peer-to-rr', spec: { nodeSelector: '!has(route-reflector)', peerSelector: 'has(route-reflector)' } },
        { name: 'rr-to-rr-peer', spec: { nodeSelector: 'has(route-reflector)', peerSelector: 'has(route-reflector)' } },
      ],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true, wireguardEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL, ...tieredPolicies(options.policies ?? 0)],
      networkPolicies: [],
      apiGroup: options.apiGroup ?? 'crd.projectcalico.org/v1',
    },
    namespaces: ['monitoring', ...namespaces],
    apps,
    kubernetesNetworkPolicies: namespaces.map(sameNamespacePolicy),
  };
}

/** The default pool for every node, and N-1 more selecting nodes labelled `pool-group` (none yet). */
function scaledPools(count: number, poolPrefix: number) {
  const main = pool('default-ipv4-ippool', `172.16.0.0/${Math.max(12, poolPrefix)}`, 'CrossSubnet', 'Never');
  // The others: /24s of 100.64.0.0/10 kept for node groups to come (no node carries `pool-group`).
  const kept = Array.from({ length: Math.max(0, count - 1) }, (_, i) => ({
    ...pool(`pool-${String(i + 1).padStart(3, '0')}`, `100.${64 + Math.floor(i / 256)}.${i % 256}.0/24`, 'CrossSubnet', 'Never'),
    nodeSelector: `pool-group == '${i + 1}'`,
  }));
  return [main, ...kept];
}

/** N global policies besides the default deny, spread over the default tier, each allowing one port between two apps. */
function tieredPolicies(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `allow-${String(i + 1).padStart(4, '0')}`,
    spec: {
      order: 100 + (i % 1800),
      selector: `app == 'service-${(i % 3) + 1}'`,
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: `app == 'service-${((i + 1) % 3) + 1}'` }, destination: { ports: [1024 + i] } }],
    },
  }));
}

/** A valid snapshot of an N-node cluster (deterministic), for benchmarks up to thousands of nodes. */
export function buildScaledCluster(nodeCount: number, options: ScaledClusterOptions = {}): Snapshot {
  return buildSnapshot(scaledClusterPlan(nodeCount, options), options);
}
