import type { ClusterPlan } from '../plan.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, SG_RULES } from './building-blocks.js';

/**
 * i. Halfway through a move from IP-in-IP to VXLAN (Calico's "migrate from one IP pool to another"):
 * the old IP-in-IP pool is disabled but the pods not yet restarted still hold its addresses, so
 * BGP and IP protocol 4 must keep flowing until they restart, and switching BGP off now would cut
 * them off. The new pool is VXLAN CrossSubnet, outside the VPC, with natOutgoing.
 */
export function poolMigrationPlan(): ClusterPlan {
  return {
    name: 'pool-migration',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.8.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.8.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.8.16.0/20' },
    ],
    nodegroups: [{ name: 'workers', instanceType: 'm6i.large', minSize: 4, maxSize: 8, desiredSize: 4, subnets: [0, 1] }],
    nodes: [
      { ip: '10.8.2.14', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.8.7.120', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.8.19.33', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.8.28.201', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.vxlan, SG_RULES.typha],
    eks: {
      version: '1.34',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit', 'authenticator'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 400,
    },
    calico: {
      version: 'v3.31.7',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      pools: [
        {
          name: 'ipip-pool',
          cidr: '10.48.0.0/16',
          blockSize: 26,
          ipipMode: 'Always',
          vxlanMode: 'Never',
          natOutgoing: true,
          disabled: true,
          // Not restarted since the pool was disabled: their pods still hold its addresses.
          drainingWorkloads: ['ledger/ledger-api', 'ledger/ledger-worker'],
        },
        { name: 'vxlan-pool', cidr: '100.64.0.0/18', blockSize: 26, ipipMode: 'Never', vxlanMode: 'CrossSubnet', natOutgoing: true },
      ],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ awsSrcDstCheck: 'Disable', bpfEnabled: false, prometheusMetricsEnabled: true }),
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: ['ledger', 'web'],
    apps: [deploy('ledger', 'ledger-api', 3), deploy('ledger', 'ledger-worker', 2), deploy('web', 'storefront', 3)],
    kubernetesNetworkPolicies: [],
  };
}
