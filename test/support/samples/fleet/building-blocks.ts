/** Building blocks shared by the sample plans: where samples live, security group rules, pools, apps and policies. */
import { intToIp, parseCidr } from '../ipv4.js';
import type { AppPlan, CalicoPolicyPlan, EncapsulationMode, Json, KubePolicyPlan, PoolPlan, SgRulePlan } from '../plan.js';

/** Every sample lives in the documentation account and one region. */
export const SAMPLE_ACCOUNT_ID = '111122223333';
export const SAMPLE_REGION = 'eu-west-2';

export const EU_WEST_2 = {
  a: { az: 'eu-west-2a', azId: 'euw2-az2' },
  b: { az: 'eu-west-2b', azId: 'euw2-az3' },
  c: { az: 'eu-west-2c', azId: 'euw2-az1' },
} as const;

/** Node security group rules, named as the terraform-aws-eks module and Calico's AWS guide name them. */
export const SG_RULES = {
  apiFromCluster: { protocol: 'tcp', from: 443, to: 443, peer: 'cluster', description: 'Cluster API to node groups' },
  kubeletFromCluster: { protocol: 'tcp', from: 10250, to: 10250, peer: 'cluster', description: 'Cluster API to node kubelets' },
  dnsTcp: { protocol: 'tcp', from: 53, to: 53, peer: 'self', description: 'Node to node CoreDNS' },
  dnsUdp: { protocol: 'udp', from: 53, to: 53, peer: 'self', description: 'Node to node CoreDNS UDP' },
  ephemeral: { protocol: 'tcp', from: 1025, to: 65535, peer: 'self', description: 'Node to node ingress on ephemeral ports' },
  bgp: { protocol: 'tcp', from: 179, to: 179, peer: 'self', description: 'Calico BGP between nodes' },
  ipip: { protocol: '4', peer: 'self', description: 'Calico IP-in-IP between nodes' },
  vxlan: { protocol: 'udp', from: 4789, to: 4789, peer: 'self', description: 'Calico VXLAN between nodes' },
  typha: { protocol: 'tcp', from: 5473, to: 5473, peer: 'self', description: 'calico-node to Calico Typha' },
  wireguard: { protocol: 'udp', from: 51820, to: 51820, peer: 'self', description: 'Calico WireGuard between nodes' },
} as const satisfies Record<string, SgRulePlan>;

export const BASE_NODE_RULES: SgRulePlan[] = [SG_RULES.apiFromCluster, SG_RULES.kubeletFromCluster, SG_RULES.dnsTcp, SG_RULES.dnsUdp];

/** The `default` FelixConfiguration calico-node writes at first start, plus the cluster's own settings. */
export const felixSpec = (own: Json): Json => ({
  bpfConnectTimeLoadBalancing: 'TCP',
  bpfHostNetworkedNATWithoutCTLB: 'Enabled',
  bpfLogLevel: '',
  floatingIPs: 'Disabled',
  logSeverityScreen: 'Info',
  reportingInterval: '0s',
  ...own,
});

export const pool = (name: string, cidr: string, ipipMode: EncapsulationMode, vxlanMode: EncapsulationMode, blockSize = 26): PoolPlan => ({
  name,
  cidr,
  blockSize,
  ipipMode,
  vxlanMode,
  natOutgoing: true,
});

export const deploy = (namespace: string, name: string, replicas: number, labels?: Record<string, string>): AppPlan => ({
  kind: 'Deployment',
  namespace,
  name,
  replicas,
  ...(labels ? { labels } : {}),
});

export const nsSelector = (namespace: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': namespace } });

/** `podSelector: {}` policies letting a namespace talk to itself, as most teams start. */
export const sameNamespacePolicy = (namespace: string): KubePolicyPlan => ({
  namespace,
  name: 'allow-same-namespace',
  spec: {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: {} }] }],
    egress: [{ to: [{ podSelector: {} }] }],
  },
});

export const allowFromNamespace = (namespace: string, from: string, app: string, port: number): KubePolicyPlan => ({
  namespace,
  name: `allow-from-${from}`,
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: nsSelector(from) }], ports: [{ port, protocol: 'TCP' }] }],
  },
});

export const allowEgressToNamespaces = (namespace: string, name: string, app: string, targets: string[], port: number): KubePolicyPlan => ({
  namespace,
  name,
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
    policyTypes: ['Egress'],
    egress: [{ to: targets.map((t) => ({ namespaceSelector: nsSelector(t) })), ports: [{ port, protocol: 'TCP' }] }],
  },
});

/**
 * Seed 002's `global-deny-all`: deny by default, order 2000 so Kubernetes policies (order 1000)
 * win, with kube-system and DNS (UDP and TCP) allowed.
 */
export const GLOBAL_DENY_ALL: CalicoPolicyPlan = {
  name: 'global-deny-all',
  spec: {
    order: 2000,
    selector: 'all()',
    types: ['Ingress', 'Egress'],
    egress: [
      { action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" } },
      { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } },
    ],
    ingress: [{ action: 'Allow', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" } }],
  },
};

/** `count` distinct addresses spread through a subnet, clear of its first 16 and last 16. */
export function spreadAddresses(cidr: string, count: number, stride: number): string[] {
  const { base, size } = parseCidr(cidr);
  const usable = size - 32;
  if (count > usable) throw new Error(`${cidr} cannot hold ${count} nodes`);
  // A stride coprime with the usable range visits every address once before repeating.
  let step = stride;
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  while (gcd(step, usable) !== 1) step++;
  return Array.from({ length: count }, (_, i) => intToIp(base + 16 + ((i * step) % usable)));
}
