/**
 * A cluster as the builder derives it from its plan before writing any object: ids, names and
 * times fixed once, subnets and nodes resolved, and the state the layers fill in as they build
 * (IPAM blocks, pods and their names). The AWS, Kubernetes and Calico layers all read this one
 * object, which is what keeps their objects consistent with each other.
 */
import type { CalicoApiGroup } from '../../../src/snapshot/schema.js';
import type { BlockState } from './calico/ipam.js';
import { awsId, DAY, hexOf, HOUR, kubeTime, MINUTE, numberOf, uuidOf } from './deterministic.js';
import { cidrContains, intToIp, ipToInt, parseCidr, privateDnsName } from './ipv4.js';
import type { PodInfo } from './kubernetes/pods.js';
import { SAMPLE_COLLECTED_AT, type BuildOptions, type CalicoPlan, type ClusterPlan, type Json, type NodegroupPlan, type NodePlan, type SecurityGroupPlan, type SubnetPlan } from './plan.js';
import { eksRelease, type EksRelease } from './reference-data.js';

export interface SubnetInfo {
  plan: SubnetPlan;
  index: number;
  id: string;
  routeTableId: string;
  natGatewayId: string;
  prefix: number;
  /** Next candidate address for VPC CNI secondary IPs. */
  nextSecondary: number;
  used: Set<number>;
}

export interface NodeInfo {
  plan: NodePlan;
  index: number;
  name: string;
  ip: string;
  subnet: SubnetInfo;
  nodegroup: NodegroupPlan;
  instanceId: string;
  /** IPv6 clusters: the node's primary IPv6 address, and the /80 prefix the VPC CNI hands pod addresses from. */
  ipv6: string | null;
  ipv6Prefix: string | null;
  nextIpv6Pod: number;
  launchMs: number;
  ready: boolean;
  blocks: BlockState[];
  /** VPC CNI: addresses per ENI (first of ENI 0 is the node's primary address). */
  eniAddresses: string[][];
  nextEniAddress: number;
  tunnels: { ipip?: string; vxlan?: string; wireguard?: string };
}

/** `0a1b` → `a1b`: hextets as AWS prints them. */
const hextet = (hex: string) => hex.replace(/^0+(?=.)/, '');

/** A node's IPv6 address in its subnet's /64 and its delegated /80 pod prefix, derived from a seed. */
function ipv6Of(subnetCidr: string | undefined, seed: string): { ipv6: string | null; ipv6Prefix: string | null } {
  if (!subnetCidr) return { ipv6: null, ipv6Prefix: null };
  // The subnet's /64 as four hextets (`2001:db8:7a00::/64` → 2001:db8:7a00:0).
  const head = subnetCidr.split('::/')[0]!.split(':');
  const network = [...head, ...Array<string>(4 - head.length).fill('0')].join(':');
  const h = hexOf(`${seed}/ipv6`, 20).match(/.{4}/g)!.map(hextet);
  return { ipv6: `${network}:${h[0]}:${h[1]}:${h[2]}:${h[3]}`, ipv6Prefix: `${network}:${h[4]}::/80` };
}

/** The plan resolved into the values every layer shares, and the allocations they make as they build. */
export class Cluster {
  readonly now: number;
  readonly scope: string;
  readonly clusterCreatedMs: number;
  readonly release: EksRelease;
  readonly calico: CalicoPlan | null;
  readonly apiGroup: CalicoApiGroup | null;
  readonly subnets: SubnetInfo[];
  readonly nodes: NodeInfo[];
  /** Per IP pool, the next block Calico IPAM hands out. */
  readonly poolCursors: number[];
  // Filled in as buildSnapshot runs the layers; the order they run in fixes every address.
  readonly blocks: BlockState[] = [];
  readonly pods: PodInfo[] = [];
  readonly podNames = new Set<string>();
  /** Security groups: EKS's cluster group, the additional cluster group, the nodes' shared group, the plan's extras. */
  readonly groups: {
    cluster: { id: string; name: string };
    additional: { id: string; name: string };
    node: { id: string; name: string };
    extra: Array<{ id: string; name: string; plan: SecurityGroupPlan }>;
  };

