/**
 * Network policy: tiers, counts, and what the policies add up to — the default deny a new
 * namespace meets, global allow-alls, and the namespace × namespace reachability matrix with the
 * key flows (DNS, the API server, the same namespace, the internet) — all from the reachability model.
 */
import { isSystemNamespace } from '../../reference/index.js';
import type { Facts } from '../facts.js';
import type { ClusterModel } from '../model.js';
import { reachAnalysis, reachOf, type Reach, type ReachAnalysis } from '../reach/analysis.js';
import { allowAllCheck, defaultDenyCheck, dnsCheck, sidesVerdict } from '../reach/checks.js';
import { decidingPolicy } from '../reach/checks.js';
import { policyName } from '../reach/describe.js';

const podCount = (pods: number): string => `${pods} pod${pods === 1 ? '' : 's'}`;

/** `A`, `B`, … `Z`, `AA`, `AB`: short column names for the matrix. */
export function columnCode(index: number): string {
  let code = '';
  let n = index + 1;
  while (n > 0) {
    const rest = (n - 1) % 26;
    code = String.fromCharCode(65 + rest) + code;
    n = Math.floor((n - 1) / 26);
  }
  return code;
}

export interface ReachFact {
  /** What the matrix is over. */
  traffic: string;
  /** Port ranges the rules split TCP and UDP into (each decided as a whole). */
  portRanges: number;
  /** Groups of pods policy can tell apart, and the pods they hold. */
  groups: number;
  pods: number;
  /** How CoreDNS and the API server were found, and the address that stands for the internet. */
  coreDns: string;
  apiServer: string;
  internet: string;
  namespaces: Array<{
    name: string;
    /** Its column in the Markdown matrix. */
    code: string;
    system: boolean;
    pods: number;
    groups: number;
    /** Its pods → CoreDNS on UDP and TCP 53, both sides (null: no CoreDNS pod on the pod network). */
    dns: Reach | null;
    /** Its pods → the API server (egress). */
    apiServer: Reach;
    sameNamespace: Reach;
    /** Its pods → an internet host, any port (egress). */
    internet: Reach;
    /** Namespaces it can reach, per verdict (itself included). */
    to: Record<Reach, number>;
  }>;
  /** Row = from, column = to, in `namespaces` order, every TCP and UDP port. */
  matrix: Reach[][];
}

const counts = (values: readonly Reach[]): Record<Reach, number> => ({
  allowed: values.filter((v) => v === 'allowed').length,
  denied: values.filter((v) => v === 'denied').length,
  partly: values.filter((v) => v === 'partly').length,
  unknown: values.filter((v) => v === 'unknown').length,
});

function reachFact(analysis: ReachAnalysis): ReachFact {
  const cluster = analysis.cluster;
  const matrix = analysis.matrix();
  const n = matrix.namespaces.length;
  const cells = matrix.namespaces.map((_, i) => matrix.namespaces.map((__, j) => reachOf(matrix.flags[i * n + j]!)));
  const dns = dnsCheck(analysis);
  const dnsAtoms = analysis.ports([
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ]);
  const apiAtoms = cluster.apiServer ? analysis.port('TCP', cluster.apiServer.port) : null;
  const namespaces = matrix.namespaces.map((name, i) => {
    const groups = cluster.byNamespace.get(name) ?? [];
    let dnsFlags = 0;
    let apiFlags = 0;
    let internetFlags = 0;
    for (const group of groups) {
      for (const to of cluster.coreDns) dnsFlags |= analysis.flowFlags(group, to, dnsAtoms);
      if (cluster.apiServer && apiAtoms) for (const to of cluster.apiServer.endpoints) apiFlags |= analysis.sideFlags('egress', group, to, apiAtoms);
      internetFlags |= analysis.sideFlags('egress', group, cluster.internet, cluster.allPorts);
    }
    return {
      name,
      code: columnCode(i),
      system: isSystemNamespace(name),
      pods: groups.reduce((sum, g) => sum + g.pods, 0),
      groups: groups.length,
      dns: cluster.coreDns.length ? (dns.perNamespace.get(name) ?? reachOf(dnsFlags)) : null,
      apiServer: cluster.apiServer ? reachOf(apiFlags) : 'unknown',
      sameNamespace: cells[i]![i]!,
      internet: reachOf(internetFlags),
      to: counts(cells[i]!),
    };
  });
  const tcp = cluster.allPorts.atoms.filter((a) => a.protocol === 'TCP').length;
  return {
    traffic: 'every TCP and UDP port',
    portRanges: cluster.allPorts.atoms.length,
    groups: cluster.groups.length,
    pods: cluster.groups.reduce((sum, g) => sum + g.pods, 0),
    // Pods of one workload that policy tells apart (other labels, another node) are still one name.
    coreDns: cluster.coreDns.length
      ? `${[...new Set(cluster.coreDns.map((g) => g.name))].join(', ')} (${podCount(cluster.coreDns.reduce((sum, g) => sum + g.pods, 0))}; ${cluster.coreDnsSource === 'endpointslices' ? 'the kube-dns EndpointSlices' : 'label k8s-app=kube-dns in kube-system'})`
      : 'no CoreDNS pod on the pod network',
    apiServer: !cluster.apiServer
      ? 'unknown: neither the kubernetes EndpointSlices nor the cluster subnets were collected'
      : cluster.apiServer.exact
        ? `${cluster.apiServer.endpoints.map((e) => e.range.text).join(', ')} on TCP ${cluster.apiServer.port} (the kubernetes EndpointSlices)`
        : `an address in the cluster subnets (${cluster.apiServer.endpoints.map((e) => e.range.text).join(', ')}) on TCP ${cluster.apiServer.port}`,
    internet: `${cluster.internet.range.text} (a documentation address standing for any internet host), ${tcp} TCP and ${cluster.allPorts.atoms.length - tcp} UDP port ranges`,
    namespaces,
    matrix: cells,
  };
}

