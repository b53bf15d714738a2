/** The per-cluster report's view, section 5. Network security policies. */
import type { Reach, ReachFact } from '../../assess/facts.js';
import { joinMarkdown, markdown, type SafeMarkdown } from '../escape.js';
import { type Fact, formatNumber, keyFactValue, type SectionChecks, verdictLine } from './format.js';
import type { Assessment } from '../../assess/assess.js';

/** Above this many namespaces the matrix gives way to a row per namespace (report.json keeps the matrix). */
export const MATRIX_NAMESPACE_LIMIT = 30;
/** Rows of the per-namespace summary shown before the rest is left to report.json. */
export const NAMESPACE_ROW_LIMIT = 50;

export const REACH_MARK: Record<Reach, string> = { allowed: '✓', denied: '✗', partly: '◐', unknown: '?' };
const mark = (value: Reach | null): string => (value === null ? 'n/a' : `${REACH_MARK[value]} ${value}`);

/** Namespace names for a shared row: `(system)` said once when every one of them is a system namespace. */
const namespaceList = (namespaces: ReadonlyArray<{ name: string; system: boolean }>): string =>
  namespaces.every((ns) => ns.system) && namespaces.length > 1
    ? `${namespaces.map((ns) => ns.name).join(', ')} (system)`
    : namespaces.map((ns) => (ns.system ? `${ns.name} (system)` : ns.name)).join(', ');

/**
 * The matrix with namespaces that policy treats alike folded into one row and column: those whose
 * row (what they reach) and column (what reaches them) are the same cell for cell, so every cell
 * between members and with the rest is one verdict (six system namespaces that reach and are
 * reached alike read as one line). Keyed by content, so linear in cells.
 */
export function groupedMatrix(reach: ReachFact) {
  const { namespaces, matrix } = reach;
  const column = (j: number) => matrix.map((row) => row[j]).join();
  const groups: number[][] = [];
  const byKey = new Map<string, number[]>();
  namespaces.forEach((_, i) => {
    const key = `${matrix[i]!.join()}|${column(i)}`;
    const group = byKey.get(key);
    if (group) group.push(i);
    else {
      const created = [i];
      byKey.set(key, created);
      groups.push(created);
    }
  });
  const codeOf = (group: number[]) => {
    const codes = group.map((i) => namespaces[i]!.code);
    const contiguous = group.every((index, k) => k === 0 || index === group[k - 1]! + 1);
    return codes.length === 1 ? codes[0]! : contiguous ? `${codes[0]}–${codes.at(-1)}` : codes.join(',');
  };
  return {
    columns: groups.map(codeOf),
    rows: groups.map((group) => ({
      code: codeOf(group),
      namespace: namespaceList(group.map((i) => namespaces[i]!)),
      cells: groups.map((to) => REACH_MARK[matrix[group[0]!]![to[0]!]!]),
    })),
  };
}

