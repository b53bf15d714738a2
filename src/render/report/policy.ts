/** The per-cluster report's view, section 5. Network security policies. */
import { joinMarkdown, markdown } from '../escape.js';
import { type Fact, formatNumber, type SectionChecks, verdictLine } from './format.js';
import type { Assessment } from '../../assess/assess.js';
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
  keyFacts.push({ label: 'Security model', value: policy.model ? markdown`${policy.model}` : markdown`not determined (policies not collected)` });
  keyFacts.push({
    label: 'Default deny',
    value: policy.defaultDeny ? markdown`${policy.defaultDeny}` : policy.globalPolicies === null ? markdown`not determined` : markdown`none`,
  });
  keyFacts.push({ label: 'Allow-all global policies', value: policy.allowAll.length ? joinMarkdown(policy.allowAll) : markdown`none` });
  // A key fact from a rule that does not apply (DNS under a default deny that does not exist) says nothing new.
  for (const c of checks.keyFacts('policy').filter((k) => k.status !== 'not_applicable')) keyFacts.push({ label: c.keyFact!.label, value: markdown`${c.summary}` });

  // Without any default deny the failure tells each candidate's shortfalls, once, under Findings.
  const candidates = policy.defaultDenyCandidates
    .filter((c) => c.shortfalls.length && policy.defaultDeny !== null)
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
    verdicts: verdictLine('Policy rules', checks.inAreas('POL')),
  };
}
