/**
 * The per-cluster report's view: the assessment arranged section by section for the templates —
 * sentences generated from facts, table rows, and each section's verdicts. Pure. Every number it
 * shows is a number in the assessment (a test holds it to that); sentences are `SafeMarkdown`
 * built with the `markdown` tag, so cluster values inside them are escaped, and table cells stay
 * raw for the templates' `md` helper.
 */
import type { Assessment, Check } from '../assess/assess.js';
import type { Facts, NodeFact, SgException } from '../assess/facts.js';
import { AREAS, SEVERITIES, type Area, type Evidence } from '../assess/rule.js';
import { diagnosticCommands } from './commands.js';
import { architectureDiagram } from './diagram.js';
import { codeSpan, fencedBlock, joinMarkdown, markdown, SafeMarkdown } from './escape.js';
import { bySeverity } from './text.js';

/** Above this many nodes, per-node tables give way to per-subnet ones (report.json keeps every node). */
export const NODE_TABLE_LIMIT = 150;
/** Per-node pod counts listed before the rest is left to report.json. */
const BUSIEST_NODES = 10;

export interface RenderOptions {
  /** Values were masked (see mask.ts): say so, as pasted commands need the real ones. */
  masked?: boolean;
}

type Fact = { label: string; value: SafeMarkdown };
/** The checks of some areas (`RT`) or rule ids (`CAL-RT-04`), in catalogue order. */
type ChecksIn = (keys: string[]) => Check[];

const STATUS_MARK = { pass: '✓', fail: '✗', not_applicable: '–', unknown: '?' } as const;
const STATUS_WORD = { pass: 'pass', fail: 'fail', not_applicable: 'n/a', unknown: 'unknown' } as const;

/** `0.0007` → `0.07%`, `1` → `100%`: two decimals at most, none when whole. */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return 'n/a';
  return `${Number((ratio * 100).toFixed(2))}%`;
}

export const formatNumber = (value: number | null | undefined): string => (value === null || value === undefined ? 'n/a' : value.toLocaleString('en'));

const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

const onOff = (value: boolean | null | undefined, on = 'on', off = 'off', unknown = 'not determined'): string =>
  value === true ? on : value === false ? off : unknown;

/** `a, b and c`. */
function listWords(items: unknown[]): SafeMarkdown {
  const parts = items.map((i) => (i instanceof SafeMarkdown ? i : markdown`${i}`));
  if (parts.length <= 1) return joinMarkdown(parts);
  return markdown`${joinMarkdown(parts.slice(0, -1))} and ${parts.at(-1)}`;
}

/** The status of one rule for a section's verdict line. */
function verdict(check: Check): SafeMarkdown {
  const severity = check.status === 'fail' ? ` (${check.severity}${check.suppression ? ', suppressed' : ''})` : '';
  return new SafeMarkdown(`${STATUS_MARK[check.status]} ${check.id} ${STATUS_WORD[check.status]}${severity}`);
}

function verdictLine(label: string, checks: Check[]): SafeMarkdown | null {
  if (!checks.length) return null;
  return new SafeMarkdown(`**${label}:** ${checks.map((c) => verdict(c).text).join(' · ')}`);
}

function evidenceLine(evidence: Evidence): SafeMarkdown {
  let line = markdown`${evidence.object}`;
  if (evidence.field) line = markdown`${line} ${codeSpan(evidence.field)}`;
  if (evidence.value !== undefined) line = markdown`${line} = ${codeSpan(JSON.stringify(evidence.value))}`;
  if (evidence.note) line = markdown`${line}: ${evidence.note}`;
  return line;
}

// ------------------------------------------------------------------------------------------------
// 1. Executive summary

function encapsulationPhrase(facts: Facts): string {
  switch (facts.cni.mode) {
    case 'calico-vxlan':
      return 'a VXLAN overlay';
    case 'calico-vxlan-crosssubnet':
      return 'VXLAN between subnets and native routing within each subnet (CrossSubnet)';
    case 'calico-ipip':
      return 'an IP-in-IP overlay';
    case 'calico-ipip-crosssubnet':
      return 'IP-in-IP between subnets and native routing within each subnet (CrossSubnet)';
    case 'calico-native':
      return 'native routing (no encapsulation)';
    case 'calico-mixed':
      return 'pools of different encapsulations';
    case 'calico-no-pools':
      return 'no enabled IPv4 pool';
    default:
      return 'an encapsulation that could not be determined';
  }
}

function bgpPhrase(bgp: Facts['bgp']): SafeMarkdown {
  switch (bgp.mode) {
    case 'off':
      return markdown`with BGP off`;
    case 'mesh':
      return markdown`with a node-to-node BGP mesh`;
    case 'route-reflectors':
      return markdown`with BGP through ${plural(bgp.routeReflectors?.length ?? 0, 'route reflector')}`;
    case 'peers':
      return markdown`with BGP to explicit peers`;
    case 'no-peering':
      return markdown`with BGP on but no node-to-node mesh, route reflector or peer`;
    default:
      return markdown`with a BGP state that could not be determined`;
  }
}