/** How a new namespace's side fares, in words: `denied by default.global-deny-all (…)`. */
function newNamespaceSide(results: ReturnType<typeof defaultDenyCheck>['probes'][number]['ingress']): { verdict: Reach; by: string | null } {
  const verdict = sidesVerdict(results);
  const deciding = results.find((r) => r.verdict === (verdict === 'partly' ? 'allowed' : verdict)) ?? results[0]!;
  const decided = decidingPolicy(deciding.steps);
  return { verdict: verdict, by: decided?.policy ? policyName(decided.policy) : verdict === 'allowed' ? 'no policy (the namespace profile)' : null };
}

export function policyFacts(model: ClusterModel): Facts['policy'] {
  const { policies } = model;
  const tiers = model.tiers ? [...model.tiers].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.name.localeCompare(b.name)) : null;
  const count = (...kinds: string[]) => (policies ? policies.filter((p) => kinds.includes(p.kind)).length : null);
  let newNamespace: Facts['policy']['newNamespace'] = null;
  let defaultDeny: string | null = null;
  let allowAll: string[] = [];
  let reach: ReachFact | null = null;
  // The facts never stop the assessment: a model that cannot be worked out leaves them unknown.
  try {
    const analysis = reachAnalysis(model);
    if (analysis) {
    const probe = defaultDenyCheck(analysis).probes[0]!;
    const ingress = newNamespaceSide(probe.ingress);
    const egress = newNamespaceSide(probe.egress);
    newNamespace = { ingress: ingress.verdict, ingressBy: ingress.by, egress: egress.verdict, egressBy: egress.by, port: `TCP ${analysis.cluster.unnamedPort.TCP}` };
    if (ingress.verdict === 'denied' && egress.verdict === 'denied') defaultDeny = [...new Set([ingress.by, egress.by].filter((b): b is string => !!b))].join(' and ') || null;
    allowAll = [...new Set(allowAllCheck(analysis).findings.map((f) => f.policy.calicoName))];
    if (model.pods) reach = reachFact(analysis);
    }
  } catch {
    newNamespace = null;
    defaultDeny = null;
    allowAll = [];
    reach = null;
  }
  let model_: string | null = null;
  if (policies) {
    const parts: string[] = [];
    if (tiers && tiers.length > 1) parts.push(`${tiers.length} tiers`);
    if (defaultDeny) parts.push(`default deny (${defaultDeny})`);
    else if (allowAll.length) parts.push(`global default allow (${allowAll.join(', ')})`);
    else if (newNamespace && (newNamespace.ingress === 'unknown' || newNamespace.egress === 'unknown')) parts.push('default deny not determined');
    else parts.push('no default deny');
    const namespaced = (count('NetworkPolicy') ?? 0) + (count('KubernetesNetworkPolicy') ?? 0);
    parts.push(namespaced ? `${namespaced} namespaced polic${namespaced === 1 ? 'y' : 'ies'}` : 'no namespaced policies');
    const admin = count('AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy') ?? 0;
    if (admin) parts.push(`${admin} Kubernetes admin polic${admin === 1 ? 'y' : 'ies'}`);
    model_ = parts.join(', ');
  }
  return {
    tiers,
    globalPolicies: count('GlobalNetworkPolicy'),
    namespacedCalicoPolicies: count('NetworkPolicy'),
    kubernetesPolicies: count('KubernetesNetworkPolicy'),
    adminPolicies: count('AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'),
    stagedPolicies: model.stagedPolicies?.length ?? null,
    defaultDeny,
    newNamespace,
    allowAll,
    model: model_,
    reach,
  };
}
