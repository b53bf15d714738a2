/** Reference data the builder needs to look real: instance types, EKS releases, images, namespaces. */

interface InstanceTypeInfo {
  vcpu: number;
  memoryMiB: number;
  /** ENIs and IPv4 addresses per ENI: the VPC CNI's max-pods formula uses them. */
  enis: number;
  ipsPerEni: number;
}

const INSTANCE_TYPES: Record<string, InstanceTypeInfo> = {
  'm5.large': { vcpu: 2, memoryMiB: 8192, enis: 3, ipsPerEni: 10 },
  'm5.xlarge': { vcpu: 4, memoryMiB: 16384, enis: 4, ipsPerEni: 15 },
  'm6i.large': { vcpu: 2, memoryMiB: 8192, enis: 3, ipsPerEni: 10 },
  'm6i.xlarge': { vcpu: 4, memoryMiB: 16384, enis: 4, ipsPerEni: 15 },
  'm6i.2xlarge': { vcpu: 8, memoryMiB: 32768, enis: 4, ipsPerEni: 15 },
};

export const instanceType = (name: string): InstanceTypeInfo => {
  const info = INSTANCE_TYPES[name];
  if (!info) throw new Error(`builder has no data for instance type ${name}`);
  return info;
};

/** Per EKS minor version: the patch the control plane and AMIs run, and the add-on builds. */
export interface EksRelease {
  patch: string;
  platformVersion: string;
  amiRelease: string;
  kubeProxy: string;
  coredns: string;
}

const EKS_RELEASES: Record<string, EksRelease> = {
  '1.32': { patch: '1.32.13', platformVersion: 'eks.31', amiRelease: '20251103', kubeProxy: 'v1.32.9-eksbuild.4', coredns: 'v1.11.4-eksbuild.24' },
  '1.33': { patch: '1.33.9', platformVersion: 'eks.24', amiRelease: '20251103', kubeProxy: 'v1.33.5-eksbuild.2', coredns: 'v1.12.1-eksbuild.6' },
  '1.34': { patch: '1.34.5', platformVersion: 'eks.12', amiRelease: '20251103', kubeProxy: 'v1.34.1-eksbuild.3', coredns: 'v1.12.4-eksbuild.1' },
  '1.35': { patch: '1.35.2', platformVersion: 'eks.6', amiRelease: '20251103', kubeProxy: 'v1.35.0-eksbuild.2', coredns: 'v1.12.4-eksbuild.3' },
};

export const eksRelease = (version: string): EksRelease => {
  const release = EKS_RELEASES[version];
  if (!release) throw new Error(`builder has no data for EKS ${version}`);
  return release;
};

/** The Amazon EKS ECR account serving add-on images in eu-west-2 (and most regions). */
export const EKS_ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`;

export const OS_IMAGE = 'Amazon Linux 2023.9.20251103';
export const KERNEL = '6.1.156-177.286.amzn2023.x86_64';
export const CONTAINERD = 'containerd://1.7.27';

/** Operator release bundled with each Calico minor release. */
export const OPERATOR_VERSIONS: Record<string, string> = { '3.29': 'v1.36.11', '3.30': 'v1.38.8', '3.31': 'v1.40.4' };

export const ALL_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Namespaces EKS creates in every cluster. */
export const KUBE_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Namespaces whose apps/v1 objects the collector lists (pods are listed everywhere). */
export const COLLECTED_NAMESPACES = new Set(['kube-system', 'calico-system', 'tigera-operator']);