function calicoName(facts: Facts): SafeMarkdown {
  const { variant, version } = facts.calico;
  return version ? markdown`**${variant} ${version}**` : markdown`**${variant}** (version not determined)`;
}

const installPhrase = (method: Facts['calico']['method']): string =>
  method === 'operator' ? ', installed by the Tigera operator,' : method === 'manifest' ? ', installed from manifests,' : '';

function openingSentences(assessment: Assessment): SafeMarkdown[] {
  const { facts } = assessment;
  const { topology, cluster } = facts;
  const sentences: SafeMarkdown[] = [];
  const install = installPhrase(facts.calico.method);
  if (facts.calico.presence === 'absent' || facts.cni.mode === 'no-calico') {
    sentences.push(markdown`Calico was not found in this EKS cluster: every Calico rule is not applicable, and only the EKS rules were judged.`);
  } else if (facts.cni.mode === 'aws-vpc-cni-policy-only') {
    sentences.push(
      markdown`This EKS cluster runs the AWS VPC CNI for pod networking and ${calicoName(facts)}${install} for network policy only: pods get VPC addresses, and Calico neither routes nor allocates them.`,
    );
  } else if (facts.cni.mode === 'other-cni-policy-only') {
    sentences.push(markdown`This EKS cluster runs another CNI plugin for pod networking and ${calicoName(facts)}${install} for network policy only.`);
  } else if (facts.cni.mode === null) {
    sentences.push(markdown`This EKS cluster runs ${calicoName(facts)}${install}; how it routes pod traffic could not be determined (${facts.cni.label}).`);
  } else {
    sentences.push(markdown`This EKS cluster runs ${calicoName(facts)}${install} as its CNI, on ${encapsulationPhrase(facts)} ${bgpPhrase(facts.bgp)}.`);
  }

  if (topology.nodeCount !== null) {
    const zones = topology.availabilityZones?.length ?? 0;
    const vpc = cluster.vpcId ? markdown` of VPC ${cluster.vpcId}${cluster.vpcCidrs?.length ? markdown` (${joinMarkdown(cluster.vpcCidrs)})` : markdown``}` : markdown``;
    const where = topology.subnets
      ? markdown`${plural(topology.subnets.length, 'subnet')} across ${plural(zones, 'availability zone')}${vpc}`
      : markdown`${plural(zones, 'availability zone')}${vpc}; their subnets are not known, as the EC2 instances were not collected`;
    sentences.push(
      markdown`Its ${plural(topology.nodeCount, 'node')} sit in ${where}${topology.fargateNodeCount ? markdown`, beside ${plural(topology.fargateNodeCount, 'Fargate node')}` : markdown``}.`,
    );
  }

  if (facts.calico.presence !== 'absent') {
    const { typha, datastore, dataplane, wireguard } = facts;
    const store =
      datastore.type === 'kubernetes'
        ? 'the Kubernetes API datastore'
        : datastore.type === 'etcd'
          ? 'an etcd datastore'
          : 'a datastore that could not be determined';
    const through =
      typha.deployed === true
        ? markdown`, read through Typha (${typha.ready ?? 'n/a'} of ${typha.desired ?? 'n/a'} replicas ready)`
        : typha.deployed === false
          ? markdown` without Typha (every calico-node watches the API server itself)`
          : markdown``;
    const plane = dataplane.mode === 'bpf' ? 'the eBPF dataplane' : dataplane.mode ? `the ${dataplane.mode} dataplane` : 'a dataplane that could not be determined';
    sentences.push(markdown`Calico keeps its state in ${store}${through}, and programs ${plane}; WireGuard encryption is ${onOff(wireguard.enabled)}.`);
    if (facts.policy.model) sentences.push(markdown`Network policy: ${facts.policy.model}.`);
  }
  return sentences;
}

function scoreSentence(assessment: Assessment): SafeMarkdown {
  const { score } = assessment;
  const { counts } = score;
  if (score.value === null) {
    return markdown`No weighted rule passed or failed, so there is no score: ${counts.not_applicable} rules do not apply and ${counts.unknown} could not be judged.`;
  }
  const unknown =
    counts.unknown === 0
      ? markdown`and every applicable rule could be judged`
      : markdown`and ${plural(counts.unknown, 'rule')} could not be judged for want of data`;
  const cap =
    score.failedBySeverity.critical > 0 && score.grade === 'D' && score.value >= 70
      ? markdown` A failed critical rule caps the grade at D.`
      : markdown``;
  return markdown`It scores **${score.value}/100, grade ${score.grade ?? 'n/a'}**, with coverage ${percent(score.coverage)}: ${counts.pass} rules passed, ${counts.fail} failed, ${counts.not_applicable} do not apply to this cluster ${unknown}.${cap}`;
}

function collectionSentence(assessment: Assessment): SafeMarkdown | null {
  if (!assessment.errors.length) return null;
  const sources = assessment.errors.map((e) => markdown`${e.source} (${e.code})`);
  return markdown`Some data could not be collected — ${listWords(sources)} — so the rules that need it are reported as unknown rather than passed.`;
}

