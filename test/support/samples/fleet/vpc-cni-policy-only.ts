import type { ClusterPlan } from '../plan.js';
import { ALL_LOG_TYPES } from '../reference-data.js';
import { allowFromNamespace, BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, nsSelector, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, SG_RULES } from './building-blocks.js';

/**
 * e. The AWS VPC CNI networks pods; Calico (operator, `cni.type: AmazonVPC`) only enforces policy.
 * No IP pools, no IPAM blocks, pods on VPC addresses.
 */
export function vpcCniPolicyOnlyPlan(): ClusterPlan {
  return {
    name: 'vpc-cni-policy-only',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.4.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.4.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.4.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.4.32.0/20' },
    ],
    nodegroups: [{ name: 'default', instanceType: 'm5.large', minSize: 3, maxSize: 9, desiredSize: 3, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.4.5.20', subnet: 0, nodegroup: 'default', sourceDestCheck: true },
      { ip: '10.4.21.133', subnet: 1, nodegroup: 'default', sourceDestCheck: true },
      { ip: '10.4.40.77', subnet: 2, nodegroup: 'default', sourceDestCheck: true },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.ephemeral],
    eks: {
      version: '1.35',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ALL_LOG_TYPES,
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 150,
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
      felix: felixSpec({ healthPort: 9099, prometheusMetricsEnabled: true, routeTableRange: { max: 99, min: 65 } }),
      // A tier of its own that ends in Pass: a deny-only policy in the default tier would drop everything else of every pod it selects.
      extraTiers: [{ name: 'security', order: 100, defaultAction: 'Pass' }],
      globalPolicies: [
        {
          name: 'deny-instance-metadata',
          tier: 'security',
          spec: { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] },
        },
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
    namespaces: ['api', 'web'],
    apps: [deploy('web', 'frontend', 2), deploy('api', 'api-server', 3), deploy('api', 'queue-worker', 2)],
    kubernetesNetworkPolicies: [
      {
        namespace: 'web',
        name: 'frontend',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.4.0.0/16' } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
          egress: [{ to: [{ namespaceSelector: nsSelector('api') }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        },
      },
      allowFromNamespace('api', 'web', 'api-server', 8080),
      {
        namespace: 'api',
        name: 'allow-https-egress',
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.4.0.0/16'] } }], ports: [{ port: 443, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}
