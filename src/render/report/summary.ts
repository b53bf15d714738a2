/** The per-cluster report's view, section 1. Executive summary. */
import { joinMarkdown, markdown, SafeMarkdown } from '../escape.js';
import type { Facts } from '../../assess/facts.js';
import { formatNumber, listWords, onOff, percent, plural } from './format.js';
import type { Assessment, Check } from '../../assess/assess.js';
import { checkTitle } from '../../assess/check-title.js';
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

/** `This EKS cluster`, `This IPv6 EKS cluster`, `This dual-stack EKS cluster`. */
const clusterPhrase = (facts: Facts): string =>
  facts.cluster.ipFamily === 'ipv6' ? 'This IPv6 EKS cluster' : facts.cluster.dualStack ? 'This dual-stack EKS cluster' : 'This EKS cluster';

/** How far the cluster can grow, by its node groups and NodePools, as a clause. */
function growthClause(facts: Facts): SafeMarkdown {
  const { growth } = facts;
  if (growth.nodesNow === null) return markdown``;
  const sources = growth.sources.filter((s) => s.kind !== 'no known group');
  const kinds = [...new Set(sources.map((s) => s.kind))].map((kind) => {
    const count = sources.filter((s) => s.kind === kind).length;
    return count === 1 ? markdown`${kind} ${sources.find((s) => s.kind === kind)!.name}` : markdown`${plural(count, kind)}`;
  });
  const by = kinds.length ? markdown` through its ${listWords(kinds)}` : markdown``;
  if (growth.maxNodes !== null) return growth.maxNodes > growth.nodesNow ? markdown`, and can grow to ${formatNumber(growth.maxNodes)}${by}` : markdown``;
  const unbounded = growth.unbounded.length ? markdown` (${growth.unbounded[0]})` : markdown` (${growth.missing.join(', ')} not collected)`;
  return markdown`; how far it can grow cannot be bounded${unbounded}`;
}

function openingSentences(assessment: Assessment): SafeMarkdown[] {
  const { facts } = assessment;
  const { topology, cluster } = facts;
  const sentences: SafeMarkdown[] = [];
  const install = installPhrase(facts.calico.method);
  const thisCluster = clusterPhrase(facts);
  if (facts.calico.presence === 'absent' || facts.cni.mode === 'no-calico') {
    sentences.push(markdown`Calico was not found in this ${thisCluster.replace('This ', '')}: every Calico rule is not applicable, and only the EKS rules were judged.`);
  } else if (facts.cni.mode === 'aws-vpc-cni-policy-only') {
    sentences.push(
      markdown`${thisCluster} runs the AWS VPC CNI for pod networking and ${calicoName(facts)}${install} for network policy only: pods get VPC addresses, and Calico neither routes nor allocates them.`,
    );
  } else if (facts.cni.mode === 'other-cni-policy-only') {
    sentences.push(markdown`${thisCluster} runs another CNI plugin for pod networking and ${calicoName(facts)}${install} for network policy only.`);
  } else if (facts.cni.mode === null) {
    sentences.push(markdown`${thisCluster} runs ${calicoName(facts)}${install}; how it routes pod traffic could not be determined (${facts.cni.label}).`);
  } else {
    sentences.push(markdown`${thisCluster} runs ${calicoName(facts)}${install} as its CNI, on ${encapsulationPhrase(facts)} ${bgpPhrase(facts.bgp)}.`);
  }

  if (topology.nodeCount !== null) {
    const zones = topology.availabilityZones?.length ?? 0;
    const vpc = cluster.vpcId ? markdown` of VPC ${cluster.vpcId}${cluster.vpcCidrs?.length ? markdown` (${joinMarkdown(cluster.vpcCidrs)})` : markdown``}` : markdown``;
    const where = topology.subnets
      ? markdown`${plural(topology.subnets.length, 'subnet')} across ${plural(zones, 'availability zone')}${vpc}`
      : markdown`${plural(zones, 'availability zone')}${vpc}; their subnets are not known, as the EC2 instances were not collected`;
    const windows = topology.windowsNodeCount ? markdown` (${plural(topology.windowsNodeCount, 'Windows node')} among them)` : markdown``;
    sentences.push(
      markdown`Its ${plural(topology.nodeCount, 'node')}${windows} sit in ${where}${topology.fargateNodeCount ? markdown`, beside ${plural(topology.fargateNodeCount, 'Fargate node')}` : markdown``}${growthClause(facts)}.`,
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

/** Strengths listed at most: the few that matter for this cluster's design, not every passed rule. */
export const STRENGTHS_SHOWN = 5;

/**
 * The strengths worth telling: passed rules the cluster's design relies on — applicable (a rule that
 * does not apply is nothing the design leans on) and weighing critical or high — most severe first,
 * never from an area where a rule failed at medium or worse, so no strength reads against a finding beside it.
 */
export function curatedStrengths(assessment: Assessment, findings: Check[]): Check[] {
  // A low finding (eBPF off, Typha not yet needed) contradicts nothing; a medium or worse one does.
  const failedAreas = new Set(findings.filter((c) => c.severity !== 'low' && c.severity !== 'info').map((c) => c.area));
  const rank = (c: Check) => (c.severity === 'critical' ? 0 : 1);
  return assessment.checks
    .filter((c) => c.status === 'pass' && (c.severity === 'critical' || c.severity === 'high') && !failedAreas.has(c.area))
    .map((c, order) => ({ c, order }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.order - b.order)
    .slice(0, STRENGTHS_SHOWN)
    .map(({ c }) => c);
}

export function summaryView(assessment: Assessment, findings: Check[]) {
  return {
    opening: joinMarkdown(openingSentences(assessment), ' '),
    score: scoreSentence(assessment),
    collection: collectionSentence(assessment),
    topFindingsIntro: findings.length === 1 ? 'The only finding:' : findings.length <= 3 ? 'The findings:' : 'The three most severe findings:',
    // One line each, linking to the finding: it is told in full once, under Findings.
    topFindings: findings.slice(0, 3).map((c) => ({ id: c.id, severity: c.severity, title: checkTitle(c) })),
    moreFindings: findings.length > 3,
    strengths: curatedStrengths(assessment, findings).map((c) => ({ id: c.id, title: c.title })),
    unknown: assessment.checks.filter((c) => c.status === 'unknown').length,
  };
}