function summaryView(assessment: Assessment, findings: Check[]) {
  const passedWorthSaying = assessment.checks.filter((c) => c.status === 'pass' && (c.severity === 'critical' || c.severity === 'high'));
  return {
    opening: joinMarkdown(openingSentences(assessment), ' '),
    score: scoreSentence(assessment),
    collection: collectionSentence(assessment),
    topFindingsIntro: findings.length === 1 ? 'The only finding:' : findings.length <= 3 ? 'The findings:' : 'The three most severe findings:',
    topFindings: findings.slice(0, 3).map((c) => ({ id: c.id, severity: c.severity, title: c.title, summary: c.summary })),
    strengths: passedWorthSaying.map((c) => ({ id: c.id, title: c.title })),
    attention: [
      ...findings.map((c) => ({ mark: '⚠', id: c.id, title: c.title, note: c.severity })),
      ...assessment.checks.filter((c) => c.status === 'unknown').map((c) => ({ mark: '?', id: c.id, title: c.title, note: 'not judged: data not collected' })),
    ],
  };
}

// ------------------------------------------------------------------------------------------------
// 2. Architecture

function tunnelOrBlock(node: NodeFact, facts: Facts): string {
  const parts: string[] = [];
  if (node.tunnelAddress) parts.push(`tunnel ${node.tunnelAddress}`);
  if (node.podBlocks.length) parts.push(`block${node.podBlocks.length > 1 ? 's' : ''} ${node.podBlocks.join(', ')}`);
  if (parts.length) return parts.join('; ');
  return facts.calicoNetworking === false ? 'none: VPC CNI addresses' : 'none recorded';
}

/** `on`, `off`, or `on (must be off)` where CAL-AWS-01 failed on the check. */
const srcDstText = (node: NodeFact, mustBeOff: boolean): string =>
  node.srcDstCheck === true && mustBeOff ? 'on (must be off)' : onOff(node.srcDstCheck, 'on', 'off', 'not collected');

function nodeRows(facts: Facts, mustBeOff: boolean) {
  const nodes = facts.topology.nodes ?? [];
  return nodes.map((n) => ({
    name: n.name,
    marks: [n.routeReflector ? 'route reflector' : '', n.ready === false ? 'not ready' : ''].filter(Boolean).join(', '),
    instanceType: n.instanceType ?? 'n/a',
    availabilityZone: n.availabilityZone ?? 'n/a',
    subnet: n.subnetId ?? 'not collected',
    address: n.calicoAddress ?? n.privateIp ?? 'n/a',
    srcDstCheck: srcDstText(n, mustBeOff),
    tunnel: tunnelOrBlock(n, facts),
  }));
}

function subnetRows(facts: Facts) {
  return (facts.topology.subnets ?? []).map((s) => ({
    subnetId: s.subnetId,
    cidr: s.cidr ?? 'n/a',
    availabilityZone: s.availabilityZone ?? 'n/a',
    nodes: s.nodeCount,
  }));
}

function routingPools(facts: Facts) {
  return (facts.pools ?? []).filter((p) => p.routesWorkloads && p.ipVersion === 4);
}

function poolEncapsulationText(pool: NonNullable<Facts['pools']>[number]): string {
  if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') return `IP-in-IP ${pool.ipipMode} and VXLAN ${pool.vxlanMode}`;
  if (pool.vxlanMode !== 'Never') return `VXLAN ${pool.vxlanMode}`;
  if (pool.ipipMode !== 'Never') return `IP-in-IP ${pool.ipipMode}`;
  return 'none (native routing)';
}

function bgpStatus(bgp: Facts['bgp']): string {
  switch (bgp.mode) {
    case 'off':
      return 'DISABLED';
    case 'mesh':
      return 'NODE-TO-NODE MESH';
    case 'route-reflectors':
      return 'ROUTE REFLECTORS';
    case 'peers':
      return 'EXPLICIT PEERS';
    case 'no-peering':
      return 'ON, WITHOUT PEERING';
    default:
      return 'NOT DETERMINED';
  }
}

