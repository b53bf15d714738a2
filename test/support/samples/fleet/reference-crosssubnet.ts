import type { ClusterPlan } from '../plan.js';
import { allowEgressToNamespaces, allowFromNamespace, BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, GLOBAL_DENY_ALL, nsSelector, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES } from './building-blocks.js';

/**
 * b. Seed 002's reference architecture on EKS: Kubernetes datastore, manifest install with Typha
 * (3 replicas and a PodDisruptionBudget), IP-in-IP CrossSubnet over three subnets with every
 * source/destination check off, MTU sized for WireGuard on jumbo frames, a global default deny
 * refined by namespace policies, private API endpoint, audit logging and KMS.
 */
export function referenceCrossSubnetPlan(): ClusterPlan {
  const apps = ['catalog', 'ingress-nginx', 'monitoring', 'orders', 'payments', 'storefront'];
  return {
    name: 'reference-crosssubnet',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.0.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.0.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.0.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.0.32.0/20' },
    ],
    s3GatewayEndpoint: true,
    nodegroups: [{ name: 'workers', instanceType: 'm5.large', minSize: 6, maxSize: 12, desiredSize: 6, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.0.1.15', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.9.200', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.17.42', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.22.131', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.33.87', subnet: 2, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.0.40.12', subnet: 2, nodegroup: 'workers', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha, SG_RULES.wireguard],
    eks: {
      // 1.35 rather than 1.33: at the collection date 1.33 is out of EKS standard support.
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 320,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 3,
      // 9001 jumbo frames less WireGuard's 60 bytes.
      mtu: 8941,
      wireguard: true,
      pools: [pool('default-ipv4-ippool', '172.16.0.0/16', 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true, wireguardEnabled: true }),
      globalPolicies: [GLOBAL_DENY_ALL],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: apps,
    // The network-policy-api CRDs are installed; no admin policy is written yet.
    adminNetworkPolicies: { admin: [], baseline: [] },
    apps: [
      deploy('ingress-nginx', 'ingress-nginx-controller', 2),
      deploy('storefront', 'storefront-web', 3),
      deploy('catalog', 'catalog-api', 3),
      deploy('catalog', 'catalog-search', 2),
      deploy('orders', 'orders-api', 3),
      deploy('orders', 'orders-worker', 2),
      deploy('payments', 'payments-api', 2),
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus', replicas: 1 },
      deploy('monitoring', 'grafana', 1),
      deploy('monitoring', 'kube-state-metrics', 1),
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'node-exporter', hostNetwork: true },
    ],
    kubernetesNetworkPolicies: [
      ...apps.map(sameNamespacePolicy),
      allowFromNamespace('storefront', 'ingress-nginx', 'storefront-web', 8080),
      allowEgressToNamespaces('storefront', 'allow-egress-to-apis', 'storefront-web', ['catalog', 'orders'], 8080),
      allowFromNamespace('catalog', 'storefront', 'catalog-api', 8080),
      allowFromNamespace('orders', 'storefront', 'orders-api', 8080),
      allowEgressToNamespaces('orders', 'allow-egress-to-payments', 'orders-api', ['payments'], 8443),
      allowFromNamespace('payments', 'orders', 'payments-api', 8443),
      {
        namespace: 'ingress-nginx',
        name: 'allow-ingress-from-vpc',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx-controller' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }],
          egress: [{ to: [{ namespaceSelector: nsSelector('storefront') }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        },
      },
      {
        namespace: 'monitoring',
        name: 'allow-scrape-egress',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080, protocol: 'TCP' }, { port: 9091, protocol: 'TCP' }, { port: 9100, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}