  constructor(
    readonly plan: ClusterPlan,
    options: BuildOptions,
  ) {
    this.now = Date.parse(options.collectedAt ?? SAMPLE_COLLECTED_AT);
    if (Number.isNaN(this.now)) throw new Error(`collectedAt ${options.collectedAt} is not a timestamp`);
    this.scope = `${plan.accountId}/${plan.region}/${plan.name}`;
    this.clusterCreatedMs = this.now - plan.eks.ageDays * DAY - numberOf(`${this.scope}/created`, DAY);
    this.release = eksRelease(plan.eks.version);
    this.calico = plan.calico;
    this.apiGroup = plan.calico ? (options.apiGroup ?? plan.calico.apiGroup) : null;
    this.poolCursors = (plan.calico?.pools ?? []).map(() => 0);

    // Terraform's name_prefix suffix: creation time to the 0.1 ms, then a counter (26 digits).
    const stamp = (seed: string) =>
      `${kubeTime(this.clusterCreatedMs).replace(/\D/g, '')}${String(numberOf(seed, 10_000)).padStart(4, '0')}0000000${numberOf(seed, 9) + 1}`;
    this.groups = {
      cluster: { id: awsId('sg', this.scope, 1), name: `eks-cluster-sg-${plan.name}-${String(numberOf(`${this.scope}/clustersg`, 1e10)).padStart(10, '0')}` },
      additional: { id: awsId('sg', this.scope, 2), name: `${plan.name}-cluster-${stamp('cluster')}` },
      node: { id: awsId('sg', this.scope, 3), name: `${plan.name}-node-${stamp('node')}` },
      extra: (plan.extraNodeSecurityGroups ?? []).map((extra, i) => ({
        id: awsId('sg', this.scope, 4 + i),
        name: `${plan.name}-${extra.suffix}-${stamp(extra.suffix)}`,
        plan: extra,
      })),
    };

    this.subnets = plan.subnets.map((subnet, index) => {
      const cidr = parseCidr(subnet.cidr);
      if (!cidrContains(plan.vpcCidr, intToIp(cidr.base))) throw new Error(`subnet ${subnet.cidr} lies outside VPC ${plan.vpcCidr}`);
      return {
        plan: subnet,
        index,
        id: awsId('subnet', this.scope, index + 1),
        routeTableId: awsId('rtb', this.scope, index + 1),
        natGatewayId: awsId('nat', this.scope, index + 1),
        prefix: cidr.prefix,
        // VPC CNI secondary addresses start a quarter into the subnet, clear of the node addresses we pick.
        nextSecondary: cidr.base + Math.floor(cidr.size / 4) + 10,
        used: new Set<number>(),
      };
    });

    const nodegroups = new Map(plan.nodegroups.map((ng) => [ng.name, ng]));
    const names = new Set<string>();
    this.nodes = plan.nodes.map((node, index) => {
      const subnet = this.subnets[node.subnet];
      if (!subnet) throw new Error(`node ${node.ip} names subnet ${node.subnet}, which the plan lacks`);
      if (!cidrContains(subnet.plan.cidr, node.ip)) throw new Error(`node ${node.ip} lies outside its subnet ${subnet.plan.cidr}`);
      const nodegroup = nodegroups.get(node.nodegroup);
      if (!nodegroup) throw new Error(`node ${node.ip} names nodegroup ${node.nodegroup}, which the plan lacks`);
      const name = privateDnsName(node.ip, plan.region);
      if (names.has(name)) throw new Error(`two nodes have address ${node.ip}`);
      names.add(name);
      subnet.used.add(ipToInt(node.ip));
      const ageDays = Math.max(1, Math.min(plan.eks.ageDays - 1, 3 + numberOf(`${this.scope}/${name}/age`, 40)));
      return {
        plan: node,
        index,
        name,
        ip: node.ip,
        subnet,
        nodegroup,
        instanceId: awsId('i', this.scope, index + 1),
        ...ipv6Of(subnet.plan.ipv6Cidr, `${this.scope}/${name}`),
        nextIpv6Pod: 1,
        launchMs: this.now - ageDays * DAY - numberOf(`${this.scope}/${name}/launch`, DAY),
        ready: node.ready ?? true,
        blocks: [],
        eniAddresses: [],
        nextEniAddress: 0,
        tunnels: {},
      };
    });
  }

  /** A seed scoped to this cluster, so two clusters never derive the same ids. */
  seed(...parts: string[]): string {
    return [this.scope, ...parts].join('/');
  }

  /** A creation time in the cluster's life; `early` objects were made with the cluster. */
  createdMs(seed: string, early = false): number {
    const life = this.now - this.clusterCreatedMs;
    const offset = early ? numberOf(seed, 2 * HOUR) + 5 * MINUTE : numberOf(seed, Math.max(HOUR, Math.floor(life * 0.8)));
    return this.clusterCreatedMs + offset;
  }

  /** Kubernetes object metadata: a derived uid, resourceVersion and creation time. */
  meta(kind: string, name: string, namespace: string | undefined, extra: Json = {}, early = true): Json {
    const seed = this.seed(kind, namespace ?? '', name);
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: uuidOf(seed),
      resourceVersion: String(1_000_000 + numberOf(`${seed}/rv`, 90_000_000)),
      creationTimestamp: kubeTime(this.createdMs(seed, early)),
      ...extra,
    };
  }

  get arnPrefix(): string {
    return `arn:aws:eks:${this.plan.region}:${this.plan.accountId}`;
  }

  get isCalicoCni(): boolean {
    return this.calico?.cni === 'Calico';
  }

  get calicoNamespace(): string {
    return this.calico?.install === 'operator' ? 'calico-system' : 'kube-system';
  }

  get enterprise(): boolean {
    return this.calico?.variant === 'TigeraSecureEnterprise';
  }

  get vpcId(): string {
    return awsId('vpc', this.scope, 1);
  }

  /** The Auto Scaling group behind a managed or self-managed group (EKS names its groups `eks-<node group>-<id>`). */
  asgName(nodegroup: NodegroupPlan): string {
    return (nodegroup.kind ?? 'managed') === 'managed' ? `eks-${nodegroup.name}-${uuidOf(this.seed('nodegroup', nodegroup.name))}` : `${this.plan.name}-${nodegroup.name}`;
  }
}