function architectureView(assessment: Assessment, checksIn: ChecksIn, mustBeOff: boolean) {
  const { facts } = assessment;
  const pools = routingPools(facts);
  const keyFacts: Fact[] = [];
  keyFacts.push({ label: 'CNI mode', value: markdown`${facts.cni.label}${facts.cni.source ? markdown` (${facts.cni.source})` : markdown``}` });
  if (facts.calicoNetworking) {
    keyFacts.push({
      label: 'Encapsulation',
      value: pools.length ? joinMarkdown(pools.map((p) => markdown`${poolEncapsulationText(p)} on ${p.name}`), '; ') : markdown`no pool routes pods`,
    });
  } else if (facts.calicoNetworking === false) {
    keyFacts.push({ label: 'Encapsulation', value: markdown`none by Calico: pods use VPC addresses` });
  }
  keyFacts.push({ label: 'BGP', value: markdown`${bgpStatus(facts.bgp).toLowerCase()}${facts.bgp.source ? markdown` (${facts.bgp.source})` : markdown``}` });
  const { typha } = facts;
  keyFacts.push({
    label: 'Typha',
    value:
      typha.deployed === true
        ? markdown`${typha.ready ?? 'n/a'} of ${typha.desired ?? 'n/a'} replicas ready; PodDisruptionBudget ${onOff(typha.podDisruptionBudget, 'present', 'absent', 'not collected')}`
        : typha.deployed === false
          ? markdown`not deployed`
          : markdown`not determined (workloads not collected)`,
  });
  keyFacts.push({
    label: 'Datastore',
    value: facts.datastore.type ? markdown`${facts.datastore.type === 'kubernetes' ? 'Kubernetes API' : 'etcd'} (${facts.datastore.source ?? 'n/a'})` : markdown`not determined`,
  });
  keyFacts.push({ label: 'Dataplane', value: facts.dataplane.mode ? markdown`${facts.dataplane.mode} (${facts.dataplane.source ?? 'n/a'})` : markdown`not determined` });
  if (facts.pools) {
    keyFacts.push({
      label: 'IP pools',
      value: facts.pools.length
        ? joinMarkdown(facts.pools.map((p) => markdown`${p.name} ${p.cidr ?? 'no CIDR'}, /${p.blockSize} blocks${p.disabled ? ' (disabled)' : ''}`), '; ')
        : markdown`none`,
    });
    const nat = pools.map((p) => markdown`${p.natOutgoing ? 'enabled' : 'disabled'} on ${p.name}`);
    if (nat.length) keyFacts.push({ label: 'NAT outgoing', value: joinMarkdown(nat, '; ') });
  } else {
    keyFacts.push({ label: 'IP pools', value: markdown`not collected` });
  }
  const { mtu } = facts;
  if (facts.calicoNetworking && mtu.configured !== null) {
    const configured = mtu.configured === 0 ? markdown`auto-detected` : markdown`${mtu.configured}`;
    const path =
      mtu.expected === null
        ? markdown``
        : mtu.overhead === 0
          ? markdown`; the path allows ${mtu.expected} (network MTU ${mtu.networkMtu ?? 'n/a'}, no encapsulation overhead)`
          : markdown`; the path allows ${mtu.expected} (network MTU ${mtu.networkMtu ?? 'n/a'} minus ${mtu.overheadReason ?? 'n/a'})`;
    keyFacts.push({ label: 'MTU', value: markdown`${configured} (${mtu.configuredSource ?? 'n/a'})${path}` });
  }
  const { growth } = facts;
  if (growth.nodesNow !== null) {
    keyFacts.push({
      label: 'Nodes',
      value:
        growth.maxNodes !== null
          ? markdown`${formatNumber(growth.nodesNow)} now, up to ${formatNumber(growth.maxNodes)} by the node groups' limits (${growth.source})`
          : markdown`${formatNumber(growth.nodesNow)} now (${growth.source})`,
    });
  }
  keyFacts.push({
    label: 'Kubernetes',
    value: markdown`${facts.cluster.kubernetesVersion ?? 'version not determined'}${facts.cluster.platformVersion ? markdown` on EKS platform ${facts.cluster.platformVersion}` : markdown``}${facts.cluster.serviceCidr ? markdown`, service CIDR ${facts.cluster.serviceCidr}` : markdown``}`,
  });

  const nodes = facts.topology.nodes;
  const listed = nodes && nodes.length <= NODE_TABLE_LIMIT;
  return {
    keyFacts,
    nodes: listed ? nodeRows(facts, mustBeOff) : null,
    subnets: !listed && facts.topology.subnets ? subnetRows(facts) : null,
    nodesNote: !nodes
      ? markdown`The nodes were not collected (neither the Kubernetes nodes nor the EC2 instances).`
      : listed
        ? null
        : markdown`With ${plural(nodes.length, 'node')} the table below is per subnet; report.json lists every node with the same columns.`,
    routingVerdicts: verdictLine('Routing rules', checksIn(['RT'])),
    eksVerdicts: verdictLine('EKS control-plane rules', checksIn(['EKS'])),
  };
}

// ------------------------------------------------------------------------------------------------
// 3. IPAM

function ipamView(assessment: Assessment, checksIn: ChecksIn) {
  const { facts } = assessment;
  const { ipam, growth } = facts;
  const pools = (facts.pools ?? []).map((p) => ({
    name: p.name,
    cidr: p.cidr ?? 'none',
    blockSize: `/${p.blockSize}`,
    ipipMode: p.ipipMode,
    vxlanMode: p.vxlanMode,
    natOutgoing: p.natOutgoing ? 'true' : 'false',
    nodeSelector: p.nodeSelector,
    state: p.disabled ? 'disabled' : p.routesWorkloads ? 'in use' : 'not for workloads',
  }));
  let note: SafeMarkdown | null = null;
  if (facts.calicoNetworking === false) {
    note = markdown`Calico allocates no pod addresses here: ${facts.cni.label}. ${facts.pools?.length ? markdown`The pools below exist but route no pods.` : markdown`No IP pool is defined.`}`;
  } else if (!facts.pools) {
    note = markdown`The IP pools were not collected.`;
  }
  const keyFacts: Fact[] = [];
  if (ipam && ipam.pools > 0 && facts.calicoNetworking !== false) {
    keyFacts.push({ label: 'Total addresses', value: markdown`${formatNumber(ipam.addresses)} in the ${plural(ipam.pools, 'pool')} that ${ipam.pools === 1 ? 'routes' : 'route'} pods` });
    if (ipam.addressesPerBlock !== null) {
      const sizes = [...new Set(routingPools(facts).map((p) => p.blockSize))];
      keyFacts.push({ label: 'Addresses per block', value: markdown`${formatNumber(ipam.addressesPerBlock)} (/${sizes.join(', /')}): each node claims at least one block` });
    }
    keyFacts.push({
      label: 'Nodes',
      value: markdown`${formatNumber(growth.nodesNow)} now${growth.maxNodes !== null ? markdown`, up to ${formatNumber(growth.maxNodes)} by the node groups' limits` : markdown``}`,
    });
    keyFacts.push({ label: 'Theoretical max nodes', value: markdown`~${formatNumber(ipam.blocks)} (one block each)` });
    keyFacts.push({ label: 'Blocks in use', value: markdown`${formatNumber(ipam.blocksInUse)}` });
    keyFacts.push({
      label: 'Allocated',
      value: ipam.allocated !== null ? markdown`${formatNumber(ipam.allocated)} addresses, utilisation ${percent(ipam.utilisation)}` : markdown`not collected (IPAM blocks)`,
    });
  }
  return { pools, note, keyFacts, verdicts: verdictLine('IPAM rules', checksIn(['IPAM'])) };
}

