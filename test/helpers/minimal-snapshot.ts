import type { Snapshot } from '../../src/snapshot/schema.js';

/** A snapshot with every list collected and empty, for tests that place a few objects of their own. */
export function emptySnapshot(overrides: { clusterName?: string } = {}): Snapshot {
  return {
    schemaVersion: 1,
    collectedAt: '2026-11-23T02:00:00Z',
    collector: { name: 'calico-eks-auditor', version: '0.1.0' },
    target: { accountId: '111122223333', region: 'eu-west-2', clusterName: overrides.clusterName ?? 'empty' },
    aws: { cluster: null, nodegroups: [], addons: [], instances: [], securityGroups: [], subnets: [], routeTables: [], vpc: null },
    kubernetes: {
      serverVersion: { major: '1', minor: '33', gitVersion: 'v1.33.5-eks-113cf36' },
      nodes: [],
      namespaces: [],
      pods: [],
      networkPolicies: [],
      daemonSets: [],
      deployments: [],
      podDisruptionBudgets: [],
      configMaps: [],
      services: [],
      endpointSlices: [],
      adminNetworkPolicies: [],
      baselineAdminNetworkPolicies: [],
    },
    calico: {
      apiGroup: null,
      installation: null,
      clusterInformations: [],
      ippools: [],
      ipamBlocks: [],
      bgpConfigurations: [],
      bgpPeers: [],
      felixConfigurations: [],
      kubeControllersConfigurations: [],
      tiers: [],
      globalNetworkPolicies: [],
      networkPolicies: [],
      globalNetworkSets: [],
      networkSets: [],
      hostEndpoints: [],
      stagedGlobalNetworkPolicies: [],
      stagedNetworkPolicies: [],
      stagedKubernetesNetworkPolicies: [],
    },
    errors: [],
  };
}
