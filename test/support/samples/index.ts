/**
 * The sample builder: snapshots of imaginary EKS clusters running Calico, in the shapes the real
 * APIs return. Used by `npm run samples` (samples/), the tests and the benchmarks; never shipped.
 *
 *   plan.ts          a cluster described once (ClusterPlan)
 *   snapshot.ts      buildSnapshot: plan → snapshot, layer by layer (cluster.ts holds what they share)
 *   aws/             EKS and EC2 objects
 *   kubernetes/      workloads, pods, nodes, namespaces, policies
 *   calico/          manifest and operator installs, IPAM, resources in either API group
 *   fleet/           the six sample clusters and their building blocks
 *   scaled.ts        clusters of any size for the benchmarks
 */
export type {
  AppPlan,
  BuildOptions,
  CalicoPlan,
  CalicoPolicyPlan,
  ClusterPlan,
  EksPlan,
  EncapsulationMode,
  KubePolicyPlan,
  NodegroupPlan,
  NodePlan,
  PoolPlan,
  SecurityGroupPlan,
  SgRulePlan,
  SubnetPlan,
  WorkloadKind,
} from './plan.js';
export { SAMPLE_COLLECTED_AT } from './plan.js';
export { buildSnapshot } from './snapshot.js';
export { GLOBAL_DENY_ALL, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, SG_RULES } from './fleet/building-blocks.js';
export {
  buildEc2Denied,
  buildEnterpriseVxlan,
  buildMesh120NoTypha,
  buildNativeMultiSubnetSrcDst,
  buildReferenceCrossSubnet,
  buildSample,
  buildVpcCniPolicyOnly,
  ec2DeniedPlan,
  enterpriseVxlanPlan,
  mesh120NoTyphaPlan,
  nativeMultiSubnetSrcDstPlan,
  referenceCrossSubnetPlan,
  SAMPLE_PLANS,
  SAMPLE_VARIANTS,
  vpcCniPolicyOnlyPlan,
  type SampleName,
} from './fleet/index.js';
export { buildScaledCluster, scaledClusterPlan, type ScaledClusterOptions } from './scaled.js';