// ------------------------------------------------------------------------------------------------
// 4. BGP

function bgpView(assessment: Assessment, checksIn: ChecksIn, check: (id: string) => Check | undefined) {
  const { facts } = assessment;
  const { bgp } = facts;
  const keyFacts: Fact[] = [];
  if (bgp.source) keyFacts.push({ label: 'Configured by', value: markdown`${bgp.source}` });
  keyFacts.push({ label: 'AS number', value: bgp.asNumber !== null ? markdown`${bgp.asNumber}` : markdown`not collected (BGPConfiguration)` });
  keyFacts.push({ label: 'Node-to-node mesh', value: markdown`${onOff(bgp.meshEnabled, 'enabled', 'disabled', 'not collected')}${bgp.enabled === false ? ' (unused: BGP is off)' : ''}` });
  keyFacts.push({
    label: 'Peers',
    value: bgp.peers === null ? markdown`not collected` : bgp.peers.length ? markdown`${plural(bgp.peers.length, 'BGPPeer')} (below)` : markdown`none configured`,
  });
  const nodes = facts.topology.nodes ?? [];
  const reflectors = nodes.filter((n) => n.routeReflector);
  let reflectorsText: SafeMarkdown;
  if (bgp.routeReflectors === null) reflectorsText = markdown`not determined (nodes not collected)`;
  else if (!bgp.routeReflectors.length) reflectorsText = markdown`none${bgp.mode === 'mesh' ? ' (the node-to-node mesh is in use)' : bgp.mode === 'off' ? ' (BGP is off)' : ''}`;
  else {
    const bySubnet = new Map<string, string[]>();
    for (const n of reflectors) bySubnet.set(n.subnetId ?? 'subnet not collected', [...(bySubnet.get(n.subnetId ?? 'subnet not collected') ?? []), n.name]);
    reflectorsText = joinMarkdown(
      [...bySubnet].map(([subnet, names]) => markdown`${subnet}: ${joinMarkdown(names)}`),
      '; ',
    );
  }
  keyFacts.push({ label: 'Route reflectors', value: reflectorsText });
  const advertised = [...bgp.serviceClusterIPs, ...bgp.serviceExternalIPs];
  keyFacts.push({ label: 'Advertised service CIDRs', value: advertised.length ? joinMarkdown(advertised) : markdown`none` });
  const analysis = check('CAL-RT-04');
  return {
    status: bgpStatus(bgp),
    keyFacts,
    peers: (bgp.peers ?? []).map((p) => ({
      name: p.name,
      scope: p.scope,
      peer: p.peerIP ?? (p.peerSelector ? `nodes matching ${p.peerSelector}` : 'n/a'),
      asNumber: p.asNumber ?? 'cluster AS',
    })),
    analysis: analysis && analysis.status !== 'unknown' ? markdown`${analysis.summary}` : null,
    verdicts: verdictLine('BGP rules', [...checksIn(['CAL-RT-04']), ...checksIn(['BGP'])]),
  };
}

// ------------------------------------------------------------------------------------------------
// 5. Policies

