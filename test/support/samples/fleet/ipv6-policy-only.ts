import type { ClusterPlan } from '../plan.js';
import { ALL_LOG_TYPES } from '../reference-data.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, SAMPLE_ACCOUNT_ID, SAMPLE_REGION } from './building-blocks.js';

/**
 * h. An IPv6 EKS cluster: the VPC CNI gives pods IPv6 addresses from each node's delegated /80,
 * Calico (operator, `cni.type: AmazonVPC`) enforces policy with Typha. calico-node reaches Typha
 * over the nodes' IPv6 addresses, which the node group admits by an `Ipv6Ranges` rule for the
 * VPC's /56 (documentation range 2001:db8::/32).
 */
export function ipv6PolicyOnlyPlan(): ClusterPlan {
  return {
    name: 'ipv6-policy-only',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.7.0.0/16',
    ipv6: { vpcCidr: '2001:db8:7a00::/56', serviceCidr: 'fd3a:9c2e:51b7::/108' },
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.7.0.0/20', ipv6Cidr: '2001:db8:7a00::/64' },
      { ...EU_WEST_2.b, cidr: '10.7.16.0/20', ipv6Cidr: '2001:db8:7a00:1::/64' },
      { ...EU_WEST_2.c, cidr: '10.7.32.0/20', ipv6Cidr: '2001:db8:7a00:2::/64' },
    ],
    nodegroups: [{ name: 'general', instanceType: 'm6i.large', minSize: 3, maxSize: 6, desiredSize: 3, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.7.3.18', subnet: 0, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.7.20.201', subnet: 1, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.7.37.66', subnet: 2, nodegroup: 'general', sourceDestCheck: true },
    ],
    nodeSecurityGroupRules: [
      ...BASE_NODE_RULES,
      { protocol: 'tcp', from: 5473, to: 5473, peer: '2001:db8:7a00::/56', description: 'calico-node to Calico Typha over IPv6' },
      { protocol: 'tcp', from: 1025, to: 65535, peer: '2001:db8:7a00::/56', description: 'Node to node ingress on ephemeral ports (IPv6)' },
    ],
    eks: {
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ALL_LOG_TYPES,
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 95,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'operator',
      cni: 'AmazonVPC',
      bgp: false,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      pools: [],
      bgpConfiguration: null,
      bgpPeers: [],
      felix: felixSpec({ healthPort: 9099, prometheusMetricsEnabled: true }),
      globalPolicies: [
        {
          name: 'default-deny',
          spec: {
            order: 2000,
            namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system', 'tigera-operator'}",
            selector: 'all()',
            types: ['Ingress', 'Egress'],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
              { action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
            ],
          },
        },
      ],
      networkPolicies: [],
      apiGroup: 'projectcalico.org/v3',
    },
    namespaces: ['payments'],
    apps: [deploy('payments', 'payments-api', 3)],
    kubernetesNetworkPolicies: [
      {
        namespace: 'payments',
        name: 'allow-from-vpc',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payments-api' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '2001:db8:7a00::/56' } }], ports: [{ port: 8443, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}