function reachView(reach: ReachFact) {
  const many = reach.namespaces.length > MATRIX_NAMESPACE_LIMIT;
  const keyFlows = reach.namespaces.slice(0, NAMESPACE_ROW_LIMIT).map((ns) => ({
    namespace: ns.system ? `${ns.name} (system)` : ns.name,
    code: ns.code,
    reaches: `✓ ${ns.to.allowed} · ◐ ${ns.to.partly} · ✗ ${ns.to.denied} · ? ${ns.to.unknown}`,
    dns: mark(ns.dns),
    apiServer: mark(ns.apiServer),
    sameNamespace: mark(ns.sameNamespace),
    internet: mark(ns.internet),
  }));
  // Namespaces whose key flows read the same share one row (in a cluster that allows everything, one row says it).
  const keyFlowGroups: Array<{ namespaces: string[]; dns: string; apiServer: string; sameNamespace: string; internet: string }> = [];
  const groupOf = new Map<string, (typeof keyFlowGroups)[number]>();
  for (const row of keyFlows) {
    const key = [row.dns, row.apiServer, row.sameNamespace, row.internet].join('|');
    const group = groupOf.get(key);
    if (group) group.namespaces.push(row.namespace);
    else {
      const created = { namespaces: [row.namespace], dns: row.dns, apiServer: row.apiServer, sameNamespace: row.sameNamespace, internet: row.internet };
      groupOf.set(key, created);
      keyFlowGroups.push(created);
    }
  }
  return {
    intro: markdown`Every TCP and UDP port between the namespaces' ${formatNumber(reach.pods)} pods (rows send, columns receive), judged through every tier at the source's egress and the destination's ingress.`,
    legend: markdown`✓ allowed · ✗ denied · ◐ partly (some pods or ports) · ? unknown (never counted as allowed)`,
    matrix: many ? null : groupedMatrix(reach),
    summarised: many
      ? markdown`${formatNumber(reach.namespaces.length)} namespaces run pods: too many for a readable matrix, so each is summarised by how many namespaces it reaches (report.json keeps the whole matrix, in facts.policy.reach).`
      : null,
    keyFlows,
    keyFlowGroups: keyFlowGroups.map((g) => ({ ...g, namespace: g.namespaces.join(', ') })),
    more: reach.namespaces.length > NAMESPACE_ROW_LIMIT ? markdown`… and ${formatNumber(reach.namespaces.length - NAMESPACE_ROW_LIMIT)} more namespaces in report.json.` : null,
    notes: [
      { label: 'CoreDNS', value: markdown`${reach.coreDns}` },
      { label: 'API server', value: markdown`${reach.apiServer}` },
      { label: 'Internet', value: markdown`${reach.internet}` },
    ] as Fact[],
  };
}

export function policyView(assessment: Assessment, checks: SectionChecks) {
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
  if (policy.adminPolicies) keyFacts.push({ label: 'Kubernetes admin policies', value: markdown`${policy.adminPolicies}` });
  if (policy.stagedPolicies) keyFacts.push({ label: 'Staged policies (not enforced)', value: markdown`${policy.stagedPolicies}` });
  keyFacts.push({ label: 'Security model', value: policy.model ? markdown`${policy.model}` : markdown`not determined (policies not collected)` });
  const newNamespace = policy.newNamespace;
  const side = (verdict: Reach, by: string | null): SafeMarkdown => (by ? markdown`${verdict} by ${by}` : markdown`${verdict}`);
  keyFacts.push({
    label: 'A namespace created tomorrow',
    value: newNamespace
      ? markdown`ingress ${side(newNamespace.ingress, newNamespace.ingressBy)}, egress ${side(newNamespace.egress, newNamespace.egressBy)} (${newNamespace.port}, a port no rule names)`
      : markdown`not determined (policies not collected)`,
  });
  keyFacts.push({ label: 'Global policies that allow everything', value: policy.allowAll.length ? joinMarkdown(policy.allowAll) : markdown`none` });
  // A key fact from a rule that does not apply (DNS under a default deny that does not exist) says nothing new.
  for (const c of checks.keyFacts('policy').filter((k) => k.status !== 'not_applicable')) keyFacts.push({ label: c.keyFact!.label, value: keyFactValue(c) });

  const workloadNamespaces = (workloads?.byNamespace ?? []).filter((n) => !n.system);
  const covered = workloadNamespaces.filter((n) => n.selected === true).map((n) => n.namespace);
  const uncovered = workloadNamespaces.filter((n) => n.selected === false).map((n) => n.namespace);
  const coverage: Fact[] = [];
  if (workloads && workloadNamespaces.length && workloadNamespaces.every((n) => n.selected !== null)) {
    coverage.push({ label: 'Constrained by a policy', value: covered.length ? joinMarkdown(covered) : markdown`none` });
    coverage.push({ label: 'Not constrained', value: uncovered.length ? joinMarkdown(uncovered) : markdown`none` });
  }
  return {
    tiers: (policy.tiers ?? []).map((t) => ({ order: t.order === null ? 'none (last)' : formatNumber(t.order), name: t.name, defaultAction: t.defaultAction })),
    tiersNote: policy.tiers === null ? markdown`Tiers were not collected.` : null,
    keyFacts,
    coverage,
    reach: policy.reach ? reachView(policy.reach) : null,
    reachNote: policy.reach ? null : markdown`Who can reach whom is not determined: the policies or pods were not all collected.`,
    verdicts: verdictLine('Policy rules', checks.inAreas('POL')),
  };
}