function policyView(assessment: Assessment, checksIn: ChecksIn, check: (id: string) => Check | undefined) {
  const { policy, workloads } = assessment.facts;
  const keyFacts: Fact[] = [];
  keyFacts.push({ label: 'Global policies', value: policy.globalPolicies === null ? markdown`not collected` : markdown`${policy.globalPolicies}` });
  keyFacts.push({
    label: 'Namespaced policies',
    value:
      policy.namespacedCalicoPolicies === null && policy.kubernetesPolicies === null
        ? markdown`not collected`
        : markdown`${policy.namespacedCalicoPolicies ?? 'n/a'} Calico, ${policy.kubernetesPolicies ?? 'n/a'} Kubernetes`,
  });
  keyFacts.push({ label: 'Security model', value: policy.model ? markdown`${policy.model}` : markdown`not determined (policies not collected)` });
  keyFacts.push({
    label: 'Default deny',
    value: policy.defaultDeny ? markdown`${policy.defaultDeny}` : policy.globalPolicies === null ? markdown`not determined` : markdown`none`,
  });
  keyFacts.push({ label: 'Allow-all global policies', value: policy.allowAll.length ? joinMarkdown(policy.allowAll) : markdown`none` });
  const dns = check('CAL-POL-04');
  const kubeSystem = check('CAL-POL-05');
  if (dns) keyFacts.push({ label: 'DNS under the default deny', value: markdown`${dns.summary}` });
  if (kubeSystem) keyFacts.push({ label: 'kube-system under the default deny', value: markdown`${kubeSystem.summary}` });

  const candidates = policy.defaultDenyCandidates
    .filter((c) => c.shortfalls.length)
    .map((c) => markdown`**${c.name}** is not a complete default deny: ${joinMarkdown(c.shortfalls, '; ')}`);
  const workloadNamespaces = (workloads?.byNamespace ?? []).filter((n) => !n.system);
  const covered = workloadNamespaces.filter((n) => n.selected === true).map((n) => n.namespace);
  const uncovered = workloadNamespaces.filter((n) => n.selected === false).map((n) => n.namespace);
  const coverage: Fact[] = [];
  if (workloads && workloadNamespaces.length && workloadNamespaces.every((n) => n.selected !== null)) {
    coverage.push({ label: 'With a policy', value: covered.length ? joinMarkdown(covered) : markdown`none` });
    coverage.push({ label: 'Without one', value: uncovered.length ? joinMarkdown(uncovered) : markdown`none` });
  }
  return {
    tiers: (policy.tiers ?? []).map((t) => ({ order: t.order === null ? 'none (last)' : formatNumber(t.order), name: t.name, defaultAction: t.defaultAction })),
    tiersNote: policy.tiers === null ? markdown`Tiers were not collected.` : null,
    keyFacts,
    candidates,
    coverage,
    verdicts: verdictLine('Policy rules', checksIn(['POL'])),
  };
}

// ------------------------------------------------------------------------------------------------
// 6. Workloads

function workloadView(assessment: Assessment) {
  const { workloads, topology } = assessment.facts;
  if (!workloads) return { note: markdown`Pods were not collected.`, total: null, byNamespace: [], byNode: [], byNodeNote: null };
  const many = workloads.byNode.length > BUSIEST_NODES + 2;
  return {
    note: null,
    total: markdown`**${formatNumber(workloads.pods)} pods** run on the pod network (running or pending); ${formatNumber(workloads.hostNetworkPods)} host-network pods use their node's address and are left out.`,
    byNamespace: workloads.byNamespace.map((n) => ({
      namespace: n.namespace,
      pods: formatNumber(n.pods),
      kind: n.system ? 'system' : 'workload',
      policies: n.policies === null ? 'n/a' : formatNumber(n.policies),
      selected: n.selected === null ? 'not determined' : n.selected ? 'yes' : 'no',
    })),
    byNode: (many ? workloads.byNode.slice(0, BUSIEST_NODES) : workloads.byNode).map((n) => ({ node: n.node, pods: formatNumber(n.pods) })),
    byNodeNote: many
      ? markdown`The busiest nodes; report.json gives the count for each of the ${formatNumber(topology.nodeCount ?? workloads.byNode.length)} nodes.`
      : null,
  };
}

// ------------------------------------------------------------------------------------------------
// 7. Components and Felix

function componentView(assessment: Assessment, checksIn: ChecksIn) {
  const { components, felix, dataplane, wireguard, calico, mtu } = assessment.facts;
  const rows = (components ?? []).map((c) => ({
    name: c.name,
    kind: c.kind,
    namespace: c.namespace ?? 'n/a',
    desired: c.desired ?? 'n/a',
    ready: c.ready ?? 'n/a',
    health: c.healthy === true ? '✓ Healthy' : c.healthy === false ? '⚠ Degraded' : '? Unknown',
  }));
  const highlights: Fact[] = [
    { label: 'Dataplane', value: dataplane.mode ? markdown`${dataplane.mode}${dataplane.mode === 'bpf' ? ' (eBPF)' : ' (eBPF off)'}` : markdown`not determined` },
    { label: 'WireGuard', value: markdown`${onOff(wireguard.enabled, 'enabled', 'disabled', 'not determined')}` },
    { label: 'Log level', value: markdown`${felix.logSeverityScreen ?? 'not collected'}` },
    { label: 'Prometheus metrics', value: markdown`${onOff(felix.prometheusMetricsEnabled, 'enabled', 'disabled', 'not collected')}` },
  ];
  if (calico.variant === 'Calico Enterprise' || felix.flowLogs !== null) {
    highlights.push({ label: 'Flow logs', value: markdown`${onOff(felix.flowLogs, 'enabled', 'disabled', 'not configured')}` });
  }
  highlights.push({ label: 'Health port', value: felix.healthPort !== null ? markdown`${felix.healthPort}` : markdown`not collected` });
  if (assessment.facts.encapsulation?.vxlan || assessment.facts.calicoNetworking) {
    highlights.push({ label: 'VXLAN VNI', value: felix.vxlanVNI !== null ? markdown`${felix.vxlanVNI}${assessment.facts.encapsulation?.vxlan ? '' : ' (unused)'}` : markdown`not collected` });
  }
  highlights.push({ label: 'AWS source/destination check', value: markdown`${felix.awsSrcDstCheck ?? 'not collected'} (FelixConfiguration awsSrcDstCheck)` });
  if (mtu.configured !== null) highlights.push({ label: 'MTU', value: mtu.configured === 0 ? markdown`auto-detect` : markdown`${mtu.configured}` });
  return {
    rows,
    note: components === null ? markdown`The Calico workloads (DaemonSets and Deployments) were not collected.` : null,
    highlights,
    verdicts: verdictLine('Datastore, dataplane and observability rules', checksIn(['DS', 'ENC'])),
  };
}

