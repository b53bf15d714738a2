/** Network policy: tiers, counts, the default deny and allow-all policies, the security model in words. */
import type { Facts } from '../facts.js';
import { allowAllPolicies, defaultDenyCandidates, findDefaultDeny } from '../policy-analysis.js';
import type { ClusterModel } from '../model.js';
export function policyFacts(model: ClusterModel): Facts['policy'] {
  const { policies, namespaces } = model;
  const tiers = model.tiers ? [...model.tiers].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.name.localeCompare(b.name)) : null;
  const count = (kind: string) => (policies ? policies.filter((p) => p.kind === kind).length : null);
  const defaultDeny = policies ? findDefaultDeny(policies, namespaces, model.tiers) : null;
  const allowAll = policies ? allowAllPolicies(policies, namespaces).map((a) => a.policy.name) : [];
  let model_: string | null = null;
  if (policies) {
    const parts: string[] = [];
    if (tiers && tiers.length > 1) parts.push(`${tiers.length} tiers`);
    if (defaultDeny) parts.push(`global default deny (${defaultDeny.name})`);
    else if (allowAll.length) parts.push(`global default allow (${allowAll.join(', ')})`);
    else parts.push('no global default deny');
    const namespaced = (count('NetworkPolicy') ?? 0) + (count('KubernetesNetworkPolicy') ?? 0);
    parts.push(namespaced ? `${namespaced} namespaced polic${namespaced === 1 ? 'y' : 'ies'}` : 'no namespaced policies');
    model_ = parts.join(', ');
  }
  return {
    tiers,
    globalPolicies: count('GlobalNetworkPolicy'),
    namespacedCalicoPolicies: count('NetworkPolicy'),
    kubernetesPolicies: count('KubernetesNetworkPolicy'),
    defaultDeny: defaultDeny?.name ?? null,
    defaultDenyCandidates: policies
      ? defaultDenyCandidates(policies, namespaces, model.tiers).map((c) => ({ name: c.policy.name, shortfalls: c.shortfalls }))
      : [],
    allowAll,
    model: model_,
  };
}
