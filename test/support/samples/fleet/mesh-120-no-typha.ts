import type { ClusterPlan, NodePlan } from '../plan.js';
import { ALL_LOG_TYPES } from '../reference-data.js';
import { allowFromNamespace, BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES, spreadAddresses } from './building-blocks.js';

/**
 * d. 120 nodes on the node-to-node mesh without Typha, IP-in-IP Always across three subnets,
 * node groups able to reach 150 nodes; one node has stopped reporting.
 */
export function mesh120NoTyphaPlan(): ClusterPlan {
  const subnets = [
    { ...EU_WEST_2.a, cidr: '10.3.0.0/19' },
    { ...EU_WEST_2.b, cidr: '10.3.32.0/19' },
    { ...EU_WEST_2.c, cidr: '10.3.64.0/19' },
  ];
  const nodegroups = subnets.map((s, i) => ({
    name: `workers-${s.az.slice(-1)}`,
    instanceType: 'm6i.xlarge',
    minSize: 30,
    maxSize: 50,
    desiredSize: 40,
    subnets: [i],
  }));
  const nodes: NodePlan[] = subnets.flatMap((s, i) =>
    spreadAddresses(s.cidr, 40, 53 + i * 6).map((ip, j) => ({
      ip,
      subnet: i,
      nodegroup: nodegroups[i]!.name,
      sourceDestCheck: true,
      ...(i === 1 && j === 17 ? { ready: false } : {}),
    })),
  );
  return {
    name: 'mesh-120-no-typha',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.3.0.0/16',
    subnets,
    s3GatewayEndpoint: true,
    nodegroups,
    nodes,
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.ephemeral, SG_RULES.bgp, SG_RULES.ipip],
    extraNodeSecurityGroups: [
      {
        suffix: 'node-monitoring',
        description: 'Prometheus scraping of node exporters and Felix',
        rules: [
          { protocol: 'tcp', from: 9100, to: 9100, peer: '10.3.0.0/16', description: 'node-exporter from the VPC' },
          { protocol: 'tcp', from: 9091, to: 9091, peer: '10.3.0.0/16', description: 'Felix metrics from the VPC' },
        ],
      },
    ],
    eks: {
      version: '1.33',
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ALL_LOG_TYPES,
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 700,
    },
    calico: {
      version: 'v3.31.4',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 0,
      mtu: 8981,
      wireguard: false,
      // 10.244.0.0/18 holds 256 blocks of /26.
      pools: [pool('default-ipv4-ippool', '10.244.0.0/18', 'Always', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ prometheusMetricsEnabled: true }),
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: ['data-pipeline', 'monitoring', 'platform', 'recommendations', 'search'],
    apps: [
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true },
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus', replicas: 2 },
      deploy('monitoring', 'grafana', 1),
      deploy('monitoring', 'kube-state-metrics', 1),
      deploy('platform', 'api-gateway', 6),
      deploy('platform', 'auth-service', 4),
      deploy('platform', 'config-service', 2),
      deploy('search', 'search-api', 8),
      deploy('search', 'indexer', 4),
      deploy('recommendations', 'recs-api', 6),
      deploy('recommendations', 'recs-model-server', 10),
      deploy('data-pipeline', 'kafka-connect', 6),
      deploy('data-pipeline', 'stream-processor', 12),
      deploy('data-pipeline', 'etl-scheduler', 1),
    ],
    kubernetesNetworkPolicies: [sameNamespacePolicy('platform'), allowFromNamespace('search', 'platform', 'search-api', 8080)],
  };
}