// ------------------------------------------------------------------------------------------------
// 8. AWS layer

function exceptionRow(exception: SgException) {
  const { reachability, required } = exception;
  const needed = required === true ? 'yes' : required === false ? 'no' : 'not determined';
  let present: string;
  if (!reachability) present = 'not checked';
  else if (reachability.pairsChecked === 0) present = 'no node pairs exchange it';
  else if (reachability.admitted) present = `✓ admitted on all ${formatNumber(reachability.pairsChecked)} node pairs`;
  else {
    const refused = `refused on ${formatNumber(reachability.blockedCount)} of ${formatNumber(reachability.pairsChecked)} node pairs`;
    present = required === true ? `✗ ${refused}` : `not admitted (${refused})`;
  }
  const admittedBy = reachability?.admittingRules.length ? reachability.admittingRules.join('; ') : '';
  return { traffic: exception.traffic.label, needed, scope: exception.scope, present, admittedBy: admittedBy || 'n/a' };
}

function awsView(assessment: Assessment, checksIn: ChecksIn, mustBeOff: boolean) {
  const { facts, errors } = assessment;
  const missing = (sources: string[]): SafeMarkdown | null => {
    const hit = errors.filter((e) => sources.includes(e.source));
    return hit.length ? markdown` (${listWords(hit.map((e) => markdown`${e.source}: ${e.code}`))})` : null;
  };
  const nodes = facts.topology.nodes;
  const srcDst = nodes && nodes.length <= NODE_TABLE_LIMIT && nodes.some((n) => n.srcDstCheck !== null)
    ? nodes.map((n) => ({
        name: n.name,
        instanceId: n.instanceId ?? 'n/a',
        instanceName: n.instanceName ?? 'n/a',
        nodegroup: n.nodegroup ?? 'n/a',
        check: srcDstText(n, mustBeOff),
        groups: n.securityGroupIds.length ? n.securityGroupIds.join(', ') : 'not collected',
      }))
    : [];
  const ec2Missing = missing(['ec2:DescribeInstances']);
  const needsOff = facts.encapsulation?.unencapsulated === true;
  const srcDstIntro =
    facts.calicoNetworking === false
      ? markdown`The AWS VPC CNI gives pods VPC addresses, so EC2's source/destination check does not affect pod traffic.`
      : needsOff
        ? markdown`Some pod traffic leaves the nodes unencapsulated, so every node needs the check off; Felix is set to ${codeSpan(facts.felix.awsSrcDstCheck ?? 'n/a')}.`
        : facts.encapsulation
          ? markdown`Every pool encapsulates all pod traffic, so EC2 sees only node addresses and the check may stay on; Felix is set to ${codeSpan(facts.felix.awsSrcDstCheck ?? 'n/a')}.`
          : markdown`Whether pod traffic leaves the nodes unencapsulated could not be determined.`;
  return {
    exceptions: facts.sgExceptions?.map(exceptionRow) ?? [],
    exceptionsNote: facts.sgExceptions
      ? null
      : markdown`The security groups could not be checked: the EC2 instances or security groups were not collected${missing(['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups']) ?? markdown``}.`,
    groups: (facts.securityGroups ?? []).map((g) => ({
      groupId: g.groupId,
      groupName: g.groupName ?? (g.collected ? 'n/a' : 'not collected'),
      description: g.description ?? 'n/a',
      nodes: formatNumber(g.nodes),
    })),
    srcDstIntro,
    srcDst,
    srcDstNote: !nodes?.some((n) => n.srcDstCheck !== null)
      ? markdown`The source/destination check of each node is unknown: the EC2 instances were not collected${ec2Missing ?? markdown``}.`
      : nodes.length > NODE_TABLE_LIMIT
        ? markdown`With ${plural(nodes.length, 'node')}, report.json lists each node's check; CAL-AWS-01 below names any that matter.`
        : null,
    routeTables: (facts.routeTables ?? []).map((t) => ({
      routeTableId: t.routeTableId,
      main: t.main ? 'yes' : 'no',
      subnets: t.subnets.join(', '),
      routes: formatNumber(t.routes),
      podRoutes: formatNumber(t.podRoutes),
    })),
    routeTablesNote: facts.routeTables
      ? null
      : markdown`Route-table use is unknown: the route tables, instances, subnets or pools were not collected${missing(['ec2:DescribeRouteTables', 'ec2:DescribeSubnets']) ?? markdown``}.`,
    verdicts: verdictLine('AWS-layer rules', checksIn(['AWS'])),
  };
}

