import type { ClusterPlan } from '../plan.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, SG_RULES } from './building-blocks.js';

/**
 * c. Native routing (no encapsulation) across three subnets while EC2 still checks source and
 * destination: Felix is told to switch the check off (`FELIX_AWSSRCDSTCHECK=Disable`) but cannot.
 */
export function nativeMultiSubnetSrcDstPlan(): ClusterPlan {
  return {
    name: 'native-multisubnet-srcdst',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.2.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.2.0.0/20' },
      { ...EU_WEST_2.b, cidr: '10.2.16.0/20' },
      { ...EU_WEST_2.c, cidr: '10.2.32.0/20' },
    ],
    nodegroups: [{ name: 'batch-workers', instanceType: 'm5.large', minSize: 3, maxSize: 8, desiredSize: 5, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.2.3.41', subnet: 0, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.11.8', subnet: 0, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.18.77', subnet: 1, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.25.190', subnet: 1, nodegroup: 'batch-workers', sourceDestCheck: true },
      { ip: '10.2.36.14', subnet: 2, nodegroup: 'batch-workers', sourceDestCheck: true },
    ],
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.bgp],
    eks: {
      version: '1.34',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['198.51.100.0/24'],
      logTypes: [],
      kms: false,
      serviceCidr: '172.20.0.0/16',
      ageDays: 210,
    },
    calico: {
      version: 'v3.30.3',
      variant: 'Calico',
      install: 'manifest',
      cni: 'Calico',
      bgp: true,
      typhaReplicas: 0,
      mtu: 9001,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'Never', 'Never')],
      // Nobody created a BGPConfiguration: Calico's defaults (mesh on, AS 64512) apply.
      bgpConfiguration: null,
      bgpPeers: [],
      felix: felixSpec({}),
      calicoNodeEnv: { FELIX_AWSSRCDSTCHECK: 'Disable' },
      globalPolicies: [],
      networkPolicies: [],
      apiGroup: 'crd.projectcalico.org/v1',
    },
    namespaces: ['analytics', 'batch'],
    apps: [
      deploy('batch', 'job-runner', 2),
      deploy('batch', 'report-builder', 1),
      deploy('analytics', 'spark-operator', 1),
      deploy('analytics', 'analytics-api', 2),
    ],
    kubernetesNetworkPolicies: [],
  };
}
