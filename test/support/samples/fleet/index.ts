/** The built-in sample fleet (samples/fleet, `npm run samples`): nine clusters, each built to show one situation. */
import type { CalicoApiGroup, Snapshot } from '../../../../src/snapshot/schema.js';
import type { BuildOptions, ClusterPlan } from '../plan.js';
import { buildSnapshot } from '../snapshot.js';
import { ec2DeniedPlan } from './ec2-denied.js';
import { enterpriseVxlanPlan } from './enterprise-vxlan.js';
import { mesh120NoTyphaPlan } from './mesh-120-no-typha.js';
import { nativeMultiSubnetSrcDstPlan } from './native-multisubnet-srcdst.js';
import { referenceCrossSubnetPlan } from './reference-crosssubnet.js';
import { vpcCniPolicyOnlyPlan } from './vpc-cni-policy-only.js';
import { karpenterGrowthPlan } from './karpenter-growth.js';
import { ipv6PolicyOnlyPlan } from './ipv6-policy-only.js';
import { poolMigrationPlan } from './pool-migration.js';

export {
  ec2DeniedPlan,
  enterpriseVxlanPlan,
  ipv6PolicyOnlyPlan,
  karpenterGrowthPlan,
  mesh120NoTyphaPlan,
  nativeMultiSubnetSrcDstPlan,
  poolMigrationPlan,
  referenceCrossSubnetPlan,
  vpcCniPolicyOnlyPlan,
};

/** The built-in fleet: file name (without `.json`) → plan. */
export const SAMPLE_PLANS = {
  'enterprise-vxlan': enterpriseVxlanPlan,
  'reference-crosssubnet': referenceCrossSubnetPlan,
  'native-multisubnet-srcdst': nativeMultiSubnetSrcDstPlan,
  'mesh-120-no-typha': mesh120NoTyphaPlan,
  'vpc-cni-policy-only': vpcCniPolicyOnlyPlan,
  'ec2-denied': ec2DeniedPlan,
  'karpenter-growth': karpenterGrowthPlan,
  'ipv6-policy-only': ipv6PolicyOnlyPlan,
  'pool-migration': poolMigrationPlan,
} as const satisfies Record<string, () => ClusterPlan>;

export type SampleName = keyof typeof SAMPLE_PLANS;

export const buildSample = (name: SampleName, options?: BuildOptions): Snapshot => buildSnapshot(SAMPLE_PLANS[name](), options);

export const buildEnterpriseVxlan = (options?: BuildOptions): Snapshot => buildSnapshot(enterpriseVxlanPlan(), options);
export const buildReferenceCrossSubnet = (options?: BuildOptions): Snapshot => buildSnapshot(referenceCrossSubnetPlan(), options);
export const buildNativeMultiSubnetSrcDst = (options?: BuildOptions): Snapshot => buildSnapshot(nativeMultiSubnetSrcDstPlan(), options);
export const buildMesh120NoTypha = (options?: BuildOptions): Snapshot => buildSnapshot(mesh120NoTyphaPlan(), options);
export const buildVpcCniPolicyOnly = (options?: BuildOptions): Snapshot => buildSnapshot(vpcCniPolicyOnlyPlan(), options);
export const buildEc2Denied = (options?: BuildOptions): Snapshot => buildSnapshot(ec2DeniedPlan(), options);

/** Samples also published in the other Calico API group, outside the fleet, for equivalence tests. */
export const SAMPLE_VARIANTS: ReadonlyArray<{ file: string; sample: SampleName; apiGroup: CalicoApiGroup }> = [
  { file: 'enterprise-vxlan.crd-v1.json', sample: 'enterprise-vxlan', apiGroup: 'crd.projectcalico.org/v1' },
  { file: 'reference-crosssubnet.v3.json', sample: 'reference-crosssubnet', apiGroup: 'projectcalico.org/v3' },
];