// ------------------------------------------------------------------------------------------------
// 9. Findings and 10. Recommendations

function findingView(check: Check) {
  return {
    id: check.id,
    title: check.title,
    severity: check.severity,
    area: AREAS[check.area as Area] ?? check.area,
    seed: check.seed,
    summary: check.summary,
    evidence: check.evidence.map(evidenceLine),
    remediation: check.remediation ? fencedBlock(check.remediation, 'sh') : null,
  };
}

/** What hid an unknown rule, briefly: each missing source with its error codes (the messages follow the table). */
function unknownReason(check: Check): string {
  const parts = check.evidence.map((e) => {
    if (e.object === 'rule error') return `the rule failed: ${e.note ?? 'no message'}`;
    const codes = (e.note ?? 'not collected')
      .split('; ')
      .map((part) => /^([A-Za-z][\w.]*): /.exec(part)?.[1] ?? part);
    return `${e.field ?? e.object}: ${[...new Set(codes)].join(', ')}`;
  });
  return parts.join('; ') || check.summary;
}

function recommendationView(assessment: Assessment, findings: Check[]) {
  const item = (c: Check) => ({ id: c.id, title: c.title, severity: c.severity });
  const unknown = assessment.checks.filter((c) => c.status === 'unknown');
  const sources = [...new Set(unknown.flatMap((c) => c.evidence.map((e) => e.field).filter((f): f is string => !!f)))].sort();
  return {
    immediate: findings.filter((c) => c.severity === 'critical' || c.severity === 'high').map(item),
    later: findings.filter((c) => c.severity !== 'critical' && c.severity !== 'high').map(item),
    coverage: unknown.length
      ? markdown`Let the audit read ${listWords(sources.map((s) => codeSpan(s)))} so that ${listWords(unknown.map((c) => c.id))} can be judged.`
      : null,
  };
}

// ------------------------------------------------------------------------------------------------

/** The whole report, section by section. */
export function buildReportView(assessment: Assessment, options: RenderOptions = {}) {
  const { facts, score, target } = assessment;
  // A suppressed finding is a recorded decision: listed apart with its reason, and not scored.
  const findings = assessment.checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity);
  const suppressed = assessment.checks.filter((c) => c.status === 'fail' && c.suppression).sort(bySeverity);
  const byId = new Map(assessment.checks.map((c) => [c.id, c]));
  const check = (id: string) => byId.get(id);
  const checksIn: ChecksIn = (keys) => assessment.checks.filter((c) => keys.includes(c.area) || keys.includes(c.id));
  const severityIndex = (c: Check) => SEVERITIES.indexOf(c.severity);
  const mustBeOff = check('CAL-AWS-01')?.status === 'fail';
  return {
    header: {
      cluster: target.clusterName,
      account: target.accountId,
      region: target.region,
      date: assessment.collectedAt.slice(0, 10),
      collectedAt: assessment.collectedAt,
      calico: facts.calico.version ? `${facts.calico.version} (${facts.calico.variant})` : `${facts.calico.variant}, version not determined`,
      kubernetes: facts.cluster.kubernetesVersion ?? 'not determined',
      tool: `${assessment.collector.name} ${assessment.collector.version}`,
      score: score.value,
      grade: score.grade,
      coverage: percent(score.coverage),
      masked: options.masked === true,
    },
    summary: summaryView(assessment, findings),
    architecture: architectureView(assessment, checksIn, mustBeOff),
    ipam: ipamView(assessment, checksIn),
    bgp: bgpView(assessment, checksIn, check),
    policy: policyView(assessment, checksIn, check),
    workloads: workloadView(assessment),
    components: componentView(assessment, checksIn),
    aws: awsView(assessment, checksIn, mustBeOff),
    findings: findings.map(findingView),
    suppressed: suppressed.map((c) => ({
      id: c.id,
      title: c.title,
      severity: c.severity,
      reason: c.suppression!.reason,
      expires: c.suppression!.expires ?? 'no expiry',
    })),
    expiredSuppressions: (assessment.suppressions?.expired ?? []).map((s) => ({ id: s.ruleId, reason: s.reason, expires: s.expires })),
    passed: assessment.checks
      .filter((c) => c.status === 'pass')
      .sort((a, b) => severityIndex(a) - severityIndex(b) || a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, title: c.title, summary: c.summary })),
    notApplicable: assessment.checks.filter((c) => c.status === 'not_applicable').map((c) => ({ id: c.id, title: c.title, summary: c.summary })),
    unknown: assessment.checks
      .filter((c) => c.status === 'unknown')
      .map((c) => ({ id: c.id, title: c.title, reason: unknownReason(c) })),
    errors: assessment.errors.map((e) => ({ source: e.source, code: e.code, message: e.message })),
    recommendations: recommendationView(assessment, findings),
    diagram: fencedBlock(architectureDiagram(facts)),
    commands: fencedBlock(diagnosticCommands(assessment), 'sh'),
  };
}

export type ReportView = ReturnType<typeof buildReportView>;
