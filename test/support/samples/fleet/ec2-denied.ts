import type { ClusterPlan } from '../plan.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, sameNamespacePolicy, SG_RULES } from './building-blocks.js';

/** f. The collector's role may not read EC2: every EC2 list is `null` with its error; the rest was read. */
export function ec2DeniedPlan(): ClusterPlan {
  return {
    name: 'ec2-denied',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.5.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.5.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.5.16.0/20' },
    ],
    nodegroups: [{ name: 'workers', instanceType: 'm5.large', minSize: 2, maxSize: 6, desiredSize: 4, subnets: [0, 1] }],
    nodes: [
      { ip: '10.5.4.12', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.9.201', subnet: 0, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.20.33', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
      { ip: '10.5.27.150', subnet: 1, nodegroup: 'workers', sourceDestCheck: false },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp, SG_RULES.ipip, SG_RULES.typha],
    eks: {
      version: '1.34',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
      logTypes: ['audit'],
      kms: true,
      serviceCidr: '172.20.0.0/16',
      ageDays: 120,
    },
    calico: {
      version: 'v3.31.5',
      variant: 'Calico',
      install: 'operator',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 2,
      // The 1440 copied from generic docs: far below what jumbo frames allow with IP-in-IP (8981).
      mtu: 1440,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'CrossSubnet', 'Never')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true },
      bgpPeers: [],
      felix: felixSpec({ healthPort: 9099 }),
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'projectcalico.org/v3',
    },
    namespaces: ['ledger', 'reporting'],
    apps: [deploy('ledger', 'ledger-api', 2), deploy('ledger', 'ledger-worker', 1), deploy('reporting', 'report-api', 1)],
    kubernetesNetworkPolicies: [sameNamespacePolicy('ledger')],
    denied: ['aws.instances', 'aws.securityGroups', 'aws.subnets', 'aws.routeTables', 'aws.vpc'],
  };
}
