/** The CNI mode: who routes pod traffic, and with which encapsulation. */
import type { ClusterModel } from '../model.js';
import type { Facts } from '../facts.js';
import type { PoolEncapsulation, PoolFact } from './pools.js';
export type CniMode =
  | 'calico-vxlan'
  | 'calico-vxlan-crosssubnet'
  | 'calico-ipip'
  | 'calico-ipip-crosssubnet'
  | 'calico-native'
  | 'calico-mixed'
  | 'calico-no-pools'
  | 'aws-vpc-cni-policy-only'
  | 'other-cni-policy-only'
  | 'no-calico';

export const CNI_MODE_LABELS: Record<CniMode, string> = {
  'calico-vxlan': 'Calico VXLAN overlay',
  'calico-vxlan-crosssubnet': 'Calico VXLAN across subnets, native within a subnet',
  'calico-ipip': 'Calico IP-in-IP overlay',
  'calico-ipip-crosssubnet': 'Calico IP-in-IP across subnets, native within a subnet (CrossSubnet)',
  'calico-native': 'Calico native routing (no encapsulation)',
  'calico-mixed': 'Calico with pools of different encapsulations',
  'calico-no-pools': 'Calico CNI with no enabled IPv4 pool',
  'aws-vpc-cni-policy-only': 'AWS VPC CNI, Calico for network policy only',
  'other-cni-policy-only': 'Another CNI plugin, Calico for network policy only',
  'no-calico': 'Calico not found',
};

export function cniFacts(model: ClusterModel, pools: PoolFact[] | null): Facts['cni'] {
  const { install } = model;
  const make = (mode: CniMode | null) => ({
    mode,
    label: mode ? CNI_MODE_LABELS[mode] : 'not determined (data not collected)',
    plugin: install.cni,
    source: install.cniSource,
  });
  if (install.presence === 'absent') return make('no-calico');
  if (install.cni === 'AmazonVPC') return make('aws-vpc-cni-policy-only');
  if (install.cni === 'other') return make('other-cni-policy-only');
  if (install.cni !== 'Calico' || !pools) return make(null);
  // Draining pools count: their pods are still routed with the pool's encapsulation.
  const routing = pools.filter((p) => p.carriesTraffic === true && p.ipVersion === 4);
  const kinds = new Set(routing.map((p) => p.encapsulation));
  if (kinds.size === 0) return make('calico-no-pools');
  if (kinds.size > 1) return make('calico-mixed');
  const only = [...kinds][0]!;
  const byEncapsulation: Record<PoolEncapsulation, CniMode> = {
    VXLAN: 'calico-vxlan',
    VXLANCrossSubnet: 'calico-vxlan-crosssubnet',
    IPIP: 'calico-ipip',
    IPIPCrossSubnet: 'calico-ipip-crosssubnet',
    None: 'calico-native',
    'IPIP+VXLAN': 'calico-mixed',
  };
  return make(byEncapsulation[only]);
}
