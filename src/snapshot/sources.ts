/**
 * The canonical name of the API call behind each snapshot field. Collectors record failures in
 * `errors[].source` under these names; the assessment uses them to say which missing data made a
 * check `unknown`.
 */
export const SNAPSHOT_SOURCES = {
  'aws.cluster': 'eks:DescribeCluster',
  'aws.nodegroups': 'eks:DescribeNodegroup',
  'aws.addons': 'eks:DescribeAddon',
  'aws.instances': 'ec2:DescribeInstances',
  'aws.securityGroups': 'ec2:DescribeSecurityGroups',
  'aws.subnets': 'ec2:DescribeSubnets',
  'aws.routeTables': 'ec2:DescribeRouteTables',
  'aws.vpc': 'ec2:DescribeVpcs',
  'aws.autoScalingGroups': 'autoscaling:DescribeAutoScalingGroups',
  'kubernetes.serverVersion': 'kubernetes:version',
  'kubernetes.nodes': 'kubernetes:nodes',
  'kubernetes.namespaces': 'kubernetes:namespaces',
  'kubernetes.pods': 'kubernetes:pods',
  'kubernetes.networkPolicies': 'kubernetes:networkpolicies',
  'kubernetes.daemonSets': 'kubernetes:daemonsets',
  'kubernetes.deployments': 'kubernetes:deployments',
  'kubernetes.podDisruptionBudgets': 'kubernetes:poddisruptionbudgets',
  'kubernetes.configMaps': 'kubernetes:configmaps',
  'kubernetes.services': 'kubernetes:services',
  'kubernetes.endpointSlices': 'kubernetes:endpointslices',
  'kubernetes.adminNetworkPolicies': 'kubernetes:adminnetworkpolicies',
  'kubernetes.baselineAdminNetworkPolicies': 'kubernetes:baselineadminnetworkpolicies',
  'kubernetes.karpenterNodePools': 'kubernetes:nodepools.karpenter.sh',
  'calico.installation': 'operator:installations',
  'calico.clusterInformations': 'calico:clusterinformations',
  'calico.ippools': 'calico:ippools',
  'calico.ipamBlocks': 'calico:ipamblocks',
  'calico.bgpConfigurations': 'calico:bgpconfigurations',
  'calico.bgpPeers': 'calico:bgppeers',
  'calico.felixConfigurations': 'calico:felixconfigurations',
  'calico.kubeControllersConfigurations': 'calico:kubecontrollersconfigurations',
  'calico.tiers': 'calico:tiers',
  'calico.globalNetworkPolicies': 'calico:globalnetworkpolicies',
  'calico.networkPolicies': 'calico:networkpolicies',
  'calico.globalNetworkSets': 'calico:globalnetworksets',
  'calico.networkSets': 'calico:networksets',
  'calico.hostEndpoints': 'calico:hostendpoints',
  'calico.stagedGlobalNetworkPolicies': 'calico:stagedglobalnetworkpolicies',
  'calico.stagedNetworkPolicies': 'calico:stagednetworkpolicies',
  'calico.stagedKubernetesNetworkPolicies': 'calico:stagedkubernetesnetworkpolicies',
} as const;

export type SnapshotField = keyof typeof SNAPSHOT_SOURCES;
